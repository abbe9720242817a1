"""Which language a buyer speaks: the form's locale, then the browser's Accept-Language, then the
script their message is written in, then the words themselves.

A script tells Chinese from Russian but not Spanish from French; the words do, through py3langid
(a naive Bayes model of byte n-grams over 97 languages, shipped in the package and read from disk:
nothing is fetched at run time). Loading it costs about half a second and 120 MB, so it is loaded
on first use only, by the functions that read a message's language (router, mailer, inbound mail),
never by the intake function, which does not ask.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterator
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

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
# py3langid's confidence falls with length: whole sentences score 0.9 and more, "Hola, necesito
# precio" 0.34, "Bitte um Angebot" 0.82. Below 0.25 the words are too few to tell, and English (the
# fallback) reads better than a guess: on short English inquiries a wrong language of ours never
# scored above 0.14 (tests/unit/mail/test_language.py keeps both sets).
TEXT_CONFIDENCE_NEEDED = 0.25
_TEXT_LOOKED_AT = 2000  # characters: more changes no answer, and costs time
# Regional languages whose text is nearly ours: left out of the model, or they split a buyer's
# Spanish (Galician, Aragonese, Extremaduran) or Italian (Ligurian, Venetian) below the confidence
# needed. Every other language stays in as a decoy: restricted to ours alone, the model calls
# Indonesian Turkish and Swedish German with confidence.
_NEAR_OURS = frozenset({"gl", "an", "ext", "lij", "vec", "oc", "gcf", "wa", "lb", "fy", "crh", "la", "eo"})
_NO_LANGUAGE = "zxx"  # py3langid's label for text without language (model numbers, codes)


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
    else:  # Latin script, or mixed: the words tell (only asked when nothing before did)
        text_language = _text_language(text)
        if text_language:
            yield text_language


def _text_language(text: str | None) -> str | None:
    if not text or not any(char.isalpha() for char in text):
        return None
    language, confidence = _text_identifier().classify(text[:_TEXT_LOOKED_AT])
    if language == _NO_LANGUAGE or confidence < TEXT_CONFIDENCE_NEEDED:
        return None
    return str(language)


@cache
def _text_identifier() -> LanguageIdentifier:
    # Imported here, on the first message whose language is asked: numpy and the model are the
    # heaviest thing the layer loads, and the intake function must never pay for them.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages([label for label in identifier.labels if label not in _NEAR_OURS])
    return identifier


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
