"""Sending one mail job: read the inquiry fresh, decide, render, claim, send through SES v2, record.

Acknowledgements go to the buyer at most once a day per mailbox, never for spam and never to a
suppressed address; notifications go to whoever owns the inquiry now. Transient SES errors raise
(the queue retries with backoff); permanent ones are recorded on the timeline and not retried.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

from inquiry_router.adapters.mail_records import Claim, MailRecords
from inquiry_router.adapters.ses import AWS_CALL_ERRORS, SesRefused, SesSender, SesTimedOut, SesUnavailable
from inquiry_router.base.addresses import canonical_mailbox
from inquiry_router.base.digests import guard_digest
from inquiry_router.base.observability import logger, metrics
from inquiry_router.mail.assemble import (
    MailParts,
    assemble_acknowledgement,
    assemble_command_reply,
    assemble_notification,
    assemble_reply_forward,
    assemble_unreadable_notice,
)
from inquiry_router.mail.compose import UnsendableAddress, can_send_to
from inquiry_router.mail.digests import DigestSource, assemble_morning_digest, assemble_weekly_digest
from inquiry_router.mail.links import ActionLinkIssuer, MailLinks
from inquiry_router.mail.views import NotificationPurpose
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.mail_job import MailJob
from inquiry_router.models.mail_record import MailJobRecord, SentMail
from inquiry_router.models.received_mail import ReceivedMail
from inquiry_router.models.routing_config import RoutingConfig
from inquiry_router.models.settings import PipelineSettings

Outcome = Literal["sent", "already_done", "skipped", "failed"]

# SES has no SMTPUTF8: an address with non-ASCII before the @ cannot be sent to (the rep is told).
UNSENDABLE_BUYER_ADDRESS = (
    "the buyer's address has non-ASCII characters before the @, which Amazon SES cannot send to "
    "(no SMTPUTF8); the rep's notification says how to answer"
)


class MailInFlight(RuntimeError):
    """Another delivery of this job is sending it right now: retry after the lease."""


class MailNotRecordedYet(RuntimeError):
    """A forward or notice names a received mail whose record is not readable yet: retried."""


# Mails that belong to no inquiry: only their job record says they went.
_NOT_AN_INQUIRY_S = frozenset({"unparseable_notice", "command_reply", "weekly_digest", "morning_digest"})


@dataclass
class Mailer:
    records: MailRecords
    ses: SesSender
    settings: PipelineSettings
    load_config: Callable[[], RoutingConfig | None]
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    links: MailLinks = field(default_factory=lambda: MailLinks(None, ""))
    action_links: ActionLinkIssuer | None = None  # None: notifications carry no action buttons
    digest_source: DigestSource | None = None  # None: digests are not sent
    sleep: Callable[[float], None] = time.sleep
    # Seven retries, about 4.5 s in all, well inside the 2-minute lease and the 60-second timeout:
    # with three (1 s) the fault-injection bench sent 3 of 2,000 mails twice at 20 % failing calls.
    record_retry_delays: tuple[float, ...] = (0.05, 0.2, 0.4, 0.8, 1.0, 1.0, 1.0)

    def send(self, job: MailJob) -> Outcome:
        done = self.records.job_record(job.job_id)
        if done and done.is_accepted:
            self._finish_recording(done)
            return "already_done"
        if done and done.state != "sending":
            return "already_done"
        if job.kind in ("unparseable_notice", "command_reply"):
            return self._send_notice(job)
        if job.kind in ("weekly_digest", "morning_digest"):
            return self._send_digest(job)
        inquiry = self.records.inquiry(job.inquiry_id)
        if inquiry is None:
            logger.warning("mail job for an unknown inquiry", extra={"job_id": job.job_id})
            return "skipped"
        now = self.clock()
        refusal = self._refusal(job, inquiry)
        if refusal:
            self.records.mark_not_sent(
                job.job_id, inquiry, kind=job.kind, state="skipped", reason=refusal, now=now
            )
            return "skipped"
        try:
            parts = self._assemble(job, inquiry)
        except UnsendableAddress as error:  # e.g. a buyer address no mail system can take: permanent
            self.records.mark_not_sent(
                job.job_id, inquiry, kind=job.kind, state="failed", reason=str(error)[:500], now=now
            )
            metrics.add_metric(name="MailRefused", unit="Count", value=1)
            return "failed"
        claim_id = uuid.uuid4().hex
        claim = self.records.claim(job.job_id, claim_id, now, self._acknowledged_mailbox(job, inquiry))
        if claim in ("already_done", "accepted", "in_flight"):
            return self._not_claimed(job, claim)
        if claim == "acknowledged_recently":
            reason = "an acknowledgement went to this mailbox in the last 24 hours"
            self.records.mark_not_sent(
                job.job_id, inquiry, kind=job.kind, state="skipped", reason=reason, now=now
            )
            return "skipped"
        return self._deliver(job, inquiry, parts, now, claim_id)

    def _acknowledged_mailbox(self, job: MailJob, inquiry: Inquiry) -> str | None:
        """The once-a-day slot an acknowledgement takes: the mailbox the address delivers to (name+1@
        and j.o.e@gmail.com are one), as a keyed digest so the guard item holds no address."""
        if job.kind != "acknowledgement":
            return None
        return guard_digest(canonical_mailbox(inquiry.email), self.settings.guard_salt)

    def _send_notice(self, job: MailJob) -> Outcome:
        """A notice about a received mail that became no inquiry, or the answer to a rep's command
        mail: about a received mail, not an inquiry's own mail, so nothing on a timeline."""
        mail = self._received_mail(job)
        key = self._message_key(job)
        parts = (
            assemble_command_reply(mail, self._config(), self.settings, message_key=key)
            if job.kind == "command_reply"
            else assemble_unreadable_notice(mail, self._config(), self.settings, self.links, message_key=key)
        )
        what = "command" if job.kind == "command_reply" else "unreadable"
        return self._send_without_inquiry(job, parts, self.clock(), f"{what}-{job.mail_id}")

    def _send_digest(self, job: MailJob) -> Outcome:
        """A digest: built from the stored inquiries now, sent once per job id (a team's week, a
        rep's day); a morning with nothing open sends nothing."""
        if self.digest_source is None:
            logger.warning("digest job without a digest source", extra={"job_id": job.job_id})
            return "skipped"
        now = self.clock()
        key = self._message_key(job)
        if job.kind == "weekly_digest":
            week = date.fromisoformat(job.day or "")
            parts: MailParts | None = assemble_weekly_digest(
                str(job.team),
                week,
                source=self.digest_source,
                config=self._config(),
                settings=self.settings,
                now=now,
                message_key=key,
            )
        else:
            parts = assemble_morning_digest(
                str(job.rep_email),
                source=self.digest_source,
                config=self._config(),
                settings=self.settings,
                now=now,
                action_links=self.action_links,
                message_key=key,
            )
        label = f"{job.kind.replace('_', '-')}-{job.team or job.rep_email}"
        return self._send_without_inquiry(job, parts, now, label)

    def _send_without_inquiry(
        self, job: MailJob, parts: MailParts | None, now: datetime, label: str
    ) -> Outcome:
        """Claim, send once and record a mail that belongs to no inquiry (only its job record says
        it went); `parts` None: nothing to send, the job is recorded as skipped."""
        claim_id = uuid.uuid4().hex
        claim = self.records.claim(job.job_id, claim_id, now, None)
        if claim != "claimed":
            return self._not_claimed(job, claim)
        if parts is None:
            self.records.finish_notice(job.job_id, "skipped", now, reason="no open inquiries")
            return "skipped"
        try:
            answer = self._send_once(job, parts, claim_id)
        except _Refused as refused:
            self.records.finish_notice(job.job_id, "failed", now, reason=refused.reason)
            return "failed"
        sent = SentMail(job.job_id, job.kind, "", "", "", parts.recipient_address, parts.message_id, answer)
        if self._record_accepted(sent, claim_id):
            self._finish(sent, self.clock())
        if self.settings.outbox_dir:
            write_to_outbox(Path(self.settings.outbox_dir), f"{now:%Y%m%dT%H%M%S}-{label}", parts)
        return "sent"

    def _not_claimed(self, job: MailJob, claim: Claim) -> Outcome:
        if claim == "in_flight":
            raise MailInFlight(f"job {job.job_id} is being sent by another delivery")
        if claim == "accepted":  # sent by a delivery whose recording failed: finish it, send nothing
            done = self.records.job_record(job.job_id)
            if done and done.is_accepted:
                self._finish_recording(done)
        return "already_done"

    def _received_mail(self, job: MailJob) -> ReceivedMail:
        mail = self.records.received_mail(job.mail_id or "")
        if mail is None:
            raise MailNotRecordedYet(f"job {job.job_id}: received mail {job.mail_id} is not recorded yet")
        return mail

    def _config(self) -> RoutingConfig:
        config = self.load_config()
        if config is None:
            raise RuntimeError("no routing configuration is applied: run `inquiry-router config apply`")
        return config

    def _refusal(self, job: MailJob, inquiry: Inquiry) -> str | None:
        if job.kind in ("sla_reminder", "sla_escalation"):
            # Queued by the SLA sweep; the owner may have answered (or snoozed it) since.
            waiting = inquiry.awaits_answer and inquiry.status != "snoozed"
            return (
                None if waiting else f"no {job.kind.replace('_', ' ')}: the inquiry is {inquiry.status} now"
            )
        if job.kind != "acknowledgement":
            return None
        if inquiry.status == "spam":
            return "no acknowledgement for spam"
        if inquiry.acknowledgement_paused:
            return inquiry.acknowledgement_paused
        if not can_send_to(inquiry.email):
            return UNSENDABLE_BUYER_ADDRESS
        contact = self.records.contact(inquiry.contact_key)
        if contact and contact.is_suppressed:
            return "the buyer's address is suppressed (bounced or complained)"
        return None

    def _assemble(self, job: MailJob, inquiry: Inquiry) -> MailParts:
        config, key = self._config(), self._message_key(job)
        if job.kind == "acknowledgement":
            return assemble_acknowledgement(inquiry, config, self.settings, message_key=key)
        if job.kind == "forward":
            mail = self._received_mail(job)
            return assemble_reply_forward(inquiry, mail, config, self.settings, self.links, message_key=key)
        previous = self.records.previous_inquiries(inquiry.contact_key, inquiry.id)
        purposes: dict[str, NotificationPurpose] = {
            "sla_reminder": "reminder",
            "sla_escalation": "escalation",
            "bounce_notice": "bounced",
        }
        return assemble_notification(
            inquiry,
            config,
            self.settings,
            previous,
            self.links,
            message_key=key,
            action_links=self.action_links,
            now=self.clock(),
            purpose=purposes.get(job.kind, "assignment"),
            bounce_reason=job.note,
        )

    def _message_key(self, job: MailJob) -> str:
        """One Message-ID per job, whatever the try; keyed, so nobody can predict ours from a job id
        (a forged bounce or reply must not name a Message-ID it never saw)."""
        return guard_digest(f"message-id:{job.job_id}", self.settings.guard_salt)

    def _ses_send(self, parts: MailParts, kind: str) -> str | None:
        """One SES send; a permanent refusal raises `_Refused` with the reason to record."""
        try:
            return self.ses.send_raw(parts.sender_address, parts.recipient_address, parts.raw)
        except SesRefused as refused:
            metrics.add_metric(name="MailRefused", unit="Count", value=1)
            raise _Refused(f"SES refused the {kind} ({refused.code}): {refused.message}"[:500]) from refused

    def _send_once(self, job: MailJob, parts: MailParts, claim_id: str) -> str | None:
        """SES's message id once it accepted the mail. A transient error frees our claim for the
        queue's retry. A read timeout may mean SES took the mail and its answer was lost: there
        is no asking SES which, and a lost acknowledgement or rep notification costs a lead
        where a duplicate costs a second look, so it is retried too, with the same Message-ID
        (the job's; mailbox providers that de-duplicate show it once)."""
        try:
            ses_message_id = self._ses_send(parts, job.kind)
        except SesTimedOut:
            logger.warning(
                "SES did not answer in time: the mail may have gone out", extra={"job_id": job.job_id}
            )
            metrics.add_metric(name="MailMaybeSent", unit="Count", value=1)
            self.records.release(job.job_id, claim_id)
            raise
        except (SesUnavailable, *AWS_CALL_ERRORS):
            self.records.release(job.job_id, claim_id)
            raise
        metrics.add_metric(name="MailSent", unit="Count", value=1)
        return ses_message_id

    def _record_accepted(self, sent: SentMail, claim_id: str) -> bool:
        """Our claim marked "accepted" at once, retried here with backoff: until it is, a redelivery
        would send again. False when another delivery took the job after our lease ran out."""
        delays = list(self.record_retry_delays)
        while True:
            try:
                recorded = self.records.record_accepted(sent, claim_id, self.clock())
                break
            except AWS_CALL_ERRORS:
                if not delays:
                    raise  # the one duplicate window left: the queue's retry sends again after the lease
                self.sleep(delays.pop(0))
        if not recorded:
            logger.warning(
                "sent after our claim ran out: another delivery has it", extra={"job_id": sent.job_id}
            )
            metrics.add_metric(name="MailSentTwice", unit="Count", value=1)
        return recorded

    def _finish_recording(self, accepted: MailJobRecord) -> None:
        self._finish(accepted.sent_mail(), accepted.accepted_moment)

    def _finish(self, sent: SentMail, accepted_at: datetime) -> None:
        """What an accepted mail leaves behind; keyed on the acceptance time, so doing it twice
        (a redelivery finishing a failed recording) writes the same items."""
        if sent.kind in _NOT_AN_INQUIRY_S:
            self.records.finish_notice(
                sent.job_id,
                "sent",
                accepted_at,
                message_id=sent.message_id,
                ses_message_id=sent.ses_message_id,
            )
        else:
            self.records.mark_sent(sent, accepted_at)

    def _deliver(
        self, job: MailJob, inquiry: Inquiry, parts: MailParts, now: datetime, claim_id: str
    ) -> Outcome:
        try:
            ses_message_id = self._send_once(job, parts, claim_id)
        except _Refused as refused:
            self.records.mark_not_sent(
                job.job_id, inquiry, kind=job.kind, state="failed", reason=refused.reason, now=now
            )
            return "failed"
        sent = SentMail(
            job_id=job.job_id,
            kind=job.kind,
            inquiry_id=inquiry.id,
            reference=inquiry.reference,
            contact_key=inquiry.contact_key,
            recipient=parts.recipient_address,
            message_id=parts.message_id,
            ses_message_id=ses_message_id,
        )
        accepted_at = self.clock()
        if self._record_accepted(sent, claim_id):
            self._finish(sent, accepted_at)
        if self.settings.outbox_dir:
            stem = f"{now:%Y%m%dT%H%M%S}-{sent.reference}-{sent.kind}"
            write_to_outbox(Path(self.settings.outbox_dir), stem, parts)
        return "sent"


class _Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def write_to_outbox(outbox: Path, stem: str, parts: MailParts) -> None:
    """The local stack's outbox: every sent mail as .eml (open in a mail client) and .html (a browser)."""
    outbox.mkdir(parents=True, exist_ok=True)
    for name, data in ((f"{stem}.html", parts.html.encode("utf-8")), (f"{stem}.eml", parts.raw)):
        # Written aside, then renamed: whoever watches the outbox never reads half a mail.
        partial = outbox / f".{name}.partial"
        partial.write_bytes(data)
        partial.replace(outbox / name)
