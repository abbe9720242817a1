"""examples/contact-form.html in headless Chromium against the local stack, with and without JavaScript."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

if TYPE_CHECKING:
    from conftest import LocalStack

pytestmark = pytest.mark.browser

# What the example ships with; a seller replaces it with the stack's InquiriesUrl, and so do we.
SHIPPED_ENDPOINT = "http://127.0.0.1:3000/inquiries"
REFERENCE = re.compile(r"INQ-[A-Z0-9]{6}")
# The form's render timestamp makes quicker submissions spam (MIN_FILL_SECONDS is 3).
HUMAN_FILL_SECONDS = 3.5


OpenForm = Callable[..., Page]


@pytest.fixture
def open_form(browser: Browser, local_stack: LocalStack) -> Iterator[OpenForm]:
    """Opens the example page, its action pointed at this stack as a seller would edit it."""
    contexts: list[BrowserContext] = []

    def point_at_stack(route: Route) -> None:
        shipped = route.fetch()
        html = shipped.text()
        assert SHIPPED_ENDPOINT in html, "the example no longer posts to the documented default"
        stack_endpoint = f"{local_stack.api_url}/inquiries"
        route.fulfill(response=shipped, body=html.replace(SHIPPED_ENDPOINT, stack_endpoint))

    def open_page(query: str = "", *, javascript: bool = True) -> Page:
        context = browser.new_context(java_script_enabled=javascript, locale="zh-CN")
        contexts.append(context)
        context.route(re.compile(r".*/examples/contact-form\.html(\?.*)?$"), point_at_stack)
        page = context.new_page()
        page.goto(f"{local_stack.api_url}/examples/contact-form.html{query}")
        return page

    yield open_page
    for context in contexts:
        context.close()


def watch_navigations(page: Page) -> list[str]:
    seen: list[str] = []
    page.on("framenavigated", lambda frame: seen.append(frame.url) if frame == page.main_frame else None)
    return seen


def fill_inquiry(page: Page, *, name: str, email: str, message: str) -> None:
    page.get_by_label("Name").fill(name)
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Company", exact=True).fill("深圳明光照明有限公司")
    page.get_by_label("Country").fill("China")
    page.get_by_label("Phone or WhatsApp").fill("+86 138 0013 8000")
    page.get_by_label("Company website").fill("www.mingguang-lighting.cn")
    page.get_by_label("Product of interest").fill("600x600 LED panel")
    page.get_by_label("Quantity").fill("2,000 pcs")
    page.get_by_label("Message").fill(message)
    page.get_by_label("I agree").check()


def send(page: Page) -> None:
    page.get_by_role("button", name="Send inquiry").click()


def test_script_sends_the_form_and_shows_the_reference_in_place(open_form: OpenForm, local_stack: LocalStack):
    # Given the form opened from a campaign link by a buyer whose browser speaks Chinese
    query = "?utm_source=newsletter&utm_campaign=canton-fair"
    page = open_form(query)
    opened_at = time.monotonic()
    navigated = watch_navigations(page)

    # When the buyer fills it in at human speed and sends it
    fill_inquiry(
        page,
        name="李明",
        email="li.ming@mingguang-lighting.cn",
        message="请报价 2000 片 LED 面板，CIF 汉堡。",
    )
    page.get_by_label("Send me occasional news").check()
    page.wait_for_timeout(max(0.0, HUMAN_FILL_SECONDS - (time.monotonic() - opened_at)) * 1000)
    send(page)

    # Then the form is replaced by the thank-you message with the reference, on the same page
    expect(page.get_by_role("heading", name="Thank you — we have your inquiry.")).to_be_visible()
    expect(page.get_by_role("button", name="Send inquiry")).to_be_hidden()
    reference = page.locator(".inq-ref").inner_text()
    assert REFERENCE.fullmatch(reference)
    assert navigated == []
    # And the inquiry is stored as a lead (new, or already assigned by the router), with what the script added
    inquiry = local_stack.stored_inquiry(reference, "new", "assigned")
    assert inquiry is not None, f"{reference} is not among the new inquiries (stored as spam?)"
    assert inquiry["name"] == "李明"
    assert inquiry["company"] == "深圳明光照明有限公司"
    assert inquiry["phone"] == "+8613800138000"
    assert inquiry["consent"] is True
    assert inquiry["marketing_opt_in"] is True
    assert inquiry["locale"] == "zh-CN"
    assert inquiry["page_url"] == f"{local_stack.api_url}/examples/contact-form.html{query}"
    assert inquiry["utm"] == {"source": "newsletter", "campaign": "canton-fair"}
    # And the proof of what the buyer agreed to: the text's version and SHA-256, the policy it links
    # to, the page, all as the browser sent them; when is the server's time
    consent_text = page.locator("label[for=inq-consent]").text_content() or ""
    words = " ".join(consent_text.replace("*", "").split())
    proof = inquiry["consent_proof"]
    assert proof["text_version"] == "2026-01"
    assert proof["text_sha256"] == hashlib.sha256(words.encode()).hexdigest()
    assert proof["policy_url"] == f"{local_stack.api_url}/privacy"
    assert proof["page_url"] == inquiry["page_url"]
    assert proof["page_origin_listed"] is True
    assert proof["at"] == inquiry["received_at"]
    assert len(proof["ip_digest"]) == 24
    assert inquiry["marketing_proof"]["text_version"] == "2026-01"


def test_form_works_without_javascript(open_form: OpenForm, local_stack: LocalStack):
    # Given the form in a browser with JavaScript switched off
    page = open_form(javascript=False)

    # When the buyer fills it in and sends it
    fill_inquiry(
        page, name="Ana García", email="ana@importadora-sol.es", message="Please quote 2,000 panels."
    )
    send(page)

    # Then the browser lands on the thank-you page, which thanks without showing a reference
    page.wait_for_url(re.compile(r"/examples/thank-you\.html\?(.*&)?reference=INQ-"))
    (reference,) = parse_qs(urlsplit(page.url).query)["reference"]
    assert REFERENCE.fullmatch(reference)
    expect(page.get_by_role("heading", name="Thank you — we have your inquiry.")).to_be_visible()
    expect(page.locator("#reference-line")).to_be_hidden()
    # And the inquiry is stored as a lead: no render timestamp, so no reason to call it spam
    inquiry = local_stack.stored_inquiry(reference, "new", "assigned")
    assert inquiry is not None, f"{reference} is not among the new inquiries"
    assert inquiry["name"] == "Ana García"
    assert inquiry["consent"] is True
    assert inquiry["marketing_opt_in"] is False
    assert inquiry.get("locale") is None  # only the script sets it
    # The text's version is in the form itself; the page and the text's hash need the script
    assert inquiry["consent_proof"]["text_version"] == "2026-01"
    assert "page_url" not in inquiry["consent_proof"]
    assert "marketing_proof" not in inquiry


@pytest.mark.parametrize(
    ("email", "checked_by"),
    [
        pytest.param("li.ming.mingguang-lighting.cn", "browser", id="no-at-sign-caught-by-the-browser"),
        pytest.param("li.ming@mingguang-lighting", "api", id="no-dot-in-domain-caught-by-the-api"),
    ],
)
def test_invalid_email_is_explained_next_to_the_field(open_form: OpenForm, email: str, checked_by: str):
    # Given the form, filled in with an address that cannot receive mail
    page = open_form()
    navigated = watch_navigations(page)
    answers: list[int] = []
    page.on("response", lambda r: answers.append(r.status) if r.url.endswith("/inquiries") else None)
    fill_inquiry(page, name="李明", email=email, message="Please quote 500 panels.")

    # When the buyer sends it
    send(page)

    # Then the reason is shown under the email field and tied to it for screen readers
    email_field = page.get_by_label("Work email")
    expect(email_field).to_have_attribute("aria-invalid", "true")
    email_error = page.locator("#inq-email-error")
    expect(email_error).to_be_visible()
    expect(email_error).not_to_be_empty()
    assert "inq-email-error" in (email_field.get_attribute("aria-describedby") or "").split()
    expect(email_field).to_be_focused()
    # And the page stays, with the form ready for a correction
    expect(page.get_by_role("button", name="Send inquiry")).to_be_enabled()
    assert navigated == []
    assert answers == ([] if checked_by == "browser" else [422])
