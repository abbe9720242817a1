"""Sending one mail job: read the inquiry fresh, decide, render, claim, send through SES v2, record.

Acknowledgements go to the buyer at most once a day per mailbox, never for spam and never to a
suppressed address; notifications go to whoever owns the inquiry now. Transient SES errors raise
(the queue retries with backoff); permanent ones are recorded on the timeline and not retried.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

from inquiry_router.guard_digest import guard_digest
from inquiry_router.intake.lead_signals import canonical_mailbox
from inquiry_router.mail.assemble import (
    MailParts,
    assemble_acknowledgement,
    assemble_notification,
    assemble_reply_forward,
    assemble_unreadable_notice,
)
from inquiry_router.mail.compose import UnsendableAddress, can_send_to
from inquiry_router.mail.jobs import MailJob
from inquiry_router.mail.links import MailLinks
from inquiry_router.models.routing_config import RoutingConfig
from inquiry_router.observability import logger, metrics
from inquiry_router.settings import PipelineSettings
from inquiry_router.store import keys
from inquiry_router.store.mail_records import MailRecords, SentMail

if TYPE_CHECKING:
    from mypy_boto3_sesv2 import SESV2Client

Outcome = Literal["sent", "already_done", "skipped", "failed"]

# SES answers that retrying cannot fix: recorded, never retried.
PERMANENT_SES_ERRORS = {
    "MessageRejected",
    "MailFromDomainNotVerifiedException",
    "NotFoundException",
    "BadRequestException",
    "AccountSuspendedException",
}


# SES has no SMTPUTF8: an address with non-ASCII before the @ cannot be sent to (the rep is told).
UNSENDABLE_BUYER_ADDRESS = (
    "the buyer's address has non-ASCII characters before the @, which Amazon SES cannot send to "
    "(no SMTPUTF8); the rep's notification says how to answer"
)


class MailInFlight(RuntimeError):
    """Another delivery of this job is sending it right now: retry after the lease."""


class MailNotRecordedYet(RuntimeError):
    """A forward or notice names a received mail whose record is not readable yet: retried."""


@dataclass
class Mailer:
    records: MailRecords
    ses: SESV2Client
    settings: PipelineSettings
    load_config: Callable[[], RoutingConfig | None]
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    links: MailLinks = field(default_factory=lambda: MailLinks(None, ""))

    def send(self, job: MailJob) -> Outcome:
        done = self.records.get(keys.mail_job_guard_key(job.job_id))
        if done and done.get("state") != "sending":
            return "already_done"
        if job.kind == "unparseable_notice":
            return self._send_notice(job)
        inquiry = self.records.get(keys.inquiry_key(job.inquiry_id))
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
        claim = self.records.claim(job.job_id, now, self._acknowledged_mailbox(job, inquiry))
        if claim == "already_done":
            return "already_done"
        if claim == "in_flight":
            raise MailInFlight(f"job {job.job_id} is being sent by another delivery")
        if claim == "acknowledged_recently":
            reason = "an acknowledgement went to this mailbox in the last 24 hours"
            self.records.mark_not_sent(
                job.job_id, inquiry, kind=job.kind, state="skipped", reason=reason, now=now
            )
            return "skipped"
        return self._deliver(job, inquiry, parts, now)

    def _acknowledged_mailbox(self, job: MailJob, inquiry: dict[str, Any]) -> str | None:
        """The once-a-day slot an acknowledgement takes: the mailbox the address delivers to (name+1@
        and j.o.e@gmail.com are one), as a keyed digest so the guard item holds no address."""
        if job.kind != "acknowledgement":
            return None
        return guard_digest(canonical_mailbox(str(inquiry["email"])), self.settings.guard_salt)

    def _send_notice(self, job: MailJob) -> Outcome:
        """A notice about a received mail that became no inquiry: no inquiry, no timeline."""
        mail = self._received_mail(job)
        parts = assemble_unreadable_notice(mail, self._config(), self.settings, self.links)
        now = self.clock()
        claim = self.records.claim(job.job_id, now, None)
        if claim == "already_done":
            return "already_done"
        if claim == "in_flight":
            raise MailInFlight(f"job {job.job_id} is being sent by another delivery")
        try:
            answer = self._ses_send(parts, job.kind)
        except _Refused as refused:
            self.records.finish_notice(job.job_id, "failed", {"reason": refused.reason}, now)
            return "failed"
        details = {"message_id": parts.message_id, "ses_message_id": answer.get("MessageId")}
        self.records.finish_notice(job.job_id, "sent", details, self.clock())
        metrics.add_metric(name="MailSent", unit="Count", value=1)
        if self.settings.outbox_dir:
            stem = f"{now:%Y%m%dT%H%M%S}-unreadable-{job.mail_id}"
            write_to_outbox(Path(self.settings.outbox_dir), stem, parts)
        return "sent"

    def _received_mail(self, job: MailJob) -> dict[str, Any]:
        mail = self.records.get(keys.inbound_mail_key(job.mail_id or ""))
        if mail is None:
            raise MailNotRecordedYet(f"job {job.job_id}: received mail {job.mail_id} is not recorded yet")
        return mail

    def _config(self) -> RoutingConfig:
        config = self.load_config()
        if config is None:
            raise RuntimeError("no routing configuration is applied: run `inquiry-router config apply`")
        return config

    def _refusal(self, job: MailJob, inquiry: dict[str, Any]) -> str | None:
        if job.kind != "acknowledgement":
            return None
        if inquiry.get("status") == "spam":
            return "no acknowledgement for spam"
        if inquiry.get("acknowledgement_paused"):
            return str(inquiry["acknowledgement_paused"])
        if not can_send_to(str(inquiry["email"])):
            return UNSENDABLE_BUYER_ADDRESS
        contact = self.records.get(keys.contact_key(str(inquiry["contact_key"]))) or {}
        if contact.get("suppressed") or contact.get("bounced"):
            return "the buyer's address is suppressed (bounced or complained)"
        return None

    def _assemble(self, job: MailJob, inquiry: dict[str, Any]) -> MailParts:
        config = self._config()
        if job.kind == "acknowledgement":
            return assemble_acknowledgement(inquiry, config, self.settings)
        if job.kind == "forward":
            mail = self._received_mail(job)
            return assemble_reply_forward(inquiry, mail, config, self.settings, self.links)
        previous = self.records.previous_inquiries(str(inquiry["contact_key"]), str(inquiry["id"]))
        return assemble_notification(inquiry, config, self.settings, previous, self.links)

    def _ses_send(self, parts: MailParts, kind: str) -> Any:
        """One SES v2 send. Transient errors raise (after releasing nothing: the caller does),
        permanent ones raise `_Refused` with the reason to record."""
        request: dict[str, Any] = {
            "FromEmailAddress": parts.sender_address,
            "Destination": {"ToAddresses": [parts.recipient_address]},
            "Content": {"Raw": {"Data": parts.raw}},
        }
        if self.settings.configuration_set:
            request["ConfigurationSetName"] = self.settings.configuration_set
        try:
            return self.ses.send_email(**request)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code not in PERMANENT_SES_ERRORS:
                raise
            message = error.response.get("Error", {}).get("Message", "")
            metrics.add_metric(name="MailRefused", unit="Count", value=1)
            raise _Refused(f"SES refused the {kind} ({code}): {message}"[:500]) from error

    def _deliver(self, job: MailJob, inquiry: dict[str, Any], parts: MailParts, now: datetime) -> Outcome:
        try:
            answer = self._ses_send(parts, job.kind)
        except _Refused as refused:
            self.records.mark_not_sent(
                job.job_id, inquiry, kind=job.kind, state="failed", reason=refused.reason, now=now
            )
            return "failed"
        except (ClientError, BotoCoreError):
            self.records.release(job.job_id)
            raise
        sent = SentMail(
            job_id=job.job_id,
            kind=job.kind,
            inquiry_id=str(inquiry["id"]),
            reference=str(inquiry["reference"]),
            contact_key=str(inquiry["contact_key"]),
            recipient=parts.recipient_address,
            message_id=parts.message_id,
            ses_message_id=answer.get("MessageId"),
        )
        self.records.mark_sent(sent, self.clock())
        metrics.add_metric(name="MailSent", unit="Count", value=1)
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
