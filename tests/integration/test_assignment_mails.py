"""Every assignment's mails go out exactly once, on moto: a hand-over back to the first owner
notifies them again, and a stream batch the router gave up on (its dead letter) is finished by
`inquiry-router dlq redrive --queue router`, while the stream still holds its records and after
they expired."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from inquiry_router.adapters.config_store import apply_config
from inquiry_router.routing.hand_over import hand_over_open_inquiries
from tests.conftest import TABLE_NAME
from tests.integration.test_dlq_cli import ROUTER_FAILURE
from tests.integration.test_mail_pipeline import BUYER, delete_config, submit
from tests.support.cli import fake_stack, run
from tests.support.items import get_inquiry
from tests.support.pipeline import (
    REGION,
    Pipeline,
    StreamReader,
    drain_stream,
    inquiry_records,
    router_stream_poller,
    sent_mails,
    start_pipeline,
)
from tests.support.routing import DOMAIN, rep, routing_config

Invoke = Callable[[dict[str, Any]], dict[str, Any]]
REPS = sorted(f"{name}@{DOMAIN}" for name in ("ana", "bob", "chen"))


@pytest.fixture
def pipeline(dynamodb: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Pipeline:
    return start_pipeline(dynamodb, monkeypatch, tmp_path)


def recipients() -> list[tuple[str, str]]:
    """(kind, To) of every mail SES accepted, oldest first."""
    return [
        (
            "acknowledgement" if "Auto-Submitted" in m.message else "notification",
            m.message["To"].addresses[0].addr_spec,
        )
        for m in sent_mails()
    ]


def owner_of(pipeline: Pipeline, inquiry_id: str) -> str:
    inquiry = get_inquiry(pipeline.dynamodb, TABLE_NAME, inquiry_id)
    assert inquiry is not None
    return str(inquiry["owner_email"])


# -- 19c: each assignment is notified -----------------------------------------------------------


def test_handing_an_inquiry_back_to_its_first_owner_notifies_them_again(
    intake: Invoke, pipeline: Pipeline
) -> None:
    # Given an inquiry assigned to A, handed to B, then back to A
    inquiry_id = submit(intake)
    pipeline.run()
    first = owner_of(pipeline, inquiry_id)
    second = next(email for email in REPS if email != first)
    now = datetime.now(UTC)
    hand_over_open_inquiries(pipeline.dynamodb, TABLE_NAME, first, second, now)
    pipeline.run()
    hand_over_open_inquiries(pipeline.dynamodb, TABLE_NAME, second, first, now)
    pipeline.run()

    # Then A was notified twice, B once, the buyer acknowledged once
    assert recipients() == [
        ("acknowledgement", BUYER["email"]),
        ("notification", first),
        ("notification", second),
        ("notification", first),
    ]
    # And every stream record delivered again (Lambda's at-least-once) sends nothing new
    replayed = inquiry_records(StreamReader(pipeline.stream.client, pipeline.stream.stream_arn).new_records())
    assert [r["eventName"] for r in replayed].count("MODIFY") >= 3
    pipeline.route(replayed)
    jobs = pipeline.queued_jobs()
    assert len(jobs) == 4  # the same four job ids, queued again
    pipeline.send(jobs)
    assert len(sent_mails()) == 4


# -- 8: the router's dead letters are redriven ------------------------------------------------


@pytest.fixture
def router_dead_letters(pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> str:
    """The router's dead-letter queue, and the stack's outputs as the CLI reads them."""
    sqs = boto3.client("sqs", region_name=REGION)
    url: str = sqs.create_queue(QueueName="inquiry-router-test-router-dlq")["QueueUrl"]
    fake_stack(
        {
            "TableName": TABLE_NAME,
            "MailQueueUrl": pipeline.mail_queue_url,
            "RouterDeadLetterQueueUrl": url,
        }
    )
    # moto in this process answers DynamoDB Streams only on its regional endpoint (see pipeline.py).
    monkeypatch.setenv(
        "AWS_ENDPOINT_URL_DYNAMODB_STREAMS", f"https://streams.dynamodb.{REGION}.amazonaws.com"
    )
    return url


class FailingQueue:
    """The router's SendMessageBatch refused by SQS, as often as it is tried."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.calls = 0
        self._client = pipeline.router.composition.sqs  # the client the router function queues mail with

    def __enter__(self) -> FailingQueue:
        self._client.meta.events.register("before-call.sqs.SendMessageBatch", self._refuse)
        return self

    def __exit__(self, *_: object) -> None:
        self._client.meta.events.unregister("before-call.sqs.SendMessageBatch", self._refuse)

    def _refuse(self, **_: Any) -> None:
        self.calls += 1
        error = {"Error": {"Code": "ServiceUnavailable", "Message": "Service is unavailable"}}
        raise ClientError(error, "SendMessageBatch")  # type: ignore[arg-type]


class ExpiredStream:
    """DynamoDB Streams after 24 hours: the batch's records are trimmed."""

    EVENT = "before-call.dynamodb-streams.GetShardIterator"

    def __enter__(self) -> ExpiredStream:
        boto3.DEFAULT_SESSION.events.register(self.EVENT, self._trimmed)  # type: ignore[union-attr]
        return self

    def __exit__(self, *_: object) -> None:
        boto3.DEFAULT_SESSION.events.unregister(self.EVENT, self._trimmed)  # type: ignore[union-attr]

    def _trimmed(self, **_: Any) -> None:
        message = "Attempted to access data that has been trimmed from the stream"
        error = {"Error": {"Code": "TrimmedDataAccessException", "Message": message}}
        raise ClientError(error, "GetShardIterator")  # type: ignore[arg-type]


def dead_letter_bodies(url: str) -> list[str]:
    """The bodies waiting in a queue, left there (received, then made visible again)."""
    sqs = boto3.client("sqs", region_name=REGION)
    answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    return [message["Body"] for message in answer.get("Messages", [])]


def shape(value: Any) -> Any:
    """Keys and value types, recursively: what a consumer of the record relies on."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    return type(value).__name__


def redrive(capsys: pytest.CaptureFixture[str], *, expired: bool) -> str:
    with ExpiredStream() if expired else _nothing():
        code, out, err = run(capsys, "dlq", "redrive", "--queue", "router", "--yes")
    assert code == 0, err
    return out


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        return None


@pytest.mark.parametrize("expired", [False, True], ids=["records in the stream", "records expired"])
def test_an_owner_change_whose_mails_could_not_be_queued_is_finished_by_the_redrive(
    intake: Invoke,
    pipeline: Pipeline,
    router_dead_letters: str,
    capsys: pytest.CaptureFixture[str],
    expired: bool,
) -> None:
    # Given an inquiry assigned, whose mail jobs SQS refused on every one of the router's tries
    poller = router_stream_poller(pipeline, router_dead_letters)
    inquiry_id = submit(intake)
    with FailingQueue(pipeline) as queue:
        drain_stream(poller)
    assert queue.calls == 1 + 5  # the first try and MaximumRetryAttempts, then Lambda gave up
    owner = owner_of(pipeline, inquiry_id)
    assert pipeline.queued_jobs() == []
    (letter,) = dead_letter_bodies(router_dead_letters)
    # (the local stack's on-failure record has the shape of Lambda's)
    assert shape(json.loads(letter)) == shape(ROUTER_FAILURE)

    # When the admin redrives the router's dead-letter queue, and the mailer does its work
    out = redrive(capsys, expired=expired)
    pipeline.send(pipeline.queued_jobs())
    drain_stream(poller)

    # Then the buyer and the rep each got their mail exactly once, and the queue is empty
    assert "found in the table" in out if expired else "read back from the stream" in out
    assert "queued acknowledgement, notification" in out
    assert recipients() == [("acknowledgement", BUYER["email"]), ("notification", owner)]
    assert dead_letter_bodies(router_dead_letters) == []

    # And the same dead letter redriven again finds nothing missing and sends nothing
    boto3.client("sqs", region_name=REGION).send_message(QueueUrl=router_dead_letters, MessageBody=letter)
    again = redrive(capsys, expired=expired)
    assert "nothing missing (assigned)" in again
    assert pipeline.queued_jobs() == []
    assert len(sent_mails()) == 2
    assert dead_letter_bodies(router_dead_letters) == []


def test_a_new_inquiry_the_router_gave_up_on_is_assigned_and_mailed_by_the_redrive(
    intake: Invoke, pipeline: Pipeline, router_dead_letters: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an inquiry stored while no routing config was applied: its INSERT failed six times
    delete_config(pipeline.dynamodb)
    poller = router_stream_poller(pipeline, router_dead_letters)
    inquiry_id = submit(intake)
    drain_stream(poller)
    assert len(dead_letter_bodies(router_dead_letters)) == 1

    # When the config is applied and the dead letter redriven
    apply_config(pipeline.dynamodb, TABLE_NAME, routing_config(rep("ana"), rep("bob")), datetime.now(UTC))
    out = redrive(capsys, expired=False)
    drain_stream(poller)  # the assignment's own MODIFY queues the same jobs again
    pipeline.send(pipeline.queued_jobs())

    # Then it is assigned, and both mails went once
    owner = owner_of(pipeline, inquiry_id)
    assert "assigned; queued acknowledgement, notification" in out
    assert recipients() == [("acknowledgement", BUYER["email"]), ("notification", owner)]
    assert dead_letter_bodies(router_dead_letters) == []


def test_a_dead_letter_that_cannot_be_finished_stays_with_the_reason(
    intake: Invoke, pipeline: Pipeline, router_dead_letters: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a failed INSERT, and still no routing config when the admin redrives
    delete_config(pipeline.dynamodb)
    poller = router_stream_poller(pipeline, router_dead_letters)
    submit(intake)
    drain_stream(poller)

    code, out, err = run(capsys, "dlq", "redrive", "--queue", "router", "--yes")

    assert code == 1
    assert "failed: no routing configuration is applied" in out
    assert "1 dead letter(s) could not be finished; they stay" in err
    assert len(dead_letter_bodies(router_dead_letters)) == 1
