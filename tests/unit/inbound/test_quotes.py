"""Only the sender's own words reach the rep; the quoted history stays in full_text."""

from __future__ import annotations

import pytest

from inquiry_router.inbound.quotes import strip_quoted


@pytest.mark.parametrize(
    "history",
    [
        "On Mon, 3 Jun 2024 at 10:00, Tom <tom@example.com> wrote:\n> our price",
        "-----Original Message-----\nFrom: Tom\nour price",
        "From: Tom Rep <tom@example.com>\nSent: Monday, 3 June 2024 10:00\nTo: Ahmed\nour price",
        "发件人: tom@example.com\n发送时间: 2024年6月3日\nour price",
        "-----原始邮件-----\nour price",
        "El lun, 3 jun 2024 a las 10:00, Tom (<tom@example.com>) escribió:\n> our price",
        "Le lun. 3 juin 2024 à 10:00, Tom <tom@example.com> a écrit :\n> our price",
        "-- \nTom Rep\nSales manager",
    ],
)
def test_history_and_signature_are_removed(history: str) -> None:
    assert strip_quoted(f"Please send the invoice.\n\n{history}\nmore") == "Please send the invoice."


def test_inline_answers_keep_the_answers_and_drop_the_quoted_lines() -> None:
    text = "> Which colour?\nWarm white.\n> How many?\n2000 pieces."
    assert strip_quoted(text) == "Warm white.\n2000 pieces."


def test_a_forwarded_mail_is_content_not_history() -> None:
    forwarded = "---------- Forwarded message ---------\nFrom: Carlos <c@x.mx>\nDate: today"
    text = f"FYI\n\n{forwarded}\n\nNeed 400 lights"
    assert strip_quoted(text) == text


def test_a_from_line_without_a_header_block_is_the_buyers_text() -> None:
    text = "From: Shenzhen port\nTo: Hamburg\nPlease quote CIF."
    assert strip_quoted(text) == text


def test_a_mail_that_is_only_a_quote_is_kept_whole() -> None:
    assert strip_quoted("> only a quote") == "> only a quote"
