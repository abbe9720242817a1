"""The records a sending domain needs for SES, checked through any DNS lookup (pure: a test hands
in a fake or a resolver pointed at its own server; the CLI hands in dnspython's).

Each check returns results saying what was found and, for a problem, the record to publish.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from inquiry_router_admin.doctor import spf
from inquiry_router_admin.doctor.results import Action, CheckResult, Record

DKIM_TARGET_SUFFIX = "dkim.amazonses.com"
DMARC_REPORT_MAILBOX = "dmarc-reports"
DMARC_STRICTER_POLICY = "quarantine"
_MAILBOX_PROVIDER_SPF = (
    "Google Workspace: include:_spf.google.com; Microsoft 365: include:spf.protection.outlook.com"
)


class DnsLookup(Protocol):
    """What the checks ask DNS. No record is an empty answer; an unreachable resolver raises."""

    def txt(self, name: str) -> list[str]: ...

    def mx(self, name: str) -> list[tuple[int, str]]: ...

    def cname(self, name: str) -> str | None: ...


def _host(name: str) -> str:
    return name.strip().rstrip(".").lower()


# -- SPF on the sending domain ---------------------------------------------------------------


def check_spf(lookup: DnsLookup, domain: str, *, mail_from_domain: str | None) -> CheckResult:
    """One SPF record, within the lookup limit. SES's mail is checked against the SPF of its MAIL
    FROM domain, not this one: with a custom MAIL FROM (the stack sets one) this record need not
    include amazonses.com, and the MAIL FROM check asks for it where it counts."""
    records = spf.spf_records(lookup, domain)
    if not records:
        return CheckResult(
            "spf",
            "problem",
            f"{domain} publishes no SPF record (a TXT starting v=spf1): mail your people send from "
            "their own mailboxes fails SPF. Publish one record naming your mailbox provider "
            f"({_MAILBOX_PROVIDER_SPF})"
            + ("" if mail_from_domain else " and SES (include:amazonses.com)")
            + ".",
            Record(domain, "TXT", "v=spf1 include:amazonses.com ~all")
            if not mail_from_domain
            else Action(f'publish at {domain}: TXT "v=spf1 include:<your mailbox provider> ~all"'),
        )
    if len(records) > 1:
        one = spf.merged(records)
        return CheckResult(
            "spf",
            "problem",
            f"{domain} publishes {len(records)} SPF records; receivers then fail SPF for all of "
            "them (permerror). Replace them by one record with every mechanism.",
            Record(domain, "TXT", one, remove=tuple(records)),
        )
    record = records[0]
    evaluation = spf.evaluate(lookup, record)
    if evaluation.errors:
        return CheckResult(
            "spf", "problem", f"{domain}: {record!r}: " + "; ".join(evaluation.errors) + ".", None
        )
    if evaluation.lookups > spf.LOOKUP_LIMIT or evaluation.budget_spent:
        costs = ", ".join(f"{term} {cost}" for term, cost in evaluation.costs)
        return CheckResult(
            "spf",
            "problem",
            f"{domain}'s SPF record needs {_count(evaluation)} DNS lookups, more than the "
            f"{spf.LOOKUP_LIMIT} receivers allow, so SPF fails (permerror). Lookups per term: {costs}.",
            Action(
                "remove the includes of services you no longer use, or replace an include by the "
                "ip4:/ip6: ranges it publishes, until the record needs 10 lookups or fewer"
            ),
        )
    lookups = f"{evaluation.lookups} DNS lookup{'s' if evaluation.lookups != 1 else ''} of {spf.LOOKUP_LIMIT}"
    if evaluation.authorises_ses:
        return CheckResult("spf", "ok", f"{domain} has one SPF record ({lookups}), authorising SES.")
    if mail_from_domain:
        return CheckResult(
            "spf",
            "ok",
            f"{domain} has one SPF record ({lookups}). It does not include amazonses.com, which is "
            f"right: SES sends with the MAIL FROM domain {mail_from_domain}, whose SPF is checked "
            "instead.",
        )
    with_ses = spf.with_term(record, spf.SES_INCLUDE)
    return CheckResult(
        "spf",
        "problem",
        f"{domain}'s SPF record ({lookups}) does not authorise SES, and no custom MAIL FROM "
        "domain is configured: add include:amazonses.com.",
        Record(domain, "TXT", with_ses, remove=(record,)),
    )


def _count(evaluation: spf.SpfEvaluation) -> str:
    return f"at least {evaluation.lookups}" if evaluation.budget_spent else str(evaluation.lookups)


# -- DKIM ------------------------------------------------------------------------------------


def dkim_record(domain: str, token: str) -> Record:
    return Record(f"{token}._domainkey.{domain}", "CNAME", f"{token}.{DKIM_TARGET_SUFFIX}")


def check_dkim(lookup: DnsLookup, domain: str, tokens: Sequence[str]) -> list[CheckResult]:
    """Each Easy DKIM token's CNAME, pointing at SES's key for it."""
    if not tokens:
        return [
            CheckResult(
                "dkim",
                "problem",
                f"SES lists no Easy DKIM tokens for {domain}: DKIM signing is not set up on the "
                "identity (the stack's SendingIdentity enables it).",
                Action("redeploy the stack (`sam build && sam deploy`), then run the doctor again"),
            )
        ]
    results = []
    for token in tokens:
        wanted = dkim_record(domain, token)
        found = lookup.cname(wanted.name)
        if found is None:
            results.append(
                CheckResult(
                    "dkim",
                    "problem",
                    f"{wanted.name} has no CNAME: SES cannot sign mail from {domain} with DKIM "
                    "(and does not verify the domain) until all three are published.",
                    wanted,
                )
            )
        elif _host(found) != wanted.value:
            results.append(
                CheckResult(
                    "dkim",
                    "problem",
                    f"{wanted.name} points to {_host(found)}, not to SES's {wanted.value}.",
                    Record(wanted.name, "CNAME", wanted.value, remove=(_host(found),)),
                )
            )
        else:
            results.append(CheckResult("dkim", "ok", f"{wanted.name} → {wanted.value}."))
    return results


# -- DMARC -----------------------------------------------------------------------------------


def default_dmarc(domain: str) -> str:
    """The record the stack's DnsDmarcRecord output suggests (template.yaml)."""
    return f"v=DMARC1; p=none; rua=mailto:{DMARC_REPORT_MAILBOX}@{domain}; adkim=r; aspf=r"


def is_dmarc(text: str) -> bool:
    return text.strip().replace(" ", "").lower().startswith("v=dmarc1")


def dmarc_tags(record: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    for part in record.split(";"):
        key, separator, value = part.partition("=")
        if separator:
            tags.setdefault(key.strip().lower(), value.strip())
    return tags


def check_dmarc(lookup: DnsLookup, domain: str, suggested: str | None = None) -> list[CheckResult]:
    """One DMARC record with a policy and a report address. The stack's DnsDmarcRecord output
    suggests a record too: where one exists already, the result says not to add it (a second
    record voids DMARC), in its detail rather than as a warning of its own, which would stay on
    for every domain that tightened its policy as the README advises."""
    name = f"_dmarc.{domain}"
    suggestion = suggested or default_dmarc(domain)
    records = [text.strip() for text in lookup.txt(name) if is_dmarc(text)]
    if not records:
        return [
            CheckResult(
                "dmarc",
                "problem",
                f"{name} has no DMARC record: receivers such as Gmail and Yahoo expect one from "
                "senders, and without it nobody reports abuse of your domain to you.",
                Record(name, "TXT", suggestion),
            )
        ]
    if len(records) > 1:
        return [_duplicate_dmarc(name, records, suggestion)]
    result = _one_dmarc(name, domain, records[0])
    if _same_record(records[0], suggestion):
        return [result]
    note = (
        f" Do not also publish the stack's DnsDmarcRecord output ({suggestion!r}): it would be a "
        f"second record at {name}, and receivers ignore DMARC when there are two; edit this one."
    )
    return [CheckResult(result.check, result.status, result.detail + note, result.fix)]


def _duplicate_dmarc(name: str, records: list[str], suggestion: str) -> CheckResult:
    # Keep the company's own record over the stack's suggestion, one with reports over one without.
    keep = sorted(records, key=lambda r: ("rua" not in dmarc_tags(r), _same_record(r, suggestion)))[0]
    stacks = any(_same_record(r, suggestion) for r in records)
    return CheckResult(
        "dmarc",
        "problem",
        f"{name} has {len(records)} DMARC records; receivers then apply none of them. Keep one."
        + (" One of them is the record the stack suggests (DnsDmarcRecord)." if stacks else ""),
        Record(name, "TXT", keep, remove=tuple(r for r in records if r != keep)),
    )


def _one_dmarc(name: str, domain: str, record: str) -> CheckResult:
    tags = dmarc_tags(record)
    policy = tags.get("p", "").lower()
    if policy not in ("none", "quarantine", "reject"):
        fixed = _with_tag(_without_tag(record, "p"), "p", "none", first=True)
        return CheckResult(
            "dmarc",
            "problem",
            f"{name}'s record {record!r} has no valid policy (p=none, quarantine or reject); "
            "receivers ignore it.",
            Record(name, "TXT", fixed, remove=(record,)),
        )
    if "rua" not in tags:
        fixed = _with_tag(record, "rua", f"mailto:{DMARC_REPORT_MAILBOX}@{domain}")
        return CheckResult(
            "dmarc",
            "problem",
            f"{name}'s record (p={policy}) has no rua: no aggregate reports reach you, so you "
            f"cannot tell when it is safe to tighten the policy or who sends as {domain}.",
            Record(name, "TXT", fixed, remove=(record,)),
        )
    if policy == "none":
        stricter = _with_tag(_without_tag(record, "p"), "p", DMARC_STRICTER_POLICY, first=True)
        return CheckResult(
            "dmarc",
            "warning",
            f"{name}: p=none only monitors (reports to {tags['rua']}). Once the reports show only "
            f"your own senders passing, tighten it to p={DMARC_STRICTER_POLICY}.",
            Record(name, "TXT", stricter, remove=(record,)),
        )
    return CheckResult("dmarc", "ok", f"{name}: p={policy}, reports to {tags['rua']}.")


def _same_record(one: str, other: str) -> bool:
    return dmarc_tags(one) == dmarc_tags(other)


def _without_tag(record: str, key: str) -> str:
    parts = [p.strip() for p in record.split(";") if p.strip()]
    return "; ".join(p for p in parts if p.partition("=")[0].strip().lower() != key)


def _with_tag(record: str, key: str, value: str, *, first: bool = False) -> str:
    parts = [p.strip() for p in record.split(";") if p.strip()]
    position = 1 if first else len(parts)
    return "; ".join([*parts[:position], f"{key}={value}", *parts[position:]])


# -- MX records: the MAIL FROM domain, the inbound domain ------------------------------------


def mail_from_mx(region: str) -> str:
    return f"feedback-smtp.{region}.amazonses.com"


def inbound_mx(region: str) -> str:
    return f"inbound-smtp.{region}.amazonaws.com"


def check_mx(lookup: DnsLookup, check: str, name: str, expected: str, purpose: str) -> CheckResult:
    found = [(preference, _host(host)) for preference, host in lookup.mx(name)]
    hosts = [host for _, host in found]
    others = tuple(f"{preference} {host}" for preference, host in found if host != expected)
    wanted = Record(name, "MX", f"10 {expected}", remove=others)
    if expected not in hosts:
        detail = f"{name} has no MX record" if not found else f"{name}'s MX points to {', '.join(hosts)}"
        return CheckResult(check, "problem", f"{detail}, not to {expected}: {purpose}.", wanted)
    if others:
        return CheckResult(
            check,
            "warning",
            f"{name} has MX records besides {expected} ({', '.join(others)}): some of its mail may "
            "go elsewhere.",
            wanted,
        )
    return CheckResult(check, "ok", f"{name} MX → {expected}.")


def check_mail_from(lookup: DnsLookup, mail_from_domain: str, region: str) -> list[CheckResult]:
    """The custom MAIL FROM domain: SES's feedback MX (bounces return to SES) and an SPF record
    authorising SES, so SPF passes aligned with the sending domain."""
    results = [
        check_mx(
            lookup,
            "mail-from-mx",
            mail_from_domain,
            mail_from_mx(region),
            "SES will not use it as the MAIL FROM domain, so SPF does not align for DMARC",
        )
    ]
    records = spf.spf_records(lookup, mail_from_domain)
    wanted = f"v=spf1 {spf.SES_INCLUDE} ~all"
    if not records:
        results.append(
            CheckResult(
                "mail-from-spf",
                "problem",
                f"{mail_from_domain} publishes no SPF record: SES's mail from it fails SPF.",
                Record(mail_from_domain, "TXT", wanted),
            )
        )
    elif len(records) > 1:
        results.append(
            CheckResult(
                "mail-from-spf",
                "problem",
                f"{mail_from_domain} publishes {len(records)} SPF records: SPF fails for all.",
                Record(mail_from_domain, "TXT", spf.merged(records), remove=tuple(records)),
            )
        )
    else:
        evaluation = spf.evaluate(lookup, records[0])
        if not evaluation.authorises_ses:
            results.append(
                CheckResult(
                    "mail-from-spf",
                    "problem",
                    f"{mail_from_domain}'s SPF record does not include amazonses.com: SES's mail fails SPF.",
                    Record(
                        mail_from_domain,
                        "TXT",
                        spf.with_term(records[0], spf.SES_INCLUDE),
                        remove=(records[0],),
                    ),
                )
            )
        elif evaluation.lookups > spf.LOOKUP_LIMIT or evaluation.errors:
            results.append(
                CheckResult(
                    "mail-from-spf",
                    "problem",
                    f"{mail_from_domain}'s SPF record fails to evaluate ("
                    + "; ".join([*evaluation.errors, f"{_count(evaluation)} lookups"])
                    + ").",
                    Record(mail_from_domain, "TXT", wanted, remove=(records[0],)),
                )
            )
        else:
            results.append(
                CheckResult("mail-from-spf", "ok", f"{mail_from_domain}'s SPF record authorises SES.")
            )
    return results


def check_inbound(lookup: DnsLookup, inbound_domain: str, region: str) -> CheckResult:
    return check_mx(
        lookup,
        "inbound-mx",
        inbound_domain,
        inbound_mx(region),
        "mail to it does not reach SES, so nothing sent to sales@ arrives",
    )
