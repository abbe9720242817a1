"""Routing: which team an inquiry belongs to and which rep owns it (sticky owner or fair rotation)."""
