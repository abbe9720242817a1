"""Every kind of routing rule (channel, recipient, topic, country, language), end to end: an inquiry
stored by the form or by mail, routed by the router function on moto, lands in the rule's team."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from inquiry_router.adapters.config_store import apply_config
from tests.conftest import TABLE_NAME
from tests.integration.test_inbound_mail import BUYER, Inbox, buyer_mail
from tests.support.events import json_post
from tests.support.items import get_inquiry
from tests.support.pipeline import start_pipeline
from tests.support.routing import DOMAIN, rep, routing_config

QUOTATION = f"quotation@{DOMAIN}"
TEAMS = ("sales", "quotes", "oem", "latam", "spanish", "mailbox")


def team(key: str) -> dict[str, Any]:
    return {
        "key": key,
        "name": key.title(),
        "sending_address": f"{key}@{DOMAIN}",
        "fallback_address": f"manager@{DOMAIN}",
        "timezone": "Asia/Shanghai",
        "languages": ["en", "es", "zh"],
    }


RULES = [
    {"match": {"channel": "mail", "recipient": QUOTATION}, "team": "quotes"},
    {"match": {"topic": ["OEM", "private label"]}, "team": "oem"},
    {"match": {"country": ["MX", "AR"]}, "team": "latam"},
    {"match": {"language": ["es"]}, "team": "spanish"},
    {"match": {"channel": "mail"}, "team": "mailbox"},
]


@pytest.fixture
def inbox(dynamodb: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Inbox:
    pipeline = start_pipeline(dynamodb, monkeypatch, tmp_path)
    config = routing_config(
        rep("ana", teams=list(TEAMS)), teams=[team(key) for key in TEAMS], rules=RULES, default_team="sales"
    )
    apply_config(dynamodb, TABLE_NAME, config, datetime.now(UTC))
    return Inbox(pipeline)


def routed_team(inbox: Inbox, inquiry_id: str) -> str:
    inbox.pipeline.run()
    inquiry = get_inquiry(inbox.pipeline.dynamodb, TABLE_NAME, inquiry_id)
    assert inquiry is not None
    assert inquiry["status"] == "assigned"
    return str(inquiry["team"])


def by_mail(inbox: Inbox, raw: bytes, recipients: list[str] | None = None) -> str:
    result = inbox.receive(raw, recipients=recipients)
    assert result["decision"] == "new_inquiry", result
    return routed_team(inbox, str(result["inquiry_id"]))


def by_form(inbox: Inbox, intake: Any, **fields: Any) -> str:
    body = {"name": "Wei Li", "email": BUYER, "message": "Please quote 300 street lights.", **fields}
    response = intake(json_post(body))
    assert response["statusCode"] == 202, response["body"]
    return routed_team(inbox, json.loads(response["body"])["id"])


def test_recipient_rule_matches_the_address_the_buyer_wrote_to(inbox: Inbox) -> None:
    # Written to quotation@ (the company mailbox forwards it to SES on the inbound domain)
    assert by_mail(inbox, buyer_mail(to=f"Quotes <{QUOTATION}>"), [f"quotation@in.{DOMAIN}"]) == "quotes"
    # In Cc, beside a stranger in To
    raw = buyer_mail("Lights", to="partner@importer.example", Cc=QUOTATION)
    assert by_mail(inbox, raw, [f"quotation@in.{DOMAIN}"]) == "quotes"


def test_recipient_falls_back_to_the_envelope_when_our_address_is_not_visible(inbox: Inbox) -> None:
    # A Bcc: only SES's envelope names us; the rule names the address as SES received it.
    raw = buyer_mail("Lights", to="partner@importer.example")
    result = inbox.receive(raw, recipients=[f"quotation@in.{DOMAIN}"])
    inquiry = get_inquiry(inbox.pipeline.dynamodb, TABLE_NAME, str(result["inquiry_id"]))
    assert inquiry is not None
    assert inquiry["recipient"] == f"quotation@in.{DOMAIN}"
    assert routed_team(inbox, str(result["inquiry_id"])) == "mailbox"  # not quotation@<company>


def test_channel_rule_tells_mail_from_form(inbox: Inbox, intake: Any) -> None:
    assert by_mail(inbox, buyer_mail(to=f"sales@{DOMAIN}")) == "mailbox"
    assert by_form(inbox, intake) == "sales"  # the default team


def test_topic_rule_reads_the_form_subject_or_product_and_the_mail_subject(inbox: Inbox, intake: Any) -> None:
    assert by_form(inbox, intake, subject="OEM lamps") == "oem"
    assert by_form(inbox, intake, product="Private label downlights") == "oem"
    assert by_mail(inbox, buyer_mail("Our OEM project", to=f"sales@{DOMAIN}")) == "oem"


def test_country_rule_reads_the_forms_country(inbox: Inbox, intake: Any) -> None:
    assert by_form(inbox, intake, country="MX") == "latam"


def test_language_rule_reads_the_form_locale_and_the_mails_language(inbox: Inbox, intake: Any) -> None:
    assert by_form(inbox, intake, locale="es-MX") == "spanish"
    spanish = buyer_mail("Cotización", "Buenos días, necesitamos 300 luminarias.", to=f"sales@{DOMAIN}")
    spanish = b"Content-Language: es\r\n" + spanish
    assert by_mail(inbox, spanish) == "spanish"
