"""All the checks in the order a person fixes things: DNS first, then what SES made of it, then
the account, receiving, sending events and alarms."""

from __future__ import annotations

from collections.abc import Callable

from inquiry_router_admin.doctor import dns_checks, ses_checks
from inquiry_router_admin.doctor.aws_answers import AwsAnswers, StackFacts
from inquiry_router_admin.doctor.dns_lookup import DnsUnreachable
from inquiry_router_admin.doctor.results import Action, CheckResult


def dns_results(facts: StackFacts, answers: AwsAnswers, lookup: dns_checks.DnsLookup) -> list[CheckResult]:
    domain = facts.sending_domain
    mail_from = ses_checks.custom_mail_from(answers.identity)
    # SES's tokens; the stack's DnsDkimRecords output's when SES could not be asked.
    tokens = ses_checks.dkim_tokens(answers.identity) or list(facts.dkim_tokens)
    steps: list[Callable[[], list[CheckResult]]] = [
        lambda: [dns_checks.check_spf(lookup, domain, mail_from_domain=mail_from)],
        lambda: dns_checks.check_dkim(lookup, domain, tokens),
        lambda: dns_checks.check_dmarc(lookup, domain, facts.suggested_dmarc),
    ]
    if mail_from:
        steps.append(lambda: dns_checks.check_mail_from(lookup, mail_from, facts.region))
    if facts.inbound_domain:
        inbound = facts.inbound_domain
        steps.append(lambda: [dns_checks.check_inbound(lookup, inbound, facts.region)])
    results: list[CheckResult] = []
    for step in steps:
        try:
            results.extend(step())
        except DnsUnreachable as error:
            # One sentence for all the DNS checks: the others would time out the same way.
            results.append(
                CheckResult(
                    "dns",
                    "problem",
                    f"DNS not checked: {error}.",
                    Action("run the doctor again where DNS answers, or with --resolver IP[:PORT]"),
                )
            )
            break
    return results


def diagnose(facts: StackFacts, answers: AwsAnswers, lookup: dns_checks.DnsLookup) -> list[CheckResult]:
    domain = facts.sending_domain
    results = dns_results(facts, answers, lookup)
    results.extend(ses_checks.check_identity(domain, answers.identity, facts.region))
    mail_from = ses_checks.check_mail_from_setting(
        domain, answers.identity, facts.mail_from_domain, facts.region
    )
    if mail_from is not None:
        results.append(mail_from)
    results.append(ses_checks.check_account(answers.account, facts.region))
    if facts.inbound_domain:
        results.append(
            ses_checks.check_receipt_rule_set(facts.receipt_rule_set, answers.active_rule_set, facts.region)
        )
    results.append(ses_checks.check_event_destinations(answers.configuration_set, answers.event_destinations))
    results.append(
        ses_checks.check_alarm_subscription(
            answers.alarm_topic, facts.alarm_email, answers.subscriptions, facts.region
        )
    )
    return results
