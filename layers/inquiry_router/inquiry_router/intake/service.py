"""submit_inquiry: screen a submission and store it in one durable write."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from inquiry_router.adapters.intake_write import IntakeGuards, IntakeReceipt, IntakeWriter, RateWindow
from inquiry_router.base.addresses import canonical_mailbox
from inquiry_router.base.digests import guard_digest
from inquiry_router.base.observability import count_stored_inquiry
from inquiry_router.base.timestamps import iso_timestamp
from inquiry_router.intake.captcha import CaptchaVerifier
from inquiry_router.intake.spam_checks import screen_submission
from inquiry_router.models.consent import ConsentProofs, consent_proofs
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.inquiry_record import (
    SPAM_RETENTION,
    RequestFacts,
    build_inquiry_record,
    payload_digest,
    submission_fingerprint,
)
from inquiry_router.models.settings import IntakeSettings
from inquiry_router.models.submission import InquirySubmission, is_http_url

PAYLOAD_REPEAT_WINDOW = timedelta(minutes=10)
IDEMPOTENCY_KEY_LIFETIME = timedelta(hours=24)


def submit_inquiry(
    submission: InquirySubmission,
    facts: RequestFacts,
    *,
    writer: IntakeWriter,
    settings: IntakeSettings,
    captcha: CaptchaVerifier | None = None,
) -> IntakeReceipt:
    """Store the submission (as `new` or as `spam`) and return its id and reference.

    Raises RateLimited, IdempotencyKeyReused, CaptchaRejected or StoreBusy; a repeated submit
    returns the first receipt with `replayed=True` and stores nothing.
    """
    check = captcha.verify(submission.captcha_token, facts.source_ip) if captcha else None
    verdict = screen_submission(submission, facts.received_at, settings.min_fill_seconds)
    # Fail closed, never drop: what no provider vouched for is kept for review, as suspected spam.
    reasons = verdict.reasons + (("captcha_unverified",) if check and not check.passed else ())
    record = build_inquiry_record(
        submission,
        facts,
        spam_reasons=reasons,
        captcha=check.recorded if check else None,
        proofs=_consent_proofs(submission, facts, settings),
        spam_retention=settings.retention.spam,
    )
    receipt = writer.record_inquiry(record, _guards(record.contact_key, submission, facts, settings))

    _count_and_log(
        receipt,
        submission.email,
        channel="form",
        spam_reasons=list(reasons),
        free_mail=record.signals.free_mail,
    )
    return receipt


# A released inquiry's guard outlives the spam inquiry it came from: releasing twice is one.
RELEASE_GUARD_MARGIN = timedelta(days=1)


class NotReleasable(ValueError):
    """The inquiry is not one screening kept back (only `spam` can be released)."""


def release_spam_inquiry(stored: Inquiry, now: datetime, *, writer: IntakeWriter) -> IntakeReceipt:
    """An admin's "this was a buyer after all" for a form submission stored as spam (a CAPTCHA
    provider that could not vouch, a honeypot an autofill filled): it becomes a new inquiry like any
    accepted one, so the contact, its timeline, routing and the acknowledgement all follow.

    It is received now (the acknowledgement's promise counts from the release), keeps what the
    buyer sent, and names the spam inquiry it came from. Idempotent: a second release returns the
    first receipt and stores nothing.
    """
    if stored.status != "spam":
        raise NotReleasable(f"{stored.reference} has status {stored.status}: only spam can be released")
    released: dict[str, Any] = {
        "name": stored.name,
        "email": stored.email,
        "company": stored.company,
        "country": stored.country,
        "website": stored.website,
        "subject": stored.subject,
        "product": stored.product,
        "quantity": stored.quantity,
        "message": stored.message,
        "locale": stored.locale,
        "consent": stored.consent,
        "marketing_opt_in": stored.marketing_opt_in,
        # One stored before page_url had to be an http(s) URL stays on the spam inquiry only.
        "page_url": stored.page_url if is_http_url(stored.page_url) else None,
    }
    fields = {name: value for name, value in released.items() if value is not None}
    fields["phone"] = stored.phone_as_typed or stored.phone
    fields |= {f"utm_{key}": value for key, value in stored.utm.items()}
    # Unknown fields the form sent travel along as they were kept (they are extras again).
    fields |= {key: value for key, value in stored.extra.items() if key not in fields}
    submission = InquirySubmission.model_validate({k: v for k, v in fields.items() if v is not None})
    facts = RequestFacts(
        received_at=now,
        source_ip=stored.source_ip,
        user_agent=stored.user_agent,
        origin=stored.origin,
        accept_language=stored.accept_language,
        request_id=f"release:{stored.id}",
    )
    # What the buyer agreed to, when and where, is what they agreed to then, not at the release.
    proofs = ConsentProofs(stored.consent_proof, stored.marketing_proof)
    record = build_inquiry_record(submission, facts, spam_reasons=(), captcha=None, proofs=proofs)
    expires = stored.expires_at or int((now + SPAM_RETENTION).timestamp())
    spam_left = timedelta(seconds=max(0, expires - int(now.timestamp())))
    guards = IntakeGuards(
        fingerprint=f"release:{stored.id}",
        payload_digest=payload_digest(submission),
        idempotency_ttl=spam_left + RELEASE_GUARD_MARGIN,
        rate_windows=(),
    )
    receipt = writer.record_inquiry(record, guards)
    _count_and_log(receipt, submission.email, channel=stored.channel or "form", released=True)
    return receipt


def _count_and_log(receipt: IntakeReceipt, sender: str, *, channel: str, **details: object) -> None:
    count_stored_inquiry(
        inquiry_id=receipt.inquiry_id,
        reference=receipt.reference,
        status=receipt.status,
        replayed=receipt.replayed,
        sender=sender,
        channel=channel,
        **details,
    )


def _consent_proofs(
    submission: InquirySubmission, facts: RequestFacts, settings: IntakeSettings
) -> ConsentProofs:
    """What the buyer agreed to, at the server's time, with a keyed digest of their IP (never the IP:
    base/digests.py). A page outside AllowedOrigins is kept and noted, not refused: the buyer is
    honest either way, and a seller's new site is often live before its origin is listed."""
    listed = settings.is_allowed_origin(submission.page_url) if submission.page_url else None
    return consent_proofs(
        submission,
        at=iso_timestamp(facts.received_at),
        page_origin_listed=listed,
        ip_digest=guard_digest(facts.source_ip, settings.guard_salt) if facts.source_ip else None,
    )


def _guards(
    contact_key: str, submission: InquirySubmission, facts: RequestFacts, settings: IntakeSettings
) -> IntakeGuards:
    limits = settings.rate_limits
    # Keyed on the mailbox, not the spelling: name+1@ and n.a.m.e@gmail.com share one window.
    sender = guard_digest(canonical_mailbox(contact_key), settings.guard_salt)
    windows = [RateWindow("email", sender, limits.per_email, limits.window_seconds)]
    if facts.source_ip:
        client = guard_digest(facts.source_ip, settings.guard_salt)
        windows.insert(0, RateWindow("ip", client, limits.per_ip, limits.window_seconds))
    return IntakeGuards(
        fingerprint=submission_fingerprint(submission, facts),
        payload_digest=payload_digest(submission),
        idempotency_ttl=IDEMPOTENCY_KEY_LIFETIME if facts.idempotency_key else PAYLOAD_REPEAT_WINDOW,
        rate_windows=tuple(windows),
    )
