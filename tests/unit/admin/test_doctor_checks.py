"""The doctor's verdicts, as pure functions: SPF arithmetic, DMARC tags, and what SES and SNS
answered (no network: a dictionary stands in for DNS)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from botocore.exceptions import ClientError, NoCredentialsError

from inquiry_router_admin.cli.target import Target
from inquiry_router_admin.doctor import dns_checks, ses_checks, spf
from inquiry_router_admin.doctor.aws_answers import DoctorCannotRun, ask, ask_aws, stack_facts
from inquiry_router_admin.doctor.dns_lookup import parse_nameserver
from inquiry_router_admin.doctor.results import Command, Record, Unanswered


class FakeDns:
    def __init__(self, txt: Mapping[str, list[str]]) -> None:
        self._txt = txt
        self.asked: list[str] = []

    def txt(self, name: str) -> list[str]:
        self.asked.append(name)
        return self._txt.get(name, [])

    def mx(self, name: str) -> list[tuple[int, str]]:
        return []

    def cname(self, name: str) -> str | None:
        return None


# -- SPF -------------------------------------------------------------------------------------


def test_redirect_counts_and_its_record_counts_too() -> None:
    dns = FakeDns(
        {"_spf.example.net": ["v=spf1 a mx include:amazonses.com -all"], "amazonses.com": ["v=spf1 -all"]}
    )

    evaluation = spf.evaluate(dns, "v=spf1 redirect=_spf.example.net")

    assert evaluation.lookups == 4  # redirect, a, mx, include
    assert evaluation.authorises_ses  # through the redirect


def test_a_redirect_beside_all_is_ignored_as_receivers_ignore_it() -> None:
    assert spf.evaluate(FakeDns({}), "v=spf1 ip4:192.0.2.0/24 redirect=x.example -all").lookups == 0


def test_an_include_loop_is_counted_to_the_limit_not_forever() -> None:
    dns = FakeDns(
        {"a.example": ["v=spf1 include:b.example -all"], "b.example": ["v=spf1 include:a.example -all"]}
    )

    evaluation = spf.evaluate(dns, "v=spf1 include:a.example -all")

    assert evaluation.lookups > spf.LOOKUP_LIMIT
    assert len(dns.asked) <= spf.QUERY_BUDGET


def test_a_macro_include_costs_one_and_is_not_followed() -> None:
    dns = FakeDns({})
    assert spf.evaluate(dns, "v=spf1 include:%{i}._ip.example.net exists:%{i}.x.example ~all").lookups == 2
    assert dns.asked == []


def test_ip_and_all_cost_nothing_and_qualifiers_are_read() -> None:
    dns = FakeDns({"amazonses.com": ["v=spf1 -all"]})
    evaluation = spf.evaluate(
        dns, "v=spf1 ip4:192.0.2.1 ip6:2001:db8::/32 ?mx -a:x.example +include:amazonses.com -all"
    )

    assert evaluation.lookups == 3
    assert evaluation.authorises_ses


def test_with_term_goes_before_all_or_redirect() -> None:
    assert spf.with_term("v=spf1 mx -all", "include:amazonses.com") == "v=spf1 mx include:amazonses.com -all"
    assert spf.with_term("v=spf1 redirect=x.example", "a") == "v=spf1 a redirect=x.example"
    assert spf.with_term("v=spf1 mx", "a") == "v=spf1 mx a"


def test_merged_records_soften_to_tilde_all_unless_every_one_is_strict() -> None:
    assert spf.merged(["v=spf1 mx -all", "v=spf1 a -all"]) == "v=spf1 a mx -all"
    assert spf.merged(["v=spf1 mx -all", "v=spf1 MX ~all"]) == "v=spf1 MX ~all"


def test_no_spf_without_a_mail_from_asks_for_ses_too() -> None:
    result = dns_checks.check_spf(FakeDns({}), "example.com", mail_from_domain=None)

    assert result.status == "problem"
    assert result.fix == Record("example.com", "TXT", "v=spf1 include:amazonses.com ~all")


def test_spf_without_ses_is_a_problem_only_without_a_custom_mail_from() -> None:
    dns = FakeDns({"example.com": ["v=spf1 mx ~all"]})

    assert dns_checks.check_spf(dns, "example.com", mail_from_domain="mail.example.com").status == "ok"
    without = dns_checks.check_spf(dns, "example.com", mail_from_domain=None)
    assert without.status == "problem"
    assert without.fix == Record(
        "example.com", "TXT", "v=spf1 mx include:amazonses.com ~all", remove=("v=spf1 mx ~all",)
    )


# -- DMARC -----------------------------------------------------------------------------------


def test_dmarc_without_a_policy_gets_p_none_after_the_version() -> None:
    dns = FakeDns({"_dmarc.example.com": ["v=DMARC1; rua=mailto:r@example.com"]})

    [result] = dns_checks.check_dmarc(dns, "example.com")

    assert result.status == "problem"
    assert isinstance(result.fix, Record)
    assert result.fix.value == "v=DMARC1; p=none; rua=mailto:r@example.com"


def test_txt_records_that_are_not_dmarc_are_not_counted() -> None:
    dns = FakeDns(
        {"_dmarc.example.com": ["google-site-verification=abc", dns_checks.default_dmarc("example.com")]}
    )

    [result] = dns_checks.check_dmarc(dns, "example.com")

    assert result.status == "warning"  # p=none, one record


def test_txt_zone_lines_quote_and_escape() -> None:
    assert Record("x.example", "TXT", 'say "hi"').zone_line() == 'x.example TXT "say \\"hi\\""'
    assert Record("x.example", "MX", "10 mx.example").zone_line() == "x.example MX 10 mx.example"


# -- SES and SNS answers ---------------------------------------------------------------------

ACCOUNT: dict[str, Any] = {
    "ProductionAccessEnabled": True,
    "SendingEnabled": True,
    "EnforcementStatus": "HEALTHY",
    "SendQuota": {"Max24HourSend": 50000.0, "MaxSendRate": 14.0, "SentLast24Hours": 10.0},
}


@pytest.mark.parametrize(
    ("changes", "status", "words"),
    [
        ({}, "ok", "production access"),
        ({"ProductionAccessEnabled": False}, "problem", "sandbox"),
        (
            {
                "ProductionAccessEnabled": False,
                "Details": {"ReviewDetails": {"Status": "PENDING", "CaseId": "42"}},
            },
            "warning",
            "case 42, pending",
        ),
        ({"SendingEnabled": False}, "problem", "paused"),
        ({"EnforcementStatus": "PROBATION"}, "warning", "probation"),
        ({"EnforcementStatus": "SHUTDOWN"}, "problem", "shut down"),
        (
            {"SendQuota": {"Max24HourSend": 1000.0, "MaxSendRate": 1.0, "SentLast24Hours": 900.0}},
            "warning",
            "90% of the daily quota",
        ),
    ],
)
def test_the_account(changes: dict[str, Any], status: str, words: str) -> None:
    result = ses_checks.check_account(ACCOUNT | changes, "eu-west-1")

    assert (result.status, words in result.detail) == (status, True), result.detail


@pytest.mark.parametrize(
    ("dkim", "status"),
    [
        ({"SigningEnabled": True, "Status": "SUCCESS"}, "ok"),
        ({"SigningEnabled": True, "Status": "PENDING"}, "problem"),
        ({"SigningEnabled": True, "Status": "FAILED"}, "problem"),
        ({"SigningEnabled": True, "Status": "TEMPORARY_FAILURE"}, "warning"),
        ({"SigningEnabled": False, "Status": "SUCCESS"}, "problem"),
    ],
)
def test_the_identitys_dkim_status(dkim: dict[str, Any], status: str) -> None:
    results = ses_checks.check_identity(
        "example.com", {"VerifiedForSendingStatus": True, "DkimAttributes": dkim}, "eu-west-1"
    )

    assert [(r.check, r.status) for r in results] == [("ses-identity", "ok"), ("ses-dkim", status)]


def test_no_custom_mail_from_gives_the_command_that_sets_the_stacks() -> None:
    result = ses_checks.check_mail_from_setting("example.com", {}, "mail.example.com", "eu-west-1")

    assert result is not None
    assert result.status == "warning"
    assert result.fix == Command(
        "aws sesv2 put-email-identity-mail-from-attributes --email-identity example.com "
        "--mail-from-domain mail.example.com --behavior-on-mx-failure USE_DEFAULT_VALUE --region eu-west-1"
    )


def test_an_eventbridge_destination_missing_event_types_is_a_warning() -> None:
    answer = {
        "EventDestinations": [
            {
                "Name": "d",
                "Enabled": True,
                "MatchingEventTypes": ["BOUNCE"],
                "EventBridgeDestination": {"EventBusArn": "x"},
            },
            {"Name": "off", "Enabled": False, "MatchingEventTypes": list(ses_checks.MAIL_EVENT_TYPES)},
        ]
    }
    result = ses_checks.check_event_destinations("set", answer)

    assert result.status == "warning"
    assert "COMPLAINT" in result.detail


def test_a_disabled_eventbridge_destination_is_no_destination() -> None:
    answer = {
        "EventDestinations": [{"Name": "d", "Enabled": False, "EventBridgeDestination": {"EventBusArn": "x"}}]
    }

    assert ses_checks.check_event_destinations("set", answer).status == "problem"


def test_alarm_email_set_but_nobody_subscribed_is_a_problem() -> None:
    result = ses_checks.check_alarm_subscription(
        "arn:aws:sns:eu-west-1:1:t", "ops@example.com", [], "eu-west-1"
    )

    assert result.status == "problem"
    assert isinstance(result.fix, Command)
    assert "--notification-endpoint ops@example.com" in result.fix.command


# -- asking AWS ------------------------------------------------------------------------------


def client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "no"}}, "GetAccount")


def raising(error: Exception) -> Any:
    def call() -> Any:
        raise error

    return call


def test_no_credentials_stops_the_run_with_a_sentence() -> None:
    with pytest.raises(DoctorCannotRun, match="no AWS credentials found"):
        ask(raising(NoCredentialsError()), "ses:GetAccount", local=False)


def test_expired_credentials_stop_the_run() -> None:
    with pytest.raises(DoctorCannotRun, match="aws sso login"):
        ask(raising(client_error("ExpiredTokenException")), "ses:GetAccount", local=False)


@pytest.mark.parametrize("code", ["AccessDenied", "AccessDeniedException", "AuthorizationError"])
def test_access_denied_names_the_iam_action(code: str) -> None:
    answer = ask(raising(client_error(code)), "sns:ListSubscriptionsByTopic", local=False)

    assert isinstance(answer, Unanswered)
    assert answer.status == "problem"
    assert "may not call sns:ListSubscriptionsByTopic" in answer.detail


def test_an_api_the_local_stack_lacks_is_a_warning_there() -> None:
    answer = ask(raising(client_error("404")), "ses:GetAccount", local=True)

    assert isinstance(answer, Unanswered)
    assert answer.status == "warning"


def test_the_stacks_own_configuration_set_is_asked_about() -> None:
    target = Target(
        table_name="t",
        region="eu-west-1",
        endpoint_url="http://127.0.0.1:4566",
        local=True,
        outputs={"CompanyDomains": "example.com,example.org", "ReceiptRuleSetName": "rules"},
        parameters={"MailFromSubdomain": "bounce", "InboundDomain": "in.example.com"},
        resources={"MailConfigurationSet": "the-set"},
    )
    asked: list[tuple[str, dict[str, Any]]] = []

    class Client:
        def __getattr__(self, name: str) -> Any:
            return lambda **kwargs: asked.append((name, kwargs)) or {}

    facts = stack_facts(target, lambda service: Client())
    answers = ask_aws(facts, lambda service: Client())

    assert (facts.sending_domain, facts.mail_from_domain, facts.receipt_rule_set) == (
        "example.com",
        "bounce.example.com",
        "rules",
    )
    assert ("get_configuration_set_event_destinations", {"ConfigurationSetName": "the-set"}) in asked
    assert answers.configuration_set == "the-set"
    assert isinstance(answers.subscriptions, Unanswered)  # the local stack has no alarm topic


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("192.0.2.53", ("192.0.2.53", 53)),
        ("127.0.0.1:5353", ("127.0.0.1", 5353)),
        ("[::1]:5353", ("::1", 5353)),
        ("2001:db8::53", ("2001:db8::53", 53)),
    ],
)
def test_resolver_addresses(text: str, parsed: tuple[str, int]) -> None:
    assert parse_nameserver(text) == parsed


@pytest.mark.parametrize("text", ["ns1.example.com", "127.0.0.1:0", "127.0.0.1:dns"])
def test_resolver_addresses_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"IP\[:PORT\]|out of range"):
        parse_nameserver(text)
