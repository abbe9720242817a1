"""From a stored inquiry to mail in two mailboxes, on moto: the router function on the table's
stream, the mail queue, the mailer function and SES v2 with the stack's configuration set.

What a buyer and a rep would notice is asserted on the sent MIME itself: who it is from and to,
Reply-To, the reference, no injected headers, one mail per job however often it is delivered.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import getaddresses
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from botocore.exceptions import ClientError, ReadTimeoutError

from inquiry_router.adapters import keys
from inquiry_router.adapters.config_store import apply_config
from inquiry_router.adapters.mail_records import SEND_LEASE, SENT_RECORD_ATTEMPTS
from inquiry_router.adapters.serialization import from_attributes, to_attributes
from inquiry_router.base.addresses import canonical_mailbox
from inquiry_router.base.digests import guard_digest
from inquiry_router.models.mail_job import MailJob
from inquiry_router.routing.reroute import reroute_waiting_inquiries
from tests.conftest import TABLE_NAME
from tests.support.events import json_post, load_event
from tests.support.items import contact_timeline, get_inquiry
from tests.support.pipeline import (
    REGION,
    Pipeline,
    inquiry_records,
    lambda_context,
    sent_mails,
    start_pipeline,
)
from tests.support.routing import DOMAIN, rep, routing_config
from tests.support.template import load_template

Invoke = Callable[[dict[str, Any]], dict[str, Any]]
BUYER = {
    "name": "Ana García",
    "email": "ana@importadora-sol.es",
    "country": "ES",
    "subject": "LED panels",
    "quantity": "2,000 pcs",
    "message": "Please quote 2,000 LED panels, CIF Valencia.",
}
REPS = {f"{name}@{DOMAIN}" for name in ("ana", "bob", "chen")}


@pytest.fixture
def pipeline(dynamodb: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Pipeline:
    return start_pipeline(dynamodb, monkeypatch, tmp_path)


def submit(intake: Invoke, **fields: Any) -> str:
    response = intake(json_post({**BUYER, **fields}))
    assert response["statusCode"] == 202, response["body"]
    inquiry_id: str = json.loads(response["body"])["id"]
    return inquiry_id


def stored(dynamodb: Any, inquiry_id: str) -> dict[str, Any]:
    inquiry = get_inquiry(dynamodb, TABLE_NAME, inquiry_id)
    assert inquiry is not None
    return inquiry


def job_record(dynamodb: Any, job_id: str) -> dict[str, Any]:
    answer = dynamodb.get_item(TableName=TABLE_NAME, Key=to_attributes(keys.mail_job_guard_key(job_id)))
    return from_attributes(answer.get("Item", {}))


def delete_config(dynamodb: Any) -> None:
    answer = dynamodb.query(
        TableName=TABLE_NAME,
        KeyConditionExpression="PK = :config",
        ExpressionAttributeValues=to_attributes({":config": keys.CONFIG_PARTITION}),
    )
    for item in answer["Items"]:
        dynamodb.delete_item(TableName=TABLE_NAME, Key={"PK": item["PK"], "SK": item["SK"]})


def timeline_kinds(dynamodb: Any, email: str) -> list[str]:
    return sorted(event["kind"] for event in contact_timeline(dynamodb, TABLE_NAME, email))


# -- the whole path -----------------------------------------------------------------------------


def test_a_form_inquiry_reaches_the_buyer_and_its_rep(intake: Invoke, pipeline: Pipeline) -> None:
    inquiry_id = submit(intake)

    handled = pipeline.run()

    inquiry = stored(pipeline.dynamodb, inquiry_id)
    owner, reference = inquiry["owner_email"], inquiry["reference"]
    assert owner in REPS
    assert [json.loads(job["body"])["kind"] for job in handled] == ["acknowledgement", "notification"]
    acknowledgement, notification = sent_mails()

    assert acknowledgement.source == f"sales@{DOMAIN}"
    assert set(acknowledgement.destinations) >= {BUYER["email"]}
    ack = acknowledgement.message
    assert ack["From"].addresses[0].addr_spec == f"sales@{DOMAIN}"
    assert ack["From"].addresses[0].display_name == "Sunrise Lighting Co."
    assert ack["To"].addresses[0].addr_spec == BUYER["email"]
    assert ack["Reply-To"].addresses[0].addr_spec == owner
    assert ack["Subject"].startswith(f"[{reference}]")
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["X-Auto-Response-Suppress"] == "All"
    assert ack["Message-ID"].endswith(f"@{DOMAIN}>")
    assert BUYER["message"] not in acknowledgement.text  # never a relay for the buyer's free text
    assert "LED panels" in acknowledgement.text

    rep_mail = notification.message
    assert rep_mail["To"].addresses[0].addr_spec == owner
    assert rep_mail["Reply-To"].addresses[0].addr_spec == BUYER["email"]
    assert rep_mail["Subject"] == f"[{reference}] New inquiry from Ana García (ES) — 2,000 pcs LED panels"
    assert "Auto-Submitted" not in rep_mail
    assert BUYER["message"] in notification.text
    assert f"mailto:{BUYER['email']}?" in notification.html
    assert f"bcc=log%40in.{DOMAIN}" in notification.html

    # Recorded: when, which Message-ID (for threading replies), on the inquiry and the timeline
    assert inquiry["acknowledgement_message_id"] == ack["Message-ID"]
    assert inquiry["notification_message_id"] == rep_mail["Message-ID"]
    assert {"acknowledged_at", "notified_at"} <= set(inquiry)
    index = pipeline.dynamodb.get_item(
        TableName=TABLE_NAME, Key=to_attributes(keys.message_id_key(ack["Message-ID"]))
    )
    assert from_attributes(index["Item"])["inquiry_id"] == inquiry_id
    assert timeline_kinds(pipeline.dynamodb, BUYER["email"]) == sorted(
        ["inquiry_received", "assigned", "acknowledged", "rep_notified"]
    )


def test_the_local_outbox_gets_every_sent_mail_as_eml_and_html(
    intake: Invoke, pipeline: Pipeline, tmp_path: Path
) -> None:
    submit(intake)
    pipeline.run()

    files = sorted(p.name.rsplit("-", 1)[1] for p in (tmp_path / "outbox").iterdir())
    assert files == ["acknowledgement.eml", "acknowledgement.html", "notification.eml", "notification.html"]


def test_the_sample_events_are_what_the_functions_take(pipeline: Pipeline) -> None:
    """events/ documents the router's and the mailer's event shapes; the handlers take them as is."""
    stream_event = load_event("router-stream-insert.json")
    queue_event = load_event("mailer-sqs-job.json")
    new_image = stream_event["Records"][0]["dynamodb"]["NewImage"]
    pipeline.dynamodb.put_item(TableName=TABLE_NAME, Item=new_image)  # the inquiry the record is about

    assert pipeline.router(stream_event, lambda_context("router")) == {"batchItemFailures": []}
    assert pipeline.mailer(queue_event, lambda_context("mailer")) == {"batchItemFailures": []}

    # Spanish (the form's locale es-ES) goes to the LATAM team, which has no reps: its fallback
    inquiry = stored(pipeline.dynamodb, new_image["id"]["S"])
    assert (inquiry["team"], inquiry["owner_email"]) == ("latam", f"manager@{DOMAIN}")
    assert inquiry["assignment_reason"]
    (acknowledgement,) = sent_mails()
    assert acknowledgement.source == f"ventas@{DOMAIN}"
    assert acknowledgement.message["Subject"].startswith("[INQ-7K3M9Q]")
    assert acknowledgement.message["To"].addresses[0].addr_spec == "ana@importadora-sol.es"
    assert "Gracias" in acknowledgement.text  # the form's locale es-ES


# -- exactly once ---------------------------------------------------------------------------------


def test_a_mail_job_delivered_twice_is_sent_once(intake: Invoke, pipeline: Pipeline) -> None:
    submit(intake)
    pipeline.route()
    pipeline.route()
    jobs = pipeline.queued_jobs()

    assert pipeline.send(jobs) == {"batchItemFailures": []}
    assert pipeline.send(jobs) == {"batchItemFailures": []}  # SQS's at-least-once, redelivered

    assert len(sent_mails()) == 2
    assert {job_record(pipeline.dynamodb, json.loads(j["body"])["job_id"])["state"] for j in jobs} == {"sent"}


def test_a_redelivered_stream_batch_queues_the_same_jobs_and_mails_go_out_once(
    intake: Invoke, pipeline: Pipeline
) -> None:
    submit(intake)
    inserted = inquiry_records(pipeline.stream.new_records())
    pipeline.route(inserted)
    pipeline.route(inserted)  # the INSERT again: no second assignment
    modified = inquiry_records(pipeline.stream.new_records())
    assert [r["eventName"] for r in modified] == ["MODIFY"]
    pipeline.route(modified)
    pipeline.route(modified)  # the MODIFY again: the same job ids queued twice

    jobs = pipeline.queued_jobs()
    pipeline.send(jobs)

    assert len(jobs) == 4
    assert len(sent_mails()) == 2


def test_one_acknowledgement_per_buyer_a_day_but_every_inquiry_reaches_its_rep(
    intake: Invoke, pipeline: Pipeline
) -> None:
    first = submit(intake)
    pipeline.run()
    second = submit(intake, subject="Downlights", message="And 500 downlights?")
    pipeline.run()

    mails = sent_mails()
    kinds = [("Auto-Submitted" in m.message, m.message["To"].addresses[0].addr_spec) for m in mails]
    owner = stored(pipeline.dynamodb, first)["owner_email"]
    assert kinds == [(True, BUYER["email"]), (False, owner), (False, owner)]  # returning customer
    later = stored(pipeline.dynamodb, second)
    assert later["owner_email"] == owner
    assert "acknowledged_at" not in later
    assert "previous inquiries" in mails[2].text.lower() or "returning" in mails[2].text.lower()
    reason = job_record(pipeline.dynamodb, f"ack:{second}")
    assert (reason["state"], reason["reason"]) == (
        "skipped",
        "an acknowledgement went to this mailbox in the last 24 hours",
    )
    assert "acknowledgement_skipped" in timeline_kinds(pipeline.dynamodb, BUYER["email"])


def test_one_acknowledgement_a_day_per_mailbox_however_the_address_is_spelt(
    intake: Invoke, pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a stack with its guard secret (the functions are built at their first invocation,
    # after this), and one Gmail mailbox spelt three ways
    monkeypatch.setenv("GUARD_SALT", "stack-secret")
    spellings = ["ana.lopez+1@gmail.com", "analopez+2@googlemail.com", "A.na.Lopez@gmail.com"]

    # When an inquiry arrives from each and the mailer runs
    inquiries = [submit(intake, email=address, subject=f"Panels {n}") for n, address in enumerate(spellings)]
    pipeline.run()

    # Then the mailbox is acknowledged once, every inquiry reaches its rep, and each contact keeps
    # the address as typed
    acknowledgements = [m for m in sent_mails() if "Auto-Submitted" in m.message]
    assert [m.message["To"].addresses[0].addr_spec for m in acknowledgements] == [spellings[0]]
    assert len(sent_mails()) == 4
    states = [job_record(pipeline.dynamodb, f"ack:{inquiry}")["state"] for inquiry in inquiries]
    assert states == ["sent", "skipped", "skipped"]
    for address in spellings:
        assert timeline_kinds(pipeline.dynamodb, address.lower())  # one contact per spelling

    # And the guard holds the mailbox's keyed digest, no address
    guards = pipeline.dynamodb.scan(
        TableName=TABLE_NAME,
        FilterExpression="begins_with(PK, :ack)",
        ExpressionAttributeValues={":ack": {"S": "GUARD#ACK#"}},
    )["Items"]
    digest = guard_digest(canonical_mailbox(spellings[0]), "stack-secret")
    assert [from_attributes(item)["PK"] for item in guards] == [f"GUARD#ACK#{digest}"]
    assert "@" not in json.dumps(guards)


def test_spam_is_neither_assigned_nor_acknowledged(intake: Invoke, pipeline: Pipeline) -> None:
    inquiry_id = submit(intake, _gotcha="https://seo.example")

    pipeline.run()

    assert stored(pipeline.dynamodb, inquiry_id)["status"] == "spam"
    assert "owner_email" not in stored(pipeline.dynamodb, inquiry_id)
    assert sent_mails() == []


# -- SES errors -----------------------------------------------------------------------------------


def test_a_permanent_ses_refusal_is_recorded_and_not_retried(intake: Invoke, pipeline: Pipeline) -> None:
    boto3.client("sesv2", region_name=REGION).delete_email_identity(EmailIdentity=DOMAIN)
    inquiry_id = submit(intake)

    pipeline.run()

    assert sent_mails() == []
    failed = job_record(pipeline.dynamodb, f"ack:{inquiry_id}")
    assert failed["state"] == "failed"
    assert failed["reason"].startswith("SES refused the acknowledgement (MessageRejected)")
    kinds = timeline_kinds(pipeline.dynamodb, BUYER["email"])
    assert {"acknowledgement_failed", "notification_failed"} <= set(kinds)
    assert pipeline.queued_jobs() == []  # nothing left to retry forever


class FlakySes:
    """SES throttling the first `failures` sends, then SES itself."""

    def __init__(self, ses: Any, failures: int) -> None:
        self._ses, self.failures = ses, failures

    def send_email(self, **request: Any) -> Any:
        if self.failures:
            self.failures -= 1
            raise ClientError(
                {"Error": {"Code": "TooManyRequestsException", "Message": "Maximum sending rate exceeded."}},
                "SendEmail",
            )
        return self._ses.send_email(**request)


def test_a_throttled_send_fails_the_job_for_a_retry_that_then_sends_once(
    intake: Invoke, pipeline: Pipeline
) -> None:
    inquiry_id = submit(intake)
    pipeline.route()
    pipeline.route()
    jobs = pipeline.queued_jobs()
    mailer = pipeline.mailer.composition.mailer
    mailer.ses.client = FlakySes(mailer.ses.client, failures=1)  # type: ignore[assignment]

    first = pipeline.send(jobs)
    assert first == {"batchItemFailures": [{"itemIdentifier": jobs[0]["messageId"]}]}
    assert job_record(pipeline.dynamodb, f"ack:{inquiry_id}") == {}  # claim released for the retry
    assert pipeline.send(jobs) == {"batchItemFailures": []}  # SQS redelivers both

    assert [("Auto-Submitted" in m.message) for m in sent_mails()] == [False, True]


# -- buyer text in mail ---------------------------------------------------------------------------


def test_buyer_text_cannot_inject_headers_or_markup(intake: Invoke, pipeline: Pipeline) -> None:
    submit(
        intake,
        name="Ana\r\nBcc: victim@evil.example",
        subject="LED\r\nX-Injected: yes <script>alert(1)</script>",
        company="<b>ACME</b>",
        message="<img src=x onerror=alert(1)>",
    )
    pipeline.run()

    mails = sent_mails()
    assert len(mails) == 2
    for mail in mails:
        assert "Bcc" not in mail.message
        assert "X-Injected" not in mail.message
        recipients = {address for _, address in getaddresses(mail.destinations)}
        assert recipients == {mail.message["To"].addresses[0].addr_spec}
        assert "<script>" not in mail.html
        assert "<img src=x" not in mail.html
        assert "<b>ACME</b>" not in mail.html
    assert "&lt;b&gt;ACME&lt;/b&gt;" in mails[1].html
    # The buyer's copy never echoes text that carries an address or a link (no relay)
    assert "evil.example" not in mails[0].text
    assert mails[0].text.startswith("Hello,")


# -- assignment failures --------------------------------------------------------------------------


def test_without_routing_config_the_record_fails_for_a_retry_then_reroute_assigns(
    intake: Invoke, pipeline: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    delete_config(pipeline.dynamodb)  # as before the first `config apply`
    inquiry_id = submit(intake)
    inserted = inquiry_records(pipeline.stream.new_records())

    # Every record failed: Lambda retries the batch, then parks it in the router's DLQ
    with pytest.raises(BatchProcessingError, match="All records failed"):
        pipeline.route(inserted)
    assert stored(pipeline.dynamodb, inquiry_id)["status"] == "new"

    config = routing_config(rep("ana"), rep("bob"))
    apply_config(pipeline.dynamodb, TABLE_NAME, config, datetime.now(UTC))
    results = reroute_waiting_inquiries(pipeline.dynamodb, TABLE_NAME, limit=10)
    pipeline.run()

    assert [r.owner_email for r in results] == [stored(pipeline.dynamodb, inquiry_id)["owner_email"]]
    assert len(sent_mails()) == 2


def test_a_hand_over_notifies_the_new_owner_and_does_not_acknowledge_again(
    intake: Invoke, pipeline: Pipeline
) -> None:
    from inquiry_router.routing.hand_over import hand_over_open_inquiries

    inquiry_id = submit(intake)
    pipeline.run()
    first_owner = stored(pipeline.dynamodb, inquiry_id)["owner_email"]
    to = next(email for email in sorted(REPS) if email != first_owner)

    (result,) = hand_over_open_inquiries(pipeline.dynamodb, TABLE_NAME, first_owner, to, datetime.now(UTC))
    pipeline.run()

    assert (result.to_owner, result.error) == (to, None)
    mails = sent_mails()
    assert len(mails) == 3
    assert mails[2].message["To"].addresses[0].addr_spec == to
    assert mails[2].message["Reply-To"].addresses[0].addr_spec == BUYER["email"]
    assert "reassigned" in timeline_kinds(pipeline.dynamodb, BUYER["email"])


# -- addresses SES cannot carry -------------------------------------------------------------------


@pytest.mark.parametrize("address", ["josé@importadora-sol.es", "用户@例子.中国"])
def test_a_buyer_whose_address_ses_cannot_carry_still_reaches_the_rep_who_is_told_how_to_answer(
    intake: Invoke, pipeline: Pipeline, address: str
) -> None:
    # Given a buyer whose address has non-ASCII before the @ (SES has no SMTPUTF8)
    inquiry_id = submit(intake, email=address)

    # When the pipeline runs
    pipeline.run()

    # Then the rep is notified: no Reply-To, the address in the body, and the reason with a way out
    (notification,) = sent_mails()
    inquiry = stored(pipeline.dynamodb, inquiry_id)
    assert notification.message["To"].addresses[0].addr_spec == inquiry["owner_email"]
    assert notification.message["Reply-To"] is None
    text = " ".join(notification.text.split())
    assert f"This mail has no Reply-To: the address {address} has characters outside ASCII" in text
    assert "copy the address into a mail client that supports internationalised addresses" in text
    assert address in notification.html
    notified = MailJob.notification(inquiry_id, inquiry["owner_email"], inquiry["assignment_seq"])
    assert job_record(pipeline.dynamodb, notified.job_id)["state"] == "sent"

    # And the acknowledgement is skipped with that reason on the timeline, not failed
    skipped = job_record(pipeline.dynamodb, f"ack:{inquiry_id}")
    assert skipped["state"] == "skipped"
    assert skipped["reason"].startswith("the buyer's address has non-ASCII characters before the @")
    events = contact_timeline(pipeline.dynamodb, TABLE_NAME, inquiry["contact_key"])
    (event,) = [e for e in events if e["kind"].startswith("acknowledgement_")]
    assert (event["kind"], event["summary"]) == ("acknowledgement_skipped", skipped["reason"])


def test_a_buyer_on_an_internationalised_domain_is_acknowledged_through_its_ascii_form(
    intake: Invoke, pipeline: Pipeline
) -> None:
    inquiry_id = submit(intake, email="jorg@bücher.de")

    pipeline.run()

    acknowledgement, notification = sent_mails()
    assert {address for _, address in getaddresses(acknowledgement.destinations)} == {"jorg@xn--bcher-kva.de"}
    assert acknowledgement.message["To"].addresses[0].addr_spec == "jorg@xn--bcher-kva.de"
    assert notification.message["Reply-To"].addresses[0].addr_spec == "jorg@xn--bcher-kva.de"
    assert "This mail has no Reply-To" not in notification.text
    assert stored(pipeline.dynamodb, inquiry_id)["acknowledgement_message_id"]


# -- SES accepted, then something failed: redelivery records, it does not send again ---------------


def failing_once(
    pipeline: Pipeline, operation: str, when: Callable[[dict[str, Any]], bool], times: int = 1
) -> list[int]:
    """Make the mailer's DynamoDB client fail `operation` (when `when(params)`) `times` times, as a
    throttled or failing table would; returns the count of injected failures."""
    injected: list[int] = []

    def fail(params: dict[str, Any], **_: Any) -> None:
        if len(injected) < times and when(params):
            injected.append(1)
            raise ClientError({"Error": {"Code": "InternalServerError", "Message": "injected"}}, operation)

    pipeline.mailer.composition.dynamodb.meta.events.register(
        f"provide-client-params.dynamodb.{operation}", fail
    )
    return injected


def records_a_sent_mail(params: dict[str, Any]) -> bool:
    return any(
        item.get("Put", {}).get("Item", {}).get("entity") == {"S": "message_index"}
        for item in params.get("TransactItems", [])
    )


def marks_accepted(params: dict[str, Any]) -> bool:
    return ":accepted" in params.get("ExpressionAttributeValues", {})


def acknowledged_events(pipeline: Pipeline) -> list[str]:
    return [kind for kind in timeline_kinds(pipeline.dynamodb, BUYER["email"]) if kind == "acknowledged"]


def queued(intake: Invoke, pipeline: Pipeline) -> tuple[str, list[dict[str, Any]]]:
    inquiry_id = submit(intake)
    pipeline.route()
    pipeline.route()
    jobs = pipeline.queued_jobs()
    assert [json.loads(job["body"])["kind"] for job in jobs] == ["acknowledgement", "notification"]
    return inquiry_id, jobs


def test_a_recording_that_fails_after_ses_accepted_is_finished_by_the_redelivery_without_sending(
    intake: Invoke, pipeline: Pipeline
) -> None:
    # Given SES accepts both mails but the acknowledgement's recording transaction keeps failing
    # past the mailer's in-process retries (the table is down for that moment)
    inquiry_id, jobs = queued(intake, pipeline)
    injected = failing_once(pipeline, "TransactWriteItems", records_a_sent_mail, times=SENT_RECORD_ATTEMPTS)
    pipeline.mailer.composition.mailer.records._sleep = lambda _: None

    # When the mailer runs, and SQS redelivers the job that failed
    first = pipeline.send(jobs)
    assert len(injected) == SENT_RECORD_ATTEMPTS
    assert first == {"batchItemFailures": [{"itemIdentifier": jobs[0]["messageId"]}]}
    assert job_record(pipeline.dynamodb, f"ack:{inquiry_id}")["state"] == "accepted"
    assert pipeline.send(jobs[:1]) == {"batchItemFailures": []}

    # Then the acknowledgement went out once and is recorded once, as if nothing had failed
    acknowledgement, _ = sent_mails()
    inquiry = stored(pipeline.dynamodb, inquiry_id)
    assert inquiry["acknowledgement_message_id"] == acknowledgement.message["Message-ID"]
    assert job_record(pipeline.dynamodb, f"ack:{inquiry_id}")["state"] == "sent"
    assert acknowledged_events(pipeline) == ["acknowledged"]
    index = pipeline.dynamodb.get_item(
        TableName=TABLE_NAME, Key=to_attributes(keys.message_id_key(acknowledgement.message["Message-ID"]))
    )
    assert "Item" in index
    assert pipeline.send(jobs[:1]) == {"batchItemFailures": []}  # and again: still nothing sent
    assert len(sent_mails()) == 2


def test_a_failed_accepted_write_is_retried_at_once_in_process(intake: Invoke, pipeline: Pipeline) -> None:
    inquiry_id, jobs = queued(intake, pipeline)
    injected = failing_once(pipeline, "UpdateItem", marks_accepted, times=2)
    slept: list[float] = []
    pipeline.mailer.composition.mailer.sleep = slept.append

    assert pipeline.send(jobs) == {"batchItemFailures": []}

    assert (len(injected), slept) == (2, [0.05, 0.2])  # backed off twice, then recorded
    assert len(sent_mails()) == 2
    assert job_record(pipeline.dynamodb, f"ack:{inquiry_id}")["state"] == "sent"


def test_when_the_accepted_write_fails_for_good_the_one_duplicate_waits_for_the_lease_and_is_the_same_message(
    intake: Invoke, pipeline: Pipeline
) -> None:
    # Given a table that refuses every "accepted" write of the acknowledgement's first delivery
    inquiry_id, jobs = queued(intake, pipeline)
    mailer = pipeline.mailer.composition.mailer
    failing_once(pipeline, "UpdateItem", marks_accepted, times=1 + len(mailer.record_retry_delays))
    mailer.sleep = lambda _: None
    with pytest.raises(BatchProcessingError, match="All records failed"):
        pipeline.send(jobs[:1])

    # When SQS redelivers at once, the claim is still leased: nothing is sent
    with pytest.raises(BatchProcessingError, match="All records failed"):
        pipeline.send(jobs[:1])
    assert len(sent_mails()) == 1

    # And after the lease (the first sender is gone), the job is sent again and recorded once
    later = datetime.now(UTC) + SEND_LEASE + timedelta(seconds=5)
    mailer.clock = lambda: later
    assert pipeline.send(jobs[:1]) == {"batchItemFailures": []}
    first, second = sent_mails()
    assert first.message["Message-ID"] == second.message["Message-ID"]
    assert stored(pipeline.dynamodb, inquiry_id)["acknowledgement_message_id"] == first.message["Message-ID"]
    assert acknowledged_events(pipeline) == ["acknowledged"]


class SesTimingOut:
    """SES that takes the mail and then never answers (the answer lost on the way back)."""

    def __init__(self, ses: Any, timeouts: int = 1) -> None:
        self._ses, self.timeouts = ses, timeouts

    def send_email(self, **request: Any) -> Any:
        answer = self._ses.send_email(**request)
        if self.timeouts:
            self.timeouts -= 1
            raise ReadTimeoutError(
                endpoint_url=f"https://email.{REGION}.amazonaws.com/v2/email/outbound-emails"
            )
        return answer


def test_an_ses_timeout_counts_as_maybe_sent_and_is_retried_with_the_same_message_id(
    intake: Invoke, pipeline: Pipeline
) -> None:
    # Given SES that accepted the acknowledgement but whose answer timed out
    inquiry_id, jobs = queued(intake, pipeline)
    mailer = pipeline.mailer.composition.mailer
    mailer.ses.client = SesTimingOut(mailer.ses.client)  # type: ignore[assignment]

    # When the mailer runs: the job fails and its claim is freed for the queue's retry
    with pytest.raises(BatchProcessingError, match="All records failed"):
        pipeline.send(jobs[:1])
    assert job_record(pipeline.dynamodb, f"ack:{inquiry_id}") == {}

    # Then the retry sends it again (a duplicate beats a loss) as the same message, recorded once
    assert pipeline.send(jobs[:1]) == {"batchItemFailures": []}
    first_copy, second_copy = sent_mails()
    assert first_copy.message["Message-ID"] == second_copy.message["Message-ID"]
    assert (
        stored(pipeline.dynamodb, inquiry_id)["acknowledgement_message_id"]
        == first_copy.message["Message-ID"]
    )
    assert acknowledged_events(pipeline) == ["acknowledged"]


class SesOvertakenByAnotherDelivery:
    """SES so slow that the claim's lease runs out and a second delivery sends the job meanwhile."""

    def __init__(self, ses: Any, overtake: Callable[[], Any]) -> None:
        self._ses, self._overtake, self.outcomes = ses, overtake, []

    def send_email(self, **request: Any) -> Any:
        if not self.outcomes:
            self.outcomes.append(self._overtake())
        return self._ses.send_email(**request)


def test_a_sender_overtaken_after_its_lease_sends_at_most_one_duplicate_and_records_nothing(
    intake: Invoke, pipeline: Pipeline
) -> None:
    inquiry_id, jobs = queued(intake, pipeline)
    job = MailJob.model_validate_json(jobs[0]["body"])
    mailer = pipeline.mailer.composition.mailer
    after_the_lease = datetime.now(UTC) + SEND_LEASE + timedelta(seconds=5)
    second = replace(mailer, clock=lambda: after_the_lease)
    slow = SesOvertakenByAnotherDelivery(mailer.ses.client, lambda: second.send(job))
    first = replace(mailer, ses=replace(mailer.ses, client=slow))

    assert first.send(job) == "sent"

    assert slow.outcomes == ["sent"]  # the second delivery sent and recorded its copy
    copies = sent_mails()
    assert len(copies) == 2  # the documented duplicate, as one message
    assert copies[0].message["Message-ID"] == copies[1].message["Message-ID"]
    assert job_record(pipeline.dynamodb, f"ack:{inquiry_id}")["state"] == "sent"
    assert acknowledged_events(pipeline) == ["acknowledged"]


def test_a_sender_is_stopped_by_lambda_before_its_claim_runs_out() -> None:
    """The overtaking above needs a sender alive past its lease: in AWS, Lambda's timeout ends it first."""
    mailer = load_template()["Resources"]["MailerFunction"]["Properties"]
    assert timedelta(seconds=mailer["Timeout"]) < SEND_LEASE


# -- the buyer's language -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "greeting"),
    [
        ("Guten Tag, wir möchten ein Angebot für 2.000 LED-Panels erhalten.", "Guten Tag Ana García,"),
        ("Bom dia, gostaria de receber uma cotação para 2.000 painéis LED.", "Prezado(a) Ana García,"),
        ("Bonjour, nous souhaitons recevoir une offre pour 2 000 panneaux LED.", "Bonjour Ana García,"),
        ("Buongiorno, vorremmo ricevere un'offerta per 2.000 pannelli LED.", "Gentile Ana García,"),
        ("İyi günler, 2.000 LED panel için fiyat teklifi almak istiyoruz.", "Sayın Ana García,"),
    ],
)
def test_a_buyer_who_writes_in_a_language_we_write_is_acknowledged_in_it(
    intake: Invoke, pipeline: Pipeline, message: str, greeting: str
) -> None:
    submit(intake, message=message, subject="LED panels")

    pipeline.run()

    acknowledgement = next(m for m in sent_mails() if "Auto-Submitted" in m.message)
    assert acknowledgement.text.startswith(greeting)


def test_a_spanish_message_without_a_locale_is_routed_and_acknowledged_in_spanish(
    intake: Invoke, pipeline: Pipeline
) -> None:
    inquiry_id = submit(intake, message="Buenos días, necesitamos una cotización de 2.000 paneles LED.")

    pipeline.run()

    assert stored(pipeline.dynamodb, inquiry_id)["team"] == "latam"  # the rule on language es
    acknowledgement = next(m for m in sent_mails() if "Auto-Submitted" in m.message)
    assert acknowledgement.text.startswith("Estimado/a Ana García:")
