"""A rep runs an inquiry by mail, on moto: a command line (`#won`, `#lost price too high`,
`#snooze 2d`, `#team`) mailed to the logging address does what the same button does, once, only
for the inquiry's owner and only when the mail is authenticated, and the rep is told the result."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from inquiry_router.inbound.triage import SesVerdicts
from inquiry_router.models.inquiry import Inquiry
from tests.conftest import TABLE_NAME
from tests.integration.test_inbound_mail import BUYER, LOG, Inbox, buyer_mail, inbox, inquiries
from tests.integration.test_rep_actions import stored
from tests.support.pipeline import sent_mails
from tests.support.routing import DOMAIN

__all__ = ["inbox"]  # the fixture


def mailed_inquiry(inbox: Inbox) -> Inquiry:
    inbox.receive(buyer_mail())
    inbox.pipeline.run()
    [item] = inquiries(inbox.pipeline.dynamodb)
    return stored(inbox.pipeline, item["id"])


def command(
    inbox: Inbox, inquiry: Inquiry, body: str, *, sender: str | None = None, **kw: Any
) -> dict[str, Any]:
    """The rep's mail to the logging address alone, the reference in the subject."""
    subject = kw.pop("subject", f"[{inquiry.reference}] status")
    verdicts = kw.pop("verdicts", None)
    mail = buyer_mail(subject, body, sender=f"Rep <{sender or inquiry.owner_email}>", to=LOG, **kw)
    result = inbox.receive(mail, recipients=[LOG], verdicts=verdicts)
    inbox.pipeline.run()
    return result


def replies_to(address: str) -> list[Any]:
    return [m.message for m in sent_mails() if m.message["To"].addresses[0].addr_spec == address]


def test_won_by_mail_marks_the_inquiry_and_answers_the_rep_in_the_thread(inbox: Inbox) -> None:
    inquiry = mailed_inquiry(inbox)
    owner = str(inquiry.owner_email)
    before = len(replies_to(owner))

    result = command(inbox, inquiry, "#won\n\nThanks, signed today.\n-- \nAna")

    assert result["decision"] == "rep_command"
    final = stored(inbox.pipeline, inquiry.id)
    assert final.status == "won"
    assert [(c.to_status, c.channel, c.by) for c in final.transitions] == [("won", "mail_command", owner)]
    assert final.first_response_via == "mail_command"
    record = inbox.record(result["id"])
    assert record["command"] == {
        "line": "#won",
        "outcome": "done",
        "action": "won",
        "status": "won",
        "owner_email": owner,
    }
    [reply] = replies_to(owner)[before:]
    assert reply["Subject"] == f"Re: [{inquiry.reference}] status"
    assert reply["In-Reply-To"]
    assert reply["Auto-Submitted"] == "auto-replied"
    assert "is now: won" in reply.get_body(("plain",)).get_content()


def test_the_same_command_mail_delivered_twice_acts_and_answers_once(inbox: Inbox) -> None:
    inquiry = mailed_inquiry(inbox)
    owner = str(inquiry.owner_email)
    mail = buyer_mail(f"Re: [{inquiry.reference}]", "#quoted", sender=f"Rep <{owner}>", to=LOG)
    before = len(replies_to(owner))

    first = inbox.receive(mail, recipients=[LOG], message_id="ses-command-1")
    inbox.pipeline.run()
    again = inbox.deliver("ses-command-1", recipients=[LOG])
    inbox.pipeline.run()

    assert first["decision"] == again["decision"] == "rep_command"
    assert len(stored(inbox.pipeline, inquiry.id).transitions) == 1
    assert len(replies_to(owner)) == before + 1


@pytest.mark.parametrize(
    ("body", "status", "note"),
    [
        ("#lost: price too high", "lost", "price too high"),
        ("#Sample sent", "sample_sent", None),
        ("# not an inquiry", "spam", None),
        ("#closed duplicate of INQ-AAAAAA", "closed", "duplicate of INQ-AAAAAA"),
    ],
)
def test_each_command_moves_the_inquiry_with_its_note(
    inbox: Inbox, body: str, status: str, note: str | None
) -> None:
    inquiry = mailed_inquiry(inbox)

    command(inbox, inquiry, body)

    final = stored(inbox.pipeline, inquiry.id)
    assert final.status == status
    assert final.transitions[-1].note == note


def test_snooze_by_mail_lasts_as_long_as_asked(inbox: Inbox) -> None:
    inquiry = mailed_inquiry(inbox)
    sent_at = datetime.now(UTC)

    command(inbox, inquiry, "#snooze 3d waiting for the buyer's drawings")

    final = stored(inbox.pipeline, inquiry.id)
    assert final.status == "snoozed"
    assert final.snoozed_until is not None
    until = datetime.fromisoformat(final.snoozed_until)
    assert (
        sent_at + timedelta(days=3) - timedelta(minutes=1) <= until <= sent_at + timedelta(days=3, minutes=1)
    )
    assert final.transitions[-1].note == "waiting for the buyer's drawings"


def test_team_by_mail_hands_the_inquiry_to_another_rep(inbox: Inbox) -> None:
    inquiry = mailed_inquiry(inbox)

    command(inbox, inquiry, "#team")

    moved = stored(inbox.pipeline, inquiry.id)
    assert moved.owner_email not in (None, inquiry.owner_email)
    assert replies_to(str(moved.owner_email)), "the new owner is notified"
    reply = replies_to(str(inquiry.owner_email))[-1]
    assert f"now with {moved.owner_email}" in reply.get_body(("plain",)).get_content()


def test_a_command_in_reply_to_the_notification_needs_no_reference(inbox: Inbox) -> None:
    inquiry = mailed_inquiry(inbox)
    [notification] = [m for m in replies_to(str(inquiry.owner_email)) if "Auto-Submitted" not in m]

    command(inbox, inquiry, "#responded", subject="Re: your mail", In_Reply_To=notification["Message-ID"])

    assert stored(inbox.pipeline, inquiry.id).status == "responded"


def test_a_command_in_the_subject_works_too(inbox: Inbox) -> None:
    inquiry = mailed_inquiry(inbox)

    command(inbox, inquiry, "", subject=f"Re: [{inquiry.reference}] #won")

    assert stored(inbox.pipeline, inquiry.id).status == "won"


def test_a_command_not_understood_changes_nothing_and_says_what_the_commands_are(inbox: Inbox) -> None:
    inquiry = mailed_inquiry(inbox)

    result = command(inbox, inquiry, "#wno")

    assert result["decision"] == "rep_command"
    assert stored(inbox.pipeline, inquiry.id).status == "assigned"
    reply = replies_to(str(inquiry.owner_email))[-1]
    text = reply.get_body(("plain",)).get_content()
    assert '"#wno" is not a command' in text
    assert "#snooze 2d" in text


def test_a_command_naming_no_inquiry_changes_nothing_and_says_so(inbox: Inbox) -> None:
    inquiry = mailed_inquiry(inbox)

    command(inbox, inquiry, "#won", subject="status")

    assert stored(inbox.pipeline, inquiry.id).status == "assigned"
    reply = replies_to(str(inquiry.owner_email))[-1]
    assert "names no inquiry we know" in reply.get_body(("plain",)).get_content()


def test_another_rep_s_command_changes_nothing(inbox: Inbox) -> None:
    inquiry = mailed_inquiry(inbox)
    colleague = next(
        f"{n}@{DOMAIN}" for n in ("ana", "bob", "chen") if f"{n}@{DOMAIN}" != inquiry.owner_email
    )

    command(inbox, inquiry, "#won", sender=colleague)

    assert stored(inbox.pipeline, inquiry.id).status == "assigned"
    reply = replies_to(colleague)[-1]
    assert "commands act only on your own inquiries" in reply.get_body(("plain",)).get_content()


def test_an_unauthenticated_command_is_kept_and_not_acted_on(inbox: Inbox) -> None:
    inquiry = mailed_inquiry(inbox)
    owner = str(inquiry.owner_email)
    before = len(replies_to(owner))

    result = command(inbox, inquiry, "#won", verdicts=SesVerdicts(spf="FAIL", dkim="FAIL"))

    assert result["decision"] == "spoofed"
    assert stored(inbox.pipeline, inquiry.id).status == "assigned"
    assert len(replies_to(owner)) == before  # no answer to a forger


def test_a_copy_of_an_answer_to_the_buyer_is_logged_not_run_as_a_command(inbox: Inbox) -> None:
    inquiry = mailed_inquiry(inbox)
    answer = buyer_mail(
        f"Re: [{inquiry.reference}]",
        "#1 priority for us: offer attached.",
        sender=f"Rep <{inquiry.owner_email}>",
        to=BUYER,
    )

    result = inbox.receive(answer, recipients=[LOG])

    assert result["decision"] == "rep_log"
    assert stored(inbox.pipeline, inquiry.id).status == "responded"


def test_a_command_reaches_the_table_as_one_status_change_like_the_button(inbox: Inbox) -> None:
    inquiry = mailed_inquiry(inbox)

    command(inbox, inquiry, "#quoted")
    command(inbox, inquiry, "#negotiating")
    command(inbox, inquiry, "#won")

    final = stored(inbox.pipeline, inquiry.id)
    assert [c.to_status for c in final.transitions] == ["quoted", "negotiating", "won"]
    events = inbox.pipeline.dynamodb.query(
        TableName=TABLE_NAME,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :events)",
        ExpressionAttributeValues={":pk": {"S": f"CONTACT#{BUYER}"}, ":events": {"S": "EVENT#"}},
    )["Items"]
    assert sum(1 for e in events if e["kind"]["S"] == "status_changed") == 3
