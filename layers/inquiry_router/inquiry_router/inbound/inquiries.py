"""A mail that is a new inquiry, stored through the same record and single write as a form's."""

from __future__ import annotations

from datetime import timedelta

from inquiry_router.adapters.intake_write import IntakeGuards, IntakeReceipt, IntakeWriter
from inquiry_router.base.observability import count_stored_inquiry
from inquiry_router.models.inquiry_record import (
    MailOrigin,
    RequestFacts,
    build_inquiry_record,
    payload_digest,
    submission_fingerprint,
)
from inquiry_router.models.submission import InquirySubmission

# Longer than Lambda keeps retrying an asynchronous event (6 hours at most).
MAIL_DELIVERY_LIFETIME = timedelta(days=2)


def record_mail_inquiry(
    submission: InquirySubmission, facts: RequestFacts, mail: MailOrigin, *, writer: IntakeWriter
) -> IntakeReceipt:
    """Store an inquiry that arrived by mail.

    SES has already judged spam, and a mail has no honeypot or fill time, so the form's screening
    is not repeated. There are no rate windows either: a flood is stored and only its
    acknowledgements are paused (`mail.acknowledgement_paused`). The idempotency key is the SES
    message id, so a redelivered event returns the first receipt and stores nothing.
    """
    record = build_inquiry_record(submission, facts, spam_reasons=(), captcha=None, mail=mail)
    guards = IntakeGuards(
        fingerprint=submission_fingerprint(submission, facts),
        payload_digest=payload_digest(submission),
        idempotency_ttl=MAIL_DELIVERY_LIFETIME,
        rate_windows=(),
    )
    receipt = writer.record_inquiry(record, guards)
    count_stored_inquiry(
        inquiry_id=receipt.inquiry_id,
        reference=receipt.reference,
        status=receipt.status,
        replayed=receipt.replayed,
        sender=submission.email,
        channel="mail",
    )
    return receipt
