"""Deliver an SQS queue's messages to a function, as Lambda's SQS event source does.

Messages the filter rejects are deleted unseen; after the function succeeds its messages are
deleted; failed ones (all of them on an error, the reported ones with ReportBatchItemFailures) are
left alone, to be received again when their visibility timeout ends and, after the queue's
maxReceiveCount, moved to its dead-letter queue by the endpoint (its RedrivePolicy).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from inquiry_router_admin.local.event_sources import (
    InvalidBatchResponse,
    Log,
    Poller,
    PollOutcome,
    QueueMapping,
    failed_item_ids,
)
from inquiry_router_admin.local.function_runner import FunctionRunner

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.literals import QueueAttributeNameType

MAX_MESSAGES_PER_RECEIVE = 10  # SQS's limit
_PENDING_COUNTS: tuple[QueueAttributeNameType, ...] = (
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
)


def lambda_sqs_record(message: Mapping[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """A ReceiveMessage message in the shape Lambda puts in `event["Records"]`."""
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes") or {}),
        "messageAttributes": {
            name: _lambda_message_attribute(value)
            for name, value in (message.get("MessageAttributes") or {}).items()
        },
        "md5OfBody": message["MD5OfBody"],
    }
    if "MD5OfMessageAttributes" in message:
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    record |= {"eventSource": "aws:sqs", "eventSourceARN": queue_arn, "awsRegion": region}
    return record


def _lambda_message_attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    attribute: dict[str, Any] = {}
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        attribute["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
    attribute["stringListValues"] = list(value.get("StringListValues") or [])
    attribute["binaryListValues"] = [
        base64.b64encode(v).decode() for v in value.get("BinaryListValues") or []
    ]
    attribute["dataType"] = value["DataType"]
    return attribute


def filter_document(record: Mapping[str, Any]) -> dict[str, Any]:
    """What a FilterCriteria pattern is matched against: the record, with a JSON body parsed."""
    try:
        body = json.loads(record["body"])
    except ValueError:
        body = record["body"]
    return {**record, "body": body}


class QueuePoller(Poller):
    def __init__(
        self,
        mapping: QueueMapping,
        runner: FunctionRunner,
        *,
        sqs: SQSClient,
        region: str,
        log: Log,
        log_error: Log,
    ) -> None:
        super().__init__(mapping.label, log, log_error)
        self.mapping = mapping
        self._runner = runner
        self._sqs = sqs
        self._region = region

    def poll_once(self) -> PollOutcome:
        messages = self._receive()
        if not messages:
            return PollOutcome.WAITING if self._has_messages_in_flight() else PollOutcome.IDLE
        records = [lambda_sqs_record(m, self.mapping.queue_arn, self._region) for m in messages]
        matching = [r for r in records if self.mapping.event_filter.matches(filter_document(r))]
        matched_ids = {r["messageId"] for r in matching}
        # Lambda deletes the messages its filter rejects: they are never delivered.
        self._delete([r for r in records if r["messageId"] not in matched_ids])
        if matching:
            self._deliver(matching)
        return PollOutcome.DELIVERED

    def _receive(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        while len(messages) < self.mapping.batch_size:
            answer = self._sqs.receive_message(
                QueueUrl=self.mapping.queue_url,
                MaxNumberOfMessages=min(MAX_MESSAGES_PER_RECEIVE, self.mapping.batch_size - len(messages)),
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
                WaitTimeSeconds=0,
            )
            received = answer.get("Messages", [])
            messages.extend(dict(m) for m in received)
            if not received:
                break
        return messages

    def _deliver(self, records: list[dict[str, Any]]) -> None:
        invocation = self._runner.invoke(self.mapping.function_id, {"Records": records})
        if invocation.error is not None:
            self._log(
                f"{self.label}: {len(records)} message(s) failed; redelivered after the visibility timeout"
            )
            return
        failed: set[str] = set()
        if self.mapping.report_item_failures:
            try:
                failed = set(failed_item_ids(invocation.result, [r["messageId"] for r in records]))
            except InvalidBatchResponse as invalid:
                self._log_error(f"{self.label}: {invalid}; the whole batch failed")
                return
        self._delete([r for r in records if r["messageId"] not in failed])
        summary = f"{len(records) - len(failed)} message(s) delivered"
        if failed:
            summary += f", {len(failed)} failed and left for redelivery"
        self._log(f"{self.label}: {summary} ({invocation.duration_ms:.0f} ms)")

    def _delete(self, records: list[dict[str, Any]]) -> None:
        for start in range(0, len(records), MAX_MESSAGES_PER_RECEIVE):
            chunk = records[start : start + MAX_MESSAGES_PER_RECEIVE]
            answer = self._sqs.delete_message_batch(
                QueueUrl=self.mapping.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": r["receiptHandle"]} for i, r in enumerate(chunk)],
            )
            if answer.get("Failed"):
                self._log_error(f"{self.label}: could not delete messages: {answer['Failed']}")

    def _has_messages_in_flight(self) -> bool:
        counts = self._sqs.get_queue_attributes(
            QueueUrl=self.mapping.queue_url,
            AttributeNames=list(_PENDING_COUNTS),
        )["Attributes"]
        return any(int(counts.get(name) or 0) for name in _PENDING_COUNTS)
