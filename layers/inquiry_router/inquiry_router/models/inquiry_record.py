"""A new inquiry as the intake builds it, from a submission and the request's facts (stored as
models/inquiry.py's `Inquiry.from_record`)."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from inquiry_router.base.addresses import (
    AddressSignals,
    address_signals,
    normalise_email,
    normalise_phone,
)
from inquiry_router.base.references import new_reference
from inquiry_router.models.attachment import MailAttachment
from inquiry_router.models.consent import ConsentProofs
from inquiry_router.models.submission import InquirySubmission

# SpamRetentionDays' default (models/settings.py Retention); what a record that cannot be spam carries.
SPAM_RETENTION = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class RequestFacts:
    """What the HTTP request tells us besides the form fields."""

    received_at: datetime
    source_ip: str | None = None
    user_agent: str | None = None
    origin: str | None = None
    accept_language: str | None = None
    idempotency_key: str | None = None
    request_id: str | None = None
    form_charset: str | None = None  # how a form in a legacy charset was read ("cp932 (detected)")


@dataclass(frozen=True, slots=True)
class MailOrigin:
    """Where an inquiry that arrived by mail came from: the stored original and its attachments."""

    ses_message_id: str
    raw_key: str
    subject: str
    message_id: str | None  # the buyer's Message-ID: the rep's forward threads under it
    attachments: Sequence[MailAttachment] = ()
    text_truncated: bool = False
    acknowledgement_paused: str | None = None  # why no acknowledgement goes out (a flood)
    # Why the sender could not be verified (DMARC failed): the rep's notification warns of it.
    sender_unverified: str | None = None
    # The address of ours the buyer wrote to: what routing rules on `recipient` match.
    recipient: str | None = None


@dataclass(frozen=True, slots=True)
class InquiryRecord:
    id: str
    reference: str
    status: str
    channel: str
    received_at: datetime
    contact_key: str
    signals: AddressSignals
    submission: InquirySubmission
    facts: RequestFacts
    phone_e164: str | None
    phone_region: str | None
    spam_reasons: tuple[str, ...] = ()
    captcha: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    extra_truncated: bool = False
    mail: MailOrigin | None = None
    proofs: ConsentProofs = field(default_factory=ConsentProofs)
    spam_retention: timedelta = SPAM_RETENTION

    @property
    def is_spam(self) -> bool:
        return self.status == "spam"

    @property
    def expires_at(self) -> datetime | None:
        return self.received_at + self.spam_retention if self.is_spam else None


def build_inquiry_record(
    submission: InquirySubmission,
    facts: RequestFacts,
    *,
    spam_reasons: tuple[str, ...],
    captcha: str | None,
    mail: MailOrigin | None = None,
    proofs: ConsentProofs | None = None,
    spam_retention: timedelta = SPAM_RETENTION,
) -> InquiryRecord:
    e164, region = normalise_phone(submission.phone, submission.country)
    extra, truncated = submission.extra_fields()
    return InquiryRecord(
        id=str(uuid.uuid4()),
        reference=new_reference(),
        status="spam" if spam_reasons else "new",
        channel="mail" if mail else "form",
        received_at=facts.received_at,
        contact_key=normalise_email(submission.email),
        signals=address_signals(submission.email),
        submission=submission,
        facts=facts,
        phone_e164=e164,
        phone_region=region,
        spam_reasons=spam_reasons,
        captcha=captcha,
        extra=extra,
        extra_truncated=truncated,
        mail=mail,
        proofs=proofs or ConsentProofs(),
        spam_retention=spam_retention,
    )


def submission_fingerprint(submission: InquirySubmission, facts: RequestFacts) -> str:
    """Identifies "the same submission again": the client's own key, or same payload + same client."""
    if facts.idempotency_key:
        return "key:" + hashlib.sha256(facts.idempotency_key.encode()).hexdigest()
    payload = _payload(submission, exclude={"captcha_token"})
    canonical = json.dumps([payload, facts.source_ip, facts.user_agent], sort_keys=True, ensure_ascii=False)
    return "payload:" + hashlib.sha256(canonical.encode()).hexdigest()


def payload_digest(submission: InquirySubmission) -> str:
    """Detects an Idempotency-Key reused for different content."""
    payload = _payload(submission, exclude={"captcha_token", "rendered_at"})
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# Fields added since digests were first stored: left out when not sent, so a submission without
# them (a retry across a deploy, too) has the digest and fingerprint it had before.
_LATER_FIELDS = (
    "consent_text_version",
    "consent_text_sha256",
    "privacy_policy_url",
    "marketing_text_version",
    "marketing_text_sha256",
)


def _payload(submission: InquirySubmission, *, exclude: set[str]) -> dict[str, object]:
    payload = submission.model_dump(mode="json", exclude=exclude)
    return {k: v for k, v in payload.items() if not (k in _LATER_FIELDS and v is None)}
