"""Reading and moving dead letters: peek without consuming, move back without losing any.

A peeked message is received with a short visibility timeout and released at once, so the queue
keeps it (its receive count grows by one). A moved message is sent to the target queue before it
is deleted from the dead-letter queue: a crash in between leaves a duplicate, never a loss, which
is safe because the mailer sends each job id at most once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import (
        ChangeMessageVisibilityBatchRequestEntryTypeDef,
        DeleteMessageBatchRequestEntryTypeDef,
        MessageTypeDef,
        SendMessageBatchRequestEntryTypeDef,
    )

BATCH = 10  # SQS's most per receive, send and delete
PEEK_SECONDS = 30  # long enough to page through the queue without seeing a message twice
MOVE_SECONDS = 60
LONG_POLL_SECONDS = 1  # short polls may miss messages on a nearly empty queue


@dataclass(frozen=True, slots=True)
class DeadLetter:
    message_id: str
    body: str
    receive_count: int
    sent_at: str | None  # when it first entered a queue (SQS keeps it across the dead-letter move)

    def record(self) -> dict[str, Any] | None:
        try:
            parsed = json.loads(self.body)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None

    def as_json(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "sent_at": self.sent_at,
            "receive_count": self.receive_count,
            "body": self.record() or self.body,
        }


@dataclass(frozen=True, slots=True)
class MoveResult:
    moved: int
    failed: int


def waiting_count(sqs: SQSClient, queue_url: str) -> int:
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes.get("Attributes", {}).get("ApproximateNumberOfMessages", 0))


def peek(sqs: SQSClient, queue_url: str, limit: int) -> list[DeadLetter]:
    expected = min(limit, waiting_count(sqs, queue_url))
    received: list[MessageTypeDef] = []
    try:
        while len(received) < expected:
            batch = _receive(sqs, queue_url, min(BATCH, expected - len(received)), PEEK_SECONDS)
            if not batch:
                break
            received += batch
    finally:
        _release(sqs, queue_url, received)
    return [_dead_letter(message) for message in received]


def move_all(sqs: SQSClient, from_url: str, to_url: str) -> MoveResult:
    """Send each message to `to_url`, then delete it here; stops at the first send that fails."""
    expected = waiting_count(sqs, from_url)
    moved, failed = 0, 0
    # A message moved and back already (it failed again) keeps the id it was sent with: it is left
    # for the next run. Equal bodies are not the same message: a job queued twice is moved twice.
    sent_ids: set[str] = set()
    while True:
        batch = _receive(sqs, from_url, BATCH, MOVE_SECONDS, wait=moved < expected)
        fresh = [m for m in batch if m.get("MessageId", "") not in sent_ids]
        _release(sqs, from_url, [m for m in batch if m not in fresh])
        if not fresh:
            return MoveResult(moved, failed)
        answer = sqs.send_message_batch(QueueUrl=to_url, Entries=[_resend(n, m) for n, m in enumerate(fresh)])
        sent = {int(entry["Id"]) for entry in answer.get("Successful", [])}
        sent_ids |= {entry["MessageId"] for entry in answer.get("Successful", [])}
        _delete(sqs, from_url, [m for n, m in enumerate(fresh) if n in sent])
        _release(sqs, from_url, [m for n, m in enumerate(fresh) if n not in sent])
        moved += len(sent)
        if len(sent) < len(fresh):
            return MoveResult(moved, failed + len(fresh) - len(sent))


def invoke_all(sqs: SQSClient, from_url: str, invoke: Callable[[dict[str, Any]], None]) -> MoveResult:
    """Hand each dead letter's original event (Lambda's on-failure record `requestPayload`) back to
    its function, then delete it here; a letter that cannot be handed back stays."""

    def hand_back(record: dict[str, Any]) -> bool:
        invoke(record["requestPayload"])
        return True

    return settle_all(sqs, from_url, hand_back)


def settle_all(sqs: SQSClient, from_url: str, settle: Callable[[dict[str, Any]], bool]) -> MoveResult:
    """Call `settle` with each dead letter's JSON body and delete the letter only once it returns
    True; a letter it refuses (False) or fails on (an AWS error, an unreadable body) stays."""
    expected = waiting_count(sqs, from_url)
    moved, failed = 0, 0
    handed: set[str] = set()
    while True:
        batch = _receive(sqs, from_url, BATCH, MOVE_SECONDS, wait=moved + failed < expected)
        fresh = [m for m in batch if m.get("MessageId", "") not in handed]
        _release(sqs, from_url, [m for m in batch if m not in fresh])
        if not fresh:
            return MoveResult(moved, failed)
        done = []
        for message in fresh:
            handed.add(message.get("MessageId", ""))  # once per run: a letter that stays is not retried
            try:
                settled = settle(json.loads(message.get("Body", "")))
            except (ValueError, KeyError, TypeError, ClientError, BotoCoreError):
                settled = False
            if settled:
                done.append(message)
            else:
                failed += 1
        _delete(sqs, from_url, done)
        _release(sqs, from_url, [m for m in fresh if m not in done])
        moved += len(done)


def _receive(
    sqs: SQSClient, queue_url: str, count: int, visibility: int, *, wait: bool = True
) -> list[MessageTypeDef]:
    answer = sqs.receive_message(
        QueueUrl=queue_url,
        MaxNumberOfMessages=count,
        VisibilityTimeout=visibility,
        WaitTimeSeconds=LONG_POLL_SECONDS if wait else 0,
        MessageSystemAttributeNames=["ApproximateReceiveCount", "SentTimestamp"],
        MessageAttributeNames=["All"],
    )
    return list(answer.get("Messages", []))


def _release(sqs: SQSClient, queue_url: str, messages: Sequence[MessageTypeDef]) -> None:
    for start in range(0, len(messages), BATCH):
        entries: list[ChangeMessageVisibilityBatchRequestEntryTypeDef] = [
            {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
            for n, m in enumerate(messages[start : start + BATCH])
            if "ReceiptHandle" in m
        ]
        if entries:
            sqs.change_message_visibility_batch(QueueUrl=queue_url, Entries=entries)


def _delete(sqs: SQSClient, queue_url: str, messages: Sequence[MessageTypeDef]) -> None:
    entries: list[DeleteMessageBatchRequestEntryTypeDef] = [
        {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)
    ]
    if entries:
        sqs.delete_message_batch(QueueUrl=queue_url, Entries=entries)


def _resend(number: int, message: MessageTypeDef) -> SendMessageBatchRequestEntryTypeDef:
    entry: SendMessageBatchRequestEntryTypeDef = {"Id": str(number), "MessageBody": message.get("Body", "")}
    if message.get("MessageAttributes"):
        entry["MessageAttributes"] = message["MessageAttributes"]
    return entry


def _dead_letter(message: MessageTypeDef) -> DeadLetter:
    attributes = message.get("Attributes", {})
    sent = attributes.get("SentTimestamp")
    return DeadLetter(
        message_id=message.get("MessageId", ""),
        body=message.get("Body", ""),
        receive_count=int(attributes.get("ApproximateReceiveCount", 0)),
        sent_at=datetime.fromtimestamp(int(sent) / 1000, UTC).isoformat(timespec="seconds") if sent else None,
    )
