"""Internationalisation: which language a buyer writes and reads."""
