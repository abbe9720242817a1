"""Serverless inquiry routing for export sellers."""

__version__ = "0.1.0"
