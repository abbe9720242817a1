"""Pydantic models at the edges: API input, configuration, stored items."""
