"""Which language a buyer is answered in: what they chose on the form, then their browser, then
the script they wrote in, then their words; English when we cannot write theirs or cannot tell."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from inquiry_router.base.language import choose_language, detect_language
from inquiry_router.mail.translations import supported_languages
from tests.conftest import RETENTION_ENVIRONMENT

ROOT = Path(__file__).resolve().parents[3]


def test_the_language_picked_on_the_form_comes_first() -> None:
    assert detect_language("zh-CN", "es-ES,es;q=0.9", "Hello, we need LED panels") == "zh"
    assert detect_language("pt_BR", None, None) == "pt"
    assert choose_language("fr-FR", None, "Necesitamos 2.000 paneles LED", supported_languages()) == "fr"


def test_the_browser_languages_count_in_order_of_preference_and_a_wildcard_is_no_language() -> None:
    assert detect_language(None, "*, en;q=0.3, de-DE;q=0.9, fr;q=0", None) == "de"
    assert detect_language("", "fr;q=0", None) is None
    assert choose_language(None, "it-IT", "Wir brauchen 2.000 Panels", supported_languages()) == "it"


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
        ("", None),
        ("600x600 40W 4000K", None),
    ],
)
def test_without_a_locale_the_script_of_the_message_tells(text: str, language: str | None) -> None:
    assert detect_language(None, None, text) == language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Buenos días, quisiéramos una cotización de 500 luminarias para un hotel en Lima.", "es"),
        ("Bom dia, gostaria de receber uma cotação para 500 luminárias.", "pt"),
        ("Bonjour, nous souhaitons recevoir une offre pour 500 luminaires.", "fr"),
        ("Guten Tag, wir möchten ein Angebot für 500 Leuchten erhalten.", "de"),
        ("Buongiorno, vorremmo ricevere un'offerta per 500 lampade.", "it"),
        ("İyi günler, 500 armatür için fiyat teklifi almak istiyoruz.", "tr"),
        ("Hello, we need 500 downlights for a hotel project in Dubai. Please send your prices.", "en"),
    ],
)
def test_a_message_in_a_latin_script_language_is_answered_in_that_language(text: str, language: str) -> None:
    assert choose_language(None, None, text, supported_languages()) == language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Necesitamos 2.000 paneles LED.", "es"),
        ("Hola, necesito precio", "es"),
        ("Quiero cotización", "es"),
        ("Preciso de orçamento", "pt"),
        ("Olá, qual o preço?", "pt"),
        ("Bonjour, prix svp", "fr"),
        ("Je voudrais un devis", "fr"),
        ("Bitte um Angebot", "de"),
        ("Wir brauchen Panels", "de"),
        ("Vorrei un preventivo", "it"),
        ("Quanto costa?", "it"),
        ("Fiyat teklifi lütfen", "tr"),
        ("Merhaba, katalog gönderir misiniz", "tr"),
    ],
)
def test_short_messages_are_recognised_when_their_words_are_clear(text: str, language: str) -> None:
    assert choose_language(None, None, text, supported_languages()) == language


@pytest.mark.parametrize(
    "text",
    [
        "Please send price list",
        "Need quotation",
        "Hi, price for 500 pcs?",
        "Send me catalog",
        "What is your MOQ?",
        "Price FOB Ningbo please",
        "Can you ship to Lagos?",
        "Kindly quote best price",
        "Need samples",
        "Pls send offer",
        "OEM possible?",
        "Dear sales",
        "Urgent inquiry",
        "Request for quotation",
        "LED panels",
        "Please quote FOB Shanghai. Saludos, Juan",
    ],
)
def test_a_short_english_inquiry_is_never_answered_in_another_language(text: str) -> None:
    assert choose_language(None, None, text, supported_languages()) == "en"


@pytest.mark.parametrize(
    "text",
    [
        "Wij hebben 2.000 LED-panelen nodig, stuur ons een offerte.",
        "Vi behöver 2000 LED-paneler, skicka en offert.",
        "Kami membutuhkan 2.000 panel LED, mohon kirimkan penawaran harga.",
        "Potrzebujemy 2000 paneli LED, prosimy o ofertę.",
    ],
)
def test_a_language_we_cannot_write_is_answered_in_english_not_in_a_neighbour(text: str) -> None:
    assert detect_language(None, None, text) not in supported_languages()
    assert choose_language(None, None, text, supported_languages()) == "en"


def test_a_chinese_message_full_of_model_numbers_is_chinese_and_an_english_one_signed_in_chinese_is_not() -> (
    None
):
    assert (
        detect_language(None, None, "型号 XK-2000 LED panel 600x600 数量 2000 件，CIF Rotterdam 价格") == "zh"
    )
    assert (
        detect_language(None, None, "Please quote 2000 LED panels, CIF Rotterdam. Best regards, 王伟") == "en"
    )


def test_the_first_language_we_can_write_is_chosen() -> None:
    supported = {"en", "zh", "es"}
    assert choose_language("de-AT", "fr-FR, es;q=0.8, en;q=0.5", None, supported) == "es"
    assert choose_language("de", None, "我们需要两千块面板", supported) == "zh"


def test_a_buyer_whose_language_we_cannot_write_gets_english() -> None:
    assert choose_language("nl-NL", "nl, sv;q=0.5", "Wij hebben panelen nodig", supported_languages()) == "en"
    assert choose_language(None, None, None, supported_languages()) == "en"


def test_the_intake_function_never_loads_the_language_model() -> None:
    # In a fresh interpreter: this one may have loaded it for the tests above.
    intake_app = str(ROOT / "functions" / "intake" / "app.py")
    probe = (
        "import importlib.util, json, sys\n"
        f"spec = importlib.util.spec_from_file_location('intake_app', {intake_app!r})\n"
        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)\n"
        "import inquiry_router.base.language\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('py3langid', 'numpy'))))\n"
    )
    environment = {
        **os.environ,
        **RETENTION_ENVIRONMENT,  # template.yaml's Globals give every function these
        "AWS_DEFAULT_REGION": "eu-west-1",  # as Lambda sets it: the intake makes its client at init
        "POWERTOOLS_TRACE_DISABLED": "1",
        "POWERTOOLS_SERVICE_NAME": "intake",
        "TABLE_NAME": "inquiries",
    }
    answer = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=environment, timeout=60
    )

    assert json.loads(answer.stdout.splitlines()[-1]) == []
