"""What an inbound message is, decided from its headers alone, before anything is stored or sent.

The checks run in a fixed order; the first that matches decides, and its reason says why in words
an admin can act on. Bounces come before the general robot checks (RFC 3834): a delivery report
is also automated, but it carries facts about an address we wrote to.

Mail to the logging address is a rep's BCC'd reply only when it comes from a company domain. From
anyone else it is either a buyer answering a thread (a rep who put the logging address in Cc
rather than Bcc gets it back on reply-all) or is ignored as `spam`: a stranger has no business
writing to that address, and nothing they write there may reach the timeline as a rep's words.

Mail from a company domain must be DMARC-aligned authenticated as that domain
(inbound/authentication.py), or it is `spoofed` and acts on nothing. A DMARC failure of any other
sender is `spoofed` under the domain's `reject` policy; under `quarantine` or `none` it is read
as usual but marked unverified: stored, shown to the rep with a warning, never acknowledged.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Literal

from inquiry_router.base.addresses import on_company_domain
from inquiry_router.base.references import REFERENCE_IN_TEXT
from inquiry_router.inbound.authentication import SesVerdicts, authenticate_sender, dmarc_failure
from inquiry_router.inbound.parse import ParsedMail
from inquiry_router.inbound.robots import automated_reason, delivery_report

DecisionKind = Literal[
    "new_inquiry",
    "thread_reply",
    "rep_log",
    "rep_command",
    "automated",
    "bounce",
    "spam",
    "quarantine",
    "spoofed",
    "unparseable",
]


@dataclass(frozen=True, slots=True)
class Decision:
    decision: DecisionKind
    reason: str
    reference: str | None = None  # thread_reply by subject: the inquiry reference it names
    # bounce: the addresses that failed (or, for a complaint, complained); empty if only delayed.
    recipients: tuple[str, ...] = ()
    # bounce: the Message-IDs of the originals it returns; it counts only if one is ours, to them.
    reported_message_ids: tuple[str, ...] = ()
    # The sender is DMARC-aligned authenticated as its From domain: only then may it act as a rep.
    sender_authenticated: bool = False
    # Why the sender could not be verified (a DMARC failure short of reject): stored and shown to
    # the rep as such, never acknowledged.
    unverified: str | None = None


def screen(
    parsed: ParsedMail,
    *,
    company_domains: Collection[str],
    log_address: str | None,
    reference_pattern: re.Pattern[str] = REFERENCE_IN_TEXT,
    verdicts: SesVerdicts | None = None,
    envelope_recipients: Collection[str] = (),
) -> Decision:
    """Classify `parsed`. `envelope_recipients` are SES's receipt recipients: a BCC appears only there."""
    verdicts = verdicts or SesVerdicts()
    domains = {domain.lower().strip() for domain in company_domains if domain.strip()}
    if _failed(verdicts.virus, parsed.header("X-SES-Virus-Verdict")):
        return Decision("quarantine", "the virus scan failed (SES virus verdict FAIL)")
    if _failed(verdicts.spam, parsed.header("X-SES-Spam-Verdict")):
        return Decision("spam", "the spam scan failed (SES spam verdict FAIL)")
    if parsed.unparseable_reason:
        return Decision("unparseable", parsed.unparseable_reason)
    dmarc = dmarc_failure(parsed, verdicts)
    if dmarc and dmarc.policy == "reject":
        return Decision("spoofed", f"DMARC failed and {dmarc.domain} asks to reject such mail")
    bounce = _bounce(parsed)
    if bounce:
        return bounce
    robot = automated_reason(parsed)
    if robot:
        return Decision("automated", robot)
    if parsed.from_address is None:
        return Decision("unparseable", "no sender address to answer")
    decision = _by_sender_and_thread(parsed, domains, log_address, reference_pattern, envelope_recipients)
    if on_company_domain(parsed.from_address.domain, domains):
        # Mail from the company's own domain can act as a rep: it must prove where it came from,
        # whatever the company's DMARC policy says (p=none does not protect the timeline).
        authentication = authenticate_sender(parsed, verdicts)
        if not authentication.passed:
            return Decision(
                "spoofed",
                f"claims to be from {parsed.from_address.address}, a company address, but is not "
                f"authenticated as {parsed.from_address.domain}: {authentication.reason}",
            )
        return replace(decision, sender_authenticated=True)
    if dmarc:
        policy = f"its policy is {dmarc.policy}" if dmarc.policy else "no policy was reported"
        why = f"DMARC failed for {dmarc.domain} ({policy}): the sender could not be verified"
        return replace(decision, reason=f"{decision.reason}; {why}", unverified=why)
    return decision


def _by_sender_and_thread(
    parsed: ParsedMail,
    domains: set[str],
    log_address: str | None,
    reference_pattern: re.Pattern[str],
    envelope_recipients: Collection[str],
) -> Decision:
    assert parsed.from_address is not None
    from_company = on_company_domain(parsed.from_address.domain, domains)
    thread = _thread_reply(parsed, domains, reference_pattern)
    if log_address and _addressed_to(parsed, log_address, envelope_recipients):
        if from_company:
            return Decision("rep_log", f"a rep ({parsed.from_address.address}) copied the logging address")
        if thread:
            return thread
        return Decision("spam", "mail to the logging address from outside the company is ignored")
    return thread or Decision("new_inquiry", "no sign of a robot, a rep's log or an existing thread")


def _failed(verdict: str | None, header: str | None) -> bool:
    return any((value or "").strip().upper() == "FAIL" for value in (verdict, header))


def _bounce(parsed: ParsedMail) -> Decision | None:
    report = delivery_report(parsed)
    if report is None:
        return None
    return Decision(
        "bounce", report.reason, recipients=report.recipients, reported_message_ids=report.message_ids
    )


def _thread_reply(
    parsed: ParsedMail, domains: set[str], reference_pattern: re.Pattern[str]
) -> Decision | None:
    reference = reference_pattern.search(parsed.subject)
    if reference:
        return Decision(
            "thread_reply", f"the subject names inquiry {reference.group(0)}", reference=reference.group(0)
        )
    for header, ids in (("In-Reply-To", parsed.in_reply_to), ("References", parsed.references)):
        ours = next((i for i in ids if on_company_domain(i.strip("<>").rpartition("@")[2], domains)), None)
        if ours:
            return Decision("thread_reply", f"{header} names our message {ours}")
    return None


def _addressed_to(parsed: ParsedMail, address: str, envelope_recipients: Collection[str]) -> bool:
    wanted = address.strip().lower()
    visible = {a.address for a in (*parsed.to, *parsed.cc)}
    delivered = {value.strip().strip("<>").lower() for value in parsed.header_values("Delivered-To")}
    return wanted in visible | delivered | {r.strip().lower() for r in envelope_recipients}
