"""Languages are files: the supported set is what is present, and a missing phrase reads in English."""

from __future__ import annotations

import json
from pathlib import Path
from string import Formatter

from inquiry_router.mail.translations import Translations, bundled_translations, supported_languages


def test_the_languages_we_write_are_the_files_we_ship() -> None:
    assert supported_languages() == {"en", "zh", "es", "pt", "fr", "de", "it", "tr"}


def test_every_language_we_ship_says_everything_itself_so_no_mail_is_half_english() -> None:
    catalogs = bundled_translations().catalogs
    for language, catalog in catalogs.items():
        assert set(catalog) == set(catalogs["en"]), (
            f"{language}.json lacks {set(catalogs['en']) - set(catalog)}"
        )


def test_a_phrase_a_language_lacks_is_said_in_english(tmp_path: Path) -> None:
    # Given a new language whose translator has done one phrase so far
    (tmp_path / "en.json").write_text(
        json.dumps({"ack.subject": "We received", "ack.regards": "Kind regards,"})
    )
    (tmp_path / "de.json").write_text(json.dumps({"ack.subject": "Wir haben erhalten"}))

    # When the translations are loaded
    translations = Translations.load(tmp_path)

    # Then German is offered, its own phrase is used and the rest falls back to English
    assert translations.languages == {"en", "de"}
    assert translations.phrase("de", "ack.subject") == "Wir haben erhalten"
    assert translations.phrase("de", "ack.regards") == "Kind regards,"


def test_every_translated_phrase_exists_in_english_with_the_same_placeholders() -> None:
    catalogs = bundled_translations().catalogs
    english = catalogs["en"]
    for language, catalog in catalogs.items():
        assert set(catalog) <= set(english), f"{language}.json has keys English lacks"
        for key, text in catalog.items():
            assert _placeholders(text) == _placeholders(english[key]), f"{language}.json {key}"


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}
