"""The MIME message SES sends: one recipient, safe headers, text and HTML, auto-reply marks."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

import pytest

from inquiry_router.mail.compose import ComposedMessage, UnsendableAddress, compose_message
from inquiry_router.mail.render import RenderedMail, render_acknowledgement, render_notification
from tests.unit.mail import samples

BUYER = samples.BUYER_EMAIL


def compose(
    rendered: RenderedMail | None = None,
    *,
    to: tuple[str | None, str] = ("Ana García", BUYER),
    **options: object,
) -> ComposedMessage:
    arguments: dict[str, object] = {
        "sender": (samples.COMPANY.name, "sales@sunrise-lighting.com"),
        "to": to,
        "reply_to": (samples.REP.name, samples.REP.email),
        "message_id_domain": "sunrise-lighting.com",
        "auto_reply": True,
        **options,
    }
    return compose_message(rendered or render_acknowledgement(samples.acknowledgement()), **arguments)  # type: ignore[arg-type]


def parsed(composed: ComposedMessage) -> EmailMessage:
    message = email.message_from_bytes(composed.raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_a_buyer_name_with_line_breaks_cannot_add_recipients_or_headers() -> None:
    # Given a buyer whose name and subject try to smuggle in a Bcc header
    name = "Ana\r\nBcc: victim@evil.example"
    rendered = render_notification(
        samples.notification(buyer_name=name, subject="Panels\r\nX-Priority: 1\r\nBcc: all", quantity=None)
    )

    # When the acknowledgement to them is composed and read back
    message = parsed(compose(rendered, to=(name, BUYER)))

    # Then it goes to the buyer alone, with a one-line subject
    assert len(message.get_all("To")) == 1
    assert [address.addr_spec for address in message["To"].addresses] == [BUYER]
    assert message["Bcc"] is None
    assert "\n" not in message["Subject"]
    assert message["X-Priority"] is None
    assert message["Subject"].endswith("Panels X-Priority: 1 Bcc: all")


def test_the_message_offers_text_first_then_html_both_in_utf8() -> None:
    composed = compose()
    message = parsed(composed)

    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    assert all(part.get_content_charset() == "utf-8" for part in parts)
    assert "Dear Ana García," in parts[0].get_content()
    assert "Dear Ana García," in parts[1].get_content()
    assert composed.raw.isascii()  # 7-bit: every relay accepts it


def test_the_message_carries_id_date_and_mime_version_once() -> None:
    composed = compose()
    message = parsed(composed)

    assert message["Message-ID"] == composed.message_id
    assert composed.message_id.startswith("<")
    assert composed.message_id.endswith("@sunrise-lighting.com>")
    assert message["Date"].datetime.tzinfo is not None
    assert message.get_all("MIME-Version") == ["1.0"]


def test_an_acknowledgement_tells_other_robots_not_to_answer_it() -> None:
    message = parsed(compose(auto_reply=True))

    assert message["Auto-Submitted"] == "auto-replied"
    assert message["X-Auto-Response-Suppress"] == "All"
    assert message["Precedence"] is None


def test_a_notification_to_a_rep_is_an_ordinary_mail_that_replies_to_the_buyer() -> None:
    rendered = render_notification(samples.notification())

    message = parsed(
        compose(
            rendered,
            to=(samples.REP.name, samples.REP.email),
            reply_to=("Ana García", BUYER),
            auto_reply=False,
        )
    )

    assert message["Auto-Submitted"] is None
    assert [address.addr_spec for address in message["Reply-To"].addresses] == [BUYER]


def test_non_latin_names_are_encoded_and_read_back_unchanged() -> None:
    composed = compose(to=("王伟", "wang.wei@hongda-trading.com"))

    assert "王伟".encode() not in composed.raw
    assert parsed(composed)["To"].addresses[0].display_name == "王伟"


def test_a_name_with_quotes_and_commas_stays_one_recipient() -> None:
    message = parsed(compose(to=('García, "Ana" <boss@evil.example>', BUYER)))

    assert [address.addr_spec for address in message["To"].addresses] == [BUYER]


def test_an_internationalised_domain_is_sent_in_its_ascii_form() -> None:
    message = parsed(compose(to=("Jörg", "joerg@bücher.de")))

    assert message["To"].addresses[0].addr_spec == "joerg@xn--bcher-kva.de"


def test_an_address_no_mail_header_can_carry_is_refused_clearly() -> None:
    with pytest.raises(UnsendableAddress):
        compose(to=("José", "josé@importadora-sol.es"))


def test_a_follow_up_threads_under_the_earlier_message_and_can_bcc_the_log() -> None:
    earlier = "<179552414415.10559.1@sunrise-lighting.com>"

    message = parsed(compose(in_reply_to=earlier, bcc="log@in.sunrise-lighting.com"))

    assert message["In-Reply-To"] == earlier
    assert message["References"] == earlier
    assert [address.addr_spec for address in message["Bcc"].addresses] == ["log@in.sunrise-lighting.com"]
