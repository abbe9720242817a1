"""Deliver a table's DynamoDB stream records to a function, with Lambda's batching and retry rules.

A failed batch blocks its shard and is retried (with a short backoff) until it succeeds, its
records grow older than MaximumRecordAgeInSeconds, or MaximumRetryAttempts is used up; then a
description of the discarded batch goes to the OnFailure queue, as Lambda sends it. With
ReportBatchItemFailures, processing resumes at the lowest reported sequence number; with
BisectBatchOnFunctionError, a failing batch is split in two, which uses no retry.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from inquiry_router_admin.local.event_sources import (
    InvalidBatchResponse,
    Log,
    Poller,
    PollOutcome,
    StreamMapping,
    failed_item_ids,
)
from inquiry_router_admin.local.function_runner import FunctionRunner

if TYPE_CHECKING:
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient
    from mypy_boto3_sqs import SQSClient

RETRY_BACKOFF_SECONDS = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0)


def lambda_stream_record(raw: dict[str, Any], stream_arn: str, region: str) -> dict[str, Any]:
    """A GetRecords record in the shape Lambda puts in `event["Records"]`."""
    change = raw["dynamodb"]
    created = change.get("ApproximateCreationDateTime")
    dynamodb: dict[str, Any] = {
        # Lambda sends epoch seconds; boto3 parsed the API's timestamp into a datetime.
        "ApproximateCreationDateTime": int(created.timestamp()) if isinstance(created, datetime) else created,
        "Keys": change["Keys"],
    }
    for image in ("NewImage", "OldImage"):
        if image in change:
            dynamodb[image] = change[image]
    dynamodb |= {
        "SequenceNumber": change["SequenceNumber"],
        "SizeBytes": change["SizeBytes"],
        "StreamViewType": change["StreamViewType"],
    }
    record = {
        "eventID": raw["eventID"],
        "eventName": raw["eventName"],
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }
    if "userIdentity" in raw:  # TTL deletions
        record["userIdentity"] = {k[:1].lower() + k[1:]: v for k, v in raw["userIdentity"].items()}
    return record


@dataclass
class _Batch:
    records: list[dict[str, Any]]
    retries: int = 0


class StreamPoller(Poller):
    def __init__(
        self,
        mapping: StreamMapping,
        runner: FunctionRunner,
        *,
        streams: DynamoDBStreamsClient,
        sqs: SQSClient,
        region: str,
        log: Log,
        log_error: Log,
        forget_iterator: Callable[[str], None] = lambda _: None,
        retry_backoff: Sequence[float] = RETRY_BACKOFF_SECONDS,
    ) -> None:
        super().__init__(mapping.label, log, log_error)
        self.mapping = mapping
        self._runner = runner
        self._streams = streams
        self._sqs = sqs
        self._region = region
        self._forget_iterator = forget_iterator
        self._retry_backoff = tuple(retry_backoff) or (0.0,)
        self._shard_id = ""
        self._iterator: str | None = None

    def start(self) -> None:
        # Position the iterator before the thread starts, so no record written after start() is missed.
        self.open_shard()
        super().start()

    def open_shard(self) -> None:
        """Position the shard iterator; `poll_once()` can then be called without the thread (tests)."""
        described = self._streams.describe_stream(StreamArn=self.mapping.stream_arn)["StreamDescription"]
        self._shard_id = described["Shards"][0]["ShardId"]
        self._iterator = self._streams.get_shard_iterator(
            StreamArn=self.mapping.stream_arn,
            ShardId=self._shard_id,
            ShardIteratorType=self.mapping.starting_position,  # type: ignore[arg-type]
        )["ShardIterator"]

    def poll_once(self) -> PollOutcome:
        if self._iterator is None:
            return PollOutcome.IDLE
        answer = self._streams.get_records(ShardIterator=self._iterator, Limit=self.mapping.batch_size)
        self._forget_iterator(self._iterator)
        self._iterator = answer.get("NextShardIterator")
        raw_records = answer.get("Records", [])
        if not raw_records:
            return PollOutcome.IDLE
        records = [
            lambda_stream_record(dict(raw), self.mapping.stream_arn, self._region) for raw in raw_records
        ]
        matching = [r for r in records if self.mapping.event_filter.matches(r)]
        if matching:
            self._deliver(matching)
        return PollOutcome.DELIVERED

    def _deliver(self, records: list[dict[str, Any]]) -> None:
        pending = deque([_Batch(records)])
        while pending and not self.stopping:
            batch = pending.popleft()
            if self._too_old(batch.records):
                self._discard(batch, "RecordAgeExceeded")
                continue
            invocation = self._runner.invoke(self.mapping.function_id, {"Records": batch.records})
            failing, function_error = self._failing(batch.records, invocation.result, invocation.error)
            if not failing:
                delivered = len(batch.records)
                self._log(f"{self.label}: {delivered} record(s) delivered ({invocation.duration_ms:.0f} ms)")
                continue
            if function_error and self.mapping.bisect_on_error and len(failing) > 1:
                half = len(failing) // 2
                pending.extendleft(
                    [_Batch(failing[half:], batch.retries), _Batch(failing[:half], batch.retries)]
                )
                continue
            retried = _Batch(failing, batch.retries)
            if self.mapping.max_retries is not None and batch.retries >= self.mapping.max_retries:
                self._discard(retried, "RetryAttemptsExhausted")
                continue
            delay = self._retry_backoff[min(batch.retries, len(self._retry_backoff) - 1)]
            self._log(f"{self.label}: {len(failing)} record(s) failed; retrying in {delay:g} s")
            if not self.pause(delay):
                return
            retried.retries += 1
            pending.appendleft(retried)

    def _failing(
        self, records: list[dict[str, Any]], result: Any, error: Exception | None
    ) -> tuple[list[dict[str, Any]], bool]:
        """The records to retry, and whether the function failed as a whole."""
        if error is not None:
            return records, True
        if not self.mapping.report_item_failures:
            return [], False
        sequence_numbers = [r["dynamodb"]["SequenceNumber"] for r in records]
        try:
            failed = failed_item_ids(result, sequence_numbers)
        except InvalidBatchResponse as invalid:
            self._log_error(f"{self.label}: {invalid}; the whole batch failed")
            return records, True
        if not failed:
            return [], False
        # Lambda resumes at the lowest reported sequence number.
        first = min(sequence_numbers.index(identifier) for identifier in failed)
        return records[first:], False

    def _too_old(self, records: Sequence[dict[str, Any]]) -> bool:
        limit = self.mapping.max_record_age_seconds
        oldest = records[0]["dynamodb"].get("ApproximateCreationDateTime")
        return limit is not None and isinstance(oldest, (int, float)) and time.time() - oldest > limit

    def _discard(self, batch: _Batch, condition: str) -> None:
        records = batch.records
        queue_url = self.mapping.on_failure_queue_url
        if queue_url is None:
            self._log(
                f"{self.label}: discarded {len(records)} record(s) ({condition}); no OnFailure destination"
            )
            return
        spec = self._runner.specs[self.mapping.function_id]
        arrival = [_iso(r["dynamodb"].get("ApproximateCreationDateTime")) for r in (records[0], records[-1])]
        message = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": spec.arn,
                "condition": condition,
                "approximateInvokeCount": batch.retries + 1,
            },
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": "Unhandled",
            },
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "DDBStreamBatchInfo": {
                "shardId": self._shard_id,
                "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
                "endSequenceNumber": records[-1]["dynamodb"]["SequenceNumber"],
                "approximateArrivalOfFirstRecord": arrival[0],
                "approximateArrivalOfLastRecord": arrival[1],
                "batchSize": len(records),
                "streamArn": self.mapping.stream_arn,
            },
        }
        self._sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(message))
        self._log(
            f"{self.label}: sent {len(records)} discarded record(s) ({condition}) to the OnFailure queue"
        )


def _iso(epoch_seconds: Any) -> str:
    moment = datetime.fromtimestamp(float(epoch_seconds or 0), UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
