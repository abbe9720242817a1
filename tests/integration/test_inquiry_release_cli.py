"""`inquiry-router inquiries release REF`: a form submission screening kept back as spam becomes an
inquiry after all: contact, timeline, assignment and both mails follow, once however often it runs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TABLE_NAME
from tests.support.cli import fake_stack, run
from tests.support.events import json_post
from tests.support.items import get_contact, get_inquiry
from tests.support.pipeline import sent_mails, start_pipeline
from tests.support.routing import DOMAIN

Invoke = Callable[[dict[str, Any]], dict[str, Any]]
BUYER = {
    "name": "Ana García",
    "email": "ana@importadora-sol.es",
    "company": "Importadora Sol",
    "phone": "+34 612 345 678",
    "subject": "LED panels",
    "message": "Please quote 2,000 panels, CIF Valencia.",
    "consent": True,
    "utm_source": "fair",
    "delivery_port": "Valencia",
    # The browser's autofill put the company name in the hidden honeypot field.
    "_gotcha": "Importadora Sol",
}


def test_a_buyer_kept_back_as_spam_is_released_assigned_and_acknowledged_once(
    intake: Invoke,
    dynamodb: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pipeline = start_pipeline(dynamodb, monkeypatch, tmp_path)
    fake_stack({"TableName": TABLE_NAME, "CompanyDomains": DOMAIN})
    spam = json.loads(intake(json_post(BUYER))["body"])
    pipeline.run()
    assert sent_mails() == []
    assert get_contact(dynamodb, TABLE_NAME, BUYER["email"]) is None  # spam never touches the contact

    code, out, _ = run(capsys, "inquiries", "release", spam["reference"].lower())
    again, out_again, _ = run(capsys, "inquiries", "release", spam["id"])
    pipeline.run()

    assert (code, again) == (0, 0)
    kept = get_inquiry(dynamodb, TABLE_NAME, spam["id"]) or {}
    released = get_inquiry(dynamodb, TABLE_NAME, kept["released_as"]) or {}
    assert f"{spam['reference']} is inquiry {released['reference']} now" in out
    assert f"was released already as {released['reference']}" in out_again
    assert released["status"] == "assigned"
    assert released["owner_email"].endswith(f"@{DOMAIN}")
    for field in ("name", "company", "subject", "message", "email"):
        assert released[field] == BUYER[field]
    assert released["phone_as_typed"] == BUYER["phone"]
    assert released["utm"] == {"source": "fair"}
    assert released["extra"] == {"delivery_port": "Valencia"}
    assert not released.get("spam_reasons")
    contact = get_contact(dynamodb, TABLE_NAME, BUYER["email"]) or {}
    # The buyer agreed when they sent the form, not when an admin released it: the proof travels.
    assert contact["consent_at"] == kept["received_at"] == released["consent_proof"]["at"]
    recipients = sorted(m.message["To"].addresses[0].addr_spec for m in sent_mails())
    assert recipients == sorted([BUYER["email"], released["owner_email"]])


def test_only_spam_can_be_released(
    intake: Invoke,
    dynamodb: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_stack({"TableName": TABLE_NAME, "CompanyDomains": DOMAIN})
    accepted = json.loads(intake(json_post({k: v for k, v in BUYER.items() if k != "_gotcha"}))["body"])
    code, _, err = run(capsys, "inquiries", "release", accepted["reference"])
    assert code == 2
    assert "has status new: only spam can be released" in err
    code, _, err = run(capsys, "inquiries", "release", "INQ-NOSUCH")
    assert code == 2
    assert "no inquiry 'INQ-NOSUCH'" in err
