"""What the doctor asks AWS, through boto3: the stack's facts, SES's and SNS's answers.

Each question is asked once; a refused one becomes `Unanswered` naming the IAM action it needs,
so one missing permission costs one check, not the run. Missing or refused credentials stop the
run (`DoctorCannotRun`): nothing else could be asked either.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
)

from inquiry_router_admin.cli.target import NO_CREDENTIALS, Target, TargetError
from inquiry_router_admin.doctor.dns_checks import default_dmarc
from inquiry_router_admin.doctor.results import Action, Unanswered

Clients = Callable[[str], Any]

_DENIED = {"AccessDenied", "AccessDeniedException", "AuthorizationError", "UnauthorizedOperation"}
_REFUSED_CREDENTIALS = {
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "InvalidSignatureException",
}
_NOT_FOUND = {"NotFoundException", "NotFound", "ValidationError", "ConfigurationSetDoesNotExistException"}


class DoctorCannotRun(Exception):
    """Nothing can be checked (no credentials, AWS unreachable): the message says what to do."""


@dataclass(frozen=True)
class StackFacts:
    """What the stack knows about its own mail setup: parameters, outputs and resource names."""

    stack: str
    region: str
    local: bool
    sending_domain: str
    mail_from_domain: str | None  # the one the template asks SES for (MailFromSubdomain)
    inbound_domain: str | None
    receipt_rule_set: str | None
    suggested_dmarc: str
    # The Easy DKIM tokens the stack's DnsDkimRecords output names: used when SES cannot be asked.
    dkim_tokens: tuple[str, ...]
    alarm_email: str
    resources: Mapping[str, str] | Unanswered

    def resource(self, logical_id: str) -> str | None:
        return None if isinstance(self.resources, Unanswered) else self.resources.get(logical_id)


def ask[T](
    call: Callable[[], T], action: str, *, local: bool, not_found: str | None = None
) -> T | Unanswered:
    """`call()`'s answer, or why there is none. `action` is the IAM action the call needs."""
    try:
        return call()
    except (NoCredentialsError, PartialCredentialsError):
        raise DoctorCannotRun(NO_CREDENTIALS) from None
    except EndpointConnectionError as error:
        raise DoctorCannotRun(f"cannot reach AWS ({error}): check your network and --region") from None
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        message = str(error.response.get("Error", {}).get("Message", ""))
        if code in _REFUSED_CREDENTIALS:
            raise DoctorCannotRun(
                f"AWS refused your credentials ({code}: {message}): sign in again (`aws sso login`) "
                "or refresh AWS_SESSION_TOKEN"
            ) from None
        if code in _DENIED:
            return Unanswered(
                f"cannot check: your AWS identity may not call {action} ({code}).",
                Action(f"allow {action} in the IAM policy of the user or role you run the doctor with"),
            )
        if not_found and code in _NOT_FOUND:
            return Unanswered(not_found)
        if local:
            # moto, behind `make local`, lacks some APIs (it answers 404): nothing to check there.
            return Unanswered(
                f"not checked: the local stack does not answer {action} ({code}).", status="warning"
            )
        return Unanswered(f"cannot check: {action} failed ({code}: {message}).")
    except BotoCoreError as error:
        return Unanswered(f"cannot check: {action} failed ({error}).")


def stack_facts(target: Target, clients: Clients) -> StackFacts:
    parameters = target.parameters
    outputs = target.outputs
    domains = outputs.get("CompanyDomains") or parameters.get("CompanyDomains", "")
    sending = domains.split(",")[0].strip().lower()
    if not sending:
        raise TargetError("the stack names no sending domain (CompanyDomains): redeploy it with this version")
    subdomain = parameters.get("MailFromSubdomain", "mail")
    resources: Mapping[str, str] | Unanswered = target.resources
    if not target.local:
        resources = ask(
            lambda: _deployed_resources(clients("cloudformation"), target.stack_name or ""),
            "cloudformation:ListStackResources",
            local=False,
        )
    return StackFacts(
        stack=target.stack_name or "local",
        region=target.region or "us-east-1",
        local=target.local,
        sending_domain=sending,
        mail_from_domain=f"{subdomain}.{sending}" if subdomain else None,
        inbound_domain=parameters.get("InboundDomain") or None,
        receipt_rule_set=outputs.get("ReceiptRuleSetName") or target.resources.get("ReceiptRuleSet"),
        suggested_dmarc=_quoted_value(outputs.get("DnsDmarcRecord")) or default_dmarc(sending),
        dkim_tokens=_tokens(outputs.get("DnsDkimRecords", "")),
        alarm_email=parameters.get("AlarmEmail", ""),
        resources=resources,
    )


def _deployed_resources(cloudformation: Any, stack: str) -> dict[str, str]:
    # ListStackResources, paged: DescribeStackResources stops at 100, and SAM's roles,
    # permissions and event source mappings take this stack past that.
    names: dict[str, str] = {}
    for page in cloudformation.get_paginator("list_stack_resources").paginate(StackName=stack):
        for summary in page.get("StackResourceSummaries", []):
            names[summary["LogicalResourceId"]] = summary.get("PhysicalResourceId", "")
    return names


def _tokens(output: str) -> tuple[str, ...]:
    """`<t1>._domainkey.<domain> CNAME <t1>.dkim.amazonses.com | …` -> the tokens."""
    names = (record.split()[0] for record in output.split("|") if "._domainkey." in record)
    return tuple(name.split("._domainkey.", 1)[0] for name in names)


def _quoted_value(output: str | None) -> str | None:
    """The value of a TXT record as the stack's outputs print it: `name TXT "value"`."""
    if not output or '"' not in output:
        return None
    return output.split('"', 1)[1].rsplit('"', 1)[0]


@dataclass(frozen=True)
class AwsAnswers:
    identity: Mapping[str, Any] | Unanswered
    account: Mapping[str, Any] | Unanswered
    active_rule_set: Mapping[str, Any] | Unanswered
    configuration_set: str | None
    event_destinations: Mapping[str, Any] | Unanswered
    alarm_topic: str | None
    subscriptions: list[Mapping[str, Any]] | Unanswered


def ask_aws(facts: StackFacts, clients: Clients) -> AwsAnswers:
    sesv2 = clients("sesv2")
    local = facts.local
    domain = facts.sending_domain
    identity = ask(
        lambda: sesv2.get_email_identity(EmailIdentity=domain),
        "ses:GetEmailIdentity",
        local=local,
        not_found=f"SES in {facts.region} has no identity {domain}: is the stack deployed in this region?",
    )
    account = ask(sesv2.get_account, "ses:GetAccount", local=local)
    active = ask(
        clients("ses").describe_active_receipt_rule_set, "ses:DescribeActiveReceiptRuleSet", local=local
    )
    # The stack's configuration set; the identity's default one (the template sets it) if the
    # stack's resources cannot be read.
    configuration_set = facts.resource("MailConfigurationSet") or (
        None if isinstance(identity, Unanswered) else identity.get("ConfigurationSetName")
    )
    destinations: Mapping[str, Any] | Unanswered = (
        ask(
            lambda: sesv2.get_configuration_set_event_destinations(ConfigurationSetName=configuration_set),
            "ses:GetConfigurationSetEventDestinations",
            local=local,
            not_found=f"SES in {facts.region} has no configuration set {configuration_set}.",
        )
        if configuration_set
        else facts.resources
        if isinstance(facts.resources, Unanswered)
        else {}
    )
    topic = facts.resource("AlarmTopic")
    subscriptions: list[Mapping[str, Any]] | Unanswered
    if topic:
        subscriptions = ask(
            lambda: _subscriptions(clients("sns"), topic), "sns:ListSubscriptionsByTopic", local=local
        )
    elif local:
        subscriptions = Unanswered(
            "not checked: the local stack creates no alarm topic (nothing local raises an alarm).",
            status="warning",
        )
    elif isinstance(facts.resources, Unanswered):
        subscriptions = facts.resources
    else:
        subscriptions = []
    return AwsAnswers(identity, account, active, configuration_set, destinations, topic, subscriptions)


def _subscriptions(sns: Any, topic_arn: str) -> list[Mapping[str, Any]]:
    found: list[Mapping[str, Any]] = []
    for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn):
        found.extend(page.get("Subscriptions", []))
    return found
