"""The mails' words, one JSON file per language in `translations/` (base/translations.py)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from inquiry_router.base.translations import FALLBACK_LANGUAGE, Translations

__all__ = ["FALLBACK_LANGUAGE", "Translations", "bundled_translations", "phrase", "supported_languages"]


@cache
def bundled_translations() -> Translations:
    return Translations.load(files("inquiry_router.mail") / "translations")


def supported_languages() -> frozenset[str]:
    return bundled_translations().languages


def phrase(language: str, key: str) -> str:
    """The phrase in `language`, or in English when that language lacks it (KeyError if none has it)."""
    return bundled_translations().phrase(language, key)
