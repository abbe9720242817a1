"""Which language a buyer is answered in: what they chose on the form, then their browser, then
the script they wrote in; English when we cannot write theirs."""

from __future__ import annotations

import pytest

from inquiry_router.i18n.language import choose_language, detect_language

SUPPORTED = {"en", "zh", "es"}


def test_the_language_picked_on_the_form_comes_first() -> None:
    assert detect_language("zh-CN", "es-ES,es;q=0.9", "Hello, we need LED panels") == "zh"
    assert detect_language("pt_BR", None, None) == "pt"


def test_the_browser_languages_count_in_order_of_preference_and_a_wildcard_is_no_language() -> None:
    assert detect_language(None, "*, en;q=0.3, de-DE;q=0.9, fr;q=0", None) == "de"
    assert detect_language("", "fr;q=0", None) is None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("我们需要两千块LED面板，请报价。", "zh"),
        ("LEDパネルを2000枚お願いします。見積もりをください。", "ja"),
        ("LED 패널 2000개 견적 부탁드립니다.", "ko"),
        ("Нам нужно 2000 светодиодных панелей.", "ru"),
        ("نحتاج إلى ألفي لوحة إضاءة", "ar"),
        ("เราต้องการแผง LED สองพันชิ้น", "th"),
        ("Χρειαζόμαστε 2000 πάνελ LED.", "el"),
        ("אנחנו צריכים אלפיים לוחות לד", "he"),
        ("Necesitamos 2.000 paneles LED.", None),
        ("", None),
    ],
)
def test_without_a_locale_the_script_of_the_message_tells(text: str, language: str | None) -> None:
    assert detect_language(None, None, text) == language


def test_a_chinese_message_full_of_model_numbers_is_chinese_and_an_english_one_signed_in_chinese_is_not() -> (
    None
):
    assert (
        detect_language(None, None, "型号 XK-2000 LED panel 600x600 数量 2000 件，CIF Rotterdam 价格") == "zh"
    )
    assert (
        detect_language(None, None, "Please quote 2000 LED panels, CIF Rotterdam. Best regards, 王伟") is None
    )


def test_the_first_language_we_can_write_is_chosen() -> None:
    assert choose_language("de-AT", "fr-FR, es;q=0.8, en;q=0.5", None, SUPPORTED) == "es"
    assert choose_language("de", None, "我们需要两千块面板", SUPPORTED) == "zh"


def test_a_buyer_whose_language_we_cannot_write_gets_english() -> None:
    assert choose_language("de-DE", "de, fr;q=0.5", "Wir brauchen Panels", SUPPORTED) == "en"
    assert choose_language(None, None, None, SUPPORTED) == "en"
