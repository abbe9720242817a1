"""Event source mappings (DynamoDB streams, SQS queues), and the background poller both kinds run on.

A mapping is declared either as an `AWS::Lambda::EventSourceMapping` resource or as a function's
SAM `Events` entry; both are read into the same `StreamMapping` / `QueueMapping`. Defaults are
Lambda's: stream batches of 100 retried until they succeed, SQS batches of 10.
"""

from __future__ import annotations

import enum
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from inquiry_router_admin.local.filters import EventFilter, FilterError
from inquiry_router_admin.local.functions import FunctionSpec
from inquiry_router_admin.local.resources import EVENT_SOURCE_MAPPING, StackResources
from inquiry_router_admin.local.template import TemplateError, TemplateResolver

Log = Callable[[str], None]
POLL_INTERVAL_SECONDS = 0.2
REPORT_BATCH_ITEM_FAILURES = "ReportBatchItemFailures"


@dataclass(frozen=True)
class StreamMapping:
    function_id: str
    event_name: str
    table_id: str
    stream_arn: str
    starting_position: str
    batch_size: int
    max_retries: int | None  # None: until it succeeds, like Lambda's -1
    max_record_age_seconds: int | None
    bisect_on_error: bool
    report_item_failures: bool
    on_failure_queue_url: str | None
    event_filter: EventFilter

    @property
    def label(self) -> str:
        return f"{self.table_id} stream -> {self.function_id}"


@dataclass(frozen=True)
class QueueMapping:
    function_id: str
    event_name: str
    queue_id: str
    queue_url: str
    queue_arn: str
    batch_size: int
    report_item_failures: bool
    event_filter: EventFilter

    @property
    def label(self) -> str:
        return f"{self.queue_id} -> {self.function_id}"


def declared_mappings(template: Mapping[str, Any], resolver: TemplateResolver) -> dict[str, dict[str, Any]]:
    """The properties of every `AWS::Lambda::EventSourceMapping` the stack includes, resolved."""
    return {
        logical_id: resolver.resolve(resource.get("Properties") or {})
        for logical_id, resource in template["Resources"].items()
        if resource.get("Type") == EVENT_SOURCE_MAPPING and resolver.is_included(resource)
    }


def event_source_mappings(
    specs: Iterable[FunctionSpec],
    resources: StackResources,
    mapping_resources: Mapping[str, Mapping[str, Any]] | None = None,
) -> tuple[list[StreamMapping], list[QueueMapping], list[str]]:
    """The enabled stream and queue mappings, and a note for each the local stack does not run.

    `mapping_resources` are `declared_mappings()`; the functions' SAM `Events` come with `specs`.
    """
    streams: list[StreamMapping] = []
    queues: list[QueueMapping] = []
    notes: list[str] = []
    specs = list(specs)
    for spec in specs:
        for event_name, event in spec.events.items():
            kind, properties = event.get("Type"), event.get("Properties") or {}
            where = f"{spec.logical_id}.Events.{event_name}"
            if kind in ("HttpApi", "ScheduleV2"):
                continue  # served by the HTTP gateway; run by the schedule pollers (local/schedules.py)
            if str(properties.get("Enabled", True)).lower() == "false":
                notes.append(f"{where} is disabled")
            elif kind == "DynamoDB":
                streams.append(_stream_mapping(spec.logical_id, event_name, properties, resources, where))
            elif kind == "SQS":
                queues.append(_queue_mapping(spec.logical_id, event_name, properties, resources, where))
            else:
                notes.append(f"{where} ({kind}) is not run locally")
    for logical_id, properties in (mapping_resources or {}).items():
        function_id = _mapped_function(properties.get("FunctionName"), specs, logical_id)
        source_arn = str(properties.get("EventSourceArn"))
        source = resources.by_arn(source_arn)
        if str(properties.get("Enabled", True)).lower() == "false":
            notes.append(f"{logical_id} is disabled")
        elif source is not None and source.resource_type == "AWS::DynamoDB::Table":
            # The SAM event's `Stream` / `Queue` is the mapping's EventSourceArn; the rest is named alike.
            stream = {**properties, "Stream": source_arn}
            streams.append(_stream_mapping(function_id, logical_id, stream, resources, logical_id))
        elif source is not None and source.resource_type == "AWS::SQS::Queue":
            queue = {**properties, "Queue": source_arn}
            queues.append(_queue_mapping(function_id, logical_id, queue, resources, logical_id))
        else:
            notes.append(f"{logical_id} ({source_arn}) is not run locally: not a table stream or queue here")
    return streams, queues, notes


def _mapped_function(function_name: Any, specs: list[FunctionSpec], where: str) -> str:
    """The logical id of the function an event source mapping names (by name or ARN)."""
    for spec in specs:
        if function_name in (spec.name, spec.arn):
            return spec.logical_id
    raise TemplateError(f"{where}: FunctionName {function_name!r} is not a function the local stack runs")


def _stream_mapping(
    function_id: str, event_name: str, properties: Mapping[str, Any], resources: StackResources, where: str
) -> StreamMapping:
    stream_arn = str(properties.get("Stream"))
    table = resources.by_arn(stream_arn)
    if table is None:
        raise TemplateError(f"{where}: Stream {stream_arn} is not the stream of a table of this template")
    destination = ((properties.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
    max_retries = int(properties.get("MaximumRetryAttempts", -1))
    max_age = int(properties.get("MaximumRecordAgeInSeconds", -1))
    return StreamMapping(
        function_id=function_id,
        event_name=event_name,
        table_id=table.logical_id,
        stream_arn=stream_arn,
        starting_position=str(properties.get("StartingPosition") or "TRIM_HORIZON"),
        batch_size=int(properties.get("BatchSize", 100)),
        max_retries=None if max_retries < 0 else max_retries,
        max_record_age_seconds=None if max_age < 0 else max_age,
        bisect_on_error=str(properties.get("BisectBatchOnFunctionError", False)).lower() == "true",
        report_item_failures=REPORT_BATCH_ITEM_FAILURES in (properties.get("FunctionResponseTypes") or []),
        on_failure_queue_url=_queue_url(destination, resources, where) if destination else None,
        event_filter=_event_filter(properties, where),
    )


def _queue_mapping(
    function_id: str, event_name: str, properties: Mapping[str, Any], resources: StackResources, where: str
) -> QueueMapping:
    queue_arn = str(properties.get("Queue"))
    queue = resources.by_arn(queue_arn)
    if queue is None or queue.resource_type != "AWS::SQS::Queue":
        raise TemplateError(f"{where}: Queue {queue_arn} is not a queue of this template")
    return QueueMapping(
        function_id=function_id,
        event_name=event_name,
        queue_id=queue.logical_id,
        queue_url=queue.ref,
        queue_arn=queue_arn,
        batch_size=int(properties.get("BatchSize", 10)),
        report_item_failures=REPORT_BATCH_ITEM_FAILURES in (properties.get("FunctionResponseTypes") or []),
        event_filter=_event_filter(properties, where),
    )


def _queue_url(destination_arn: str, resources: StackResources, where: str) -> str:
    queue = resources.by_arn(destination_arn)
    if queue is None or queue.resource_type != "AWS::SQS::Queue":
        raise TemplateError(f"{where}: OnFailure must be an SQS queue of this template to work locally")
    return queue.ref


def _event_filter(properties: Mapping[str, Any], where: str) -> EventFilter:
    try:
        return EventFilter.from_criteria(properties.get("FilterCriteria"))
    except FilterError as error:
        raise TemplateError(f"{where}.FilterCriteria: {error}") from None


# -- partial batch responses ---------------------------------------------------------------------


class InvalidBatchResponse(Exception):
    """The function's batchItemFailures cannot be read; Lambda then fails the whole batch."""


def failed_item_ids(result: Any, known_ids: Iterable[str]) -> list[str]:
    """The item identifiers a `{"batchItemFailures": [...]}` response reports, in response order.

    None, an empty response or an empty list mean the whole batch succeeded, as in Lambda.
    """
    if not isinstance(result, Mapping) or not result.get("batchItemFailures"):
        return []
    failures = result["batchItemFailures"]
    known = set(known_ids)
    if not isinstance(failures, list):
        raise InvalidBatchResponse("batchItemFailures is not a list")
    identifiers = []
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, Mapping) else None
        if not isinstance(identifier, str) or identifier not in known:
            raise InvalidBatchResponse(f"itemIdentifier {identifier!r} is not in the batch")
        identifiers.append(identifier)
    return identifiers


# -- the poller ------------------------------------------------------------------------------------


class PollOutcome(enum.Enum):
    DELIVERED = "delivered"  # poll again at once
    WAITING = "waiting"  # nothing to deliver now, but messages are in flight or awaiting a retry
    IDLE = "idle"  # nothing pending at all


class Poller:
    """A daemon thread that calls `poll_once()` every POLL_INTERVAL_SECONDS while there is nothing to do."""

    def __init__(self, label: str, log: Log, log_error: Log) -> None:
        self.label = label
        self._log = log
        self._log_error = log_error
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"local: {label}", daemon=True)
        self._last_idle_poll_started = float("-inf")

    def poll_once(self) -> PollOutcome:
        raise NotImplementedError

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def pause(self, seconds: float) -> bool:
        """Sleep unless the stack stops first; False when it is stopping."""
        return not self._stopping.wait(seconds)

    def idle_since(self, moment: float) -> bool:
        """True when a poll that began at or after `moment` (time.monotonic) found nothing pending."""
        return self._last_idle_poll_started >= moment

    def _run(self) -> None:
        while not self._stopping.is_set():
            started = time.monotonic()
            try:
                outcome = self.poll_once()
            except Exception:  # the thread's edge: report, keep polling
                if self._stopping.is_set():
                    return
                self._log_error(f"{self.label}: polling failed:\n{traceback.format_exc().rstrip()}")
                outcome = PollOutcome.WAITING
            if outcome is PollOutcome.IDLE:
                self._last_idle_poll_started = started
            if outcome is not PollOutcome.DELIVERED:
                self._stopping.wait(POLL_INTERVAL_SECONDS)
