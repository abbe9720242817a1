"""SES's sending events about our own mail, as EventBridge delivers them (through the feedback
queue): a bounce, a complaint, a delivery, a delay, a rejection or a rendering failure of one
message SES accepted from the mailer.

SES publishes each event at least once and in no promised order, so every event has an identity of
its own (`event_key`), made from what SES says rather than from the EventBridge envelope, whose id
differs between two publications of one event: the SES message id, the event type and the
feedback id SES gives bounces and complaints (or, for the others, the event's own timestamp).

The envelope is validated here, once, with pydantic: it comes from outside our code, and a queue
message that is not an SES event is a dead letter to look at, not something to guess about.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from inquiry_router.base.timestamps import iso_timestamp

FeedbackKind = Literal["bounce", "complaint", "delivery", "delivery_delay", "reject", "rendering_failure"]

# eventType as SES writes it -> ours. Send, Open, Click and Subscription are not subscribed to
# (template.yaml's MailConfigurationSetEvents); if one arrives anyway it is acknowledged and dropped.
_KINDS: dict[str, FeedbackKind] = {
    "Bounce": "bounce",
    "Complaint": "complaint",
    "Delivery": "delivery",
    "DeliveryDelay": "delivery_delay",
    "Reject": "reject",
    "Rendering Failure": "rendering_failure",
}

# Bounce subtypes that mean SES never tried: the address is on a suppression list. SES accepts the
# send and answers with a message id, so only this event tells "suppressed by SES" from "sent".
SES_SUPPRESSION_SUBTYPES = frozenset({"OnAccountSuppressionList", "Suppressed"})

_DETAIL_LIMIT = 300  # a diagnostic code or SMTP answer, as much as a person needs to read


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class _Mail(_Loose):
    message_id: str = Field(alias="messageId", min_length=1, max_length=200)
    timestamp: datetime | None = None


class _Recipient(_Loose):
    email_address: str = Field(alias="emailAddress", max_length=320)
    status: str | None = None
    diagnostic_code: str | None = Field(default=None, alias="diagnosticCode")


class _Bounce(_Loose):
    bounce_type: str = Field(alias="bounceType")
    bounce_sub_type: str = Field(default="", alias="bounceSubType")
    bounced_recipients: list[_Recipient] = Field(default_factory=list, alias="bouncedRecipients")
    timestamp: datetime
    feedback_id: str = Field(default="", alias="feedbackId")


class _Complaint(_Loose):
    complained_recipients: list[_Recipient] = Field(default_factory=list, alias="complainedRecipients")
    complaint_feedback_type: str = Field(default="", alias="complaintFeedbackType")
    timestamp: datetime
    feedback_id: str = Field(default="", alias="feedbackId")


class _Delivery(_Loose):
    timestamp: datetime
    recipients: list[str] = Field(default_factory=list)
    smtp_response: str = Field(default="", alias="smtpResponse")


class _DeliveryDelay(_Loose):
    timestamp: datetime
    delay_type: str = Field(default="", alias="delayType")
    delayed_recipients: list[_Recipient] = Field(default_factory=list, alias="delayedRecipients")
    expiration_time: datetime | None = Field(default=None, alias="expirationTime")


class _Reject(_Loose):
    reason: str = ""


class _Failure(_Loose):
    error_message: str = Field(default="", alias="errorMessage")
    template_name: str = Field(default="", alias="templateName")


class _Detail(_Loose):
    event_type: str = Field(alias="eventType")
    mail: _Mail
    bounce: _Bounce | None = None
    complaint: _Complaint | None = None
    delivery: _Delivery | None = None
    delivery_delay: _DeliveryDelay | None = Field(default=None, alias="deliveryDelay")
    reject: _Reject | None = None
    failure: _Failure | None = None


class SesEventEnvelope(_Loose):
    """What EventBridge puts on the queue: its envelope, SES's event as `detail`."""

    source: Literal["aws.ses"]
    detail_type: str = Field(alias="detail-type")
    time: datetime
    detail: _Detail


class NotAnSesEvent(ValueError):
    """A feedback queue message that is not an SES sending event we can read."""


class SendingEvent(BaseModel):
    """One SES event about one of our messages, flattened to what the product acts on."""

    model_config = ConfigDict(frozen=True)

    kind: FeedbackKind
    ses_message_id: str
    at: str  # when it happened, as SES says (ISO, UTC)
    recipients: tuple[str, ...] = ()  # the addresses it is about, lower case
    bounce_type: str | None = None  # Permanent | Transient | Undetermined
    bounce_sub_type: str | None = None
    complaint_type: str | None = None  # abuse, not-spam, ... when the mailbox provider says
    delay_type: str | None = None
    detail: str = ""  # the diagnostic, SMTP answer or SES's reason: for a person to read
    feedback_id: str = ""

    @property
    def event_key(self) -> str:
        """The event's identity across SES's duplicate publications (see the module's docstring)."""
        seed = f"{self.ses_message_id}|{self.kind}|{self.feedback_id or self.at}"
        return hashlib.sha256(seed.encode()).hexdigest()[:16]

    @property
    def suppressed_by_ses(self) -> bool:
        """SES did not try: the address is on the account's (or SES's global) suppression list."""
        return self.kind == "bounce" and self.bounce_sub_type in SES_SUPPRESSION_SUBTYPES

    @property
    def permanent(self) -> bool:
        return self.kind == "bounce" and self.bounce_type == "Permanent"

    @classmethod
    def from_envelope(cls, envelope: SesEventEnvelope) -> SendingEvent | None:
        """The event, or None for an event type we do not act on (Send, Open, Click)."""
        detail = envelope.detail
        kind = _KINDS.get(detail.event_type)
        if kind is None:
            return None
        moment = envelope.time
        recipients: list[str] = []
        extra: dict[str, str] = {}
        note = ""
        if kind == "bounce" and detail.bounce:
            moment = detail.bounce.timestamp
            recipients = [r.email_address for r in detail.bounce.bounced_recipients]
            note = _first_diagnostic(detail.bounce.bounced_recipients)
            extra = {
                "bounce_type": detail.bounce.bounce_type,
                "bounce_sub_type": detail.bounce.bounce_sub_type,
                "feedback_id": detail.bounce.feedback_id,
            }
        elif kind == "complaint" and detail.complaint:
            moment = detail.complaint.timestamp
            recipients = [r.email_address for r in detail.complaint.complained_recipients]
            extra = {
                "complaint_type": detail.complaint.complaint_feedback_type,
                "feedback_id": detail.complaint.feedback_id,
            }
        elif kind == "delivery" and detail.delivery:
            moment = detail.delivery.timestamp
            recipients = list(detail.delivery.recipients)
            note = detail.delivery.smtp_response
        elif kind == "delivery_delay" and detail.delivery_delay:
            moment = detail.delivery_delay.timestamp
            recipients = [r.email_address for r in detail.delivery_delay.delayed_recipients]
            note = _first_diagnostic(detail.delivery_delay.delayed_recipients)
            extra = {"delay_type": detail.delivery_delay.delay_type}
        elif kind == "reject" and detail.reject:
            note = detail.reject.reason
        elif kind == "rendering_failure" and detail.failure:
            note = detail.failure.error_message
        elif kind not in {"reject", "rendering_failure"}:
            raise NotAnSesEvent(f"an SES {detail.event_type} event without its {kind} object")
        return cls(
            kind=kind,
            ses_message_id=detail.mail.message_id,
            at=iso_timestamp(moment),
            recipients=tuple(r.strip().lower() for r in recipients if r.strip()),
            detail=" ".join(note.split())[:_DETAIL_LIMIT],
            **{k: v for k, v in extra.items() if v},
        )


def parse_sending_event(body: str) -> SendingEvent | None:
    """A feedback queue message's event; `NotAnSesEvent` when it is not one."""
    try:
        envelope = SesEventEnvelope.model_validate_json(body)
    except ValidationError as error:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) or "(body)" for e in error.errors()[:5])
        raise NotAnSesEvent(f"not an SES sending event from EventBridge (look at: {fields})") from error
    return SendingEvent.from_envelope(envelope)


def _first_diagnostic(recipients: list[_Recipient]) -> str:
    for recipient in recipients:
        said = " ".join(part for part in (recipient.status, recipient.diagnostic_code) if part)
        if said:
            return said
    return ""


ContactMark = Literal["bounced", "complained", "transient_bounce"]


@dataclass(frozen=True, slots=True)
class FeedbackEffect:
    """What one event changes, decided by feedback/service.py and written by
    adapters/feedback_records.py in one transaction (the timeline event keyed by the event, so a
    second publication of it changes nothing)."""

    timeline_kind: str  # e.g. acknowledgement_bounced, notification_delivered
    summary: str
    contact_mark: ContactMark | None = None  # what the buyer's contact item records
    suppress: bool = False  # no more mail of ours to the buyer's address
    inquiry_outcome: str | None = None  # set on the inquiry as <kind>_outcome: bounced, suppressed_by_ses
    tell_owner: bool = False  # the owner rep gets a mail: the buyer's address is dead
