"""What readers of the two mails must be able to count on, whatever a buyer typed into the form."""

from __future__ import annotations

import html
import re
from dataclasses import fields
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from inquiry_router.base.language import choose_language
from inquiry_router.mail.render import render_acknowledgement, render_notification, supported_languages
from inquiry_router.mail.views import AcknowledgementView
from tests.unit.mail import samples

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE_BREAKOUT = '"onmouseover=alert(1) x="'


def test_markup_typed_by_a_buyer_is_shown_as_text_in_both_mails() -> None:
    # Given a buyer who typed markup into every field
    hostile = f"{SCRIPT} {ATTRIBUTE_BREAKOUT}"
    acknowledgement = samples.acknowledgement(buyer_name=hostile, topic=hostile, quantity=hostile)
    notification = samples.notification(
        buyer_name=hostile,
        buyer_company=hostile,
        subject=hostile,
        product=hostile,
        quantity=hostile,
        message=f"line one\n{hostile}",
        website=hostile,
        page_url=hostile,
        utm={"source": hostile},
        extra={hostile: hostile},
    )

    # When both mails are rendered
    pages = [render_acknowledgement(acknowledgement).html, render_notification(notification).html]

    # Then the markup never reaches the HTML raw; the rep sees the buyer's words, escaped, and the
    # acknowledgement, whose allow-list refuses markup, does not repeat them at all
    for page in pages:
        assert "<script" not in page
        assert "onmouseover=" not in page.replace("&quot;onmouseover=", "")
    assert html.escape(SCRIPT) in pages[1]
    assert "alert" not in pages[0]


def test_the_acknowledgement_never_repeats_what_the_buyer_wrote() -> None:
    # Given a stored inquiry whose message tries to use our form to send spam to someone else
    message = "Cheap watches at replica-deals.example, use code WIN9731 today"
    stored = {"reference": "INQ-7K3M9Q", "quantity": "2,000 pcs", "message": message, "locale": "es-ES"}

    # When the acknowledgement is rendered from every field its view takes from the inquiry
    takes = {field.name for field in fields(AcknowledgementView)} & stored.keys()
    language = choose_language(stored["locale"], None, message, supported_languages())
    mail = render_acknowledgement(samples.acknowledgement(language, **{name: stored[name] for name in takes}))

    # Then no piece of the message is in it
    for piece in ("replica-deals", "WIN9731", "Cheap watches"):
        assert piece not in mail.subject + mail.html + mail.text


def test_a_name_or_subject_that_carries_an_advert_is_not_echoed_even_in_part() -> None:
    # Given a "subject" and a "name" used to carry an advert, its link at the end
    advert = "Great offer " + "x" * 50 + " visit cheap-watches.example now"

    # When the acknowledgement is rendered
    mail = render_acknowledgement(samples.acknowledgement(buyer_name=advert, topic=advert, quantity=advert))

    # Then no part of it is repeated: a shortened excerpt would still be the stranger's words
    assert "Great offer" not in mail.subject + mail.html + mail.text
    assert mail.text.startswith("Hello,\n")


@pytest.mark.parametrize(
    "carrier",
    [
        "Ana\r\nBcc: victim@evil.example",
        "Visit www.replica-deals now",
        "Deals at https://x.example/p",
        "cheap-watches.shop",
    ],
)
def test_the_acknowledgement_leaves_out_a_field_that_carries_a_link_or_an_address(carrier: str) -> None:
    mail = render_acknowledgement(
        samples.acknowledgement(buyer_name=carrier, topic=carrier, quantity=carrier)
    )

    for piece in ("evil.example", "replica-deals", "x.example", "cheap-watches"):
        assert piece not in mail.subject + mail.html + mail.text
    assert mail.text.startswith("Hello,\n")


@pytest.mark.parametrize("name", ["Ana García", "李伟", "J. R. Smith", "Dr. Müller-Lüdenscheidt"])
def test_ordinary_names_and_topics_are_still_echoed(name: str) -> None:
    mail = render_acknowledgement(samples.acknowledgement(buyer_name=name, topic="LED panels 2.5W, IP65"))

    assert mail.text.startswith(f"Dear {name},")
    assert "LED panels 2.5W, IP65" in mail.text


def test_the_rep_sees_the_whole_message_with_its_line_breaks() -> None:
    message = "Hello,\r\n\r\nwe need <b>2,000</b> panels.\nRegards,\rAna"

    mail = render_notification(samples.notification(message=message))

    assert (
        "Hello,<br />\n<br />\nwe need &lt;b&gt;2,000&lt;/b&gt; panels.<br />\nRegards,<br />\nAna"
        in mail.html
    )
    assert "Hello,\n\nwe need <b>2,000</b> panels.\nRegards,\nAna" in mail.text


def test_reply_to_buyer_opens_a_mail_to_exactly_the_buyer_with_our_reference_and_the_log_in_bcc() -> None:
    # Given a buyer whose address and subject are full of URL syntax
    buyer = "ana+quotes&co@importadora-sol.es"
    subject = "Panels & drivers?bcc=spy@evil.example#top"
    view = samples.notification(buyer_email=buyer, subject=subject)

    # When the rep's mail client reads the button's link
    page = render_notification(view).html
    href = html.unescape(re.search(r'href="(mailto:[^"]*)"', page).group(1))
    link = urlsplit(href)

    # Then it addresses only the buyer, prefills our subject and BCCs the logging address
    assert unquote(link.path) == buyer
    assert parse_qs(link.query, strict_parsing=True) == {
        "subject": [f"Re: [INQ-7K3M9Q] {subject}"],
        "bcc": ["log@in.sunrise-lighting.com"],
    }
    assert not link.fragment


def test_without_a_logging_address_the_reply_link_has_no_bcc() -> None:
    page = render_notification(samples.notification(reply_bcc=None)).html

    href = html.unescape(re.search(r'href="(mailto:[^"]*)"', page).group(1))

    assert set(parse_qs(urlsplit(href).query)) == {"subject"}


@pytest.mark.parametrize("language", ["en", "zh", "es"])
def test_subjects_stay_on_one_line_whatever_the_buyer_typed(language: str) -> None:
    name = "Ana\r\nBcc: victim@evil.example"
    topic = "LED\tpanels\r\nX-Injected: yes\x00\u2028"

    acknowledgement = render_acknowledgement(
        samples.acknowledgement(language, buyer_name=name, topic="LED\tpanels\r\n\u2028IP65")
    ).subject
    notification = render_notification(samples.notification(language, buyer_name=name, subject=topic)).subject

    for subject in (acknowledgement, notification):
        assert subject == " ".join(subject.split())
    assert acknowledgement.endswith(" — LED panels IP65")
    assert "LED panels X-Injected: yes" in notification


def test_the_notification_subject_names_buyer_country_quantity_and_topic_when_known() -> None:
    assert (
        render_notification(samples.notification()).subject
        == "[INQ-7K3M9Q] New inquiry from Ana García (ES) — 2,000 pcs LED panels"
    )
    bare = samples.notification(buyer_name=None, country=None, quantity=None, subject=None, product=None)
    assert render_notification(bare).subject == f"[INQ-7K3M9Q] New inquiry from {samples.BUYER_EMAIL}"


def test_a_long_topic_is_shortened_in_the_subject() -> None:
    topic = "Customised LED panel lights with DALI dimming and emergency battery packs for hospitals"

    subject = render_acknowledgement(samples.acknowledgement(topic=topic)).subject

    assert subject.startswith("[INQ-7K3M9Q] We received your inquiry — Customised LED panel")
    assert subject.endswith("…")
    assert len(subject.split(" — ", 1)[1]) <= 60


def test_a_buyer_without_a_name_is_greeted_politely() -> None:
    assert render_acknowledgement(samples.acknowledgement(buyer_name=None)).text.startswith("Hello,\n")
    assert render_acknowledgement(samples.acknowledgement("es", buyer_name=" ")).text.startswith(
        "Buenos días:\n"
    )


@pytest.mark.parametrize("language", ["en", "zh", "pt", "fr", "de", "it", "tr"])
def test_the_mails_load_nothing_from_outside_and_track_nothing(language: str) -> None:
    pages = [
        render_acknowledgement(samples.acknowledgement(language)).html,
        render_notification(samples.notification(language)).html,
    ]

    for page in pages:
        assert re.findall(r"<(?:img|link|script|iframe|object)\b|@import\b|url\(", page, re.IGNORECASE) == []
        assert f'lang="{language}"' in page
