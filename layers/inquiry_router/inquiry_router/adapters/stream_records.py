"""Reading a batch of the table's stream back by its sequence numbers: what a router dead letter
(Lambda's on-failure record, which names the batch but does not carry it) points at.

DynamoDB keeps stream records for 24 hours; after that, or once the stream itself was replaced,
`StreamRecordsGone` says so and the caller falls back on the table (routing/redrive.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from inquiry_router.adapters.serialization import from_attributes
from inquiry_router.models.inquiry import ENTITY as INQUIRY_ENTITY
from inquiry_router.models.inquiry import Inquiry

if TYPE_CHECKING:
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient

# What DynamoDB Streams answers for records that left the stream, or a stream that is gone.
GONE_CODES = {"TrimmedDataAccessException", "ResourceNotFoundException"}
MAX_READS = 1000  # GetRecords calls for one batch: a batch spans at most a few pages of its shard


class StreamRecordsGone(Exception):
    """The batch's records can no longer be read from the stream."""


@dataclass(frozen=True, slots=True)
class StreamChange:
    event_name: str  # INSERT | MODIFY | REMOVE
    sequence_number: int
    new_image: dict[str, Any]
    old_image: dict[str, Any] | None

    @property
    def inquiry(self) -> Inquiry | None:
        """The inquiry as the change left it; None when the item is no inquiry."""
        if self.new_image.get("entity") != INQUIRY_ENTITY or not self.new_image.get("id"):
            return None
        return Inquiry.from_item(self.new_image)


def inquiry_change(record: Mapping[str, Any]) -> tuple[Inquiry | None, Inquiry] | None:
    """An inquiry's stream record (Lambda's event shape) as the inquiry before and after; None for
    a record of any other item."""
    images = record.get("dynamodb") or {}
    new = from_attributes(images.get("NewImage") or {})
    if new.get("entity") != INQUIRY_ENTITY:
        return None
    old = from_attributes(images["OldImage"]) if images.get("OldImage") else None
    before = Inquiry.from_item(old) if old and old.get("entity") == INQUIRY_ENTITY else None
    return before, Inquiry.from_item(new)


def read_batch(
    streams: DynamoDBStreamsClient, stream_arn: str, shard_id: str, first: str, last: str
) -> list[StreamChange]:
    """The shard's records from sequence number `first` to `last`, both included."""
    end = int(last)
    try:
        iterator: str | None = streams.get_shard_iterator(
            StreamArn=stream_arn,
            ShardId=shard_id,
            ShardIteratorType="AT_SEQUENCE_NUMBER",
            SequenceNumber=first,
        )["ShardIterator"]
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in GONE_CODES:
            message = error.response.get("Error", {}).get("Message", "")
            raise StreamRecordsGone(f"{code}: {message}") from error
        raise
    changes: list[StreamChange] = []
    for _ in range(MAX_READS):
        if iterator is None:  # the shard was closed before `last`: what it had is all there is
            return changes
        answer = streams.get_records(ShardIterator=iterator, Limit=1000)
        for raw in answer.get("Records", []):
            change = _change(raw)
            if change.sequence_number > end:
                return changes
            changes.append(change)
            if change.sequence_number == end:
                return changes
        iterator = answer.get("NextShardIterator")
    raise StreamRecordsGone(f"sequence number {last} not reached after {MAX_READS} reads of shard {shard_id}")


def _change(raw: Any) -> StreamChange:
    images = raw.get("dynamodb") or {}
    return StreamChange(
        event_name=str(raw.get("eventName")),
        sequence_number=int(images.get("SequenceNumber", 0)),
        new_image=from_attributes(images.get("NewImage") or {}),
        old_image=from_attributes(images["OldImage"]) if images.get("OldImage") else None,
    )
