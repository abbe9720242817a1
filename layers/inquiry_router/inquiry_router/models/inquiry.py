"""The inquiry as stored (`INQUIRY#<id>` / `INQUIRY`): what the intake wrote, and what the
router, the mailer and the inbound function added since.

`Inquiry.from_record` is what the intake stores for a new inquiry; `from_item` / `to_item` are the
one mapping to and from the table's item (see models/stored.py). Capabilities read attributes,
so a renamed attribute fails in mypy, not in a rep's inbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from inquiry_router.base.timestamps import iso_timestamp, parse_timestamp
from inquiry_router.models.attachment import MailAttachment, attachments_from, attachments_item
from inquiry_router.models.consent import ConsentProof
from inquiry_router.models.inquiry_record import InquiryRecord
from inquiry_router.models.stored import (
    attribute_names,
    flag,
    number,
    present,
    text,
    text_map,
    texts,
    true_or_absent,
    unmapped,
)

if TYPE_CHECKING:
    from inquiry_router.models.lifecycle import StatusChange

ENTITY = "inquiry"


@dataclass(frozen=True, slots=True)
class Inquiry:
    id: str
    reference: str
    status: str
    received_at: str
    contact_key: str
    email: str
    channel: str = "form"
    name: str | None = None
    company: str | None = None
    country: str | None = None
    phone: str | None = None
    phone_as_typed: str | None = None
    website: str | None = None
    subject: str | None = None
    product: str | None = None
    quantity: str | None = None
    message: str | None = None
    locale: str | None = None
    accept_language: str | None = None
    consent: bool = False
    marketing_opt_in: bool = False
    page_url: str | None = None
    # what was agreed, when, where (models/consent.py): present when its box was ticked
    consent_proof: ConsentProof | None = None
    marketing_proof: ConsentProof | None = None
    utm: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, str] = field(default_factory=dict)
    extra_truncated: bool = False
    free_mail: bool = False
    disposable: bool = False
    spam_reasons: tuple[str, ...] = ()
    captcha: str | None = None
    source_ip: str | None = None
    user_agent: str | None = None
    origin: str | None = None
    request_id: str | None = None
    form_charset: str | None = None
    # the intake's idempotency guard (GUARD#IDEMPOTENCY#<fingerprint>): what an erasure deletes with it
    idempotency_fingerprint: str | None = None
    # by mail
    mail_id: str | None = None
    raw_mail_key: str | None = None
    mail_subject: str | None = None
    mail_message_id: str | None = None
    attachments: tuple[MailAttachment, ...] = ()
    message_truncated: bool = False
    acknowledgement_paused: str | None = None
    sender_unverified: str | None = None
    recipient: str | None = None
    # kept for review only (spam), and what adapters/item_size.py shortened
    expires_at: int | None = None
    truncated_fields: tuple[str, ...] = ()
    # set by the router (adapters/assignment_write.py)
    owner_email: str | None = None
    owner_name: str | None = None
    team: str | None = None
    assignment_kind: str | None = None
    assignment_reason: str | None = None
    assigned_at: str | None = None
    assignment_seq: int | None = None
    first_response_due_at: str | None = None  # the team's target in its working time (routing/service.py)
    # set by the mailer (adapters/mail_records.py)
    acknowledged_at: str | None = None
    acknowledgement_message_id: str | None = None
    notified_at: str | None = None
    notification_message_id: str | None = None
    last_forwarded_at: str | None = None
    reminded_at: str | None = None  # the SLA's reminder to the owner (models/sla.py)
    reminder_message_id: str | None = None
    escalated_at: str | None = None  # the SLA's escalation to the team's manager
    escalation_message_id: str | None = None
    last_forward_message_id: str | None = None
    # set by the inbound function (adapters/inbound_records.py)
    last_reply_at: str | None = None
    last_reply_mail_id: str | None = None
    responded_at: str | None = None
    responded_by: str | None = None
    first_response_seconds: int | None = None
    # which channel showed the first response (models/lifecycle.Channel: mail_copy for a BCC copy)
    first_response_via: str | None = None
    # its status changes, oldest first (adapters/status_changes.py)
    transitions: tuple[StatusChange, ...] = ()
    status_changed_at: str | None = None
    snoozed_from: str | None = None
    snoozed_until: str | None = None  # when a snoozed inquiry wakes (ISO); the SLA clock is paused
    # The SLA steps taken (models/sla.py: remind, escalate, reassign), and whom a reassign left.
    sla_steps: tuple[str, ...] = ()
    sla_reassign_from: str | None = None
    labels: frozenset[str] = frozenset()  # the team's labels on it (routing config `labels`), a string set
    # set when an admin released it from spam (adapters/intake_write.py)
    released_as: str | None = None
    released_reference: str | None = None
    released_at: str | None = None
    other: Mapping[str, Any] = field(default_factory=dict)  # attributes no field names

    @property
    def buyer_line(self) -> str:
        """Who wrote, on one line for a rep's page or digest: name and company, else the address."""
        return ", ".join(part for part in (self.name, self.company) if part) or self.email

    @property
    def awaits_answer(self) -> bool:
        """Waiting on its owner's first answer (models/lifecycle.awaits_answer): what a rep's load
        counts and a leaving rep hands over."""
        from inquiry_router.models.lifecycle import awaits_answer  # off the intake's cold path

        return awaits_answer(self.status, answered=self.responded_at is not None)

    @property
    def received_moment(self) -> datetime:
        return parse_timestamp(self.received_at)

    @property
    def topic(self) -> str | None:
        """What the inquiry is about, as routing rules and mails name it."""
        return self.subject or self.product

    @property
    def by_mail(self) -> bool:
        return self.channel == "mail"

    @classmethod
    def from_record(cls, record: InquiryRecord) -> Inquiry:
        """A new inquiry as the intake stores it, from the submission and the request's facts."""
        s = record.submission
        f = record.facts
        mail = record.mail
        return cls(
            id=record.id,
            reference=record.reference,
            status=record.status,
            channel=record.channel,
            received_at=iso_timestamp(record.received_at),
            contact_key=record.contact_key,
            email=s.email,
            name=s.name,
            company=s.company,
            country=s.country or record.phone_region,
            phone=record.phone_e164 or s.phone,
            phone_as_typed=s.phone,
            website=s.website,
            subject=s.subject,
            product=s.product,
            quantity=s.quantity,
            message=s.message,
            locale=s.locale,
            accept_language=f.accept_language,
            consent=s.consent,
            marketing_opt_in=s.marketing_opt_in,
            page_url=s.page_url,
            consent_proof=record.proofs.consent,
            marketing_proof=record.proofs.marketing,
            utm=s.utm(),
            extra=record.extra,
            extra_truncated=record.extra_truncated,
            free_mail=record.signals.free_mail,
            disposable=record.signals.disposable,
            spam_reasons=record.spam_reasons,
            captcha=record.captcha,
            source_ip=f.source_ip,
            user_agent=f.user_agent,
            origin=f.origin,
            request_id=f.request_id,
            form_charset=f.form_charset,
            mail_id=mail.ses_message_id if mail else None,
            raw_mail_key=mail.raw_key if mail else None,
            mail_subject=mail.subject if mail else None,
            mail_message_id=mail.message_id if mail else None,
            attachments=tuple(mail.attachments) if mail else (),
            message_truncated=mail.text_truncated if mail else False,
            acknowledgement_paused=mail.acknowledgement_paused if mail else None,
            sender_unverified=mail.sender_unverified if mail else None,
            recipient=mail.recipient if mail else None,
            expires_at=int(record.expires_at.timestamp()) if record.expires_at else None,
        )

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> Inquiry:
        return cls(
            id=str(item["id"]),
            reference=str(item["reference"]),
            status=str(item["status"]),
            received_at=str(item["received_at"]),
            contact_key=str(item["contact_key"]),
            email=str(item["email"]),
            channel=str(item.get("channel") or "form"),
            name=text(item, "name"),
            company=text(item, "company"),
            country=text(item, "country"),
            phone=text(item, "phone"),
            phone_as_typed=text(item, "phone_as_typed"),
            website=text(item, "website"),
            subject=text(item, "subject"),
            product=text(item, "product"),
            quantity=text(item, "quantity"),
            message=text(item, "message"),
            locale=text(item, "locale"),
            accept_language=text(item, "accept_language"),
            consent=flag(item, "consent"),
            marketing_opt_in=flag(item, "marketing_opt_in"),
            page_url=text(item, "page_url"),
            consent_proof=ConsentProof.from_item(item.get("consent_proof")),
            marketing_proof=ConsentProof.from_item(item.get("marketing_proof")),
            utm=text_map(item, "utm"),
            extra=text_map(item, "extra"),
            extra_truncated=flag(item, "extra_truncated"),
            free_mail=flag(item, "free_mail"),
            disposable=flag(item, "disposable"),
            spam_reasons=texts(item, "spam_reasons"),
            captcha=text(item, "captcha"),
            source_ip=text(item, "source_ip"),
            user_agent=text(item, "user_agent"),
            origin=text(item, "origin"),
            request_id=text(item, "request_id"),
            form_charset=text(item, "form_charset"),
            idempotency_fingerprint=text(item, "idempotency_fingerprint"),
            mail_id=text(item, "mail_id"),
            raw_mail_key=text(item, "raw_mail_key"),
            mail_subject=text(item, "mail_subject"),
            mail_message_id=text(item, "mail_message_id"),
            attachments=attachments_from(item),
            message_truncated=flag(item, "message_truncated"),
            acknowledgement_paused=text(item, "acknowledgement_paused"),
            sender_unverified=text(item, "sender_unverified"),
            recipient=text(item, "recipient"),
            expires_at=number(item, "expires_at"),
            truncated_fields=texts(item, "truncated_fields"),
            owner_email=text(item, "owner_email"),
            owner_name=text(item, "owner_name"),
            team=text(item, "team"),
            assignment_kind=text(item, "assignment_kind"),
            assignment_reason=text(item, "assignment_reason"),
            assigned_at=text(item, "assigned_at"),
            assignment_seq=number(item, "assignment_seq"),
            first_response_due_at=text(item, "first_response_due_at"),
            acknowledged_at=text(item, "acknowledged_at"),
            acknowledgement_message_id=text(item, "acknowledgement_message_id"),
            notified_at=text(item, "notified_at"),
            notification_message_id=text(item, "notification_message_id"),
            last_forwarded_at=text(item, "last_forwarded_at"),
            reminded_at=text(item, "reminded_at"),
            reminder_message_id=text(item, "reminder_message_id"),
            escalated_at=text(item, "escalated_at"),
            escalation_message_id=text(item, "escalation_message_id"),
            last_forward_message_id=text(item, "last_forward_message_id"),
            last_reply_at=text(item, "last_reply_at"),
            last_reply_mail_id=text(item, "last_reply_mail_id"),
            responded_at=text(item, "responded_at"),
            responded_by=text(item, "responded_by"),
            first_response_seconds=number(item, "first_response_seconds"),
            first_response_via=text(item, "first_response_via"),
            transitions=_status_changes(item),
            status_changed_at=text(item, "status_changed_at"),
            snoozed_from=text(item, "snoozed_from"),
            snoozed_until=text(item, "snoozed_until"),
            sla_steps=texts(item, "sla_steps"),
            sla_reassign_from=text(item, "sla_reassign_from"),
            labels=frozenset(str(label) for label in item.get("labels") or ()),
            released_as=text(item, "released_as"),
            released_reference=text(item, "released_reference"),
            released_at=text(item, "released_at"),
            other=unmapped(item, _MAPPED),
        )

    def to_item(self) -> dict[str, Any]:
        return present(
            {
                "entity": ENTITY,
                "id": self.id,
                "reference": self.reference,
                "status": self.status,
                "received_at": self.received_at,
                "contact_key": self.contact_key,
                "email": self.email,
                "channel": self.channel,
                "name": self.name,
                "company": self.company,
                "country": self.country,
                "phone": self.phone,
                "phone_as_typed": self.phone_as_typed,
                "website": self.website,
                "subject": self.subject,
                "product": self.product,
                "quantity": self.quantity,
                "message": self.message,
                "locale": self.locale,
                "accept_language": self.accept_language,
                "consent": self.consent,
                "marketing_opt_in": self.marketing_opt_in,
                "page_url": self.page_url,
                "consent_proof": self.consent_proof.to_item() if self.consent_proof else None,
                "marketing_proof": self.marketing_proof.to_item() if self.marketing_proof else None,
                "utm": dict(self.utm) or None,
                "extra": dict(self.extra) or None,
                "extra_truncated": true_or_absent(self.extra_truncated),
                "free_mail": self.free_mail,
                "disposable": self.disposable,
                "spam_reasons": list(self.spam_reasons) or None,
                "captcha": self.captcha,
                "source_ip": self.source_ip,
                "user_agent": self.user_agent,
                "origin": self.origin,
                "request_id": self.request_id,
                "form_charset": self.form_charset,
                "idempotency_fingerprint": self.idempotency_fingerprint,
                "mail_id": self.mail_id,
                "raw_mail_key": self.raw_mail_key,
                "mail_subject": self.mail_subject,
                "mail_message_id": self.mail_message_id,
                "attachments": attachments_item(self.attachments),
                "message_truncated": true_or_absent(self.message_truncated),
                "acknowledgement_paused": self.acknowledgement_paused,
                "sender_unverified": self.sender_unverified,
                "recipient": self.recipient,
                "expires_at": self.expires_at,
                "truncated_fields": list(self.truncated_fields) or None,
                "owner_email": self.owner_email,
                "owner_name": self.owner_name,
                "team": self.team,
                "assignment_kind": self.assignment_kind,
                "assignment_reason": self.assignment_reason,
                "assigned_at": self.assigned_at,
                "assignment_seq": self.assignment_seq,
                "first_response_due_at": self.first_response_due_at,
                "acknowledged_at": self.acknowledged_at,
                "acknowledgement_message_id": self.acknowledgement_message_id,
                "notified_at": self.notified_at,
                "notification_message_id": self.notification_message_id,
                "last_forwarded_at": self.last_forwarded_at,
                "reminded_at": self.reminded_at,
                "reminder_message_id": self.reminder_message_id,
                "escalated_at": self.escalated_at,
                "escalation_message_id": self.escalation_message_id,
                "last_forward_message_id": self.last_forward_message_id,
                "last_reply_at": self.last_reply_at,
                "last_reply_mail_id": self.last_reply_mail_id,
                "responded_at": self.responded_at,
                "responded_by": self.responded_by,
                "first_response_seconds": self.first_response_seconds,
                "first_response_via": self.first_response_via,
                "transitions": [change.to_item() for change in self.transitions] or None,
                "status_changed_at": self.status_changed_at,
                "snoozed_from": self.snoozed_from,
                "snoozed_until": self.snoozed_until,
                "sla_steps": list(self.sla_steps) or None,
                "sla_reassign_from": self.sla_reassign_from,
                "labels": set(self.labels) or None,  # DynamoDB has no empty set
                "released_as": self.released_as,
                "released_reference": self.released_reference,
                "released_at": self.released_at,
                **self.other,
            }
        )


def _status_changes(item: Mapping[str, Any]) -> tuple[StatusChange, ...]:
    if not item.get("transitions"):
        return ()
    # Imported by what reads changes only: the intake, whose cold start a buyer waits for, never does.
    from inquiry_router.models.lifecycle import StatusChange

    return tuple(StatusChange.from_item(change) for change in item["transitions"])


_MAPPED = attribute_names(Inquiry)
