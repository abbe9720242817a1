"""A rep runs an inquiry from the notification in a real browser (headless Chromium) against the
local stack: the link opens the confirmation page, the button POSTs with the browser's own
headers, and the inquiry changes once. The pages and both digests are screenshotted at phone and
desktop width, and must fit the screen and fetch nothing from outside."""

from __future__ import annotations

import email
import html
import re
import time
from email import policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Page, expect

from inquiry_router.mail.digests import render_morning_digest, render_weekly_digest
from tests.browser.conftest import REPO_ROOT, LocalStack
from tests.integration.test_local_stack import call
from tests.unit.mail import samples

pytestmark = pytest.mark.browser

SCREENSHOTS = REPO_ROOT / "tests" / "artifacts" / "screenshots"
WIDTHS = (375, 1024)


def notification_for(state_dir: Path, buyer_name: str, timeout: float = 10.0) -> EmailMessage:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted((state_dir / "outbox").glob("*.eml")):
            mail = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            assert isinstance(mail, EmailMessage)
            if buyer_name in str(mail["Subject"]):
                return mail
        time.sleep(0.1)
    raise AssertionError(f"no notification about {buyer_name} in the outbox")


def action_link(mail: EmailMessage, label: str) -> str:
    body = mail.get_body(("html",))
    assert body is not None
    source = body.get_content()
    found = re.search(r'<a href="([^"]+/actions/[^"]+)"[^>]*>' + re.escape(label) + "</a>", source)
    assert found, f"no {label!r} action in the notification"
    return html.unescape(found.group(1))


def fits_and_stays_home(page: Page, width: int, outside: list[str], home: str) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{scroll_width} px wide in a {width} px window"
    assert [url for url in outside if not url.startswith(home)] == []


def test_a_rep_confirms_won_in_the_browser_and_the_inquiry_is_won_once(
    browser: Browser, local_stack: LocalStack
) -> None:
    form = {
        "name": "Aiko Tanaka",
        "email": "aiko@tanaka-denki.example",
        "country": "JP",
        "product": "LED high bays",
        "message": "Please quote 120 LED high bays for our warehouse.",
        "rendered_at": str(int(time.time() * 1000) - 30_000),
    }
    headers = [("Content-Type", "application/x-www-form-urlencoded"), ("Origin", local_stack.api_url)]
    assert call(local_stack.api_url, "POST", "/inquiries", urlencode(form), headers).status == 303
    notification = notification_for(local_stack.state_dir, "Aiko Tanaka")
    reference = str(notification["Subject"]).strip().split("]")[0].lstrip("[")
    link = action_link(notification, "Won")

    for width in WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 800})
        requests: list[str] = []
        page.on("request", lambda request, seen=requests: seen.append(request.url))
        page.goto(link)
        expect(page.get_by_role("heading", name=f"Mark {reference} as won?")).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / f"action-confirm-{width}.png"), full_page=True)
        fits_and_stays_home(page, width, requests, local_stack.api_url)
        page.close()
    inquiry = local_stack.stored_inquiry(reference, "assigned")
    assert inquiry is not None, "opening the page changed the inquiry"

    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(link)
    page.get_by_label("Note for the inquiry's history (optional)").fill("120 pcs, deposit paid")
    page.get_by_role("button", name="Confirm: Won").click()
    expect(page.get_by_role("heading", name="Done")).to_be_visible()
    expect(page.get_by_text(f"{reference} is now: won.")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "action-done-375.png"), full_page=True)
    page.go_back()
    page.reload()  # back on the confirmation page: it now says it is done, and offers no button
    expect(page.get_by_role("heading", name="Already done")).to_be_visible()
    expect(page.get_by_role("button")).to_have_count(0)
    page.close()

    won = local_stack.stored_inquiry(reference, "won")
    assert won is not None
    assert [(t["to"], t["channel"], t.get("note")) for t in won["transitions"]] == [
        ("won", "mail_action", "120 pcs, deposit paid")
    ]


def test_an_unknown_link_says_what_to_do_instead(browser: Browser, local_stack: LocalStack) -> None:
    page = browser.new_page(viewport={"width": 375, "height": 800}, locale="es-ES")
    page.goto(f"{local_stack.api_url}/actions/{'A' * 22}.{'B' * 22}")
    expect(page.get_by_role("heading", name="Este enlace ya no funciona")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "action-gone-es-375.png"), full_page=True)
    page.close()


@pytest.mark.parametrize("language", ["en", "zh", "es"])
@pytest.mark.parametrize("digest", ["weekly", "morning"])
def test_the_digests_read_on_a_phone_and_on_a_desktop(browser: Browser, digest: str, language: str) -> None:
    rendered = (
        render_weekly_digest(samples.weekly_digest(language))
        if digest == "weekly"
        else render_morning_digest(samples.morning_digest(language))
    )
    for width in WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 800})
        requests: list[str] = []
        page.on("request", lambda request, seen=requests: seen.append(request.url))
        page.set_content(rendered.html, wait_until="load")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"digest-{digest}-{language}-{width}.png"), full_page=True)
        fits_and_stays_home(page, width, requests, "about:")
        page.close()
