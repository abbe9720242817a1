"""`inquiry-router contacts export` and `contacts erase` against the real pipeline on moto: a form
post through the intake, the router and the mailer, the buyer's reply with an attachment through
the inbound function; then what the export lists, and what the erasure leaves: nothing of the
person anywhere in the table or in any bucket, only the digest-only erasure record.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import boto3
import pytest

from inquiry_router.adapters import keys
from inquiry_router.adapters.mail_records import MailRecords
from inquiry_router.adapters.serialization import from_attributes, to_attributes
from inquiry_router.base.addresses import canonical_mailbox
from inquiry_router.base.digests import guard_digest
from inquiry_router.base.timestamps import iso_timestamp
from inquiry_router.inbound.receipt import receipt_event
from inquiry_router.models.erasure import erased_address_digest
from inquiry_router.models.mail_record import SentMail
from tests.conftest import TABLE_NAME, LambdaFunction
from tests.support import cli
from tests.support.cli import at_terminal, fake_stack, without_terminal
from tests.support.events import json_post
from tests.support.pipeline import (
    RAW_MAIL_BUCKET,
    REGION,
    Pipeline,
    lambda_context,
    sent_mails,
    start_pipeline,
)
from tests.support.routing import DOMAIN

Invoke = Callable[[dict[str, Any]], dict[str, Any]]

SALT = "stack-secret-for-erasure"
ANA = "Ana.Garcia@Importadora-Sol.es"
ANA_KEY = ANA.lower()
ANA_NAME = "Ana García Zapatero"
LUIS = "luis.ortega@importadora-sol.es"
THREAD = f"reply@in.{DOMAIN}"
# Words only Ana wrote: none may be left anywhere after her erasure.
ANA_WORDS = ("quasar7781", "nebula4412", "orion5531")


@pytest.fixture
def pipeline(dynamodb: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Pipeline:
    """The pipeline with the stack's guard salt, and the stack as the CLI finds it (its outputs)."""
    monkeypatch.setenv("GUARD_SALT", SALT)
    started = start_pipeline(dynamodb, monkeypatch, tmp_path)
    secret = boto3.client("secretsmanager", region_name=REGION).create_secret(
        Name="GuardSaltSecret", SecretString=SALT
    )
    fake_stack(
        {"TableName": TABLE_NAME, "RawMailBucketName": RAW_MAIL_BUCKET, "GuardSaltSecretArn": secret["ARN"]}
    )
    return started


def post(intake: Invoke, email: str, message: str, subject: str, **fields: Any) -> dict[str, Any]:
    answer = intake(json_post({"email": email, "message": message, "subject": subject, **fields}))
    assert answer["statusCode"] in (201, 202), answer
    return dict(json.loads(answer["body"]))


def post_from_ana(intake: Invoke, subject: str = "Paneles LED", word: str = "quasar7781") -> dict[str, Any]:
    return post(
        intake,
        ANA,
        f"We need 500 LED panels for a warehouse in Valencia ({word}).",
        subject,
        name=ANA_NAME,
        company="Importadora Sol",
        phone="+34 961 234 567",
        consent=True,
    )


def receive(raw: bytes, recipients: list[str]) -> dict[str, Any]:
    """SES receiving: the raw message under raw/<id>, the receipt event to the inbound function."""
    message_id = uuid.uuid4().hex
    boto3.client("s3", region_name=REGION).put_object(
        Bucket=RAW_MAIL_BUCKET, Key=f"raw/{message_id}", Body=raw
    )
    event = receipt_event(message_id, recipients=recipients, received_at=datetime.now(UTC))
    result: dict[str, Any] = LambdaFunction("inbound")(event, lambda_context("inbound"))
    return {**result, "id": message_id}


def acknowledgement_to(address: str) -> EmailMessage:
    [mail] = [m for m in sent_to(address) if "Reply-To" in m.message]
    parsed = message_from_bytes(mail.raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def sent_to(address: str) -> list[Any]:
    return [m for m in sent_mails() if m.message["To"].addresses[0].addr_spec.lower() == address.lower()]


def reply_with_drawing(ack: EmailMessage, subject: str | None = None) -> bytes:
    """Ana's reply to the thread address only (so it is forwarded to her rep, with a link)."""
    reply = EmailMessage()
    reply["From"] = f"{ANA_NAME} <{ANA}>"
    reply["To"] = THREAD
    reply["Subject"] = subject or f"Re: {ack['Subject']}"
    reply["Message-ID"] = f"<{uuid.uuid4().hex}@importadora-sol.es>"
    reply["In-Reply-To"] = ack["Message-ID"]
    reply["References"] = ack["Message-ID"]
    reply.set_content("The drawing is attached (nebula4412).\n\nAna García Zapatero\nImportadora Sol\n")
    reply.add_attachment(
        b"%PDF-1.4 orion5531", maintype="application", subtype="pdf", filename="plano-garcia.pdf"
    )
    return reply.as_bytes()


def out_of_office() -> bytes:
    """Ana's auto-reply: kept as `automated`, on no timeline and no inquiry."""
    message = EmailMessage()
    message["From"] = f"{ANA_NAME} <{ANA}>"
    message["To"] = f"sales@in.{DOMAIN}"
    message["Subject"] = "Automatic reply: out of office"
    message["Auto-Submitted"] = "auto-replied"
    message["Message-ID"] = f"<{uuid.uuid4().hex}@importadora-sol.es>"
    message.set_content("I am out of the office until Monday. Ana García Zapatero")
    return message.as_bytes()


def table_items(dynamodb: Any) -> list[dict[str, Any]]:
    """Every item of the table (a test may scan; the code may not)."""
    items, start = [], None
    while True:
        page = dynamodb.scan(TableName=TABLE_NAME, **({"ExclusiveStartKey": start} if start else {}))
        items += [from_attributes(item) for item in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            return items


def stored_objects() -> list[tuple[str, str, bytes]]:
    """Every object of every bucket, with its bytes."""
    s3 = boto3.client("s3", region_name=REGION)
    found = []
    for bucket in (b["Name"] for b in s3.list_buckets()["Buckets"]):
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for entry in page.get("Contents", []):
                body = s3.get_object(Bucket=bucket, Key=entry["Key"])["Body"].read()
                found.append((bucket, entry["Key"], body))
    return found


def mentions(value: Any, needles: tuple[str, ...]) -> list[str]:
    text = (value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)).lower()
    return [needle for needle in needles if needle.lower() in text]


ANA_TRACES = (ANA_KEY, "zapatero", ANA_NAME, *ANA_WORDS)


def traces_left(dynamodb: Any, needles: tuple[str, ...]) -> list[str]:
    left = [
        f"{i['PK']} / {i['SK']}: {mentions(i, needles)}"
        for i in table_items(dynamodb)
        if mentions(i, needles)
    ]
    for bucket, key, body in stored_objects():
        found = mentions(f"{key}\n{body.decode('utf-8', 'replace')}", needles)
        if found:
            left.append(f"s3://{bucket}/{key}: {found}")
    return left


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """The CLI's answer alone: what the functions printed before (logs, metrics) is dropped."""
    capsys.readouterr()
    return cli.run(capsys, *argv)


def export(capsys: pytest.CaptureFixture[str], address: str) -> dict[str, Any]:
    code, out, err = run(capsys, "contacts", "export", address, "--json")
    assert code == 0, err
    return dict(json.loads(out))


def open_loads(dynamodb: Any) -> dict[str, int]:
    return {
        str(i["PK"]).removeprefix("REP#"): int(i.get("open", 0))
        for i in table_items(dynamodb)
        if i["SK"] == "LOAD"
    }


def awaiting_per_owner(dynamodb: Any) -> dict[str, int]:
    counted: dict[str, int] = {}
    for item in table_items(dynamodb):
        if (
            item.get("entity") == "inquiry"
            and item.get("status") == "assigned"
            and not item.get("responded_at")
        ):
            counted[str(item["owner_email"])] = counted.get(str(item["owner_email"]), 0) + 1
    return counted


def test_export_lists_everything_the_pipeline_stored_and_erase_leaves_only_the_digest_record(
    intake: Invoke, pipeline: Pipeline, dynamodb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given Ana's form inquiry, assigned and acknowledged, and her reply with a drawing by mail
    receipt = post_from_ana(intake)
    pipeline.run()
    replied = receive(reply_with_drawing(acknowledgement_to(ANA_KEY)), [THREAD])
    assert replied["decision"] == "thread_reply"
    pipeline.run()  # her reply is forwarded to the rep, with a download link to the drawing
    automated = receive(out_of_office(), [f"sales@in.{DOMAIN}"])
    assert automated["decision"] == "automated"
    ack_job = from_attributes(
        dynamodb.get_item(
            TableName=TABLE_NAME, Key=to_attributes(keys.mail_job_guard_key(f"ack:{receipt['id']}"))
        )["Item"]
    )
    # each sent mail (acknowledgement, notification, forward) is indexed under SES's message id too
    ses_item = keys.ses_message_key(ack_job["ses_message_id"])
    assert traces_left(dynamodb, ANA_TRACES)  # the scan below can see her
    assert sorted(open_loads(dynamodb).values()) == [1]  # her inquiry awaits its rep's answer

    # When the admin exports what is held on her (the address in any case)
    held = export(capsys, "ANA.GARCIA@importadora-sol.es")

    # Then it has her profile, inquiry, timeline, mail, files, links, guards and membership
    assert held["contact"]["name"] == ANA_NAME
    assert [i["reference"] for i in held["inquiries"]] == [receipt["reference"]]
    assert {"inquiry_received", "assigned", "acknowledged", "buyer_replied", "reply_forwarded"} <= {
        e["kind"] for e in held["timeline"]
    }
    assert [r["inquiry_id"] for r in held["references"]] == [receipt["id"]]
    # (the auto-reply found by its sender: it is on no timeline)
    assert sorted(m["PK"] for m in held["received_mail"]) == sorted(
        f"MAIL#{m['id']}" for m in (replied, automated)
    )
    jobs = {str(j["PK"]).removeprefix("GUARD#MAIL#").split(":")[0] for j in held["mail_jobs"]}
    assert jobs == {"ack", "notify", "forward"}
    assert len(held["sent_messages"]) == 3
    assert len(held["ses_messages"]) == 3
    assert ses_item["PK"] in [s["PK"] for s in held["ses_messages"]]
    assert sorted(f["key"] for f in held["files"]) == sorted(
        [f"attachments/{replied['id']}/1-plano-garcia.pdf", f"raw/{replied['id']}", f"raw/{automated['id']}"]
    )
    assert held["download_links"]
    assert {link["object_key"] for link in held["download_links"]} <= {f["key"] for f in held["files"]}
    assert held["action_keys"]
    assert all("secret" not in key for key in held["action_keys"])
    ack_guard = keys.acknowledgement_guard_key(guard_digest(canonical_mailbox(ANA), SALT))["PK"]
    assert ack_guard in {g["PK"] for g in held["guards"]}
    assert any(str(g["PK"]).startswith("GUARD#RATE#email#") for g in held["guards"])
    assert any(str(g["PK"]).startswith("GUARD#IDEMPOTENCY#") for g in held["guards"])
    assert [m["SK"] for m in held["account_membership"]] == [f"CONTACT#{ANA_KEY}"]
    assert held["account"]["deleted_on_erasure"] is True
    code, out, _ = run(capsys, "contacts", "export", ANA)
    assert code == 0
    assert ANA_NAME in out
    assert receipt["reference"] in out
    assert f"raw/{replied['id']}" in out

    # When she is erased
    code, out, err = run(capsys, "contacts", "erase", ANA, "--yes")

    # Then nothing of her is left in the table or any bucket
    assert code == 0, err
    assert f"Erased {ANA_KEY}" in out
    assert traces_left(dynamodb, ANA_TRACES) == []
    assert traces_left(dynamodb, (receipt["id"], receipt["reference"], replied["id"])) == []
    left = {str(i["PK"]).split("#")[0] for i in table_items(dynamodb)}
    assert left <= {"CONFIG", "TEAM", "REP", "ERASED"}, left
    assert [key for _, key, _ in stored_objects()] == []
    # but the erasure record: a digest, a date and counts
    [record] = [i for i in table_items(dynamodb) if str(i["PK"]).startswith("ERASED#")]
    assert record["PK"] == f"ERASED#{erased_address_digest(ANA, SALT)}"
    assert record["counts"]["inquiries"] == 1
    assert record["counts"]["files"] == 3
    assert record["erased_at"]
    # and her rep's open load gave her unanswered inquiry back
    assert open_loads(dynamodb) == dict.fromkeys(open_loads(dynamodb), 0)

    # When it runs again, nothing is left; and the export says nothing is held
    code, out, _ = run(capsys, "contacts", "erase", ANA, "--yes")
    assert code == 0
    assert f"Nothing left to erase for {ANA_KEY} (erased {record['erased_at']})" in out
    code, _, err = run(capsys, "contacts", "export", ANA)
    assert code == 2
    assert f"nothing is held on '{ANA_KEY}'" in err


def test_erasing_one_of_a_company_keeps_the_colleague_and_the_account_counts_right(
    intake: Invoke, pipeline: Pipeline, dynamodb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given two inquiries from Ana and one from her colleague Luis at the same company
    first = post_from_ana(intake, "Paneles LED", "quasar7781")
    second = post_from_ana(intake, "Downlights", "nebula4412")
    luis = post(intake, LUIS, "Please quote 200 floodlights.", "Floodlights", name="Luis Ortega")
    pipeline.run()
    account_key = to_attributes(keys.account_key("importadora-sol.es"))
    account = from_attributes(dynamodb.get_item(TableName=TABLE_NAME, Key=account_key)["Item"])
    assert account["inquiry_count"] == 3
    luis_before = export(capsys, LUIS)
    held = export(capsys, ANA)
    assert sorted(i["reference"] for i in held["inquiries"]) == sorted(
        [first["reference"], second["reference"]]
    )
    assert held["account"] == {
        "domain": "importadora-sol.es",
        "other_contacts": 1,
        "inquiries_counted": 2,
        "deleted_on_erasure": False,
    }

    # When Ana is erased
    code, _, err = run(capsys, "contacts", "erase", ANA, "--yes")
    assert code == 0, err

    # Then nothing of her is left, the account counts Luis's inquiry only, and his data is untouched
    assert traces_left(dynamodb, ANA_TRACES) == []
    account = from_attributes(dynamodb.get_item(TableName=TABLE_NAME, Key=account_key)["Item"])
    assert account["inquiry_count"] == 1
    luis_after = export(capsys, LUIS)
    assert luis_after["contact"] == luis_before["contact"]
    assert luis_after["inquiries"] == luis_before["inquiries"]
    assert [i["reference"] for i in luis_after["inquiries"]] == [luis["reference"]]
    assert luis_after["timeline"] == luis_before["timeline"]
    assert luis_after["account_membership"] == luis_before["account_membership"]
    # and every rep's open load is what the remaining inquiries say
    assert {rep: n for rep, n in open_loads(dynamodb).items() if n} == awaiting_per_owner(dynamodb)


def test_a_new_inquiry_after_erasure_starts_a_fresh_contact_linked_to_nothing_erased(
    intake: Invoke, pipeline: Pipeline, dynamodb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given Ana, acknowledged, then erased
    old = post_from_ana(intake)
    pipeline.run()
    old_ack = acknowledgement_to(ANA_KEY)
    assert run(capsys, "contacts", "erase", ANA, "--yes")[0] == 0
    erased_at = iso_timestamp(datetime.now(UTC))
    acknowledgements = len(sent_to(ANA))

    # When she posts the form again, and answers the old acknowledgement naming the old reference
    new = post(intake, ANA, "Hello again: 100 spotlights, please.", "Spotlights")
    pipeline.run()
    mailed = receive(reply_with_drawing(old_ack, f"Re: [{old['reference']}] Paneles"), [THREAD])
    pipeline.run()

    # Then she is a new contact, first seen after the erasure, acknowledged again
    held = export(capsys, ANA)
    assert held["contact"]["inquiry_count"] == 2  # the form post and the mail, nothing before
    assert held["contact"]["first_seen_at"] > erased_at
    assert all(e["at"] > erased_at for e in held["timeline"])
    assert len(sent_to(ANA)) > acknowledgements
    # and the old thread and reference attach to nothing: the mail became an inquiry of its own
    assert mailed["decision"] == "new_inquiry"
    assert {i["id"] for i in held["inquiries"]} == {new["id"], mailed["inquiry_id"]}
    assert old["reference"] not in {i["reference"] for i in held["inquiries"]}
    reference = to_attributes(keys.reference_key(old["reference"]))
    assert "Item" not in dynamodb.get_item(TableName=TABLE_NAME, Key=reference)
    assert traces_left(dynamodb, (old["id"], "quasar7781")) == []


def test_a_bounced_buyer_erased_leaves_no_trace_of_the_bounce_or_the_owners_notice(
    intake: Invoke, pipeline: Pipeline, dynamodb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given Ana's acknowledgement delivered late, then bounced, and her owner told (SES's events)
    from inquiry_router_admin.local.ses_events import ses_sending_event
    from tests.integration.test_sending_feedback import deliver

    receipt = post_from_ana(intake)
    pipeline.run()
    ack = from_attributes(
        dynamodb.get_item(
            TableName=TABLE_NAME, Key=to_attributes(keys.mail_job_guard_key(f"ack:{receipt['id']}"))
        )["Item"]
    )
    feedback = LambdaFunction("feedback")
    for kind in ("delay", "bounce"):
        event = ses_sending_event(
            kind,  # type: ignore[arg-type]
            ses_message_id=ack["ses_message_id"],
            recipient=ANA_KEY,
            configuration_set="inquiry-router-test-mail",
        )
        assert deliver(feedback, event) == {"batchItemFailures": []}
    pipeline.run()  # the owner's bounce notice goes out, and is indexed like every sent mail
    notice = [key for key in table_items(dynamodb) if str(key["PK"]).startswith("GUARD#MAIL#bounced:")]
    assert len(notice) == 1

    # When she is erased
    assert run(capsys, "contacts", "erase", ANA, "--yes")[0] == 0

    # Then nothing of her, her inquiry or the bounce is left
    assert traces_left(dynamodb, (*ANA_TRACES, receipt["id"], ack["ses_message_id"])) == []


def test_unknown_addresses_and_invalid_input_are_clear(
    pipeline: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "contacts", "export", "nobody@example.org")
    assert code == 2
    assert "nothing is held on 'nobody@example.org'" in err
    code, out, _ = run(capsys, "contacts", "erase", "nobody@example.org", "--yes")
    assert code == 0
    assert "Nothing left to erase for nobody@example.org." in out
    for command in ("export", "erase"):
        code, _, err = run(capsys, "contacts", command, "not-an-address")
        assert code == 2
        assert "'not-an-address' is not an email address" in err


def test_erase_asks_first_and_refuses_to_guess_without_a_terminal(
    intake: Invoke,
    pipeline: Pipeline,
    dynamodb: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    receipt = post_from_ana(intake)
    pipeline.run()

    without_terminal(monkeypatch)
    code, out, err = run(capsys, "contacts", "erase", ANA)
    assert code == 2
    assert "pass --yes" in err
    assert receipt["reference"] in out  # what it would erase was shown

    at_terminal(monkeypatch, "n")
    code, out, _ = run(capsys, "contacts", "erase", ANA)
    assert code == 1
    assert "Nothing erased." in out
    assert export(capsys, ANA)["inquiries"]

    at_terminal(monkeypatch, "y")
    assert run(capsys, "contacts", "erase", ANA)[0] == 0
    assert traces_left(dynamodb, ANA_TRACES) == []


def test_a_mail_recorded_after_the_erasure_is_found_and_taken_out_by_a_second_one(
    intake: Invoke, pipeline: Pipeline, dynamodb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given Ana erased while a mailer had her acknowledgement with SES, and records it afterwards
    receipt = post_from_ana(intake)
    assert run(capsys, "contacts", "erase", ANA, "--yes")[0] == 0
    late = SentMail(
        job_id=f"ack:{receipt['id']}",
        kind="acknowledgement",
        inquiry_id=receipt["id"],
        reference=receipt["reference"],
        contact_key=ANA_KEY,
        recipient=ANA,
        message_id=f"<late-{uuid.uuid4().hex}@{DOMAIN}>",
        ses_message_id="late-ses-id",
    )
    MailRecords(dynamodb, TABLE_NAME).mark_sent(late, datetime.now(UTC))
    assert traces_left(dynamodb, (ANA_KEY, receipt["id"]))

    # When the admin looks again and erases again
    held = export(capsys, ANA)
    code, _, err = run(capsys, "contacts", "erase", ANA, "--yes")

    # Then the late items were found from her partition, and are gone
    assert [e["kind"] for e in held["timeline"]] == ["acknowledged"]
    assert [i["PK"] for i in held["inquiries"]] == [f"INQUIRY#{receipt['id']}"]
    assert code == 0, err
    assert (
        traces_left(dynamodb, (ANA_KEY, receipt["id"], receipt["reference"], late.message_id.strip("<>")))
        == []
    )
    assert {str(i["PK"]).split("#")[0] for i in table_items(dynamodb)} <= {"CONFIG", "TEAM", "REP", "ERASED"}
