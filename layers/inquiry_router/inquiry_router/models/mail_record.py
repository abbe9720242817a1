"""What the mailer keeps about the mails it sends: each job's send record
(`GUARD#MAIL#<job id>` / `GUARD`), and the Message-ID index of what went out
(`MSGID#<message-id>` / `MSGID`), which threads replies and lets a bounce name what it returns,
and the same by SES's message id (`SESMSG#<id>` / `SESMSG`), which SES's sending events name.

The send record goes through `sending` (claimed, with a lease), `accepted` (SES took the mail,
with what recording it needs) and ends `sent`, `skipped` or `failed` (adapters/mail_records.py).
See models/stored.py for how each mapping is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from inquiry_router.base.timestamps import parse_timestamp
from inquiry_router.models.stored import attribute_names, number, present, text, unmapped


@dataclass(frozen=True, slots=True)
class SentMail:
    """A mail SES accepted: what recording it needs (the claim's `accepted` state carries it)."""

    job_id: str
    kind: str
    inquiry_id: str
    reference: str
    contact_key: str
    recipient: str
    message_id: str
    ses_message_id: str | None


@dataclass(frozen=True, slots=True)
class MailJobRecord:
    state: str  # sending | accepted | sent | skipped | failed
    # The claim: whose delivery is sending, until when.
    claim_id: str | None = None
    lease_until: int | None = None
    expires_at: int | None = None
    # Accepted by SES: what recording it needs (SentMail), and when.
    job_id: str | None = None
    kind: str | None = None
    inquiry_id: str | None = None
    reference: str | None = None
    contact_key: str | None = None
    recipient: str | None = None
    message_id: str | None = None
    ses_message_id: str | None = None
    accepted_at: str | None = None
    # Finished: when, and why not sent.
    finished_at: str | None = None
    reason: str | None = None
    other: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_accepted(self) -> bool:
        return self.state == "accepted"

    @property
    def accepted_moment(self) -> datetime:
        return parse_timestamp(str(self.accepted_at))

    def sent_mail(self) -> SentMail:
        """The accepted mail, to finish recording it (a redelivery after the recording failed)."""
        if self.job_id is None or self.kind is None or self.recipient is None or self.message_id is None:
            raise ValueError(f"mail job record in state {self.state!r} names no accepted mail")
        return SentMail(
            job_id=self.job_id,
            kind=self.kind,
            inquiry_id=self.inquiry_id or "",
            reference=self.reference or "",
            contact_key=self.contact_key or "",
            recipient=self.recipient,
            message_id=self.message_id,
            ses_message_id=self.ses_message_id,
        )

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> MailJobRecord:
        return cls(
            state=str(item.get("state") or ""),
            claim_id=text(item, "claim_id"),
            lease_until=number(item, "lease_until"),
            expires_at=number(item, "expires_at"),
            job_id=text(item, "job_id"),
            kind=text(item, "kind"),
            inquiry_id=text(item, "inquiry_id"),
            reference=text(item, "reference"),
            contact_key=text(item, "contact_key"),
            recipient=text(item, "recipient"),
            message_id=text(item, "message_id"),
            ses_message_id=text(item, "ses_message_id"),
            accepted_at=text(item, "accepted_at"),
            finished_at=text(item, "finished_at"),
            reason=text(item, "reason"),
            other=unmapped(item, _MAPPED_JOB),
        )

    def to_item(self) -> dict[str, Any]:
        return present(
            {
                "entity": "mail_job",
                "state": self.state,
                "claim_id": self.claim_id,
                "lease_until": self.lease_until,
                "expires_at": self.expires_at,
                "job_id": self.job_id,
                "kind": self.kind,
                "inquiry_id": self.inquiry_id,
                "reference": self.reference,
                "contact_key": self.contact_key,
                "recipient": self.recipient,
                "message_id": self.message_id,
                "ses_message_id": self.ses_message_id,
                "accepted_at": self.accepted_at,
                "finished_at": self.finished_at,
                "reason": self.reason,
                **self.other,
            }
        )


_MAPPED_JOB = attribute_names(MailJobRecord)


@dataclass(frozen=True, slots=True)
class SentMessage:
    """One of our outbound mails, from the MSGID index; its Message-ID is the item's key (as the
    index keys it: lower case, no angle brackets), handed over by the adapter that reads it."""

    message_id: str
    kind: str  # acknowledgement, notification, forward
    recipient: str | None  # as written: lower case
    inquiry_id: str | None
    reference: str | None = None
    contact_key: str | None = None
    sent_at: str | None = None
    other: Mapping[str, Any] = field(default_factory=dict)

    @property
    def delivered_to(self) -> str | None:
        """The address the mail went to: what a bounce may suppress."""
        recipient = self.recipient
        if recipient is None and self.kind == "acknowledgement":
            # Indexed before the recipient was recorded: an acknowledgement went to its contact.
            recipient = self.contact_key
        return recipient.lower() if recipient else None

    @classmethod
    def from_item(cls, item: Mapping[str, Any], message_id: str) -> SentMessage:
        return cls(
            message_id=message_id,
            kind=str(item.get("kind", "")),
            recipient=text(item, "recipient"),
            inquiry_id=text(item, "inquiry_id"),
            reference=text(item, "reference"),
            contact_key=text(item, "contact_key"),
            sent_at=text(item, "sent_at"),
            other=unmapped(item, _MAPPED_MESSAGE),
        )

    def to_item(self) -> dict[str, Any]:
        return present(
            {
                "entity": "message_index",
                "inquiry_id": self.inquiry_id,
                "reference": self.reference,
                "contact_key": self.contact_key,
                "kind": self.kind,
                "recipient": self.recipient,
                "sent_at": self.sent_at,
                **self.other,
            }
        )


_MAPPED_MESSAGE = attribute_names(SentMessage) - {"message_id"}


@dataclass(frozen=True, slots=True)
class SesMessage:
    """One of our outbound mails by the id SES gave it (the SESMSG index), written with the sent
    record: what SES's bounce, complaint or delivery event is about, found with one GetItem."""

    ses_message_id: str
    job_id: str
    kind: str
    recipient: str  # as written: lower case
    message_id: str  # ours (the MSGID index's key)
    inquiry_id: str | None = None
    reference: str | None = None
    contact_key: str | None = None
    sent_at: str | None = None
    other: Mapping[str, Any] = field(default_factory=dict)

    @property
    def to_buyer(self) -> bool:
        """Mail to the inquiry's own contact (an acknowledgement), not to a company mailbox."""
        return bool(self.contact_key) and self.recipient == (self.contact_key or "").lower()

    @classmethod
    def from_item(cls, item: Mapping[str, Any], ses_message_id: str) -> SesMessage:
        return cls(
            ses_message_id=ses_message_id,
            job_id=str(item.get("job_id", "")),
            kind=str(item.get("kind", "")),
            recipient=str(item.get("recipient", "")),
            message_id=str(item.get("message_id", "")),
            inquiry_id=text(item, "inquiry_id"),
            reference=text(item, "reference"),
            contact_key=text(item, "contact_key"),
            sent_at=text(item, "sent_at"),
            other=unmapped(item, _MAPPED_SES_MESSAGE),
        )

    def to_item(self) -> dict[str, Any]:
        return present(
            {
                "entity": "ses_message_index",
                "job_id": self.job_id,
                "kind": self.kind,
                "recipient": self.recipient,
                "message_id": self.message_id,
                "inquiry_id": self.inquiry_id,
                "reference": self.reference,
                "contact_key": self.contact_key,
                "sent_at": self.sent_at,
                **self.other,
            }
        )


_MAPPED_SES_MESSAGE = attribute_names(SesMessage) - {"ses_message_id"}
