"""Entry points: one composition root per function."""
