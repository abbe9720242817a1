"""Mail to sales@ on moto: the raw message in S3 as SES's S3 action leaves it, the SES receipt event
to the inbound function, then the router and the mailer as in production.

What the buyer, the rep and the admin would notice is asserted: who gets which mail, what the
timeline and the inquiry say, the decision stored with its reason, nothing twice.
"""

from __future__ import annotations

import copy
import email
import re
import uuid
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid
from pathlib import Path
from typing import Any

import boto3
import pytest

from inquiry_router.adapters import keys, queries
from inquiry_router.adapters.raw_mail import RawMailMissing
from inquiry_router.adapters.serialization import from_attributes, to_attributes
from inquiry_router.adapters.status_changes import StatusChanges
from inquiry_router.inbound.receipt import InvalidReceiptEvent, SesReceipt, receipt_event
from inquiry_router.inbound.triage import SesVerdicts
from inquiry_router.models.lifecycle import Channel, Status
from inquiry_router.models.settings import Retention
from tests.conftest import TABLE_NAME, LambdaFunction
from tests.support.events import load_event
from tests.support.items import contact_timeline, get_inquiry
from tests.support.pipeline import (
    FILES_URL,
    RAW_MAIL_BUCKET,
    REGION,
    Pipeline,
    lambda_context,
    sent_mails,
    start_pipeline,
)
from tests.support.routing import DOMAIN

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
BUYER = "li.wei.trading@gmail.com"
SALES = f"sales@in.{DOMAIN}"
LOG = f"log@in.{DOMAIN}"
THREAD = f"reply@in.{DOMAIN}"  # derived from INBOUND_DOMAIN: in every acknowledgement's Reply-To


class Inbox:
    """SES receiving on moto: store the raw message under raw/<id>, invoke the function."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.s3 = boto3.client("s3", region_name=REGION)
        self.handler = LambdaFunction("inbound")  # built from the pipeline's environment at first use

    def receive(
        self,
        raw: bytes,
        *,
        recipients: list[str] | None = None,
        message_id: str | None = None,
        verdicts: SesVerdicts | None = None,
        at: datetime | None = None,
    ) -> dict[str, Any]:
        message_id = message_id or uuid.uuid4().hex
        self.s3.put_object(Bucket=RAW_MAIL_BUCKET, Key=f"raw/{message_id}", Body=raw)
        return self.deliver(message_id, recipients=recipients, verdicts=verdicts, at=at)

    def deliver(
        self,
        message_id: str,
        *,
        recipients: list[str] | None = None,
        verdicts: SesVerdicts | None = None,
        at: datetime | None = None,
    ) -> dict[str, Any]:
        event = receipt_event(
            message_id,
            recipients=recipients or [SALES],
            received_at=at or datetime.now(UTC),
            verdicts=verdicts,
        )
        result: dict[str, Any] = self.handler(event, lambda_context("inbound"))
        return {**result, "id": message_id}

    def record(self, message_id: str) -> dict[str, Any]:
        answer = self.pipeline.dynamodb.get_item(
            TableName=TABLE_NAME, Key=to_attributes(keys.inbound_mail_key(message_id))
        )
        return from_attributes(answer["Item"])


@pytest.fixture
def inbox(dynamodb: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Inbox:
    return Inbox(start_pipeline(dynamodb, monkeypatch, tmp_path))


def buyer_mail(
    subject: str = "Street lights for a project in Malaysia",
    body: str = "Hello,\n\nWe need 300 solar street lights (60 W) for Penang. Please quote FOB Shenzhen.\n",
    *,
    sender: str = f"Wei Li <{BUYER}>",
    to: str = f"sales@{DOMAIN}",
    attachment: tuple[str, bytes] | None = None,
    **headers: str,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4().hex}@mail.gmail.com>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    if attachment:
        name, data = attachment
        message.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    return message.as_bytes()


def download(link: str, files: LambdaFunction | None = None) -> dict[str, Any]:
    """The files function's answer to a click on `link` (a new one's, unless `files` is given)."""
    token = link.rsplit("/", 1)[1]
    event = copy.deepcopy(load_event("files-get.json"))
    event["rawPath"] = event["requestContext"]["http"]["path"] = f"/files/{token}"
    event["pathParameters"] = {"token": token}
    result: dict[str, Any] = (files or LambdaFunction("files"))(event, lambda_context("files"))
    return result


def test_an_unknown_or_expired_link_says_so_and_reveals_nothing(inbox: Inbox) -> None:
    inbox.receive(buyer_mail(attachment=("offer.pdf", b"%PDF offer")))
    inbox.pipeline.run()
    [forward] = [m for m in sent_mails() if m.message["To"].addresses[0].addr_spec != BUYER]
    link = re.findall(re.escape(FILES_URL) + r"/[A-Za-z0-9_-]+", forward.text)[0]
    token = link.rsplit("/", 1)[1]
    inbox.pipeline.dynamodb.update_item(
        TableName=TABLE_NAME,
        Key=to_attributes(keys.download_link_key(token)),
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": {"N": "1000"}},
    )

    for answer in (
        download(link),
        download(f"{FILES_URL}/unknownTokenOfGoodLength"),
        download(f"{FILES_URL}/x"),
    ):
        assert answer["statusCode"] == 410
        assert "expired" in answer["body"]
        assert "Location" not in answer.get("headers", {})


def inquiries(dynamodb: Any) -> list[dict[str, Any]]:
    answer = dynamodb.scan(
        TableName=TABLE_NAME,
        FilterExpression="entity = :inquiry",
        ExpressionAttributeValues={":inquiry": {"S": "inquiry"}},
    )
    return [from_attributes(item) for item in answer["Items"]]


def addresses(header: str | None) -> list[str]:
    return [address for _, address in getaddresses([header or ""])]


def test_the_sample_event_reads_as_a_receipt() -> None:
    receipt = SesReceipt.from_event(load_event("inbound-ses-receipt.json"))
    assert receipt.message_id == "o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1"
    assert receipt.recipients == ("sales@in.sunrise-lighting.com",)
    assert receipt.verdicts.spam == "PASS"


def test_anything_but_a_receipt_event_is_refused_with_a_message_to_act_on() -> None:
    with pytest.raises(InvalidReceiptEvent, match=r"Records\[0\]\.ses\.mail\.messageId"):
        SesReceipt.from_event({"Records": [{"body": "{}"}]})
    with pytest.raises(InvalidReceiptEvent, match="not an SES message id"):
        SesReceipt.from_event({"Records": [{"ses": {"mail": {"messageId": "../raw/x"}}}]})


def test_a_new_mail_becomes_an_assigned_inquiry_the_buyer_is_acknowledged_and_the_rep_gets_a_forward(
    inbox: Inbox,
) -> None:
    # Given a buyer's mail with a PDF to sales@
    raw = buyer_mail(attachment=("Spec sheet 规格.pdf", b"%PDF-1.4 spec"))

    # When SES receives it and the pipeline runs
    result = inbox.receive(raw)
    inbox.pipeline.run()

    # Then it is one inquiry by mail, assigned, with the attachment kept in S3
    assert result["decision"] == "new_inquiry"
    [inquiry] = inquiries(inbox.pipeline.dynamodb)
    assert inquiry["channel"] == "mail"
    assert inquiry["status"] == "assigned"
    assert inquiry["email"] == BUYER
    assert inquiry["name"] == "Wei Li"
    assert inquiry["subject"] == "Street lights for a project in Malaysia"
    assert "300 solar street lights" in inquiry["message"]
    [attachment] = inquiry["attachments"]
    assert attachment["name"] == "Spec sheet 规格.pdf"
    stored = inbox.s3.get_object(Bucket=RAW_MAIL_BUCKET, Key=attachment["key"])
    assert stored["Body"].read() == b"%PDF-1.4 spec"
    assert "规格" in stored["ContentDisposition"] or "%E8%A7%84" in stored["ContentDisposition"]

    # And the buyer got the acknowledgement, the owner the forward: buyer's name via us, Reply-To buyer
    mails = {m.message["To"].addresses[0].addr_spec: m for m in sent_mails()}
    assert set(mails) == {BUYER, inquiry["owner_email"]}
    forward = mails[inquiry["owner_email"]].message
    assert forward["From"].addresses[0].display_name.startswith("Wei Li via Sunrise Lighting")
    assert forward["From"].addresses[0].addr_spec == f"sales@{DOMAIN}"
    assert addresses(forward["Reply-To"]) == [BUYER]
    text = mails[inquiry["owner_email"]].text
    assert "Spec sheet 规格.pdf" in text
    links = re.findall(re.escape(FILES_URL) + r"/[A-Za-z0-9_-]+", text)
    assert len(links) == 2  # the attachment and the full original

    # And each link downloads its file (a fresh presigned URL per click), under its own name
    attachment_link, original_link = links
    redirect = download(attachment_link)
    assert redirect["statusCode"] == 302
    location = redirect["headers"]["Location"]
    assert f"/{RAW_MAIL_BUCKET}/attachments/" in location or f"{RAW_MAIL_BUCKET}.s3" in location
    assert "X-Amz-Expires=300" in location
    assert "response-content-disposition" in location
    assert download(original_link)["statusCode"] == 302

    # And the decision is stored with its reason
    record = inbox.record(result["id"])
    assert record["decision"] == "new_inquiry"
    assert record["inquiry_id"] == inquiry["id"]
    assert record["reason"]


def test_a_duplicate_delivery_creates_nothing_and_sends_nothing_twice(inbox: Inbox) -> None:
    first = inbox.receive(buyer_mail())
    inbox.pipeline.run()
    sent = len(sent_mails())

    again = inbox.deliver(first["id"])
    inbox.pipeline.run()

    assert again["decision"] == "new_inquiry"
    assert len(inquiries(inbox.pipeline.dynamodb)) == 1
    assert len(sent_mails()) == sent == 2


def test_a_duplicate_delivery_after_a_crash_mid_way_reuses_the_stored_inquiry(inbox: Inbox) -> None:
    # Given a first delivery that stored the inquiry but died before recording the mail as done
    first = inbox.receive(buyer_mail())
    inbox.pipeline.dynamodb.delete_item(
        TableName=TABLE_NAME, Key=to_attributes(keys.inbound_mail_key(first["id"]))
    )

    # When Lambda retries the event
    inbox.deliver(first["id"])

    # Then the intake's idempotency guard returns the same inquiry
    assert len(inquiries(inbox.pipeline.dynamodb)) == 1
    assert inbox.record(first["id"])["inquiry_id"] == inquiries(inbox.pipeline.dynamodb)[0]["id"]


def acknowledgement(inquiry: dict[str, Any]) -> EmailMessage:
    """The acknowledgement as the buyer's mail client received it: the raw bytes SES was given."""
    [raw] = [m.raw for m in sent_mails() if m.message["Message-ID"] == inquiry["acknowledgement_message_id"]]
    message = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def client_reply(original: EmailMessage, body: str, *, drop: str | None = None) -> bytes:
    """What Thunderbird or Gmail send when the buyer presses Reply: To is the Reply-To list (less
    an address the buyer deleted), "Re: " + the subject, the thread headers, the text quoted."""
    reply = EmailMessage()
    reply["From"] = f"Wei Li <{BUYER}>"
    reply["To"] = [a for a in original["Reply-To"].addresses if a.addr_spec != drop]
    reply["Subject"] = f"Re: {original['Subject']}"
    reply["Date"] = format_datetime(datetime.now(UTC))
    reply["Message-ID"] = make_msgid(domain="mail.gmail.com")
    reply["In-Reply-To"] = original["Message-ID"]
    reply["References"] = " ".join(filter(None, [original["References"], original["Message-ID"]]))
    original_text = original.get_body(("plain",))
    assert original_text is not None
    quoted = "\n".join(f"> {line}" for line in original_text.get_content().splitlines())  # type: ignore[attr-defined]
    reply.set_content(f"{body}\n\nOn {original['Date']}, {original['From']} wrote:\n{quoted}\n")
    return reply.as_bytes()


def test_a_buyers_reply_reaches_the_rep_directly_and_the_timeline_through_the_thread_address(
    inbox: Inbox,
) -> None:
    # Given an assigned inquiry whose buyer got the acknowledgement
    inbox.receive(buyer_mail())
    inbox.pipeline.run()
    [inquiry] = inquiries(inbox.pipeline.dynamodb)
    owner = inquiry["owner_email"]
    ack = acknowledgement(inquiry)
    assert [a.addr_spec for a in ack["Reply-To"].addresses] == [owner, THREAD]
    before = len(sent_mails())

    # When the buyer presses Reply: their provider delivers one message to the rep's mailbox and
    # to the thread address, and only the thread address is received by SES
    reply = client_reply(ack, "Thanks. Can you do 400 pieces?")
    result = inbox.receive(reply, recipients=[THREAD])
    inbox.pipeline.run()

    # Then the reply is on the buyer's timeline, and nothing is forwarded: the rep has it already
    assert result["decision"] == "thread_reply"
    assert result["inquiry_id"] == inquiry["id"]
    assert f"not forwarded: {owner} was among its recipients" in inbox.record(result["id"])["reason"]
    [replied] = [
        e
        for e in contact_timeline(inbox.pipeline.dynamodb, TABLE_NAME, BUYER)
        if e["kind"] == "buyer_replied"
    ]
    assert "400 pieces" in replied["summary"]
    assert len(sent_mails()) == before
    assert len(inquiries(inbox.pipeline.dynamodb)) == 1


def test_a_reply_from_which_the_buyer_removed_the_rep_is_forwarded_to_them(inbox: Inbox) -> None:
    # Given an assigned inquiry whose buyer was acknowledged
    inbox.receive(buyer_mail())
    inbox.pipeline.run()
    [inquiry] = inquiries(inbox.pipeline.dynamodb)
    ack = acknowledgement(inquiry)
    before = len(sent_mails())

    # When the buyer answers to the thread address only (they deleted the rep), with a drawing
    reply = email.message_from_bytes(
        client_reply(ack, "Here are the drawings.", drop=inquiry["owner_email"]), policy=policy.default
    )
    assert isinstance(reply, EmailMessage)
    assert [a for _, a in getaddresses([str(reply["To"])])] == [THREAD]
    reply.add_attachment(b"%PDF drawing", maintype="application", subtype="pdf", filename="drawing.pdf")
    result = inbox.receive(reply.as_bytes(), recipients=[THREAD])
    inbox.pipeline.run()

    # Then there is no new inquiry and no new acknowledgement, but the owner got the reply
    assert result["decision"] == "thread_reply"
    assert len(inquiries(inbox.pipeline.dynamodb)) == 1
    [forward] = sent_mails()[before:]
    assert forward.message["To"].addresses[0].addr_spec == inquiry["owner_email"]
    assert forward.message["In-Reply-To"] == inquiry["notification_message_id"]
    assert addresses(forward.message["Reply-To"]) == [BUYER]
    assert "Here are the drawings." in forward.text
    ack_body = ack.get_body(("plain",))
    assert ack_body is not None
    quoted_line = max(ack_body.get_content().splitlines(), key=len)  # type: ignore[attr-defined]
    assert quoted_line not in forward.text  # the quoted acknowledgement is stripped
    assert "drawing.pdf" in forward.text
    assert inquiry["reference"] in str(forward.message["Subject"])

    # And the buyer's timeline shows the reply
    kinds = [e["kind"] for e in contact_timeline(inbox.pipeline.dynamodb, TABLE_NAME, BUYER)]
    assert "buyer_replied" in kinds
    assert "reply_forwarded" in kinds
    assert get_inquiry(inbox.pipeline.dynamodb, TABLE_NAME, inquiry["id"])["last_reply_at"]  # type: ignore[index]


def test_a_reference_in_the_subject_threads_a_reply_that_lost_its_headers(inbox: Inbox) -> None:
    inbox.receive(buyer_mail())
    inbox.pipeline.run()
    [inquiry] = inquiries(inbox.pipeline.dynamodb)

    result = inbox.receive(buyer_mail(f"AW: [{inquiry['reference']}] price", "OK for 300 pcs."))

    assert result["decision"] == "thread_reply"
    assert inquiry["reference"] in inbox.record(result["id"])["reason"]
    assert len(inquiries(inbox.pipeline.dynamodb)) == 1


def test_a_reference_that_matches_nothing_still_becomes_an_inquiry(inbox: Inbox) -> None:
    result = inbox.receive(buyer_mail("Re: [INQ-ZZZZZZ] old quote", "Is the old price still valid?"))

    assert result["decision"] == "new_inquiry"
    assert "no stored inquiry matches" in result["reason"]
    assert len(inquiries(inbox.pipeline.dynamodb)) == 1


def test_a_reps_forward_of_a_buyers_mail_is_filed_under_the_buyer_and_not_acknowledged(inbox: Inbox) -> None:
    # Given a rep who got a buyer's mail in their own mailbox and forwards it to sales@
    forward = buyer_mail(
        "Fwd: LED panels",
        "Please file this one.\n\n---------- Forwarded message ---------\n"
        "From: Ana García <ana@importadora-sol.es>\nDate: Mon, 3 Jun 2024 at 10:02\n"
        "Subject: LED panels\nTo: Bob <bob@sunrise-lighting.com>\n\nPlease quote 2,000 LED panels.\n",
        sender=f"Bob <bob@{DOMAIN}>",
    )

    # When it arrives and the pipeline runs
    result = inbox.receive(forward)
    inbox.pipeline.run()

    # Then the inquiry is the buyer's, with their words, and only the owner is mailed
    assert result["decision"] == "new_inquiry"
    assert "forwarded by bob@" in result["reason"]
    [inquiry] = inquiries(inbox.pipeline.dynamodb)
    assert (inquiry["email"], inquiry["name"]) == ("ana@importadora-sol.es", "Ana García")
    assert inquiry["message"] == "Please quote 2,000 LED panels."
    assert [m.message["To"].addresses[0].addr_spec for m in sent_mails()] == [inquiry["owner_email"]]
    timeline = contact_timeline(inbox.pipeline.dynamodb, TABLE_NAME, "ana@importadora-sol.es")
    assert any(e["kind"] == "acknowledgement_skipped" and "forwarded by" in e["summary"] for e in timeline)


def test_a_colleague_writing_to_sales_is_not_acknowledged(inbox: Inbox) -> None:
    inbox.receive(buyer_mail("Stock question", "Do we have 600x600 panels in stock?", sender=f"ops@{DOMAIN}"))
    inbox.pipeline.run()

    assert all(m.message["To"].addresses[0].addr_spec != f"ops@{DOMAIN}" for m in sent_mails())


def test_a_vacation_reply_is_stored_as_automated_and_nothing_is_sent(inbox: Inbox) -> None:
    result = inbox.receive((FIXTURES / "gmail_vacation.eml").read_bytes())
    inbox.pipeline.run()

    assert result["decision"] == "automated"
    assert inquiries(inbox.pipeline.dynamodb) == []
    assert sent_mails() == []
    record = inbox.record(result["id"])
    assert record["reason"]
    assert record["expires_at"]


@pytest.mark.parametrize(
    ("verdicts", "decision"),
    [
        (SesVerdicts(spam="PASS", virus="FAIL"), "quarantine"),
        (SesVerdicts(spam="FAIL", virus="PASS"), "spam"),
        (SesVerdicts(dmarc="FAIL", dmarc_policy="REJECT"), "spoofed"),
    ],
)
def test_ses_verdicts_decide_before_anything_is_sent(
    inbox: Inbox, verdicts: SesVerdicts, decision: str
) -> None:
    result = inbox.receive(buyer_mail(), verdicts=verdicts)
    inbox.pipeline.run()

    assert result["decision"] == decision
    assert inquiries(inbox.pipeline.dynamodb) == []
    assert sent_mails() == []


@pytest.mark.parametrize("policy", ["QUARANTINE", "NONE"])
def test_a_dmarc_failure_is_forwarded_to_the_rep_with_a_warning_and_never_acknowledged(
    inbox: Inbox, policy: str
) -> None:
    # Given a mail whose sender's domain says it did not send it (DMARC FAIL, not reject)
    verdicts = SesVerdicts(
        spam="PASS", virus="PASS", spf="FAIL", dkim="FAIL", dmarc="FAIL", dmarc_policy=policy
    )

    # When it arrives and the pipeline runs through to the mailer
    result = inbox.receive(buyer_mail(), verdicts=verdicts)
    inbox.pipeline.run()

    # Then it is an inquiry, its owner is told plainly not to trust it, and the (maybe forged)
    # sender gets nothing
    assert result["decision"] == "new_inquiry"
    [inquiry] = inquiries(inbox.pipeline.dynamodb)
    assert "DMARC failed for gmail.com" in inquiry["sender_unverified"]
    assert "not acknowledged" in inquiry["acknowledgement_paused"]
    [notification] = sent_mails()
    assert notification.message["To"].addresses[0].addr_spec == inquiry["owner_email"]
    assert "Sender NOT verified" in notification.text
    assert "Do not trust its links or attachments" in notification.html
    timeline = contact_timeline(inbox.pipeline.dynamodb, TABLE_NAME, BUYER)
    assert any(e["kind"] == "acknowledgement_skipped" and "DMARC failed" in e["summary"] for e in timeline)


@pytest.mark.parametrize("snoozed", [False, True], ids=["assigned", "snoozed before an answer"])
def test_a_reps_bcc_copy_marks_the_inquiry_responded_with_its_first_response_time(
    inbox: Inbox, snoozed: bool
) -> None:
    # Given an inquiry assigned an hour ago (and, in the second case, snoozed since)
    received = datetime.now(UTC) - timedelta(hours=1)
    inbox.receive(buyer_mail(), at=received)
    inbox.pipeline.run()
    [inquiry] = inquiries(inbox.pipeline.dynamodb)
    owner = inquiry["owner_email"]
    load_before = _open_load(inbox, owner)
    if snoozed:
        stored_inquiry = queries.get_inquiry(inbox.pipeline.dynamodb, TABLE_NAME, inquiry["id"])
        assert stored_inquiry is not None
        StatusChanges(inbox.pipeline.dynamodb, TABLE_NAME, retention=Retention()).change(
            stored_inquiry, Status.SNOOZED, by=owner, channel=Channel.CLI, now=datetime.now(UTC)
        )

    # When the owner answers from their own mailbox with the logging address in Bcc
    answer = buyer_mail(
        f"Re: [{inquiry['reference']}] Street lights",
        "Dear Wei, please find our offer attached.",
        sender=f"Rep <{owner}>",
        to=f"Wei Li <{BUYER}>",
    )
    result = inbox.receive(answer, recipients=[LOG])

    # Then the inquiry is responded, with the time it took, and the rep's open load goes down
    assert result["decision"] == "rep_log"
    stored = get_inquiry(inbox.pipeline.dynamodb, TABLE_NAME, inquiry["id"])
    assert stored is not None
    assert stored["status"] == "responded"
    assert stored["responded_by"] == owner
    assert 3500 <= stored["first_response_seconds"] <= 3700
    assert stored["first_response_via"] == "mail_copy"
    assert "snoozed_from" not in stored  # the answer woke it
    assert (stored["transitions"][-1]["to"], stored["transitions"][-1]["channel"]) == (
        "responded",
        "mail_copy",
    )
    assert _open_load(inbox, owner) == load_before - 1
    timeline = contact_timeline(inbox.pipeline.dynamodb, TABLE_NAME, BUYER)
    assert any(e["kind"] == "rep_replied" and e["by"] == owner for e in timeline)

    # And a second answer is logged without counting again
    inbox.receive(
        buyer_mail(f"Re: [{inquiry['reference']}] more", "PS", sender=owner, to=BUYER), recipients=[LOG]
    )
    assert _open_load(inbox, owner) == load_before - 1
    assert sent_mails()[-1].message["To"].addresses[0].addr_spec != LOG  # nothing was mailed out


def test_a_forged_reps_copy_does_not_mark_the_inquiry_answered(inbox: Inbox) -> None:
    inbox.receive(buyer_mail())
    inbox.pipeline.run()
    [inquiry] = inquiries(inbox.pipeline.dynamodb)
    forged = buyer_mail(f"Re: [{inquiry['reference']}]", "Done.", sender=inquiry["owner_email"], to=BUYER)

    result = inbox.receive(forged, recipients=[LOG], verdicts=SesVerdicts(spf="FAIL", dkim="FAIL"))

    assert result["decision"] == "spoofed"
    assert get_inquiry(inbox.pipeline.dynamodb, TABLE_NAME, inquiry["id"])["status"] == "assigned"  # type: ignore[index]


SPF_FOR_ANOTHER_DOMAIN = SesVerdicts(
    spam="PASS", virus="PASS", spf="PASS", dkim="GRAY", dmarc="GRAY", mail_from="bounce@evil.example"
)
SES_DKIM_FOR_EVIL = (
    "Authentication-Results: amazonses.com; spf=fail envelope-from=x@evil.example;"
    " dkim=pass header.i=@evil.example; dmarc=none header.from=sunrise-lighting.com"
)


@pytest.mark.parametrize("route", ["logging address", "thread reply to sales@"])
@pytest.mark.parametrize(
    ("top_header", "verdicts"),
    [
        (None, SPF_FOR_ANOTHER_DOMAIN),
        (SES_DKIM_FOR_EVIL, SesVerdicts(spam="PASS", virus="PASS", spf="FAIL", dkim="PASS", dmarc="GRAY")),
    ],
    ids=["spf-pass-for-the-attackers-envelope", "dkim-pass-for-d-evil"],
)
def test_mail_forged_from_a_rep_acts_on_nothing(
    inbox: Inbox, route: str, top_header: str | None, verdicts: SesVerdicts
) -> None:
    # Given an assigned inquiry
    inbox.receive(buyer_mail())
    inbox.pipeline.run()
    [inquiry] = inquiries(inbox.pipeline.dynamodb)
    owner = inquiry["owner_email"]
    load, timeline, sent = _open_load(inbox, owner), _timeline(inbox), len(sent_mails())

    # When a stranger sends "the rep's answer" (SPF or DKIM passing, but for their own domain)
    forged = buyer_mail(f"Re: [{inquiry['reference']}] offer", "Done, see attached.", sender=owner, to=BUYER)
    if top_header:
        forged = f"{top_header}\r\n".encode() + forged
    result = inbox.receive(
        forged, recipients=[LOG] if route == "logging address" else [SALES], verdicts=verdicts
    )
    inbox.pipeline.run()

    # Then it is stored as spoofed and nothing changed: status, timeline, load, mail
    assert result["decision"] == "spoofed"
    assert "not authenticated as sunrise-lighting.com" in inbox.record(result["id"])["reason"]
    assert get_inquiry(inbox.pipeline.dynamodb, TABLE_NAME, inquiry["id"])["status"] == "assigned"  # type: ignore[index]
    assert _timeline(inbox) == timeline
    assert _open_load(inbox, owner) == load
    assert len(sent_mails()) == sent


def test_a_reps_authenticated_reply_all_on_the_thread_marks_the_inquiry_responded(inbox: Inbox) -> None:
    inbox.receive(buyer_mail())
    inbox.pipeline.run()
    [inquiry] = inquiries(inbox.pipeline.dynamodb)
    owner = inquiry["owner_email"]
    signed = (
        f"Authentication-Results: amazonses.com; spf=pass envelope-from={owner};"
        " dkim=pass header.i=@sunrise-lighting.com; dmarc=none header.from=sunrise-lighting.com\r\n"
    ).encode()
    answer = signed + buyer_mail(
        f"Re: [{inquiry['reference']}] offer", "Offer attached.", sender=owner, to=BUYER
    )

    result = inbox.receive(answer, verdicts=SesVerdicts(spam="PASS", virus="PASS", dkim="PASS", dmarc="GRAY"))

    assert result["decision"] == "rep_log"
    answered = get_inquiry(inbox.pipeline.dynamodb, TABLE_NAME, inquiry["id"])
    assert answered is not None
    assert answered["status"] == "responded"
    # Shown by the buyer's thread, not by a BCC copy: the report says which
    assert answered["first_response_via"] == "mail_thread"
    assert answered["transitions"][-1]["channel"] == "mail_thread"


def _timeline(inbox: Inbox) -> list[dict[str, Any]]:
    return contact_timeline(inbox.pipeline.dynamodb, TABLE_NAME, BUYER)


def test_mail_to_the_logging_address_from_anyone_else_is_ignored_and_recorded(inbox: Inbox) -> None:
    stranger = inbox.receive(buyer_mail(to=LOG), recipients=[LOG])
    colleague = inbox.receive(buyer_mail(sender=f"accounts@{DOMAIN}", to=BUYER), recipients=[LOG])

    assert stranger["decision"] == "spam"
    assert colleague["decision"] == "rep_log"
    assert "not a rep" in inbox.record(colleague["id"])["reason"]
    assert inquiries(inbox.pipeline.dynamodb) == []


def test_a_bounce_of_our_acknowledgement_suppresses_acknowledgements_to_that_address(inbox: Inbox) -> None:
    # Given a buyer we acknowledged
    acknowledgement = _acknowledged(inbox, BUYER)

    # When the delivery report for that very message comes back
    result = inbox.receive(_dsn(BUYER, acknowledgement["Message-ID"]))

    # Then the contact is marked bounced and the next acknowledgement is not sent
    assert result["decision"] == "bounce"
    assert f"suppressed for acknowledgements: {BUYER}" in inbox.record(result["id"])["reason"]
    index = inbox.pipeline.dynamodb.get_item(
        TableName=TABLE_NAME, Key=to_attributes(keys.message_id_key(acknowledgement["Message-ID"]))
    )
    assert from_attributes(index["Item"])["recipient"] == BUYER  # what the report was checked against
    contact = _contact(inbox, BUYER)
    assert contact["bounced"] is True
    assert contact["suppressed"] is True
    before = len(sent_mails())
    inbox.receive(
        buyer_mail("Another request", "Also 50 flood lights."), at=datetime.now(UTC) + timedelta(days=2)
    )
    inbox.pipeline.run()
    assert sent_mails()[before:], "the rep is still notified"
    assert all(m.message["To"].addresses[0].addr_spec != BUYER for m in sent_mails()[before:])
    later = [i for i in inquiries(inbox.pipeline.dynamodb) if i.get("subject") == "Another request"]
    skipped = inbox.pipeline.dynamodb.get_item(
        TableName=TABLE_NAME, Key=to_attributes(keys.mail_job_guard_key(f"ack:{later[0]['id']}"))
    )
    assert from_attributes(skipped["Item"])["state"] == "skipped"
    assert "suppressed" in from_attributes(skipped["Item"])["reason"]


def test_a_delivery_report_naming_no_message_we_sent_suppresses_nothing(inbox: Inbox) -> None:
    # Given a buyer we acknowledged, and a forged report about them naming an invented Message-ID
    _acknowledged(inbox, BUYER)
    forged = _dsn(BUYER, "<20240611.forged.4711@example.com>")

    result = inbox.receive(forged)

    assert result["decision"] == "bounce"
    assert "not trusted: it names no message we sent" in inbox.record(result["id"])["reason"]
    assert "bounced" not in _contact(inbox, BUYER)


def test_a_delivery_report_with_our_message_id_but_another_recipient_suppresses_nothing(inbox: Inbox) -> None:
    # Given two buyers, each acknowledged
    first = _acknowledged(inbox, BUYER)
    other = "ana@importadora-sol.es"
    _acknowledged(inbox, other, sender=f"Ana García <{other}>")

    # When the first buyer's acknowledgement is named in a report claiming the other one failed
    result = inbox.receive(_dsn(other, first["Message-ID"]))

    reason = inbox.record(result["id"])["reason"]
    assert result["decision"] == "bounce"
    assert f"not trusted for {other}: the message it names" in reason
    assert "suppressed for acknowledgements" not in reason
    assert "bounced" not in _contact(inbox, other)
    assert "bounced" not in _contact(inbox, BUYER)


def test_a_delivery_report_naming_the_reps_notification_cannot_suppress_the_buyer(inbox: Inbox) -> None:
    # The rep's notification is ours too, but it went to the rep, not to the buyer.
    _acknowledged(inbox, BUYER)
    [notification] = [m for m in sent_mails() if m.message["To"].addresses[0].addr_spec != BUYER]

    result = inbox.receive(_dsn(BUYER, notification.message["Message-ID"]))

    assert "not trusted for" in inbox.record(result["id"])["reason"]
    assert "bounced" not in _contact(inbox, BUYER)


def test_a_complaint_about_our_acknowledgement_suppresses_the_complainer(inbox: Inbox) -> None:
    acknowledgement = _acknowledged(inbox, BUYER)

    result = inbox.receive(_arf(BUYER, acknowledgement["Message-ID"]))

    assert result["decision"] == "bounce"
    assert "spam complaint" in inbox.record(result["id"])["reason"]
    assert _contact(inbox, BUYER)["suppressed"] is True


def test_a_complaint_naming_no_message_of_ours_or_another_recipient_suppresses_nothing(inbox: Inbox) -> None:
    acknowledgement = _acknowledged(inbox, BUYER)
    other = "ana@importadora-sol.es"
    _acknowledged(inbox, other, sender=f"Ana García <{other}>")

    invented = inbox.receive(_arf(BUYER, "<0000.invented@example.com>"))
    misdirected = inbox.receive(_arf(other, acknowledgement["Message-ID"]))

    assert "not trusted: it names no message we sent" in inbox.record(invented["id"])["reason"]
    assert f"not trusted for {other}" in inbox.record(misdirected["id"])["reason"]
    assert "suppressed" not in _contact(inbox, BUYER)
    assert "suppressed" not in _contact(inbox, other)


def test_a_flood_from_one_sender_is_stored_but_no_longer_acknowledged(inbox: Inbox) -> None:
    results = [inbox.receive(buyer_mail(f"Request {n}", f"Message number {n}")) for n in range(7)]

    assert [r["decision"] for r in results] == ["new_inquiry"] * 7
    stored = inquiries(inbox.pipeline.dynamodb)
    assert len(stored) == 7
    paused = [i for i in stored if i.get("acknowledgement_paused")]
    assert len(paused) == 2  # the 6th and 7th
    assert "acknowledgements paused" in inbox.record(results[-1]["id"])["reason"]


def test_an_unreadable_message_is_stored_and_the_fallback_address_told(inbox: Inbox) -> None:
    result = inbox.receive(b"\r\n\r\n")
    inbox.pipeline.run()

    assert result["decision"] == "unparseable"
    [notice] = sent_mails()
    assert notice.message["To"].addresses[0].addr_spec == f"manager@{DOMAIN}"
    [link] = re.findall(re.escape(FILES_URL) + r"/[A-Za-z0-9_-]+", notice.text)
    assert f"raw/{result['id']}" in download(link)["headers"]["Location"]
    assert inbox.record(result["id"])["raw_mail_key"] == f"raw/{result['id']}"


def test_a_missing_raw_message_raises_so_lambda_retries(inbox: Inbox) -> None:
    with pytest.raises(RawMailMissing, match="does not exist"):
        inbox.deliver("never-stored")


def test_a_sender_name_cannot_add_a_header_to_the_reps_forward(inbox: Inbox) -> None:
    raw = (
        "From: =?utf-8?q?Evil=0D=0ABcc=3A_victim=40example=2Eorg?= <evil@importer.example>\r\n"
        f"To: sales@{DOMAIN}\r\nSubject: Quote\r\nMessage-ID: <x1@importer.example>\r\n\r\n"
        "Please quote 100 pcs.\r\n"
    )
    inbox.receive(raw.encode())
    inbox.pipeline.run()

    for mail in sent_mails():
        assert mail.message["Bcc"] is None
        recipients = [a.addr_spec for a in mail.message["To"].addresses]
        assert "victim@example.org" not in recipients


def _open_load(inbox: Inbox, owner: str) -> int:
    item = inbox.pipeline.dynamodb.get_item(TableName=TABLE_NAME, Key=to_attributes(keys.rep_load_key(owner)))
    return int(from_attributes(item.get("Item", {})).get("open", 0))


def _acknowledged(inbox: Inbox, buyer: str, *, sender: str | None = None) -> EmailMessage:
    """A new inquiry from `buyer`, assigned and acknowledged: the acknowledgement as sent."""
    before = len(sent_mails())
    inbox.receive(buyer_mail(sender=sender or f"Wei Li <{buyer}>"))
    inbox.pipeline.run()
    [acknowledgement] = [m for m in sent_mails()[before:] if m.message["To"].addresses[0].addr_spec == buyer]
    return acknowledgement.message


def _contact(inbox: Inbox, address: str) -> dict[str, Any]:
    answer = inbox.pipeline.dynamodb.get_item(
        TableName=TABLE_NAME, Key=to_attributes(keys.contact_key(address))
    )
    return from_attributes(answer["Item"])


def _dsn(failed: str, original_message_id: str) -> bytes:
    """A delivery report as Amazon SES's MTA writes one: `failed` failed, the original's headers returned."""
    raw = _with_failed_recipient((FIXTURES / "dsn_bounce.eml").read_bytes(), failed)
    raw = raw.replace(b"To: no.such.buyer@gmail.com", f"To: {failed}".encode())
    return raw.replace(b"<171234.acknowledgement@example.com>", original_message_id.encode())


def _arf(complainer: str, original_message_id: str) -> bytes:
    """An ARF complaint (RFC 5965) by `complainer` about the returned original."""
    raw = (FIXTURES / "arf_complaint.eml").read_bytes()
    raw = raw.replace(b"annoyed.buyer@yahoo.com", complainer.encode())
    return raw.replace(b"<171235.acknowledgement@example.com>", original_message_id.encode())


def _with_failed_recipient(raw: bytes, address: str) -> bytes:
    lines = []
    for line in raw.splitlines(keepends=True):
        if not line.lower().startswith((b"final-recipient", b"original-recipient")):
            lines.append(line)
            continue
        ending = b"\r\n" if line.endswith(b"\r\n") else b"\n"
        lines.append(line.split(b":", 1)[0] + b": rfc822; " + address.encode() + ending)
    assert len(lines) < len(raw.splitlines()) + 1
    return b"".join(lines)


@pytest.mark.parametrize(
    ("fixture_name", "email", "name", "subject"),
    [
        ("raw_utf8_local_part.eml", "josé@correos-sur.es", "José Gómez", "Petición de precios"),
        ("raw_utf8_chinese.eml", "li.wei@shenzhen-trade.cn", "李伟", "询价：太阳能路灯 300 套"),
        ("raw_gbk_header.eml", "wangwei@szmaoyi.cn", "王伟", "询价：LED路灯 镕"),
    ],
)
def test_raw_8bit_headers_make_a_readable_buyer_and_record(
    inbox: Inbox, fixture_name: str, email: str, name: str, subject: str
) -> None:
    result = inbox.receive((FIXTURES / fixture_name).read_bytes())

    assert result["decision"] == "new_inquiry"
    [inquiry] = inquiries(inbox.pipeline.dynamodb)
    assert (inquiry["email"], inquiry["name"], inquiry["subject"]) == (email, name, subject)
    assert inquiry["contact_key"] == email
    record = inbox.record(result["id"])
    assert record["from"] == {"name": name, "address": email}
    assert record["subject"] == subject
    timeline = contact_timeline(inbox.pipeline.dynamodb, TABLE_NAME, email)
    assert [e["kind"] for e in timeline] == ["inquiry_received"]
