"""Buyer-derived addresses in the headers of every mail we send: only in a form SES can carry
(ASCII before the @, an IDN domain as punycode), or left out with the reason in the mail."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable
from email.message import EmailMessage

import pytest

from inquiry_router.mail.assemble import MailParts, assemble_notification, assemble_reply_forward
from inquiry_router.mail.links import MailLinks
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.received_mail import ReceivedMail
from inquiry_router.models.settings import PipelineSettings
from tests.support.routing import DOMAIN, rep, routing_config

CONFIG = routing_config(rep("ana"))
SETTINGS = PipelineSettings(table_name="t", company_name="Sunrise Lighting Co.", company_domains=[DOMAIN])
LINKS = MailLinks(None, "")


def inquiry(address: str, channel: str = "form") -> Inquiry:
    return Inquiry.from_item(
        {
            "id": "0b7c",
            "reference": "INQ-7K3M9Q",
            "status": "assigned",
            "email": address,
            "contact_key": address,
            "name": "José Pérez",
            "channel": channel,
            "received_at": "2026-11-20T12:00:12Z",
            "owner_email": f"ana@{DOMAIN}",
            "message": "Please quote 2,000 panels.",
        }
    )


def reply(address: str) -> ReceivedMail:
    return ReceivedMail.from_item(
        {
            "id": "ses-reply",
            "decision": "thread_reply",
            "from": {"name": "José Pérez", "address": address},
            "subject": "Re: [INQ-7K3M9Q] LED panels",
            "text": "The price is fine.",
            "received_at": "2026-11-21T08:00:00Z",
        }
    )


MAILS: dict[str, Callable[[str], MailParts]] = {
    "notification": lambda a: assemble_notification(inquiry(a), CONFIG, SETTINGS, [], LINKS),
    "notification-by-mail": lambda a: assemble_notification(inquiry(a, "mail"), CONFIG, SETTINGS, [], LINKS),
    "reply-forward": lambda a: assemble_reply_forward(inquiry(a), reply(a), CONFIG, SETTINGS, LINKS),
}


def parsed(parts: MailParts) -> EmailMessage:
    message = email.message_from_bytes(parts.raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


@pytest.mark.parametrize("mail", sorted(MAILS))
@pytest.mark.parametrize("address", ["josé@importadora-sol.es", "用户@例子.中国"])
def test_a_mail_about_a_buyer_ses_cannot_write_to_goes_out_without_reply_to_and_says_why(
    mail: str, address: str
) -> None:
    parts = MAILS[mail](address)
    message = parsed(parts)

    assert parts.raw.isascii()
    assert message["Reply-To"] is None
    assert parts.recipient_address == f"ana@{DOMAIN}"
    text = " ".join(str(message.get_body(("plain",)).get_content()).split())  # type: ignore[union-attr]
    assert f"This mail has no Reply-To: the address {address} has characters outside ASCII" in text


@pytest.mark.parametrize("mail", sorted(MAILS))
def test_a_buyer_on_an_internationalised_domain_is_replied_to_in_its_ascii_form(mail: str) -> None:
    message = parsed(MAILS[mail]("jorg@bücher.de"))

    assert [a.addr_spec for a in message["Reply-To"].addresses] == ["jorg@xn--bcher-kva.de"]
    assert "no Reply-To" not in str(message.get_body(("plain",)).get_content())  # type: ignore[union-attr]
