"""What an inbound message is, decided from its headers alone, before anything is stored or sent.

The checks run in a fixed order; the first that matches decides, and its reason says why in words
an admin can act on. Bounces come before the general robot checks (RFC 3834): a delivery report
is also automated, but it carries facts about an address we wrote to.

Mail to the logging address is a rep's BCC'd reply only when it comes from a company domain. From
anyone else it is either a buyer answering a thread (a rep who put the logging address in Cc
rather than Bcc gets it back on reply-all) or is ignored as `spam`: a stranger has no business
writing to that address, and nothing they write there may reach the timeline as a rep's words.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from inquiry_router.inbound.parse import ParsedMail
from inquiry_router.inbound.robots import automated_reason, delivery_report

DecisionKind = Literal[
    "new_inquiry",
    "thread_reply",
    "rep_log",
    "automated",
    "bounce",
    "spam",
    "quarantine",
    "spoofed",
    "unparseable",
]
# The reference the intake gives an inquiry (intake.records.new_reference), as it appears in subjects.
REFERENCE_PATTERN = re.compile(r"\bINQ-[0-9A-Z]{6}\b")

_DMARC_FAIL = re.compile(r"\bdmarc\s*=\s*fail\b", re.IGNORECASE)
_DMARC_REJECT_POLICY = re.compile(r"[(\s;](?:p|policy)\s*=\s*reject\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SesVerdicts:
    """The verdicts of the SES receipt event (`receipt.*Verdict.status`, `receipt.dmarcPolicy`)."""

    spam: str | None = None
    virus: str | None = None
    dmarc: str | None = None
    dmarc_policy: str | None = None
    spf: str | None = None
    dkim: str | None = None

    def sender_unauthenticated(self) -> bool:
        """SES checked SPF and DKIM and neither passed (unknown verdicts never count against)."""
        checked = [v.strip().upper() for v in (self.spf, self.dkim) if v]
        return len(checked) == 2 and "PASS" not in checked


@dataclass(frozen=True, slots=True)
class Decision:
    decision: DecisionKind
    reason: str
    reference: str | None = None  # thread_reply by subject: the inquiry reference it names
    # bounce: the addresses that failed (or, for a complaint, complained); empty if only delayed.
    recipients: tuple[str, ...] = ()
    # bounce: the Message-IDs of the originals it returns; it counts only if one is ours, to them.
    reported_message_ids: tuple[str, ...] = ()


def screen(
    parsed: ParsedMail,
    *,
    company_domains: Collection[str],
    log_address: str | None,
    reference_pattern: re.Pattern[str] = REFERENCE_PATTERN,
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
    spoofing = _dmarc_rejected(parsed, verdicts)
    if spoofing:
        return Decision("spoofed", spoofing)
    bounce = _bounce(parsed)
    if bounce:
        return bounce
    robot = automated_reason(parsed)
    if robot:
        return Decision("automated", robot)
    if parsed.from_address is None:
        return Decision("unparseable", "no sender address to answer")
    from_company = _on_domains(parsed.from_address.domain, domains)
    thread = _thread_reply(parsed, domains, reference_pattern)
    if log_address and _addressed_to(parsed, log_address, envelope_recipients):
        if from_company and verdicts.sender_unauthenticated():
            # The company's own DMARC policy may still be p=none: a copy that would mark inquiries
            # answered must prove it left the company's mail system.
            return Decision(
                "spoofed",
                f"a copy to the logging address claims to be from {parsed.from_address.address} "
                "but failed both SPF and DKIM",
            )
        if from_company:
            return Decision("rep_log", f"a rep ({parsed.from_address.address}) copied the logging address")
        if thread:
            return thread
        return Decision("spam", "mail to the logging address from outside the company is ignored")
    return thread or Decision("new_inquiry", "no sign of a robot, a rep's log or an existing thread")


def _failed(verdict: str | None, header: str | None) -> bool:
    return any((value or "").strip().upper() == "FAIL" for value in (verdict, header))


def _dmarc_rejected(parsed: ParsedMail, verdicts: SesVerdicts) -> str | None:
    domain = parsed.from_address.domain if parsed.from_address else "the sender's domain"
    if _failed(verdicts.dmarc, None) and (verdicts.dmarc_policy or "").strip().lower() == "reject":
        return f"DMARC failed and {domain} asks to reject such mail (SES DMARC verdict)"
    for result in parsed.header_values("Authentication-Results"):
        if _DMARC_FAIL.search(result) and _DMARC_REJECT_POLICY.search(result):
            return f"DMARC failed and {domain} asks to reject such mail (Authentication-Results)"
    return None


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
        ours = next((i for i in ids if _on_domains(i.strip("<>").rpartition("@")[2], domains)), None)
        if ours:
            return Decision("thread_reply", f"{header} names our message {ours}")
    return None


def _addressed_to(parsed: ParsedMail, address: str, envelope_recipients: Collection[str]) -> bool:
    wanted = address.strip().lower()
    visible = {a.address for a in (*parsed.to, *parsed.cc)}
    delivered = {value.strip().strip("<>").lower() for value in parsed.header_values("Delivered-To")}
    return wanted in visible | delivered | {r.strip().lower() for r in envelope_recipients}


def _on_domains(domain: str, domains: set[str]) -> bool:
    # Subdomains count: a company mailing from eu.example.com is still the company.
    domain = domain.lower()
    return any(domain == d or domain.endswith(f".{d}") for d in domains)
