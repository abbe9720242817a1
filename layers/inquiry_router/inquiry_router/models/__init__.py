"""Models: API input and configuration (pydantic, at the edges), and the stored items (frozen
dataclasses, each with one mapping to and from its DynamoDB item: see models/stored.py)."""
