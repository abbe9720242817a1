"""The words of both mails in every language we ship, compared with reviewed golden files.

A wording or layout change shows up as a diff here; after reviewing it, regenerate with
`UPDATE_GOLDEN=1 pytest tests/unit/mail`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from inquiry_router.mail.render import (
    RenderedMail,
    render_acknowledgement,
    render_notification,
    render_reply_forward,
    render_unreadable_notice,
)
from tests.unit.mail import samples

GOLDEN = Path(__file__).parent / "golden"
MAILS: dict[str, Callable[[str], RenderedMail]] = {
    "acknowledgement": lambda language: render_acknowledgement(samples.acknowledgement(language)),
    "notification": lambda language: render_notification(samples.notification(language)),
    "notification-by-mail": lambda language: render_notification(samples.mailed_notification(language)),
    "reply-forward": lambda language: render_reply_forward(samples.reply_forward(language)),
    "unreadable-notice": lambda language: render_unreadable_notice(samples.unreadable_notice(language)),
}


@pytest.mark.parametrize("language", ["en", "zh", "es", "pt", "fr", "de", "it", "tr"])
@pytest.mark.parametrize("mail", sorted(MAILS))
def test_subject_and_text_match_the_reviewed_golden_file(mail: str, language: str) -> None:
    rendered = MAILS[mail](language)
    shown = f"Subject: {rendered.subject}\n\n{rendered.text}"
    golden = GOLDEN / f"{mail}-{language}.txt"

    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(shown, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}: run with UPDATE_GOLDEN=1 and review it"
    assert shown == golden.read_text(encoding="utf-8")
