"""`inquiry-router doctor` end to end: a stack in moto (CloudFormation, SNS, SES receipt rules),
DNS from a server on 127.0.0.1, and SES v2 stubbed where moto cannot answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from inquiry_router_admin.cli.target import Target
from inquiry_router_admin.doctor import dns_lookup
from inquiry_router_admin.doctor.ses_checks import MAIL_EVENT_TYPES
from tests.support import mail_dns
from tests.support.cli import STACK, run
from tests.support.dns_server import ZoneServer, silent_server
from tests.support.mail_dns import DOMAIN, REGION, TOKENS

RULE_SET = f"{STACK}-inbound"
ALARM_EMAIL = "ops@sunrise-lighting.com"
CONFIGURATION_SET = "inquiry-router-MailConfigurationSet-1A2B3C"

PRODUCTION: dict[str, Any] = {
    "DedicatedIpAutoWarmupEnabled": False,
    "EnforcementStatus": "HEALTHY",
    "ProductionAccessEnabled": True,
    "SendQuota": {"Max24HourSend": 50000.0, "MaxSendRate": 14.0, "SentLast24Hours": 120.0},
    "SendingEnabled": True,
}
SANDBOX: dict[str, Any] = PRODUCTION | {
    "ProductionAccessEnabled": False,
    "SendQuota": {"Max24HourSend": 200.0, "MaxSendRate": 1.0, "SentLast24Hours": 3.0},
}
TO_EVENTBRIDGE: dict[str, Any] = {
    "EventDestinations": [
        {
            "Name": "MailEventsToEventBridge",
            "Enabled": True,
            "MatchingEventTypes": list(MAIL_EVENT_TYPES),
            "EventBridgeDestination": {
                "EventBusArn": f"arn:aws:events:{REGION}:123456789012:event-bus/default"
            },
        }
    ]
}


def deploy_fake_stack(alarm_email: str = ALARM_EMAIL) -> str:
    """The stack as the doctor reads it: parameters, outputs, and an alarm topic (moto creates the
    topic; moto's CloudFormation has no SES resources, whose names come from outputs or SES)."""
    parameters = {
        "CompanyDomains": DOMAIN,
        "MailFromSubdomain": "mail",
        "InboundDomain": mail_dns.INBOUND,
        "AlarmEmail": alarm_email,
    }
    template = {
        "Parameters": {name: {"Type": "String"} for name in parameters},
        "Resources": {"AlarmTopic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {
            "TableName": {"Value": "inquiry-router-test"},
            "CompanyDomains": {"Value": DOMAIN},
            "ReceiptRuleSetName": {"Value": RULE_SET},
            "DnsDkimRecords": {
                "Value": " | ".join(f"{t}._domainkey.{DOMAIN} CNAME {t}.dkim.amazonses.com" for t in TOKENS)
            },
            "DnsDmarcRecord": {
                "Value": f'_dmarc.{DOMAIN} TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@{DOMAIN}; '
                'adkim=r; aspf=r"'
            },
        },
    }
    cloudformation = boto3.client("cloudformation")
    cloudformation.create_stack(
        StackName=STACK,
        TemplateBody=json.dumps(template),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
    )
    topic = next(
        r["PhysicalResourceId"]
        for r in cloudformation.describe_stack_resources(StackName=STACK)["StackResources"]
        if r["LogicalResourceId"] == "AlarmTopic"
    )
    if alarm_email:
        boto3.client("sns").subscribe(TopicArn=topic, Protocol="email", Endpoint=alarm_email)
    return topic


def activate_rule_set(name: str = RULE_SET) -> None:
    ses = boto3.client("ses")
    ses.create_receipt_rule_set(RuleSetName=name)
    ses.set_active_receipt_rule_set(RuleSetName=name)


@pytest.fixture
def aws(aws_environment: None) -> Iterator[None]:
    with mock_aws():
        yield


class StubbedClients:
    """Clients of one service stubbed with botocore's Stubber (the CLI gets them through
    Target.client); every other service is moto's."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.stubbers: dict[str, Stubber] = {}
        original = Target.client

        def client(target: Target, service: str) -> Any:
            if service in self.stubbers:
                return self.stubbers[service].client
            return original(target, service)

        monkeypatch.setattr(Target, "client", client)

    def stub(self, service: str) -> Stubber:
        stubber = Stubber(boto3.client(service))  # type: ignore[call-overload]
        stubber.activate()
        self.stubbers[service] = stubber
        return stubber


@pytest.fixture
def stubs(monkeypatch: pytest.MonkeyPatch) -> StubbedClients:
    return StubbedClients(monkeypatch)


def stub_sesv2(
    stubs: StubbedClients,
    identity: dict[str, Any] | None = None,
    account: dict[str, Any] | None = None,
    destinations: dict[str, Any] | None = None,
    *,
    account_error: str | None = None,
    identity_error: str | None = None,
) -> Stubber:
    """SES v2 stubbed whole, in the order the doctor asks: moto 5.2.5 has no GetAccount and no
    GetConfigurationSetEventDestinations (NotImplementedError), and its GetEmailIdentity has no
    DKIM tokens or MAIL FROM attributes, the very things the DNS checks need."""
    sesv2 = stubs.stub("sesv2")
    if identity_error:
        sesv2.add_client_error("get_email_identity", identity_error, "not authorized")
    else:
        sesv2.add_response("get_email_identity", identity or mail_dns.identity(), {"EmailIdentity": DOMAIN})
    if account_error:
        sesv2.add_client_error(
            "get_account", account_error, "User is not authorized to perform ses:GetAccount"
        )
    else:
        sesv2.add_response("get_account", account or PRODUCTION, {})
    sesv2.add_response(
        "get_configuration_set_event_destinations",
        destinations if destinations is not None else TO_EVENTBRIDGE,
        {"ConfigurationSetName": CONFIGURATION_SET},
    )
    return sesv2


def doctor(
    capsys: pytest.CaptureFixture[str],
    zone: dict[str, str] | None = None,
    *args: str,
    resolver: str | None = None,
) -> tuple[int, str, str]:
    if resolver:
        return run(capsys, "doctor", "--resolver", resolver, *args)
    with ZoneServer(zone or mail_dns.zones()) as server:
        return run(capsys, "doctor", "--resolver", server.address, *args)


def flat(out: str) -> str:
    """The human output with its wrapping undone (a detail wraps at the terminal's width)."""
    return " ".join(out.split())


def statuses(out: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for result in json.loads(out):
        found.setdefault(result["check"], set()).add(result["status"])
    return found


def test_a_stack_set_up_right_is_all_ok(
    aws: None, stubs: StubbedClients, capsys: pytest.CaptureFixture[str]
) -> None:
    deploy_fake_stack()
    activate_rule_set()
    sesv2 = stub_sesv2(stubs)

    code, out, err = doctor(capsys)

    assert (code, err) == (0, "")
    assert "0 problems, 0 warnings." in out
    assert "PROBLEM" not in out
    assert f"ok receipt-rule-set {RULE_SET} is the active receipt rule set" in flat(out)
    assert f"Alarms reach {ALARM_EMAIL} (confirmed)." in flat(out)
    assert "production access, 50,000 mails a day (120 sent in the last 24 hours), 14 a second" in flat(out)
    sesv2.assert_no_pending_responses()


def test_the_doctor_finds_a_missing_dkim_record_and_prints_the_cname_to_publish(
    aws: None, stubs: StubbedClients, capsys: pytest.CaptureFixture[str]
) -> None:
    deploy_fake_stack()
    activate_rule_set()
    stub_sesv2(stubs, identity=mail_dns.identity(VerifiedForSendingStatus=False))

    code, out, _ = doctor(capsys, mail_dns.zones(drop=[mail_dns.DKIM[2]]))

    assert code == 1
    assert f"PROBLEM dkim {TOKENS[2]}._domainkey.{DOMAIN} has no CNAME" in flat(out)
    assert (
        f"         publish: {TOKENS[2]}._domainkey.{DOMAIN} CNAME {TOKENS[2]}.dkim.amazonses.com\n"
    ) in out
    assert f"PROBLEM ses-identity SES identity {DOMAIN} is not verified for sending" in flat(out)
    assert "2 problems, 0 warnings." in out


def test_json_is_a_list_of_check_status_detail_fix(
    aws: None, stubs: StubbedClients, capsys: pytest.CaptureFixture[str]
) -> None:
    deploy_fake_stack()
    stub_sesv2(stubs)  # no receipt rule set active

    code, out, _ = doctor(capsys, mail_dns.zones(drop=[mail_dns.INBOUND_MX]), "--json")

    results = json.loads(out)
    assert code == 1
    assert all(set(r) == {"check", "status", "detail", "fix"} for r in results)
    by_check = {r["check"]: r for r in results if r["status"] == "problem"}
    assert set(by_check) == {"inbound-mx", "receipt-rule-set"}
    assert by_check["inbound-mx"]["fix"] == {
        "kind": "record",
        "name": mail_dns.INBOUND,
        "type": "MX",
        "value": f"10 inbound-smtp.{REGION}.amazonaws.com",
        "remove": [],
    }
    assert by_check["receipt-rule-set"]["fix"] == {
        "kind": "command",
        "command": f"aws ses set-active-receipt-rule-set --rule-set-name {RULE_SET} --region {REGION}",
    }


def test_sandbox_another_rule_set_and_a_pending_subscription_are_problems(
    aws: None, stubs: StubbedClients, capsys: pytest.CaptureFixture[str]
) -> None:
    topic = deploy_fake_stack()
    activate_rule_set("someone-elses-rules")
    stub_sesv2(stubs, account=SANDBOX)
    # moto confirms every subscription at once; SNS lists an unconfirmed one as below.
    sns = stubs.stub("sns")
    sns.add_response(
        "list_subscriptions_by_topic",
        {
            "Subscriptions": [
                {
                    "SubscriptionArn": "PendingConfirmation",
                    "Owner": "123456789012",
                    "Protocol": "email",
                    "Endpoint": ALARM_EMAIL,
                    "TopicArn": topic,
                }
            ]
        },
        {"TopicArn": topic},
    )

    code, out, _ = doctor(capsys, None, "--json")

    assert code == 1
    problems = {r["check"]: r for r in json.loads(out) if r["status"] == "problem"}
    assert set(problems) == {"ses-account", "receipt-rule-set", "alarm-subscription"}
    assert "sandbox" in problems["ses-account"]["detail"]
    assert problems["ses-account"]["fix"]["command"].startswith(
        "aws sesv2 put-account-details --production-access-enabled"
    )
    assert "someone-elses-rules is the active receipt rule set" in problems["receipt-rule-set"]["detail"]
    assert problems["alarm-subscription"]["fix"]["command"] == (
        f"aws sns subscribe --topic-arn {topic} --protocol email --notification-endpoint {ALARM_EMAIL} "
        f"--region {REGION}"
    )


def test_no_alarm_email_is_a_warning_and_keeps_exit_zero(
    aws: None, stubs: StubbedClients, capsys: pytest.CaptureFixture[str]
) -> None:
    deploy_fake_stack(alarm_email="")
    activate_rule_set()
    stub_sesv2(stubs)

    code, out, _ = doctor(capsys)

    assert code == 0
    assert "warning alarm-subscription Nobody is told when a dead-letter queue holds messages" in flat(out)
    assert "run:     sam deploy --parameter-overrides AlarmEmail=you@your-domain" in out
    assert "0 problems, 1 warning." in out


def test_no_eventbridge_destination_on_the_configuration_set(
    aws: None, stubs: StubbedClients, capsys: pytest.CaptureFixture[str]
) -> None:
    deploy_fake_stack()
    activate_rule_set()
    stub_sesv2(stubs, destinations={"EventDestinations": []})

    code, out, _ = doctor(capsys)

    assert code == 1
    assert f"PROBLEM event-destination Configuration set {CONFIGURATION_SET} has no enabled" in flat(out)


def test_a_missing_permission_names_the_iam_action(
    aws: None, stubs: StubbedClients, capsys: pytest.CaptureFixture[str]
) -> None:
    deploy_fake_stack()
    activate_rule_set()
    stub_sesv2(stubs, account_error="AccessDeniedException")

    code, out, err = doctor(capsys)

    assert code == 1
    assert "PROBLEM ses-account cannot check: your AWS identity may not call ses:GetAccount" in flat(out)
    assert "do:      allow ses:GetAccount in the IAM policy" in out
    assert "Traceback" not in out + err
    assert "ok       dkim" in out  # the other checks still ran


def test_without_ses_identity_rights_dkim_is_checked_from_the_stacks_output(
    aws: None, stubs: StubbedClients, capsys: pytest.CaptureFixture[str]
) -> None:
    deploy_fake_stack()
    activate_rule_set()
    stub_sesv2(stubs, identity_error="AccessDeniedException")

    code, out, _ = doctor(capsys, mail_dns.zones(drop=[mail_dns.DKIM[0]]), "--json")

    results = json.loads(out)
    assert code == 1
    dkim = [r for r in results if r["check"] == "dkim"]
    assert [r["status"] for r in dkim] == ["problem", "ok", "ok"]
    assert dkim[0]["fix"]["name"] == f"{TOKENS[0]}._domainkey.{DOMAIN}"
    identity = next(r for r in results if r["check"] == "ses-identity")
    assert "may not call ses:GetEmailIdentity" in identity["detail"]


def test_an_unreachable_resolver_is_named_once(
    aws: None, stubs: StubbedClients, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    deploy_fake_stack()
    activate_rule_set()
    stub_sesv2(stubs)
    monkeypatch.setattr(dns_lookup, "LOOKUP_SECONDS", 0.3)

    with silent_server() as address:
        code, out, _ = doctor(capsys, None, "--json", resolver=address)

    results = json.loads(out)
    assert code == 1
    dns = [r for r in results if r["check"] == "dns"]
    assert len(dns) == 1
    assert f"the DNS server {address} did not answer" in dns[0]["detail"]
    assert statuses(out)["ses-account"] == {"ok"}


def test_no_credentials_is_one_sentence_and_exit_two(
    aws_environment: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance metadata lookup

    code, out, err = run(capsys, "doctor", "--resolver", "127.0.0.1:9")

    assert (code, out) == (2, "")
    assert err.startswith("inquiry-router: no AWS credentials found: sign in (`aws sso login`")
    assert "Traceback" not in err


def test_a_resolver_that_is_not_an_address_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "doctor", "--resolver", "ns1.example.com")

    assert code == 2
    assert "is not IP[:PORT]" in err
