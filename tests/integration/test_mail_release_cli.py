"""`inquiry-router mail release ID`: a buyer's mail that screening got wrong becomes an inquiry,
assigned and acknowledged like any new mail, once however often the admin runs it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from inquiry_router.inbound.triage import SesVerdicts
from tests.conftest import TABLE_NAME
from tests.integration.test_inbound_mail import BUYER, Inbox, buyer_mail, inquiries
from tests.support.cli import fake_stack, run
from tests.support.pipeline import RAW_MAIL_BUCKET, sent_mails, start_pipeline
from tests.support.routing import DOMAIN


@pytest.fixture
def inbox(dynamodb: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Inbox:
    fake_stack({"TableName": TABLE_NAME, "CompanyDomains": DOMAIN, "RawMailBucketName": RAW_MAIL_BUCKET})
    return Inbox(start_pipeline(dynamodb, monkeypatch, tmp_path))


def test_a_message_screened_as_spam_is_released_assigned_and_acknowledged_once(
    inbox: Inbox, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a buyer's mail SES's spam scan got wrong: stored, nothing sent
    received = inbox.receive(buyer_mail(), verdicts=SesVerdicts(spam="FAIL"))
    inbox.pipeline.run()
    assert received["decision"] == "spam"
    assert inquiries(inbox.pipeline.dynamodb) == []
    assert sent_mails() == []

    # When the admin releases it, twice
    code, out, _ = run(capsys, "mail", "release", received["id"])
    again, out_again, _ = run(capsys, "mail", "release", received["id"])
    inbox.pipeline.run()

    # Then it is one inquiry, assigned, and the buyer and the rep each get one mail
    assert code == again == 0
    stored = inquiries(inbox.pipeline.dynamodb)
    assert len(stored) == 1
    inquiry = stored[0]
    assert f"is inquiry {inquiry['reference']}" in out
    assert f"is inquiry {inquiry['reference']} already: nothing to release" in out_again
    assert inquiry["email"] == BUYER
    assert inquiry["owner_email"].endswith(f"@{DOMAIN}")
    recipients = sorted(mail.message["To"].addresses[0].addr_spec for mail in sent_mails())
    assert recipients == sorted([BUYER, inquiry["owner_email"]])


def test_only_screened_out_messages_can_be_released(inbox: Inbox, capsys: pytest.CaptureFixture[str]) -> None:
    received = inbox.receive(buyer_mail())
    assert received["decision"] == "new_inquiry"
    code, out, _ = run(capsys, "mail", "release", received["id"])
    assert code == 0
    assert "already: nothing to release" in out
    assert len(inquiries(inbox.pipeline.dynamodb)) == 1
    unreadable = inbox.receive(b"\x00\x01 not a message")
    code, _, err = run(capsys, "mail", "release", unreadable["id"])
    assert code == 2
    assert f"was decided {unreadable['decision']}, not screened out" in err


def test_an_unknown_message_id_says_where_the_ids_are(
    inbox: Inbox, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "mail", "release", "no-such-id")
    assert code == 2
    assert "`inquiry-router mail list` shows the ids" in err
