"""Words in several languages, one JSON file per language in a directory (`<language>.json`).

The languages are the files present, so adding a language is adding a file; a phrase a language
lacks is said in English rather than left out. The mails (mail/translations/) and the actions
pages (actions/translations/) each keep their own directory.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from types import MappingProxyType
from typing import Any

FALLBACK_LANGUAGE = "en"


@dataclass(frozen=True, slots=True)
class Translations:
    catalogs: Mapping[str, Mapping[str, str]]

    @classmethod
    def load(cls, directory: Traversable) -> Translations:
        catalogs = {
            entry.name.removesuffix(".json"): MappingProxyType(_strings(json.loads(entry.read_text("utf-8"))))
            for entry in directory.iterdir()
            if entry.name.endswith(".json")
        }
        if FALLBACK_LANGUAGE not in catalogs:
            raise FileNotFoundError(f"{directory} has no {FALLBACK_LANGUAGE}.json to fall back on")
        return cls(MappingProxyType(catalogs))

    @property
    def languages(self) -> frozenset[str]:
        return frozenset(self.catalogs)

    def phrase(self, language: str, key: str) -> str:
        found = self.catalogs.get(language, {}).get(key)
        return found if found is not None else self.catalogs[FALLBACK_LANGUAGE][key]


def _strings(document: Any) -> dict[str, str]:
    if not isinstance(document, dict) or not all(isinstance(v, str) for v in document.values()):
        raise ValueError("a translation file is one JSON object of strings")
    return document
