"""Both mails as a buyer and a rep see them: headless Chromium at phone and desktop width.

Full-page screenshots land in tests/artifacts/screenshots/ for a human to look at; the test itself
catches what breaks on a phone (anything wider than the screen) and anything loaded from outside.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from inquiry_router.mail.render import (
    RenderedMail,
    render_acknowledgement,
    render_notification,
    render_reply_forward,
    render_unreadable_notice,
)
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, REPO_ROOT
from tests.unit.mail import samples

pytestmark = pytest.mark.browser

SCREENSHOTS = REPO_ROOT / "tests" / "artifacts" / "screenshots"
MAILS: dict[str, Callable[[str], RenderedMail]] = {
    "acknowledgement": lambda language: render_acknowledgement(samples.acknowledgement(language)),
    "notification": lambda language: render_notification(samples.notification(language)),
    "notification-by-mail": lambda language: render_notification(samples.mailed_notification(language)),
    "reply-forward": lambda language: render_reply_forward(samples.reply_forward(language)),
    "unreadable-notice": lambda language: render_unreadable_notice(samples.unreadable_notice(language)),
}


@pytest.fixture(scope="module")
def mail_browser() -> Iterator[Browser]:
    # Launched here rather than through conftest's `browser` fixture: that module also starts the
    # local stack, which rendering a mail does not need.
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.mark.parametrize("language", ["en", "zh", "pt", "fr", "de", "it", "tr"])
@pytest.mark.parametrize("mail", sorted(MAILS))
def test_a_mail_reads_on_a_phone_and_on_a_desktop(mail_browser: Browser, mail: str, language: str) -> None:
    # Given the mail as its reader receives it
    rendered = MAILS[mail](language)

    for width in (375, 1024):
        # When it is opened in a window of that width
        page = mail_browser.new_page(viewport={"width": width, "height": 800})
        outside_requests = _record_outside_requests(page)
        page.set_content(rendered.html, wait_until="load")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{mail}-{language}-{width}.png"), full_page=True)

        # Then nothing is wider than the screen, and nothing was fetched from outside
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{mail} ({language}) is {scroll_width} px wide in a {width} px window"
        assert outside_requests == []
        page.close()


def _record_outside_requests(page: Page) -> list[str]:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    return requests
