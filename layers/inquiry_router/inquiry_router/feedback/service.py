"""What one SES sending event changes: decided here (`decide`, pure), recorded by the adapter once
per event, and followed by what must not wait for a person: the owner told that the buyer's address
is dead, the address suppressed after repeated soft bounces.

Who the mail went to decides what a bounce means. An acknowledgement's bounce is the buyer's
address: marked undeliverable and suppressed for our mail, and the owner rep is told, with the
other ways to reach the buyer that the inquiry holds. A bounce of a rep's notification is a
company mailbox: it goes on the inquiry's timeline and the log, and never touches the buyer.

A bounce with subtype OnAccountSuppressionList (or Suppressed) is SES declining to try: the address
is on the account's (or SES's global) suppression list, SES accepted the send and answered with a
message id, and only this event tells that the mail never left. It is recorded as "suppressed by
SES", not as a bounce of a mail that went out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from inquiry_router.base.observability import logger, metrics
from inquiry_router.models.contact import Contact
from inquiry_router.models.mail_job import MailJob
from inquiry_router.models.mail_record import SesMessage
from inquiry_router.models.sending_event import FeedbackEffect, SendingEvent

# Soft bounces (a full mailbox, a server down for days) that SES gave up on, before the address is
# suppressed like a hard bounce: one is weather, three are a pattern.
TRANSIENT_BOUNCES_BEFORE_SUPPRESSION = 3

Handled = Literal["recorded", "duplicate", "unknown_message", "other_recipient", "gone", "ignored"]


class FeedbackStore(Protocol):
    def sent_message(self, ses_message_id: str) -> SesMessage | None: ...
    def contact(self, email_key: str) -> Contact | None: ...
    def record(
        self, event: SendingEvent, sent: SesMessage, effect: FeedbackEffect
    ) -> Literal["recorded", "duplicate", "gone"]: ...
    def suppress(self, email_key: str, reason: str, at: str) -> None: ...


@dataclass
class SendingFeedback:
    store: FeedbackStore
    enqueue: Callable[[list[MailJob]], None]  # the mail queue (adapters/queues.py)
    transient_limit: int = TRANSIENT_BOUNCES_BEFORE_SUPPRESSION

    def handle(self, event: SendingEvent | None) -> Handled:
        if event is None:  # an event type we do not subscribe to (Send, Open, Click)
            return "ignored"
        sent = self.store.sent_message(event.ses_message_id)
        if sent is None or not sent.contact_key:
            # Not a mail the mailer recorded: a notice or digest (no inquiry), or someone else's.
            logger.info("sending event for a mail we keep no record of", extra={"kind": event.kind})
            return "unknown_message"
        if event.recipients and sent.recipient not in event.recipients:
            # About another recipient of the message (a Bcc copy): not the buyer's address, nor the rep's.
            logger.info("sending event for another recipient", extra={"kind": event.kind})
            return "other_recipient"
        effect = decide(event, sent)
        outcome = self.store.record(event, sent, effect)
        if outcome == "gone":
            logger.info("sending event for an erased contact or inquiry", extra={"kind": event.kind})
            return "gone"
        if outcome == "recorded":
            _count(event, sent)
        # Also for a duplicate: a first delivery that failed after recording still does its follow-ups.
        # Both are idempotent (a fixed job id; a suppression set once).
        if effect.contact_mark == "transient_bounce":
            self._suppress_after_repeated_soft_bounces(event, sent)
        if effect.tell_owner and sent.inquiry_id:
            self.enqueue([MailJob.bounce_notice(sent.inquiry_id, event.event_key, effect.summary)])
        return outcome

    def _suppress_after_repeated_soft_bounces(self, event: SendingEvent, sent: SesMessage) -> None:
        contact = self.store.contact(str(sent.contact_key))
        if contact is None or contact.is_suppressed:
            return
        if (contact.transient_bounces or 0) >= self.transient_limit:
            reason = f"{self.transient_limit} soft bounces: the address has not taken our mail for a while"
            self.store.suppress(str(sent.contact_key), reason, event.at)


def decide(event: SendingEvent, sent: SesMessage) -> FeedbackEffect:
    """The timeline event and the changes for one event about one of our mails (see the docstring)."""
    mail = sent.kind
    to_buyer = sent.to_buyer
    detail = f": {event.detail}" if event.detail else ""
    if event.kind == "bounce":
        if not to_buyer:
            return FeedbackEffect(
                f"{mail}_bounced",
                f"the {_words(mail)} to the company mailbox {sent.recipient} bounced{detail}; "
                "check that mailbox (the rep may not see this inquiry)",
            )
        if event.suppressed_by_ses:
            return FeedbackEffect(
                f"{mail}_suppressed_by_ses",
                f"not sent: SES suppressed it ({event.bounce_sub_type}), the address is on a "
                "suppression list after an earlier bounce or complaint",
                contact_mark="bounced",
                suppress=True,
                inquiry_outcome="suppressed_by_ses",
                tell_owner=True,
            )
        if event.permanent:
            return FeedbackEffect(
                f"{mail}_bounced",
                f"the address does not take mail ({event.bounce_sub_type or 'permanent'}){detail}",
                contact_mark="bounced",
                suppress=True,
                inquiry_outcome="bounced",
                tell_owner=True,
            )
        return FeedbackEffect(
            f"{mail}_bounced_soft",
            f"soft bounce ({event.bounce_sub_type or event.bounce_type or 'transient'}){detail}",
            contact_mark="transient_bounce",
        )
    if event.kind == "complaint":
        if not to_buyer:
            return FeedbackEffect(f"{mail}_complaint", f"{sent.recipient} marked the {_words(mail)} as spam")
        return FeedbackEffect(
            f"{mail}_complaint",
            f"the buyer marked the {_words(mail)} as spam ({event.complaint_type or 'no type given'}); "
            "no more automatic mail goes to this address",
            contact_mark="complained",
            suppress=True,
            inquiry_outcome="complaint",
        )
    if event.kind == "delivery":
        return FeedbackEffect(f"{mail}_delivered", f"delivered to the recipient's mail server{detail}")
    if event.kind == "delivery_delay":
        return FeedbackEffect(
            f"{mail}_delayed", f"delivery delayed ({event.delay_type or 'unspecified'}){detail}; SES retries"
        )
    if event.kind == "reject":
        return FeedbackEffect(f"{mail}_rejected", f"SES refused to send it{detail}")
    return FeedbackEffect(f"{mail}_rendering_failed", f"SES could not render it{detail}")


def _words(kind: str) -> str:
    return kind.replace("_", " ")


def _count(event: SendingEvent, sent: SesMessage) -> None:
    """One metric per outcome worth an alarm (template.yaml): not per delivery, which would cost a
    custom metric for every mail and tell nobody anything."""
    if event.kind in ("reject", "rendering_failure"):
        logger.error("SES refused one of our mails", extra={"kind": event.kind, "mail_kind": sent.kind})
        metrics.add_metric(name="MailRejectedBySes", unit="Count", value=1)
    elif event.kind == "bounce" and not sent.to_buyer:
        logger.warning("mail to a company mailbox bounced", extra={"mail_kind": sent.kind})
