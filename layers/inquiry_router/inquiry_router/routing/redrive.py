"""Finishing what the router gave up on: one router dead letter at a time.

A dead letter is Lambda's on-failure record of a stream batch. It names the batch (shard, first and
last sequence number, when its first and last records arrived) but carries none of its records.
While the stream still holds them (24 hours), they are read back by sequence number; after that,
the inquiries the batch can have been about are found in the table instead: every inquiry still
`new` received before the batch's last record, and every inquiry assigned while the batch's records
arrived (from the assignment events' index), with a margin on both sides.

Each inquiry found is then finished from what the table says now, whatever the record was: routed
if still new, and the mails of its current assignment queued unless their send records show them
claimed. Job ids are deterministic, so a mail queued twice is still sent once, and finishing an
inquiry that needed nothing queues nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from inquiry_router.adapters.queries import (
    get_inquiry,
    inquiries_assigned_between,
    inquiries_received_until,
    mail_job_states,
)
from inquiry_router.adapters.stream_records import StreamRecordsGone, read_batch
from inquiry_router.base.timestamps import iso_timestamp, parse_timestamp
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.mail_job import MailJob
from inquiry_router.routing.service import Router, mail_jobs_for_assignment

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient

# Stream records carry their arrival to the second, and an assignment is stamped when its router
# began deciding (retries under contention take seconds): a wide margin costs a few reads only.
WINDOW_MARGIN = timedelta(minutes=5)
MAX_WAITING = 1000  # `new` inquiries looked at per dead letter whose records expired
# A claimed job is being sent or was: only an unclaimed one (or one whose sender died) is queued.
UNFINISHED_STATES = (None, "sending")


class InvalidDeadLetter(ValueError):
    """Not an on-failure record of a stream batch: nothing can be read from it."""


@dataclass(frozen=True, slots=True)
class StreamBatchFailure:
    """Lambda's on-failure record of a DynamoDB stream batch (`DDBStreamBatchInfo`)."""

    stream_arn: str
    shard_id: str
    first_sequence: str
    last_sequence: str
    first_arrival: datetime
    last_arrival: datetime
    size: int
    condition: str | None = None

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> StreamBatchFailure:
        batch = record.get("DDBStreamBatchInfo")
        if not isinstance(batch, Mapping):
            raise InvalidDeadLetter("no DDBStreamBatchInfo: not a stream batch's on-failure record")
        try:
            return cls(
                stream_arn=str(batch["streamArn"]),
                shard_id=str(batch["shardId"]),
                first_sequence=str(int(batch["startSequenceNumber"])),
                last_sequence=str(int(batch["endSequenceNumber"])),
                first_arrival=_moment(batch["approximateArrivalOfFirstRecord"]),
                last_arrival=_moment(batch["approximateArrivalOfLastRecord"]),
                size=int(batch.get("batchSize") or 0),
                condition=(record.get("requestContext") or {}).get("condition"),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise InvalidDeadLetter(f"DDBStreamBatchInfo cannot be read: {error!r}") from None


@dataclass(frozen=True, slots=True)
class FinishedInquiry:
    inquiry_id: str
    reference: str | None
    status: str | None
    owner_email: str | None
    queued: tuple[str, ...] = ()  # the kinds of the mail jobs queued
    routed: bool = False
    error: str | None = None

    @property
    def summary(self) -> str:
        if self.error:
            return f"failed: {self.error}"
        done = ["assigned"] if self.routed else []
        if self.queued:
            done.append("queued " + ", ".join(self.queued))
        return "; ".join(done) or f"nothing missing ({self.status or 'not found'})"


@dataclass(frozen=True, slots=True)
class RedriveReport:
    failure: StreamBatchFailure
    found_by: Literal["stream", "table"]
    why_table: str | None
    inquiries: list[FinishedInquiry] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return all(finished.error is None for finished in self.inquiries)


@dataclass
class RouterRedrive:
    client: DynamoDBClient
    table: str
    streams: DynamoDBStreamsClient
    router: Router
    enqueue: Callable[[list[MailJob]], None]

    def finish(self, failure: StreamBatchFailure) -> RedriveReport:
        try:
            changes = read_batch(
                self.streams,
                failure.stream_arn,
                failure.shard_id,
                failure.first_sequence,
                failure.last_sequence,
            )
        except StreamRecordsGone as gone:
            ids = self._candidates_in_table(failure)
            report = RedriveReport(failure, "table", str(gone))
        else:
            ids = list(dict.fromkeys(inquiry.id for change in changes if (inquiry := change.inquiry)))
            report = RedriveReport(failure, "stream", None)
        report.inquiries.extend(self.finish_inquiry(inquiry_id) for inquiry_id in ids)
        return report

    def _candidates_in_table(self, failure: StreamBatchFailure) -> list[str]:
        start, end = failure.first_arrival - WINDOW_MARGIN, failure.last_arrival + WINDOW_MARGIN
        # A mail can be stored hours after SES received it (asynchronous retries): every waiting
        # inquiry up to the window's end, not only those received inside it.
        waiting = inquiries_received_until(self.client, self.table, "new", iso_timestamp(end), MAX_WAITING)
        ids = [inquiry.id for inquiry in waiting]
        ids += inquiries_assigned_between(self.client, self.table, start, end)
        return list(dict.fromkeys(ids))

    def finish_inquiry(self, inquiry_id: str) -> FinishedInquiry:
        inquiry = get_inquiry(self.client, self.table, inquiry_id, consistent=True)
        if inquiry is None:
            return FinishedInquiry(inquiry_id, None, None, None)
        routed = False
        if inquiry.status == "new":
            try:
                self.router.route_new_inquiry(inquiry)
            except (RuntimeError, ValueError) as error:  # not configured, contention: stays, said
                return _finished(inquiry, error=str(error))
            routed = True
            inquiry = get_inquiry(self.client, self.table, inquiry_id, consistent=True) or inquiry
        if inquiry.status != "assigned":
            return _finished(inquiry, routed=routed)
        jobs = mail_jobs_for_assignment(inquiry)
        states = mail_job_states(self.client, self.table, [job.job_id for job in jobs])
        missing = [job for job in jobs if states.get(job.job_id) in UNFINISHED_STATES]
        if missing:
            self.enqueue(missing)
        return _finished(inquiry, routed=routed, queued=tuple(job.kind for job in missing))


def _finished(
    inquiry: Inquiry,
    *,
    routed: bool = False,
    queued: tuple[str, ...] = (),
    error: str | None = None,
) -> FinishedInquiry:
    return FinishedInquiry(
        inquiry_id=inquiry.id,
        reference=inquiry.reference,
        status=inquiry.status,
        owner_email=inquiry.owner_email,
        queued=queued,
        routed=routed,
        error=error,
    )


def _moment(value: Any) -> datetime:
    """Lambda writes `2019-11-14T00:38:04Z` (or with milliseconds)."""
    return parse_timestamp(str(value))
