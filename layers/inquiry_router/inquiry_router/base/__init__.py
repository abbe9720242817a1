"""The neutral base: addresses, digests, timestamps, references, language, safe text, logging.

Nothing here imports from the rest of the package, so every layer above may use it."""
