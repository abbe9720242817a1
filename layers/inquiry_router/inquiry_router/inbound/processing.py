"""One received message, from the SES receipt event to its decision and what the decision does.

Read the raw message from S3 (streamed), screen it, then:

- `new_inquiry`: the same intake core as the form (contact dedupe, one durable write); the stored
  inquiry wakes the router, which assigns it and queues the acknowledgement and the rep's forward;
- `thread_reply`: appended to the inquiry's timeline and forwarded to its owner, unless the owner
  was among its recipients already (a reply to our acknowledgement goes to the rep and to the
  thread address at once); a reference or Message-ID that matches nothing makes it a new inquiry
  instead, so a buyer is never lost;
- `rep_log`: a known rep's BCC'd answer, logged on each addressed contact's timeline; their open
  inquiry becomes `responded` with its first-response time;
- `rep_command`: a known rep's mail to the logging address alone whose first line is a command
  (`#won`, `#lost price too high`, `#snooze 2d`): carried out on the inquiry the subject or the
  thread names, like the same button on the actions page, and the rep is told what came of it;
- `bounce`: the failed addresses' contacts are marked bounced and no longer acknowledged, when
  the report names a message we sent to that address (otherwise the reason says it was not trusted);
- `unparseable`: stored, and the default team's fallback address is told;
- `automated`, `spam`, `quarantine`, `spoofed`: stored with the reason, nothing sent.

Every message leaves a `MAIL#<SES message id>` record with its decision and reason. Processing is
idempotent on the SES message id: a record marked done answers a redelivered event at once, and
every step before it is itself safe to repeat (see adapters/inbound_records.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol, cast

from aws_lambda_powertools.metrics import MetricUnit
from pydantic import ValidationError

from inquiry_router.adapters.inbound_records import InboundRecords, TimelineEntry
from inquiry_router.adapters.intake_write import IntakeWriter
from inquiry_router.adapters.raw_mail import RawMailStore
from inquiry_router.base.addresses import canonical_mailbox, normalise_email, on_company_domain
from inquiry_router.base.digests import guard_digest
from inquiry_router.base.observability import logger, mask_email, metrics
from inquiry_router.base.references import REFERENCE_IN_TEXT
from inquiry_router.base.timestamps import iso_timestamp
from inquiry_router.inbound.bounce_trust import judge_bounce
from inquiry_router.inbound.forwards import forwarded_sender
from inquiry_router.inbound.inquiries import record_mail_inquiry
from inquiry_router.inbound.parse import Address, ParsedMail, ReadMail, read_chunks
from inquiry_router.inbound.receipt import SesReceipt
from inquiry_router.inbound.triage import Decision, DecisionKind, screen
from inquiry_router.models.attachment import MailAttachment
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.inquiry_record import MailOrigin, RequestFacts
from inquiry_router.models.lifecycle import Channel
from inquiry_router.models.mail_job import MailJob
from inquiry_router.models.received_mail import MailAddress, ReceivedMail
from inquiry_router.models.rep_actions import (
    ActionOutcome,
    ActionRequest,
    CommandNotUnderstood,
    CommandRecord,
    parse_command,
)
from inquiry_router.models.routing_config import RoutingConfig
from inquiry_router.models.settings import PipelineSettings
from inquiry_router.models.submission import MAX_MESSAGE_CHARS, InquirySubmission

# "More than a handful of messages in 10 minutes" from one sender: stored, not acknowledged.
FLOOD_LIMIT = 5
# The record keeps the readable text for forwards and review; DynamoDB items stop at 400 KB.
RECORD_TEXT_LIMIT = 50_000
SUMMARY_LIMIT = 300
# automated, spam, spoofed, quarantined: kept for review only, SpamRetentionDays (settings.retention)
_NOISE = frozenset({"automated", "spam", "quarantine", "spoofed"})
_REPLY_PREFIX = re.compile(r"^\s*((re|fwd?|aw|wg|sv|vs|tr|rv|r|antw)\s*:\s*)+", re.IGNORECASE)
_TRUNCATION_NOTE = "\n\n[…] (shortened: the full original is linked)"


@dataclass(frozen=True, slots=True)
class InboundOutcome:
    decision: DecisionKind
    reason: str
    inquiry_id: str | None = None
    reference: str | None = None
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class _Buyer:
    """Who a mailed inquiry is from, in whose words, and why they are not acknowledged (if so)."""

    sender: Address
    message: str
    truncated: bool
    decision: Decision
    not_acknowledged: str | None


class PerformAction(Protocol):
    """A rep's action on an inquiry (actions/service.py's RepActions.perform, handed in by the
    composition root: capabilities do not import each other)."""

    def __call__(
        self, inquiry: Inquiry, rep_email: str, request: ActionRequest, channel: Channel, now: datetime
    ) -> ActionOutcome: ...


class _Handler(Protocol):
    def __call__(self, receipt: SesReceipt, mail: ReadMail, decision: Decision) -> InboundOutcome: ...


@dataclass
class InboundProcessor:
    records: InboundRecords
    raw_mail: RawMailStore
    writer: IntakeWriter
    enqueue: Callable[[list[MailJob]], None]
    settings: PipelineSettings
    load_config: Callable[[], RoutingConfig | None]
    perform_action: PerformAction | None = None  # None: command mails are logged like any copy

    def process(self, receipt: SesReceipt) -> InboundOutcome:
        """Screen the message and carry out its decision, once: a redelivered event whose record
        is done answers with that record's outcome."""
        done = self._already_processed(receipt)
        if done is not None:
            return done
        mail = read_chunks(self.raw_mail.read(receipt.message_id))
        decision = self._screen(receipt, mail)
        outcome = self._carry_out(receipt, mail, decision)
        self._report(receipt, mail, outcome)
        return outcome

    def _already_processed(self, receipt: SesReceipt) -> InboundOutcome | None:
        done = self.records.mail_record(receipt.message_id)
        if done is None or not done.is_done:
            return None
        decision = cast("DecisionKind", done.decision)
        return InboundOutcome(decision, done.reason, done.inquiry_id, done.reference, replayed=True)

    def _screen(self, receipt: SesReceipt, mail: ReadMail) -> Decision:
        return screen(
            mail.parsed,
            company_domains=self.settings.company_domains,
            log_address=self.settings.reply_bcc_address,
            verdicts=receipt.verdicts,
            envelope_recipients=receipt.recipients,
        )

    def _carry_out(self, receipt: SesReceipt, mail: ReadMail, decision: Decision) -> InboundOutcome:
        """One method per decision kind; what is only kept (automated, spam, quarantine, spoofed)
        is stored with its reason."""
        handlers: dict[DecisionKind, _Handler] = {
            "new_inquiry": self._new_inquiry,
            "thread_reply": self._thread_reply,
            "rep_log": self._rep_log,
            "bounce": self._bounce,
            "unparseable": self._unparseable,
            "automated": self._store_only,
            "spam": self._store_only,
            "quarantine": self._store_only,
            "spoofed": self._store_only,
        }
        return handlers[decision.decision](receipt, mail, decision)

    def _report(self, receipt: SesReceipt, mail: ReadMail, outcome: InboundOutcome) -> None:
        metrics.add_metric(name=f"Mail_{outcome.decision}", unit=MetricUnit.Count, value=1)
        logger.info(
            "mail received",
            extra={
                "ses_message_id": receipt.message_id,
                "decision": outcome.decision,
                # Reasons name addresses for bounces and rep logs; the log gets the kind only.
                "reference": outcome.reference,
                "sender": mask_email(mail.parsed.from_address.address if mail.parsed.from_address else None),
                "attachments": len(mail.parsed.attachments),
            },
        )

    def release(self, receipt: SesReceipt, previous_decision: str) -> InboundOutcome:
        """An admin's "this was a buyer after all" for a message screened out (spam, automated…):
        it becomes an inquiry like any new mail. Idempotent like the first processing."""
        mail = read_chunks(self.raw_mail.read(receipt.message_id))
        if mail.parsed.from_address is None:
            return InboundOutcome("unparseable", "the message has no sender address to answer")
        why = f"released by an admin (first decided: {previous_decision})"
        return self._new_inquiry(receipt, mail, Decision("new_inquiry", why))

    # -- decisions --------------------------------------------------------------------------

    def _new_inquiry(self, receipt: SesReceipt, mail: ReadMail, decision: Decision) -> InboundOutcome:
        parsed = mail.parsed
        buyer = self._buyer(parsed, decision)
        decision = buyer.decision
        try:
            submission = InquirySubmission.model_validate(
                {
                    "name": (buyer.sender.name or "")[:200] or None,
                    "email": buyer.sender.address,
                    "subject": parsed.subject[:300] or None,
                    "message": buyer.message,
                    "locale": parsed.language,
                }
            )
        except ValidationError as error:
            problem = "; ".join(str(e["msg"]) for e in error.errors())
            why = f"the sender {buyer.sender.address!r} cannot be answered: {problem}"
            return self._unparseable(receipt, mail, Decision("unparseable", why))
        attachments = self._store_attachments(receipt, mail)
        paused = self._acknowledgement_paused(receipt, buyer, decision)
        origin = MailOrigin(
            ses_message_id=receipt.message_id,
            raw_key=self.raw_mail.raw_key(receipt.message_id),
            subject=parsed.subject,
            message_id=parsed.message_id,
            attachments=attachments,
            text_truncated=buyer.truncated,
            acknowledgement_paused=paused,
            sender_unverified=decision.unverified,
            recipient=self._our_address(parsed, receipt),
        )
        facts = RequestFacts(
            received_at=receipt.received_at,
            idempotency_key=f"ses:{receipt.message_id}",
            request_id=receipt.message_id,
        )
        stored = record_mail_inquiry(submission, facts, origin, writer=self.writer)
        reason = decision.reason + (f"; {paused}" if paused and not decision.unverified else "")
        if decision.unverified:
            reason += "; not acknowledged, the rep is warned"
        outcome = InboundOutcome("new_inquiry", reason, stored.inquiry_id, stored.reference)
        self._save(receipt, parsed, outcome, attachments)
        return outcome

    def _buyer(self, parsed: ParsedMail, decision: Decision) -> _Buyer:
        """Who the inquiry is from, and in whose words: the sender, or, when a colleague filed a
        buyer's mail they received (a forward from the company's own domain), that buyer."""
        sender = parsed.from_address
        assert sender is not None  # screening answers `unparseable` for mail without a sender
        message, truncated = _message_text(parsed)
        if not self._on_company_domain(sender.address):
            return _Buyer(sender, message, truncated, decision, None)
        forwarded = forwarded_sender(parsed.full_text)
        if forwarded and not self._on_company_domain(forwarded.address):
            not_acknowledged = f"forwarded by {sender.address}: the buyer wrote to them, not to us"
            decision = replace(decision, reason=f"{decision.reason}; forwarded by {sender.address}")
            message, truncated = _bounded(forwarded.text or message)
            return _Buyer(
                Address(forwarded.name, forwarded.address), message, truncated, decision, not_acknowledged
            )
        why = "sent from the company's own domain: colleagues are not acknowledged"
        return _Buyer(sender, message, truncated, decision, why)

    def _acknowledgement_paused(self, receipt: SesReceipt, buyer: _Buyer, decision: Decision) -> str | None:
        """Why the buyer is not acknowledged, if they are not: a flood from their mailbox, a DMARC
        failure (the address may be a victim's), or a colleague's mail."""
        seen = self.records.count_from_sender(
            guard_digest(canonical_mailbox(buyer.sender.address), self.settings.guard_salt),
            receipt.message_id,
            receipt.received_at,
        )
        paused = (
            f"{seen} messages from this sender in 10 minutes: acknowledgements paused"
            if seen > FLOOD_LIMIT
            else buyer.not_acknowledged
        )
        if decision.unverified:  # never acknowledge a DMARC failure: the address may be a victim's
            paused = f"{decision.unverified}: not acknowledged" + (f"; {paused}" if paused else "")
        return paused

    def _thread_reply(self, receipt: SesReceipt, mail: ReadMail, decision: Decision) -> InboundOutcome:
        parsed = mail.parsed
        inquiry = self._threaded_inquiry(parsed, decision)
        if inquiry is None:
            unmatched = replace(
                decision,
                decision="new_inquiry",
                reason=f"{decision.reason}, but no stored inquiry matches: treated as a new inquiry",
            )
            return self._new_inquiry(receipt, mail, unmatched)
        sender = parsed.from_address
        assert sender is not None
        if self._rep(sender.address):  # a rep answered on the thread (reply-all to sales@)
            if not decision.sender_authenticated:
                return self._not_a_rep_action(receipt, mail, decision)
            return self._log_rep_answer(
                receipt,
                mail,
                sender.address,
                [(inquiry.contact_key, inquiry)],
                decision.reason,
                channel=Channel.MAIL_THREAD,
            )
        attachments = self._store_attachments(receipt, mail)
        from_buyer = normalise_email(sender.address) == inquiry.contact_key
        entry = TimelineEntry(
            contact_key=inquiry.contact_key,
            at=receipt.received_at,
            ses_message_id=receipt.message_id,
            kind="buyer_replied" if from_buyer else "reply_received",
            summary=_summary(parsed),
            inquiry_id=inquiry.id,
            reference=inquiry.reference,
            by=sender.address,
        )
        self.records.append_reply(inquiry, entry)
        owner = inquiry.owner_email
        reason = f"{decision.reason}: reply to {inquiry.reference}"
        # Replying to our acknowledgement, a buyer writes to the rep and to the thread address at
        # once (its Reply-To names both): the rep has it already, a forward would be a duplicate.
        direct = bool(owner) and normalise_email(str(owner)) in {a.address for a in (*parsed.to, *parsed.cc)}
        jobs = [MailJob.forward(inquiry.id, receipt.message_id)] if owner and not direct else []
        if not owner:
            reason += " (not assigned yet: the rep sees it on the timeline when it is)"
        elif direct:
            reason += f" (not forwarded: {owner} was among its recipients)"
        outcome = InboundOutcome("thread_reply", reason, inquiry.id, inquiry.reference)
        self._save(receipt, parsed, outcome, attachments, jobs)
        return outcome

    def _rep_log(self, receipt: SesReceipt, mail: ReadMail, decision: Decision) -> InboundOutcome:
        parsed = mail.parsed
        sender = parsed.from_address
        assert sender is not None
        if not decision.sender_authenticated:
            return self._not_a_rep_action(receipt, mail, decision)
        if not self._rep(sender.address):
            why = (
                f"ignored: {sender.address} is not a rep in the routing config (only reps' copies are logged)"
            )
            outcome = InboundOutcome("rep_log", why)
            self._save(receipt, parsed, outcome, [])
            return outcome
        line = self._command_line(mail.parsed, sender.address)
        if line is not None and self.perform_action is not None:
            return self._rep_command(receipt, mail, sender.address, line)
        return self._log_rep_answer(receipt, mail, sender.address, None, decision.reason)

    def _command_line(self, parsed: ParsedMail, rep: str) -> str | None:
        """The command of a mail to the logging address alone (a copy of an answer to a buyer is
        logged, never acted on): its text's first line, else its subject, when it starts with #."""
        if self._buyer_addresses(parsed, rep):
            return None
        first = next((line.strip() for line in (parsed.text or "").splitlines() if line.strip()), "")
        if first.startswith("#"):
            return first
        subject = REFERENCE_IN_TEXT.sub("", _REPLY_PREFIX.sub("", parsed.subject)).strip(" []:")
        return subject if subject.startswith("#") else None

    def _rep_command(self, receipt: SesReceipt, mail: ReadMail, rep: str, line: str) -> InboundOutcome:
        """Carry out a rep's command on the inquiry the mail names; the reply tells them the result."""
        assert self.perform_action is not None
        parsed = mail.parsed
        inquiry = self._threaded_inquiry(parsed, Decision("rep_command", ""))
        try:
            request = parse_command(line)
        except CommandNotUnderstood as error:
            record = CommandRecord(line[:80], "not_understood")
            reason = f"a command from {rep} not understood: {error}"
        else:
            assert request is not None
            if inquiry is None:
                record = CommandRecord(line[:80], "no_inquiry", request.action)
                reason = f"a command from {rep} ({request.action}) names no known inquiry"
            else:
                outcome = self.perform_action(
                    inquiry, rep, request, Channel.MAIL_COMMAND, receipt.received_at
                )
                record = CommandRecord.of(line, outcome)
                reason = f"{rep}: #{request.action} on {inquiry.reference}: {outcome.kind}"
                if outcome.detail:
                    reason += f" ({outcome.detail})"
        result = InboundOutcome(
            "rep_command", reason, inquiry.id if inquiry else None, inquiry.reference if inquiry else None
        )
        self._save(receipt, parsed, result, [], [MailJob.command_reply(receipt.message_id)], command=record)
        return result

    def _log_rep_answer(
        self,
        receipt: SesReceipt,
        mail: ReadMail,
        rep: str,
        answered: list[tuple[str, Inquiry | None]] | None,
        why: str,
        *,
        channel: Channel = Channel.MAIL_COPY,
    ) -> InboundOutcome:
        """Log a rep's answer on each addressed contact's timeline (`answered`: the contacts and
        the inquiry each answer is about, when known; None: found from the recipients)."""
        parsed = mail.parsed
        if answered is None:
            answered = self._answered_inquiries(parsed, rep)
        logged: list[str] = []
        for contact_key, inquiry in answered:
            entry = TimelineEntry(
                contact_key=contact_key,
                at=receipt.received_at,
                ses_message_id=receipt.message_id,
                kind="rep_replied",
                summary=_summary(parsed),
                inquiry_id=inquiry.id if inquiry else None,
                reference=inquiry.reference if inquiry else None,
                by=rep,
            )
            seconds = self.records.log_rep_answer(entry, inquiry, channel)
            note = contact_key
            if seconds is not None and inquiry is not None:
                note += f" ({inquiry.reference} answered after {_duration(seconds)})"
            logged.append(note)
        if logged:
            reason = f"{why}; logged on the timeline of {', '.join(logged)}"
        else:
            reason = f"{why}; no known contact among the recipients, nothing logged"
        first = answered[0][1] if len(answered) == 1 else None
        outcome = InboundOutcome(
            "rep_log", reason, first.id if first else None, first.reference if first else None
        )
        self._save(receipt, parsed, outcome, [])
        return outcome

    def _answered_inquiries(self, parsed: ParsedMail, rep: str) -> list[tuple[str, Inquiry | None]]:
        """The known contacts among a rep's recipients, each with the inquiry answered: the one
        the subject names when it is theirs, else their latest."""
        named = REFERENCE_IN_TEXT.search(parsed.subject)
        by_reference = self.records.inquiry_by_reference(named.group(0)) if named else None
        answered: list[tuple[str, Inquiry | None]] = []
        for contact_key in self._buyer_addresses(parsed, rep):
            contact = self.records.contact(contact_key)
            if contact is None:
                continue
            if by_reference and by_reference.contact_key == contact_key:
                answered.append((contact_key, by_reference))
            elif contact.last_inquiry_id:
                answered.append((contact_key, self.records.inquiry(contact.last_inquiry_id)))
            else:
                answered.append((contact_key, None))
        return answered

    def _bounce(self, receipt: SesReceipt, mail: ReadMail, decision: Decision) -> InboundOutcome:
        """Suppress the addresses the report may suppress: see inbound/bounce_trust.py."""
        sent = self.records.sent_messages(decision.reported_message_ids) if decision.recipients else []
        trust = judge_bounce(decision.recipients, decision.reported_message_ids, sent)
        marked: list[str] = []
        unknown: list[str] = []
        for contact_key in trust.trusted:
            if self._on_company_domain(contact_key):
                unknown.append(contact_key)  # a rep's mailbox: SES and the admin handle that
                continue
            entry = TimelineEntry(
                contact_key=contact_key,
                at=receipt.received_at,
                ses_message_id=receipt.message_id,
                kind="address_bounced",
                summary=decision.reason[:SUMMARY_LIMIT],
            )
            (marked if self.records.mark_bounced(contact_key, entry, decision.reason) else unknown).append(
                contact_key
            )
        reason = decision.reason + (f"; {trust.distrusted}" if trust.distrusted else "")
        if marked:
            reason += f"; suppressed for acknowledgements: {', '.join(marked)}"
        if unknown:
            reason += f"; not a contact: {', '.join(unknown)}"
        outcome = InboundOutcome("bounce", reason)
        self._save(receipt, mail.parsed, outcome, [])
        return outcome

    def _unparseable(self, receipt: SesReceipt, mail: ReadMail, decision: Decision) -> InboundOutcome:
        outcome = InboundOutcome("unparseable", decision.reason)
        self._save(receipt, mail.parsed, outcome, [], [MailJob.unparseable_notice(receipt.message_id)])
        return outcome

    def _not_a_rep_action(self, receipt: SesReceipt, mail: ReadMail, decision: Decision) -> InboundOutcome:
        """Mail that would act as a rep without proof it comes from the company: kept, not acted on.

        Screening already answers `spoofed` for such mail; this holds whatever path reaches here.
        """
        why = f"{decision.reason}; not authenticated as its sender's domain: a rep's action needs that"
        return self._store_only(receipt, mail, replace(decision, decision="spoofed", reason=why))

    def _store_only(self, receipt: SesReceipt, mail: ReadMail, decision: Decision) -> InboundOutcome:
        outcome = InboundOutcome(decision.decision, decision.reason)
        self._save(receipt, mail.parsed, outcome, [])
        return outcome

    # -- helpers --------------------------------------------------------------------------------

    def _threaded_inquiry(self, parsed: ParsedMail, decision: Decision) -> Inquiry | None:
        inquiry = self.records.inquiry_by_reference(decision.reference) if decision.reference else None
        if inquiry is None:
            # In-Reply-To names the message answered; References lists the thread oldest first.
            ids = [*parsed.in_reply_to, *reversed(parsed.references)]
            inquiry = self.records.inquiry_by_message_ids(ids)
        if inquiry is None and not decision.reference:
            named = REFERENCE_IN_TEXT.search(parsed.subject)
            inquiry = self.records.inquiry_by_reference(named.group(0)) if named else None
        return inquiry

    def _rep(self, address: str) -> bool:
        config = self.load_config()
        reps = {r.email.lower() for r in config.reps} if config else set()
        return normalise_email(address) in reps

    def _on_company_domain(self, address: str) -> bool:
        return on_company_domain(address, self.settings.company_domains)

    def _our_address(self, parsed: ParsedMail, receipt: SesReceipt) -> str | None:
        """The address of ours the sender wrote to: the first of To, then Cc, on our domains (the
        company's, or the inbound one a company mailbox forwards to); else the SES envelope
        recipient (a Bcc, a list). The logging and thread addresses are ours but say nothing."""
        plumbing = {self.settings.reply_bcc_address, self.settings.thread_reply_address}
        visible = [a.address for a in (*parsed.to, *parsed.cc)]
        for address in (*visible, *receipt.recipients):
            if address not in plumbing and self._ours(address):
                return address
        return next(iter(receipt.recipients), None)

    def _ours(self, address: str) -> bool:
        inbound = self.settings.inbound_domain
        return self._on_company_domain(address) or bool(inbound and address.endswith(f"@{inbound}"))

    def _buyer_addresses(self, parsed: ParsedMail, rep: str) -> list[str]:
        log = (self.settings.reply_bcc_address or "").lower()
        seen: dict[str, None] = {}
        for address in (*parsed.to, *parsed.cc):
            key = normalise_email(address.address)
            if key not in (log, rep.lower()) and not self._on_company_domain(key):
                seen[key] = None
        return list(seen)

    def _store_attachments(self, receipt: SesReceipt, mail: ReadMail) -> list[MailAttachment]:
        return (
            self.raw_mail.store_attachments(receipt.message_id, mail.attachment_payloads())
            if mail.attachment_parts
            else []
        )

    def _save(
        self,
        receipt: SesReceipt,
        parsed: ParsedMail,
        outcome: InboundOutcome,
        attachments: list[MailAttachment],
        jobs: list[MailJob] | None = None,
        *,
        command: CommandRecord | None = None,
    ) -> None:
        """Write the message's record; with jobs, queue them in between and only then mark it done.

        The mailer reads the record to write a forward, so it must exist before the job does; a
        crash between the two leaves the record not done, and the retried event queues again
        (the mailer sends each job id once).
        """
        record = received_mail(
            receipt,
            parsed,
            outcome,
            attachments,
            self.raw_mail.raw_key(receipt.message_id),
            noise_retention=self.settings.retention.spam,
        )
        if command is not None:
            record = replace(record, command=command)
        if not jobs:
            self.records.save_mail_record(record)
            return
        self.records.save_mail_record(replace(record, state="queueing"))
        self.enqueue(jobs)
        self.records.save_mail_record(record)


def received_mail(
    receipt: SesReceipt,
    parsed: ParsedMail,
    outcome: InboundOutcome,
    attachments: list[MailAttachment],
    raw_key: str,
    *,
    noise_retention: timedelta,
) -> ReceivedMail:
    """The message's record: its decision and reason, and what a forward or notice about it needs."""
    text = parsed.text or parsed.full_text
    noise = outcome.decision in _NOISE
    return ReceivedMail(
        id=receipt.message_id,
        received_at=iso_timestamp(receipt.received_at),
        decision=outcome.decision,
        reason=outcome.reason,
        inquiry_id=outcome.inquiry_id,
        reference=outcome.reference,
        sender=_address(parsed.from_address),
        to=tuple(a for a in map(_address, parsed.to) if a),
        cc=tuple(a for a in map(_address, parsed.cc) if a),
        recipients=tuple(receipt.recipients),
        subject=parsed.subject,
        message_id=parsed.message_id,
        language=parsed.language,
        text=text[:RECORD_TEXT_LIMIT],
        text_truncated=len(text) > RECORD_TEXT_LIMIT,
        headers_cut=tuple(parsed.headers_cut),
        # What was copied out; else what the message carried (inline parts, a parse without copies).
        attachments=tuple(attachments)
        or tuple(MailAttachment(a.name, a.size, a.content_type, a.inline) for a in parsed.attachments),
        raw_mail_key=raw_key,
        spam_verdict=receipt.verdicts.spam,
        virus_verdict=receipt.verdicts.virus,
        dmarc_verdict=receipt.verdicts.dmarc,
        expires_at=int((receipt.received_at + noise_retention).timestamp()) if noise else None,
    )


def _address(address: Address | None) -> MailAddress | None:
    return MailAddress(address.name, address.address) if address else None


def _message_text(parsed: ParsedMail) -> tuple[str, bool]:
    text = (parsed.text or parsed.full_text).strip()
    if not text:
        names = [a.name for a in parsed.attachments if not a.inline]
        text = f"(no text; attached: {', '.join(names)})" if names else "(empty message)"
    return _bounded(text)


def _bounded(text: str) -> tuple[str, bool]:
    """`text` within the intake's message limit, and whether it was shortened."""
    if len(text) <= MAX_MESSAGE_CHARS:
        return text, False
    return text[: MAX_MESSAGE_CHARS - len(_TRUNCATION_NOTE)].rstrip() + _TRUNCATION_NOTE, True


def _summary(parsed: ParsedMail) -> str:
    text = " ".join((parsed.text or parsed.full_text).split())
    summary = f"{parsed.subject} — {text}" if parsed.subject else text
    return summary if len(summary) <= SUMMARY_LIMIT else summary[: SUMMARY_LIMIT - 1] + "…"


def _duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours} h {rest // 60} min" if hours else f"{rest // 60} min"
