"""The DNS of a company set up as the stack asks (GOOD), and ways to break it, for the doctor."""

from __future__ import annotations

from collections.abc import Sequence

REGION = "eu-west-1"
DOMAIN = "sunrise-lighting.com"
MAIL_FROM = f"mail.{DOMAIN}"
INBOUND = f"in.{DOMAIN}"
TOKENS = (
    "t4c6qzd3b6ulfbxr5m2vj6npjcbwd3xa",
    "k2mfh7yq4o5e3wnvd6rj2xps7ubacl4g",
    "w7bq3xrc6mje2hzt5yk4nfu7dpga2svo",
)

SPF = '@ TXT "v=spf1 include:_spf.google.com ~all"'
DMARC = f'_dmarc TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@{DOMAIN}"'
DKIM = tuple(f"{token}._domainkey CNAME {token}.dkim.amazonses.com." for token in TOKENS)
MAIL_FROM_MX = f"mail MX 10 feedback-smtp.{REGION}.amazonses.com."
MAIL_FROM_SPF = 'mail TXT "v=spf1 include:amazonses.com ~all"'
INBOUND_MX = f"in MX 10 inbound-smtp.{REGION}.amazonaws.com."
GOOD = (SPF, DMARC, *DKIM, MAIL_FROM_MX, MAIL_FROM_SPF, INBOUND_MX, "www A 192.0.2.10")

# The senders' own records, as their SPF includes find them (abridged ranges).
PROVIDERS = {
    "amazonses.com.": '@ TXT "v=spf1 ip4:199.255.192.0/22 ip4:54.240.0.0/18 -all"\n',
    "google.com.": """
        _spf TXT ( "v=spf1 include:_netblocks.google.com include:_netblocks2.google.com "
                   "include:_netblocks3.google.com ~all" )
        _netblocks TXT "v=spf1 ip4:35.190.247.0/24 ip4:64.233.160.0/19 ~all"
        _netblocks2 TXT "v=spf1 ip6:2001:4860:4000::/36 ~all"
        _netblocks3 TXT "v=spf1 ip4:172.217.0.0/19 ~all"
    """,
    "outlook.com.": 'spf.protection TXT "v=spf1 ip4:40.92.0.0/15 -all"\n',
    "mcsv.net.": 'servers TXT "v=spf1 ip4:205.201.128.0/20 -all"\n',
    "sendgrid.net.": '@ TXT "v=spf1 ip4:167.89.0.0/17 -all"\n',
    "mailgun.org.": """
        @ TXT "v=spf1 include:_spf.mailgun.org -all"
        _spf TXT "v=spf1 ip4:209.61.151.0/24 -all"
    """,
}

# 12 lookups: google 4 (1 + its 3), outlook, mailchimp, sendgrid 1 each, mailgun 2, SES 1, a, mx.
SPF_TOO_MANY = (
    '@ TXT "v=spf1 include:_spf.google.com include:spf.protection.outlook.com include:servers.mcsv.net '
    'include:sendgrid.net include:mailgun.org include:amazonses.com a mx ~all"'
)


def zones(*, drop: Sequence[str] = (), add: Sequence[str] = ()) -> dict[str, str]:
    """The GOOD company zone without the lines in `drop` and with those in `add`, and the providers'."""
    lines = [line for line in GOOD if line not in drop] + list(add)
    return {f"{DOMAIN}.": "\n".join(lines) + "\n", **PROVIDERS}


def identity(**changes: object) -> dict[str, object]:
    """SES's get_email_identity for DOMAIN set up as the stack asks (verified, DKIM, MAIL FROM)."""
    answer: dict[str, object] = {
        "IdentityType": "DOMAIN",
        "FeedbackForwardingStatus": True,
        "VerifiedForSendingStatus": True,
        "DkimAttributes": {
            "SigningEnabled": True,
            "Status": "SUCCESS",
            "Tokens": list(TOKENS),
            "SigningAttributesOrigin": "AWS_SES",
            "NextSigningKeyLength": "RSA_2048_BIT",
            "CurrentSigningKeyLength": "RSA_2048_BIT",
        },
        "MailFromAttributes": {
            "MailFromDomain": MAIL_FROM,
            "MailFromDomainStatus": "SUCCESS",
            "BehaviorOnMxFailure": "USE_DEFAULT_VALUE",
        },
        "ConfigurationSetName": "inquiry-router-MailConfigurationSet-1A2B3C",
        "VerificationStatus": "SUCCESS",
    }
    answer.update(changes)
    return answer
