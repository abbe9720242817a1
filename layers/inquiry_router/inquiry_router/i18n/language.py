"""Which language a buyer speaks: the form's locale, then the browser's Accept-Language, then the
script their message is written in. Cheap on purpose: it runs for every inquiry.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterator

# First word of a letter's Unicode name → the language that script most likely means for a buyer.
_SCRIPT_LANGUAGES = {
    "CJK": "zh",
    "HIRAGANA": "ja",
    "KATAKANA": "ja",
    "KATAKANA-HIRAGANA": "ja",
    "HANGUL": "ko",
    "CYRILLIC": "ru",
    "ARABIC": "ar",
    "THAI": "th",
    "GREEK": "el",
    "HEBREW": "he",
}
_LETTERS_LOOKED_AT = 500
# A Chinese message full of model numbers is still Chinese; an English one signed 王伟 is not.
_SCRIPT_SHARE_NEEDED = 0.2
_PRIMARY_SUBTAG = re.compile(r"^[a-z]{2,3}$")


def detect_language(locale: str | None, accept_language: str | None, text: str | None) -> str | None:
    """The buyer's most likely language as a primary subtag ("zh" for "zh-CN"), or None if unknown."""
    return next(_candidates(locale, accept_language, text), None)


def choose_language(
    locale: str | None, accept_language: str | None, text: str | None, supported: Collection[str]
) -> str:
    """The first language the buyer would read that we can write, else English."""
    return next((lang for lang in _candidates(locale, accept_language, text) if lang in supported), "en")


def _candidates(locale: str | None, accept_language: str | None, text: str | None) -> Iterator[str]:
    primary = _primary_subtag(locale)
    if primary:
        yield primary
    yield from _accept_language_subtags(accept_language)
    script_language = _script_language(text)
    if script_language:
        yield script_language


def _primary_subtag(tag: str | None) -> str | None:
    if not tag:
        return None
    primary = re.split(r"[-_]", tag.strip(), maxsplit=1)[0].lower()
    return primary if _PRIMARY_SUBTAG.match(primary) else None


def _accept_language_subtags(header: str | None) -> Iterator[str]:
    """Accept-Language entries by falling quality (stable for ties); `*` and q=0 are not choices."""
    weighted: list[tuple[float, str]] = []
    for entry in (header or "").split(","):
        tag, _, parameters = entry.partition(";")
        quality = _quality(parameters)
        primary = _primary_subtag(tag)
        if primary and quality > 0:
            weighted.append((quality, primary))
    for _, primary in sorted(weighted, key=lambda pair: -pair[0]):
        yield primary


def _quality(parameters: str) -> float:
    name, _, value = parameters.strip().partition("=")
    if name.strip().lower() != "q":
        return 1.0
    try:
        return float(value)
    except ValueError:
        return 0.0  # a malformed weight is no preference


def _script_language(text: str | None) -> str | None:
    counts: Counter[str] = Counter()
    letters = 0
    for char in text or "":
        if not char.isalpha():
            continue
        letters += 1
        script = unicodedata.name(char, "").removeprefix("HALFWIDTH ").split(" ", 1)[0]
        counts[_SCRIPT_LANGUAGES.get(script, "other")] += 1
        if letters >= _LETTERS_LOOKED_AT:
            break
    # Japanese and (rarely) Korean write Han characters too; kana or Hangul decide.
    for language in ("ja", "ko"):
        if counts[language]:
            counts[language] += counts.pop("zh", 0)
    counts.pop("other", None)
    if not counts:
        return None
    language, count = counts.most_common(1)[0]
    return language if count >= letters * _SCRIPT_SHARE_NEEDED else None
