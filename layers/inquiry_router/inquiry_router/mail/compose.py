"""A rendered mail as a MIME message ready for SES: text and HTML alternatives, safe headers.

Display names come from buyers, so they are flattened to one line before they reach a header:
a name must never add a header, and never make sending fail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from inquiry_router.base.mail_headers import LOOP_HEADER
from inquiry_router.mail.render import RenderedMail, one_line

# A party to a mail: (display name or None, address).
Party = tuple[str | None, str]


class UnsendableAddress(ValueError):
    """An address no plain SMTP header can carry (e.g. non-ASCII before the @)."""


def sendable_address(address: str) -> str:
    """The address as SES takes it, in headers and as a recipient: an internationalised domain in
    its ASCII form (bücher.de → xn--bcher-kva.de). SES has no SMTPUTF8 (RFC 6531), so an address
    with non-ASCII before the @ (josé@…, 用户@例子.中国) cannot be sent to: UnsendableAddress."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local or not local.isascii() or one_line(address) != address.strip():
        raise UnsendableAddress(f"cannot put {address!r} in a mail header")
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise UnsendableAddress(f"the domain of {address!r} is not a valid host name") from None
    return f"{local}@{ascii_domain}"


def can_send_to(address: str) -> bool:
    try:
        sendable_address(address)
    except UnsendableAddress:
        return False
    return True


@dataclass(frozen=True, slots=True)
class ComposedMessage:
    message_id: str  # with angle brackets, as in the header: "<…@example.com>"
    raw: bytes


def compose_message(
    rendered: RenderedMail,
    *,
    sender: Party,
    to: Party,
    reply_to: Party | None,
    message_id_domain: str,
    auto_reply: bool,
    bcc: str | None = None,
    in_reply_to: str | None = None,
    message_key: str | None = None,
    also_reply_to: Sequence[str] = (),
) -> ComposedMessage:
    """`message_key` fixes the Message-ID's left part, so every try of one mail job carries the
    same Message-ID (a retry after an SES timeout is then recognisably the same message)."""
    message = EmailMessage(policy=SMTP)
    message_id = (
        f"<{message_key}@{message_id_domain}>" if message_key else make_msgid(domain=message_id_domain)
    )
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(datetime.now(UTC))
    message["From"] = _address(sender)
    message["To"] = _address(to)
    # A reply goes to every address here at once (what a mail client's Reply does with a list).
    replies = [_address(reply_to)] if reply_to else []
    replies += [_address((None, extra)) for extra in also_reply_to]
    if replies:
        message["Reply-To"] = replies
    if bcc:
        message["Bcc"] = _address((None, bcc))
    message["Subject"] = one_line(rendered.subject)
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    if auto_reply:
        # RFC 3834: other robots (vacation replies, ticket systems) must not answer an auto reply.
        # Precedence: bulk is left out on purpose: some providers file it as a newsletter.
        message["Auto-Submitted"] = "auto-replied"
        message["X-Auto-Response-Suppress"] = "All"
    message[LOOP_HEADER] = message_id_domain
    message["MIME-Version"] = "1.0"
    # Quoted-printable keeps both parts 7-bit (SES raw sending) and readable when inspected.
    message.set_content(rendered.text, charset="utf-8", cte="quoted-printable")
    message.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="quoted-printable")
    return ComposedMessage(message_id=message_id, raw=message.as_bytes())


def _address(party: Party) -> Address:
    name, address = party
    return Address(display_name=one_line(name or ""), addr_spec=sendable_address(address))
