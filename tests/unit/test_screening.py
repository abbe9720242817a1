"""Spam screening signals, checked before anything is stored or sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from inquiry_router.intake.spam_checks import screen_submission
from inquiry_router.models.submission import InquirySubmission

NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)


def verdict(**fields: object) -> tuple[str, ...]:
    data = {"email": "ana@example.com", "message": "Please quote 2,000 LED panels.", **fields}
    return screen_submission(InquirySubmission.model_validate(data), NOW, min_fill_seconds=3).reasons


def test_an_honest_inquiry_passes() -> None:
    assert verdict(rendered_at=(NOW - timedelta(seconds=40)).isoformat()) == ()


def test_one_link_to_a_product_page_is_fine() -> None:
    assert verdict(message="Do you have this in 4000K? https://www.example.com/p/led-600") == ()


def test_filled_honeypot_is_spam() -> None:
    assert verdict(_gotcha="http://spam.example") == ("honeypot_filled",)


def test_submitting_within_seconds_of_render_is_spam() -> None:
    assert "submitted_too_fast" in verdict(rendered_at=(NOW - timedelta(seconds=1)).isoformat())


def test_a_render_time_in_the_future_is_spam() -> None:
    assert "submitted_too_fast" in verdict(rendered_at=(NOW + timedelta(hours=1)).isoformat())


def test_no_render_time_is_no_signal() -> None:
    # A plain HTML form without JavaScript cannot send one.
    assert verdict() == ()


def test_link_stuffed_message_is_spam() -> None:
    links = " ".join(f"https://casino{i}.example" for i in range(4))
    assert "link_stuffed" in verdict(message=f"Best offers {links}")


@pytest.mark.parametrize(
    "message", ["https://bit.ly/xyz", "www.cheap-pills.example !!", " http://a.example "]
)
def test_url_only_message_is_spam(message: str) -> None:
    assert "url_only_message" in verdict(message=message)


def test_bbcode_or_html_links_are_spam() -> None:
    assert "markup_links" in verdict(message="[url=http://x.example]cheap[/url]")
    assert "markup_links" in verdict(message='<a href="http://x.example">cheap</a>')


def test_a_url_as_name_is_spam() -> None:
    assert "url_in_name" in verdict(name="http://seo.example")
