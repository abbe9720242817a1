"""Verdicts on what SES and SNS answered (pure: the answers are the API's response dicts, or
`Unanswered` when the question could not be asked)."""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from typing import Any

from inquiry_router_admin.doctor.results import Action, CheckResult, Command, Unanswered

Answer = Mapping[str, Any] | Unanswered

# What the feedback path needs SES to publish to EventBridge (the template's event destination).
MAIL_EVENT_TYPES = ("BOUNCE", "COMPLAINT", "DELIVERY", "DELIVERY_DELAY", "REJECT", "RENDERING_FAILURE")
PRODUCTION_ACCESS_COMMAND = (
    "aws sesv2 put-account-details --production-access-enabled --mail-type TRANSACTIONAL "
    '--website-url https://www.your-site.com --use-case-description "Acknowledgements of '
    "inquiries buyers send through our website's contact form, and notifications to our own "
    'sales staff"'
)
QUOTA_WARNING_SHARE = 0.8


def _region(region: str) -> str:
    return f" --region {region}"


# -- the sending identity --------------------------------------------------------------------


def dkim_tokens(identity: Answer) -> list[str]:
    if isinstance(identity, Unanswered):
        return []
    return [str(token) for token in identity.get("DkimAttributes", {}).get("Tokens") or []]


def custom_mail_from(identity: Answer) -> str | None:
    if isinstance(identity, Unanswered):
        return None
    domain = identity.get("MailFromAttributes", {}).get("MailFromDomain")
    return str(domain) if domain else None


def check_identity(domain: str, identity: Answer, region: str) -> list[CheckResult]:
    """Verified for sending, and Easy DKIM found by SES."""
    if isinstance(identity, Unanswered):
        return [identity.result("ses-identity")]
    results = []
    if identity.get("VerifiedForSendingStatus"):
        results.append(CheckResult("ses-identity", "ok", f"SES identity {domain} is verified for sending."))
    else:
        results.append(
            CheckResult(
                "ses-identity",
                "problem",
                f"SES identity {domain} is not verified for sending: SES refuses mail from it. SES "
                "verifies the domain by itself once its DKIM CNAMEs resolve (see the dkim checks).",
                Action("publish the three DKIM CNAMEs; SES checks them again within hours"),
            )
        )
    dkim = identity.get("DkimAttributes", {})
    status = str(dkim.get("Status", "NOT_STARTED"))
    if not dkim.get("SigningEnabled", False):
        results.append(
            CheckResult(
                "ses-dkim",
                "problem",
                f"DKIM signing is off for {domain}: mail is not signed, and DMARC cannot pass on DKIM.",
                Command(
                    "aws sesv2 put-email-identity-dkim-attributes "
                    f"--email-identity {domain} --signing-enabled" + _region(region)
                ),
            )
        )
    elif status == "SUCCESS":
        results.append(CheckResult("ses-dkim", "ok", f"SES found the DKIM records of {domain} (SUCCESS)."))
    elif status == "TEMPORARY_FAILURE":
        results.append(
            CheckResult(
                "ses-dkim",
                "warning",
                f"SES could not read the DKIM records of {domain} at its last try (TEMPORARY_FAILURE); "
                "it tries again. If the dkim checks above are ok, wait.",
            )
        )
    else:
        reason = {
            "PENDING": "has not found the DKIM CNAMEs yet (PENDING)",
            "FAILED": "gave up looking for the DKIM CNAMEs (FAILED, after 72 hours)",
            "NOT_STARTED": "has not started looking for DKIM records (NOT_STARTED)",
        }.get(status, f"reports DKIM status {status}")
        fix = (
            "publish the three DKIM CNAMEs, then restart the DKIM verification of the identity in "
            "the SES console"
            if status == "FAILED"
            else "publish the three DKIM CNAMEs; SES finds them within hours of their appearing"
        )
        results.append(CheckResult("ses-dkim", "problem", f"SES {reason} for {domain}.", Action(fix)))
    return results


def check_mail_from_setting(
    domain: str, identity: Answer, expected: str | None, region: str
) -> CheckResult | None:
    """The custom MAIL FROM SES has (MailFromAttributes), and whether SES has seen its MX."""
    if isinstance(identity, Unanswered):
        return None
    attributes = identity.get("MailFromAttributes", {})
    configured = attributes.get("MailFromDomain")
    if not configured:
        wanted = expected or f"mail.{domain}"
        return CheckResult(
            "mail-from",
            "warning",
            f"{domain} has no custom MAIL FROM domain in SES: SES's mail then passes SPF only as "
            "amazonses.com, not aligned with your domain, and DMARC rests on DKIM alone.",
            Command(
                f"aws sesv2 put-email-identity-mail-from-attributes --email-identity {domain} "
                f"--mail-from-domain {wanted} --behavior-on-mx-failure USE_DEFAULT_VALUE" + _region(region)
            ),
        )
    status = str(attributes.get("MailFromDomainStatus", "PENDING"))
    if status == "SUCCESS":
        return CheckResult("mail-from", "ok", f"SES uses {configured} as the MAIL FROM domain (SUCCESS).")
    if status == "FAILED":
        return CheckResult(
            "mail-from",
            "problem",
            f"SES could not find the MX record of {configured} (FAILED) and sends with its own MAIL "
            "FROM domain instead, so SPF does not align. Publish the MX (mail-from-mx); SES looks again.",
        )
    return CheckResult(
        "mail-from",
        "warning",
        f"SES has not confirmed the MX record of {configured} yet ({status}); until then it sends "
        "with its own MAIL FROM domain.",
    )


# -- the account -----------------------------------------------------------------------------


def check_account(account: Answer, region: str) -> CheckResult:
    """Production access, sending on, and how much of the quota a day takes."""
    if isinstance(account, Unanswered):
        return account.result("ses-account")
    quota = account.get("SendQuota", {})
    per_day = float(quota.get("Max24HourSend", 0))
    rate = float(quota.get("MaxSendRate", 0))
    sent = float(quota.get("SentLast24Hours", 0))
    figures = f"{per_day:,.0f} mails a day ({sent:,.0f} sent in the last 24 hours), {rate:g} a second"
    if not account.get("SendingEnabled", True):
        return CheckResult(
            "ses-account",
            "problem",
            f"Sending is paused for the whole SES account in {region}: no mail goes out.",
            Command("aws sesv2 put-account-sending-attributes --sending-enabled" + _region(region)),
        )
    enforcement = str(account.get("EnforcementStatus", "HEALTHY"))
    if enforcement == "SHUTDOWN":
        return CheckResult(
            "ses-account",
            "problem",
            f"AWS has shut down sending for this SES account in {region} (enforcement status SHUTDOWN).",
            Action("answer the case AWS opened in the AWS Support Center"),
        )
    if not account.get("ProductionAccessEnabled", False):
        review = account.get("Details", {}).get("ReviewDetails", {})
        if review.get("Status") == "PENDING":
            return CheckResult(
                "ses-account",
                "warning",
                f"SES in {region} is in the sandbox (only verified addresses, {figures}); production "
                f"access is requested (case {review.get('CaseId', '?')}, pending).",
            )
        return CheckResult(
            "ses-account",
            "problem",
            f"SES in {region} is in the sandbox: it sends only to verified addresses, {figures}. "
            "Buyers' acknowledgements are refused until production access is granted.",
            Command(PRODUCTION_ACCESS_COMMAND + _region(region)),
        )
    if enforcement == "PROBATION":
        return CheckResult(
            "ses-account",
            "warning",
            f"SES in {region} is on probation (bounces or complaints too high): {figures}. Look at "
            "the reputation dashboard before it becomes a shutdown.",
        )
    if per_day > 0 and sent >= QUOTA_WARNING_SHARE * per_day:
        return CheckResult(
            "ses-account",
            "warning",
            f"SES in {region}: production, but {sent / per_day:.0%} of the daily quota is used: {figures}.",
            Action("request a higher sending quota in the SES console (Account dashboard)"),
        )
    return CheckResult("ses-account", "ok", f"SES in {region}: production access, {figures}.")


# -- receiving -------------------------------------------------------------------------------


def check_receipt_rule_set(expected: str | None, active: Answer, region: str) -> CheckResult:
    if isinstance(active, Unanswered):
        return active.result("receipt-rule-set")
    if not expected:
        return CheckResult(
            "receipt-rule-set",
            "problem",
            "the stack names no receipt rule set (its ReceiptRuleSetName output): redeploy it "
            "with this version.",
        )
    name = active.get("Metadata", {}).get("Name")
    command = Command(f"aws ses set-active-receipt-rule-set --rule-set-name {expected}" + _region(region))
    if name == expected:
        return CheckResult(
            "receipt-rule-set", "ok", f"{expected} is the active receipt rule set in {region}."
        )
    if not name:
        return CheckResult(
            "receipt-rule-set",
            "problem",
            f"No receipt rule set is active in {region}, so SES drops the mail sent to the inbound "
            "domain. Activate the stack's (or deploy with ActivateReceiptRuleSet=true).",
            command,
        )
    return CheckResult(
        "receipt-rule-set",
        "problem",
        f"{name} is the active receipt rule set in {region}, not the stack's {expected}: mail to the "
        f"inbound domain does not reach the stack. Activation is account-wide: move the rules of "
        f"{name} that other mail needs into {expected} first.",
        command,
    )


# -- sending events --------------------------------------------------------------------------


def check_event_destinations(configuration_set: str | None, destinations: Answer) -> CheckResult:
    """An enabled EventBridge destination on the stack's configuration set: bounces and
    complaints of our own mail reach the feedback path."""
    if isinstance(destinations, Unanswered):
        return destinations.result("event-destination")
    if not configuration_set:
        return CheckResult(
            "event-destination",
            "problem",
            "cannot tell the stack's configuration set (MailConfigurationSet): is the stack deployed?",
        )
    enabled = [
        d
        for d in destinations.get("EventDestinations", [])
        if d.get("Enabled") and d.get("EventBridgeDestination")
    ]
    if not enabled:
        return CheckResult(
            "event-destination",
            "problem",
            f"Configuration set {configuration_set} has no enabled EventBridge event destination: "
            "bounces and complaints of the stack's mail reach no one (only SES's account-level "
            "suppression list). Deploy a version of the stack that declares it.",
            Command("sam build && sam deploy"),
        )
    covered = {str(t) for d in enabled for t in d.get("MatchingEventTypes", [])}
    missing = [t for t in MAIL_EVENT_TYPES if t not in covered]
    names = ", ".join(str(d.get("Name")) for d in enabled)
    if missing:
        return CheckResult(
            "event-destination",
            "warning",
            f"Configuration set {configuration_set} sends events to EventBridge ({names}) but not "
            f"{', '.join(missing)}.",
            Command("sam build && sam deploy"),
        )
    return CheckResult(
        "event-destination",
        "ok",
        f"Configuration set {configuration_set} sends {', '.join(MAIL_EVENT_TYPES)} to "
        f"EventBridge ({names}).",
    )


# -- the alarm topic -------------------------------------------------------------------------


def check_alarm_subscription(
    topic_arn: str | None,
    alarm_email: str,
    subscriptions: Sequence[Mapping[str, Any]] | Unanswered,
    region: str,
) -> CheckResult:
    if isinstance(subscriptions, Unanswered):
        return subscriptions.result("alarm-subscription")
    if not topic_arn:
        return CheckResult(
            "alarm-subscription",
            "problem",
            "cannot tell the stack's alarm topic (AlarmTopic): is the stack deployed?",
        )
    mail = [s for s in subscriptions if str(s.get("Protocol", "")).startswith("email")]
    pending = [s for s in mail if s.get("SubscriptionArn") == "PendingConfirmation"]
    if pending:
        endpoint = str(pending[0].get("Endpoint", alarm_email))
        return CheckResult(
            "alarm-subscription",
            "problem",
            f"{endpoint} has not confirmed the alarm subscription: dead-letter alarms reach nobody. "
            'Open the mail "AWS Notification - Subscription Confirmation" sent to it and follow '
            '"Confirm subscription"; the command below sends it again.',
            Command(
                f"aws sns subscribe --topic-arn {topic_arn} --protocol email "
                f"--notification-endpoint {shlex.quote(endpoint)}" + _region(region)
            ),
        )
    if not subscriptions:
        if not alarm_email:
            return CheckResult(
                "alarm-subscription",
                "warning",
                "Nobody is told when a dead-letter queue holds messages: AlarmEmail is empty.",
                Command("sam deploy --parameter-overrides AlarmEmail=you@your-domain"),
            )
        return CheckResult(
            "alarm-subscription",
            "problem",
            f"The alarm topic has no subscription, though AlarmEmail is {alarm_email}.",
            Command(
                f"aws sns subscribe --topic-arn {topic_arn} --protocol email "
                f"--notification-endpoint {shlex.quote(alarm_email)}" + _region(region)
            ),
        )
    who = ", ".join(str(s.get("Endpoint")) for s in subscriptions)
    return CheckResult("alarm-subscription", "ok", f"Alarms reach {who} (confirmed).")
