"""A received mail's record (`MAIL#<SES message id>` / `MAIL`): its decision, its reason, and what
a forward or a notice about it needs (sender, text, attachments, the raw original's key).

The inbound function writes one per message (adapters/inbound_records.py); the mailer reads it for
a buyer's reply forwarded to its rep and for the notice about an unreadable message; the CLI lists
them by decision. See models/stored.py for how the mapping is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from inquiry_router.base.timestamps import parse_timestamp
from inquiry_router.models.attachment import MailAttachment, attachments_from, attachments_item
from inquiry_router.models.rep_actions import CommandRecord
from inquiry_router.models.stored import (
    attribute_names,
    flag,
    number,
    present,
    text,
    texts,
    true_or_absent,
    unmapped,
)


@dataclass(frozen=True, slots=True)
class MailAddress:
    name: str
    address: str

    @classmethod
    def from_item(cls, item: Mapping[str, Any] | None) -> MailAddress | None:
        if item is None:
            return None
        return cls(name=str(item.get("name") or ""), address=str(item.get("address") or ""))

    def to_item(self) -> dict[str, str]:
        return {"name": self.name, "address": self.address}


@dataclass(frozen=True, slots=True)
class ReceivedMail:
    id: str  # the SES message id
    received_at: str
    decision: str
    reason: str
    state: str = "done"  # "queueing" while its mail jobs are being queued
    inquiry_id: str | None = None
    reference: str | None = None
    sender: MailAddress | None = None  # stored as `from`
    to: tuple[MailAddress, ...] = ()
    cc: tuple[MailAddress, ...] = ()
    recipients: tuple[str, ...] = ()  # the SES envelope's
    subject: str = ""
    message_id: str | None = None
    language: str | None = None
    text: str = ""
    text_truncated: bool = False
    headers_cut: tuple[str, ...] = ()
    attachments: tuple[MailAttachment, ...] = ()
    raw_mail_key: str | None = None
    spam_verdict: str | None = None
    virus_verdict: str | None = None
    dmarc_verdict: str | None = None
    expires_at: int | None = None
    truncated_fields: tuple[str, ...] = ()  # what adapters/item_size.py shortened
    command: CommandRecord | None = None  # a rep's command mail (#won): what came of it
    other: Mapping[str, Any] = field(default_factory=dict)

    @property
    def received_moment(self) -> datetime:
        return parse_timestamp(self.received_at)

    @property
    def is_done(self) -> bool:
        return self.state == "done"

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> ReceivedMail:
        return cls(
            id=str(item["id"]),
            received_at=str(item["received_at"]),
            decision=str(item["decision"]),
            reason=str(item.get("reason") or ""),
            # A record without a state was never marked done: processed again, as before.
            state=str(item.get("state") or ""),
            inquiry_id=text(item, "inquiry_id"),
            reference=text(item, "reference"),
            sender=MailAddress.from_item(item.get("from")),
            to=_addresses(item, "to"),
            cc=_addresses(item, "cc"),
            recipients=texts(item, "recipients"),
            subject=str(item.get("subject") or ""),
            message_id=text(item, "message_id"),
            language=text(item, "language"),
            text=str(item.get("text") or ""),
            text_truncated=flag(item, "text_truncated"),
            headers_cut=texts(item, "headers_cut"),
            attachments=attachments_from(item),
            raw_mail_key=text(item, "raw_mail_key"),
            spam_verdict=text(item, "spam_verdict"),
            virus_verdict=text(item, "virus_verdict"),
            dmarc_verdict=text(item, "dmarc_verdict"),
            expires_at=number(item, "expires_at"),
            truncated_fields=texts(item, "truncated_fields"),
            command=CommandRecord.from_item(item.get("command")),
            other=unmapped(item, _MAPPED),
        )

    def to_item(self) -> dict[str, Any]:
        return present(
            {
                "entity": ENTITY,
                "state": self.state,
                "id": self.id,
                "received_at": self.received_at,
                "decision": self.decision,
                "reason": self.reason,
                "inquiry_id": self.inquiry_id,
                "reference": self.reference,
                "from": self.sender.to_item() if self.sender else None,
                "to": [a.to_item() for a in self.to] or None,
                "cc": [a.to_item() for a in self.cc] or None,
                "recipients": list(self.recipients) or None,
                "subject": self.subject,
                "message_id": self.message_id,
                "language": self.language,
                "text": self.text,
                "text_truncated": true_or_absent(self.text_truncated),
                "headers_cut": list(self.headers_cut) or None,
                "attachments": attachments_item(self.attachments),
                "raw_mail_key": self.raw_mail_key,
                "spam_verdict": self.spam_verdict,
                "virus_verdict": self.virus_verdict,
                "dmarc_verdict": self.dmarc_verdict,
                "expires_at": self.expires_at,
                "truncated_fields": list(self.truncated_fields) or None,
                "command": self.command.to_item() if self.command else None,
                **self.other,
            }
        )


ENTITY = "inbound_mail"
_MAPPED = attribute_names(ReceivedMail, renamed={"sender": "from"})


def _addresses(item: Mapping[str, Any], name: str) -> tuple[MailAddress, ...]:
    return tuple(a for a in (MailAddress.from_item(v) for v in item.get(name) or ()) if a is not None)
