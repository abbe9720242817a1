"""Is a message really from the domain in its From header? The one place that decides it.

DMARC's rule, read from what SES found when it received the message: the From domain is
authenticated when DKIM passed for a signing domain (`d=`) or SPF passed for a MAIL FROM domain
that is aligned with it, relaxed (the same organisational domain, by the Public Suffix List:
mail.example.com is aligned with example.com, example.com.cn is not aligned with evil.com.cn).
SPF or DKIM passing for some other domain proves nothing about the From address: anyone can send
with SPF passing for their own envelope domain.

The evidence, all from SES:
- the receipt event's verdicts and envelope sender (`mail.source`): they cannot be forged;
- the message's own `Authentication-Results` added by SES (authserv-id `amazonses.com`). SES puts
  its trace fields on top of the message, so only the topmost Authentication-Results is SES's:
  any below it were written by the sender or a relay and are never read. A pass it reports is
  not believed when the event's verdict for the same method says otherwise;
- for a DKIM pass named by `header.i`, the DKIM-Signature it refers to, for its `d=`.
A DMARC PASS from SES counts as is (SES checked alignment) unless SES's header says it was for
another From domain. GRAY means the domain publishes no DMARC record: alignment is then checked
here, from the SPF and DKIM results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from inquiry_router.inbound.headers import address_pairs

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList

    from inquiry_router.inbound.parse import ParsedMail

SES_AUTHSERV_ID = "amazonses.com"
# Authentication methods (RFC 8601 registry): a segment starting otherwise continues the last result.
_METHODS = frozenset(
    {"spf", "dkim", "dmarc", "arc", "iprev", "auth", "dkim-atps", "bimi", "sender-id", "domainkeys"}
)
# The policy a DMARC result may carry in its comment: "dmarc=fail (p=REJECT sp=REJECT) header.from=…"
_POLICY_IN_COMMENT = re.compile(r"\bp\s*=\s*(none|quarantine|reject)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SesVerdicts:
    """The receipt event's verdicts (`receipt.*Verdict.status`, `receipt.dmarcPolicy`) and its
    envelope sender (`mail.source`, the SMTP MAIL FROM that SPF checked)."""

    spam: str | None = None
    virus: str | None = None
    dmarc: str | None = None
    dmarc_policy: str | None = None
    spf: str | None = None
    dkim: str | None = None
    mail_from: str | None = None


@dataclass(frozen=True, slots=True)
class MethodResult:
    """One `method=result` of an Authentication-Results header, with its properties."""

    method: str  # spf, dkim, dmarc…
    result: str  # pass, fail, none…
    properties: dict[str, str]  # "header.i" → "@example.com", "smtp.mailfrom" → …, "policy" → …


@dataclass(frozen=True, slots=True)
class Authentication:
    passed: bool
    reason: str  # how it passed, or why not, in words for the mail record


@dataclass(frozen=True, slots=True)
class DmarcFailure:
    domain: str
    policy: str | None  # none, quarantine, reject; None when SES did not say


def authenticate_sender(parsed: ParsedMail, verdicts: SesVerdicts) -> Authentication:
    """Whether `parsed` is DMARC-aligned authenticated as the domain of its From address."""
    senders = [value for name, value in parsed.headers if name.lower() == "from"]
    if parsed.from_address is None:
        return Authentication(False, "it names no sender")
    if len(senders) != 1 or len(address_pairs(senders, [], name="From")) != 1:
        # DMARC cannot say whom such a message is from; neither can we.
        return Authentication(False, "its From header names more than one sender")
    domain = parsed.from_address.domain
    results = ses_results(parsed)
    dmarc = _results(results, "dmarc")
    if _status(verdicts.dmarc) == "PASS":
        # SES evaluates the From domain as it reads it; a pass for another one is not for ours.
        claimed = {_host(r.properties.get("header.from", "")) for r in dmarc} - {""}
        if not claimed or claimed == {_host(domain)}:
            return Authentication(True, f"DMARC passed for {domain} (SES)")
    how = _aligned_dkim(parsed, verdicts, results, domain) or _aligned_spf(verdicts, results, domain)
    if how:
        return Authentication(True, how)
    if results is None and not any((verdicts.dmarc, verdicts.dkim, verdicts.spf)):
        return Authentication(False, "there is no authentication result from SES")
    return Authentication(False, f"neither DKIM nor SPF passed for a domain aligned with {domain}")


def _aligned_dkim(
    parsed: ParsedMail, verdicts: SesVerdicts, results: list[MethodResult] | None, domain: str
) -> str | None:
    if _status(verdicts.dkim) not in (None, "PASS"):
        return None  # the event's verdict contradicts any pass in a header
    for result in _results(results, "dkim"):
        signer = _dkim_domain(result, parsed)
        if result.result == "pass" and signer and aligned(signer, domain):
            return f"DKIM passed for d={signer}, aligned with {domain}"
    return None


def _aligned_spf(verdicts: SesVerdicts, results: list[MethodResult] | None, domain: str) -> str | None:
    if _status(verdicts.spf) not in (None, "PASS"):
        return None
    # The event's envelope sender first: SES checked SPF for it, and nobody can write it in a header.
    candidates: list[str | None] = (
        [verdicts.mail_from] if verdicts.mail_from and _status(verdicts.spf) == "PASS" else []
    )
    for result in _results(results, "spf"):
        if result.result == "pass":
            candidates.append(
                result.properties.get("smtp.mailfrom") or result.properties.get("envelope-from")
            )
    for mail_from in candidates:
        if mail_from and aligned(_domain(mail_from), domain):
            return f"SPF passed for MAIL FROM {_domain(mail_from)}, aligned with {domain}"
    return None


def dmarc_failure(parsed: ParsedMail, verdicts: SesVerdicts) -> DmarcFailure | None:
    """SES's DMARC FAIL for the From domain, with the policy its owner publishes, or None."""
    domain = parsed.from_address.domain if parsed.from_address else "the sender's domain"
    failed = [r for r in _results(ses_results(parsed), "dmarc") if r.result == "fail"]
    if _status(verdicts.dmarc) != "FAIL" and not failed:
        return None
    policy = (verdicts.dmarc_policy or "").strip().lower() or None
    if policy is None and failed:
        stated = _POLICY_IN_COMMENT.search(parsed.header("Authentication-Results") or "")
        policy = stated.group(1).lower() if stated else None
    return DmarcFailure(domain, policy)


def aligned(first: str, second: str) -> bool:
    """Relaxed DMARC alignment: the same organisational domain (exactly the same when either is a
    public suffix or a single label, which has none)."""
    first, second = _host(first), _host(second)
    if first == second:
        return bool(first)
    organisation = _public_suffixes().privatesuffix(first)
    return organisation is not None and organisation == _public_suffixes().privatesuffix(second)


def ses_results(parsed: ParsedMail) -> list[MethodResult] | None:
    """The results of the topmost Authentication-Results header, when SES wrote it; else None."""
    topmost = parsed.header("Authentication-Results")
    if topmost is None:
        return None
    segments = _without_comments(topmost).split(";")
    authserv = segments[0].split()
    if not authserv or authserv[0].lower() != SES_AUTHSERV_ID:
        return None
    results: list[MethodResult] = []
    for segment in segments[1:]:
        words = segment.split()
        method, equals, result = words[0].partition("=") if words else ("", "", "")
        if equals and method.lower() in _METHODS:
            results.append(MethodResult(method.lower(), result.lower(), {}))
            words = words[1:]
        elif not results:
            continue
        # SES separates a result's properties with ";" too: "client-ip=…; envelope-from=…;".
        for word in words:
            key, equals, value = word.partition("=")
            if equals:
                results[-1].properties[key.lower()] = value
    return results


def _results(results: list[MethodResult] | None, method: str) -> list[MethodResult]:
    return [r for r in results or () if r.method == method]


def _dkim_domain(result: MethodResult, parsed: ParsedMail) -> str | None:
    """The signing domain of the signature a dkim result is about: its own `header.d`, else the
    DKIM-Signature whose identity (`i=`, by default `@d`) is the result's `header.i`."""
    if result.properties.get("header.d"):
        return result.properties["header.d"]
    identity = result.properties.get("header.i", "").lower()
    if not identity:
        return None
    for value in parsed.header_values("DKIM-Signature"):
        tags = _tags(value)
        signer = tags.get("d", "")
        if signer and tags.get("i", f"@{signer}").lower() == identity:
            return signer
    # SES found and verified the signature, so its identity's domain is within d= (RFC 6376 3.5).
    return _domain(identity) or None


def _tags(value: str) -> dict[str, str]:
    tags = {}
    for tag in value.split(";"):
        name, equals, content = tag.partition("=")
        if equals:
            tags[name.strip().lower()] = "".join(content.split())
    return tags


def _without_comments(value: str) -> str:
    """`value` without its (comments), nested or not: they may hold `;` and `=` (SES writes the
    SPF check's explanation there). One pass, linear."""
    kept: list[str] = []
    depth = 0
    escaped = False
    for char in value:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = depth > 0
        elif char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        elif not depth:
            kept.append(char)
    return "".join(kept)


def _status(verdict: str | None) -> str | None:
    return verdict.strip().upper() if verdict and verdict.strip() else None


def _domain(address: str) -> str:
    return address.strip().strip("<>").rpartition("@")[2]


def _host(domain: str) -> str:
    host = domain.strip().strip(".").lower()
    try:
        return host.encode("idna").decode("ascii")  # bücher.de and xn--bcher-kva.de are one domain
    except UnicodeError:
        return host


@cache
def _public_suffixes() -> PublicSuffixList:
    # Loaded on first use only (about 60 ms): company-domain mail and rep actions need it.
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()
