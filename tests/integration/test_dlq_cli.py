"""`inquiry-router dlq list|redrive` against the stack's queues (moto SQS)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from tests.conftest import TABLE_NAME
from tests.support.cli import fake_stack, run, without_terminal

# Lambda's on-failure record for a stream batch it gave up on: it points at the records.
ROUTER_FAILURE = {
    "requestContext": {
        "requestId": "c9b8fa9f-5a7f-4f6b-9d1c-0a6c6b1f2e3d",
        "functionArn": "arn:aws:lambda:eu-west-1:123456789012:function:inquiry-router-router",
        "condition": "RetryAttemptsExhausted",
        "approximateInvokeCount": 3,
    },
    "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
    "version": "1.0",
    "timestamp": "2026-11-24T03:15:09.021Z",
    "DDBStreamBatchInfo": {
        "shardId": "shardId-00000001732412345678-abcdef12",
        "startSequenceNumber": "400000000000000001",
        "endSequenceNumber": "400000000000000001",
        "approximateArrivalOfFirstRecord": "2026-11-24T03:14:58.000Z",
        "approximateArrivalOfLastRecord": "2026-11-24T03:14:58.000Z",
        "batchSize": 1,
        "streamArn": "arn:aws:dynamodb:eu-west-1:123456789012:table/inquiry-router-test/stream/2026",
    },
}

# Lambda's on-failure record for an SES receipt event the inbound function gave up on.
INBOUND_FAILURE = {
    "version": "1.0",
    "timestamp": "2026-11-25T08:01:44.310Z",
    "requestContext": {
        "requestId": "0e6b3c1a-8a51-4c49-9d0e-9a8f0b2f6d11",
        "functionArn": "arn:aws:lambda:eu-west-1:123456789012:function:inquiry-router-inbound:$LATEST",
        "condition": "RetriesExhausted",
        "approximateInvokeCount": 3,
    },
    "requestPayload": {
        "Records": [
            {
                "eventSource": "aws:ses",
                "eventVersion": "1.0",
                "ses": {
                    "mail": {
                        "timestamp": "2026-11-25T08:00:12.000Z",
                        "source": "buyer@example.net",
                        "messageId": "o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1",
                        "destination": ["sales@in.sunrise-lighting.com"],
                    },
                    "receipt": {"recipients": ["sales@in.sunrise-lighting.com"]},
                },
            }
        ]
    },
    "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
    "responsePayload": {
        "errorMessage": "An error occurred (ProvisionedThroughputExceededException) when calling PutItem",
        "errorType": "ClientError",
        "requestId": "0e6b3c1a-8a51-4c49-9d0e-9a8f0b2f6d11",
        "stackTrace": ['  File "/var/task/app.py", line 17, in receive\n'],
    },
}
BUCKET = "inquiry-router-rawmailbucket-1a2b3c4d5e6f"


def job(inquiry_id: str) -> str:
    return json.dumps({"job_id": f"ack:{inquiry_id}", "kind": "acknowledgement", "inquiry_id": inquiry_id})


@pytest.fixture
def queues(dynamodb: Any) -> dict[str, str]:
    sqs = boto3.client("sqs")
    urls = {
        name: sqs.create_queue(QueueName=f"inquiry-router-{name}")["QueueUrl"]
        for name in (
            "MailQueueUrl",
            "MailDeadLetterQueueUrl",
            "RouterDeadLetterQueueUrl",
            "InboundDeadLetterQueueUrl",
        )
    }
    fake_stack(
        {
            "TableName": TABLE_NAME,
            "RawMailBucketName": BUCKET,
            "InboundFunctionName": "inquiry-router-inbound",
            **urls,
        }
    )
    return urls


def waiting(url: str) -> list[str]:
    """Every message body on the queue, taken off it (for assertions at the end of a test)."""
    sqs, bodies = boto3.client("sqs"), []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return sorted(bodies)


def test_list_shows_dead_letters_of_every_queue_and_leaves_them_there(
    queues: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    # Given two mail jobs and one routing failure in the dead-letter queues
    sqs = boto3.client("sqs")
    for inquiry in ("inq-1", "inq-2"):
        sqs.send_message(QueueUrl=queues["MailDeadLetterQueueUrl"], MessageBody=job(inquiry))
    sqs.send_message(QueueUrl=queues["RouterDeadLetterQueueUrl"], MessageBody=json.dumps(ROUTER_FAILURE))

    # When the admin lists them
    code, out, _ = run(capsys, "dlq", "list")

    # Then each mail job and the failure are described
    assert code == 0
    assert "The mail dead-letter queue holds 2 message(s)" in out
    assert "acknowledgement" in out
    assert "inq-2" in out
    failure = next(line for line in out.splitlines() if "RetryAttemptsExhausted" in line)
    when, condition, error, records = failure.split()[1:5]
    assert (when, condition, error, records) == ("03:15:09", "RetryAttemptsExhausted", "Unhandled", "1")
    # And nothing was taken off: listing again shows the same, and a redrive would find them
    code, out, _ = run(capsys, "dlq", "list", "--queue", "mail", "--json")
    listed = json.loads(out)["mail"]
    assert sorted(m["body"]["inquiry_id"] for m in listed) == ["inq-1", "inq-2"]
    assert {m["receive_count"] for m in listed} == {2}
    assert waiting(queues["MailDeadLetterQueueUrl"]) == [job("inq-1"), job("inq-2")]
    assert waiting(queues["RouterDeadLetterQueueUrl"]) == [json.dumps(ROUTER_FAILURE)]
    assert "The inbound mail dead-letter queue is empty." in out_of(capsys, "dlq", "list")


def out_of(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code, out, _ = run(capsys, *argv)
    assert code == 0
    return out


def test_inbound_failures_show_the_ses_message_id_to_find_the_raw_mail(
    queues: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    # Given received mail the inbound function failed on three times
    sqs = boto3.client("sqs")
    sqs.send_message(QueueUrl=queues["InboundDeadLetterQueueUrl"], MessageBody=json.dumps(INBOUND_FAILURE))

    # When the admin lists the inbound dead-letter queue
    out = out_of(capsys, "dlq", "list", "--queue", "inbound")

    # Then the failure names the message (its raw/ key in S3), the attempts and the error
    assert out.startswith("The inbound mail dead-letter queue holds 1 message(s)")
    failure = out.splitlines()[-1].split()
    assert failure[1:6] == [
        "08:01:44",
        "RetriesExhausted",
        "3",
        "o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1",
        "ClientError:",
    ]
    listed = json.loads(out_of(capsys, "dlq", "list", "--queue", "inbound", "--json"))["inbound"]
    assert listed[0]["body"]["requestPayload"]["Records"][0]["ses"]["mail"]["messageId"].startswith("o3vr")
    assert waiting(queues["InboundDeadLetterQueueUrl"]) == [json.dumps(INBOUND_FAILURE)]


def test_a_stack_without_an_inbound_queue_still_lists_the_others(
    dynamodb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    sqs = boto3.client("sqs")
    urls = {
        name: sqs.create_queue(QueueName=f"old-{name}")["QueueUrl"]
        for name in ("MailDeadLetterQueueUrl", "RouterDeadLetterQueueUrl")
    }
    fake_stack({"TableName": TABLE_NAME, **urls})

    out = out_of(capsys, "dlq", "list")
    code, _, err = run(capsys, "dlq", "list", "--queue", "inbound")

    assert out == "The mail dead-letter queue is empty.\n\nThe router dead-letter queue is empty.\n"
    assert code == 2
    assert "has no InboundDeadLetterQueueUrl" in err


class RecordingLambda:
    """Lambda's Invoke API as the redrive uses it; records what it was handed."""

    def __init__(self) -> None:
        self.invocations: list[dict[str, Any]] = []

    def invoke(self, **request: Any) -> dict[str, Any]:
        self.invocations.append({**request, "Payload": json.loads(request["Payload"])})
        return {"StatusCode": 202}


def test_inbound_failures_are_handed_back_to_the_inbound_function(
    queues: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a received mail the inbound function gave up on
    from inquiry_router_admin.cli.target import Target

    functions = RecordingLambda()
    monkeypatch.setattr(Target, "lambda_client", lambda self: functions)
    boto3.client("sqs").send_message(
        QueueUrl=queues["InboundDeadLetterQueueUrl"], MessageBody=json.dumps(INBOUND_FAILURE)
    )

    # When the admin redrives the inbound dead-letter queue
    code, out, _ = run(capsys, "dlq", "redrive", "--queue", "inbound", "--yes")

    # Then the original SES event goes back to the function, asynchronously as SES sends it
    assert code == 0
    assert out.startswith("Handed 1 message(s) back to the inbound function")
    assert functions.invocations == [
        {
            "FunctionName": "inquiry-router-inbound",
            "InvocationType": "Event",
            "Payload": INBOUND_FAILURE["requestPayload"],
        }
    ]
    assert waiting(queues["InboundDeadLetterQueueUrl"]) == []


def test_an_empty_queue_says_so(queues: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "dlq", "list", "--queue", "router")
    assert (code, out) == (0, "The router dead-letter queue is empty.\n")


def test_redrive_moves_every_mail_job_back_to_the_mail_queue(
    queues: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    sqs = boto3.client("sqs")
    jobs = sorted(job(f"inq-{n:02}") for n in range(13))  # more than one SQS batch
    for body in jobs:
        sqs.send_message(QueueUrl=queues["MailDeadLetterQueueUrl"], MessageBody=body)

    code, out, _ = run(capsys, "dlq", "redrive", "--queue", "mail", "--yes")

    assert code == 0
    assert out.startswith("Moved 13 message(s) back to the mail queue")
    assert waiting(queues["MailDeadLetterQueueUrl"]) == []
    assert waiting(queues["MailQueueUrl"]) == jobs


def test_redrive_without_a_terminal_needs_yes(
    queues: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    boto3.client("sqs").send_message(QueueUrl=queues["MailDeadLetterQueueUrl"], MessageBody=job("inq-1"))
    without_terminal(monkeypatch)
    code, _, err = run(capsys, "dlq", "redrive", "--queue", "mail")
    assert code == 2
    assert "pass --yes" in err
    assert waiting(queues["MailDeadLetterQueueUrl"]) == [job("inq-1")]


def test_router_redrive_of_an_empty_queue_says_so(
    queues: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    # (redriving router failures: tests/integration/test_assignment_mails.py)
    code, out, _ = run(capsys, "dlq", "redrive", "--queue", "router", "--yes")
    assert (code, out) == (0, "The router dead-letter queue is empty: nothing to redrive.\n")


def test_an_unreadable_router_dead_letter_stays(
    queues: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    body = json.dumps({"requestContext": {"condition": "RetryAttemptsExhausted"}})
    boto3.client("sqs").send_message(QueueUrl=queues["RouterDeadLetterQueueUrl"], MessageBody=body)

    code, _, err = run(capsys, "dlq", "redrive", "--queue", "router", "--yes")

    assert code == 1
    assert "no DDBStreamBatchInfo" in err
    assert waiting(queues["RouterDeadLetterQueueUrl"]) == [body]


def test_a_job_queued_twice_is_moved_twice(
    queues: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    # (the router queued it again after a timeout that had queued it after all; both copies failed)
    sqs = boto3.client("sqs")
    bodies = [job("inq-1"), *(job(f"other-{n}") for n in range(10)), job("inq-1")]  # 2 receives
    for body in bodies:
        sqs.send_message(QueueUrl=queues["MailDeadLetterQueueUrl"], MessageBody=body)

    code, out, _ = run(capsys, "dlq", "redrive", "--queue", "mail", "--yes")

    assert code == 0
    assert out.startswith("Moved 12 message(s)")
    assert waiting(queues["MailDeadLetterQueueUrl"]) == []
    assert waiting(queues["MailQueueUrl"]) == sorted(bodies)
