"""EventBridge Scheduler, locally: each `ScheduleV2` event of the template runs on its expression
(`rate(5 minutes)`, `cron(17 3 * * ? *)` in its `ScheduleExpressionTimezone`), and the function
gets what Lambda gets from Scheduler: the event's `Input`, with Scheduler's context attributes
(`<aws.scheduler.scheduled-time>` and the others) filled in, or `{}` without an Input.

`local up --schedules-every SECONDS` runs every schedule that often instead, to watch a five-minute
timer without waiting five minutes (the payload still carries the time of the run).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from inquiry_router_admin.local.event_sources import Log, Poller, PollOutcome
from inquiry_router_admin.local.function_runner import FunctionRunner
from inquiry_router_admin.local.functions import FunctionSpec

_RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((.+)\)$")
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}
CRON_SEARCH = timedelta(days=366)


class ScheduleError(ValueError):
    """A schedule expression the local stack cannot run."""


@dataclass(frozen=True)
class ScheduleMapping:
    function_id: str
    event_name: str
    expression: str
    timezone: str
    input: str | None  # the Input as the template writes it (a JSON document, placeholders and all)

    @property
    def label(self) -> str:
        return f"{self.function_id}.Events.{self.event_name} ({self.expression})"


def schedule_mappings(specs: Iterable[FunctionSpec]) -> list[ScheduleMapping]:
    """The enabled ScheduleV2 events of the functions (a bad expression raises ScheduleError)."""
    mappings = []
    for spec in specs:
        for event_name, event in spec.events.items():
            properties = event.get("Properties") or {}
            if (
                event.get("Type") != "ScheduleV2"
                or str(properties.get("State", "ENABLED")).upper() == "DISABLED"
            ):
                continue
            expression = str(properties.get("ScheduleExpression") or "")
            mapping = ScheduleMapping(
                spec.logical_id,
                event_name,
                expression,
                str(properties.get("ScheduleExpressionTimezone") or "UTC"),
                str(properties["Input"]) if properties.get("Input") is not None else None,
            )
            next_run(mapping, datetime.now(UTC))  # fails now, naming it, rather than at the first run
            mappings.append(mapping)
    return mappings


def next_run(mapping: ScheduleMapping, after: datetime) -> datetime:
    """The first time after `after` the schedule fires (rates count from the minute it started)."""
    rate = _RATE.match(mapping.expression)
    if rate:
        seconds = int(rate.group(1)) * _UNITS[rate.group(2).rstrip("s")]
        if seconds <= 0:
            raise ScheduleError(f"{mapping.label}: a rate must be at least 1")
        start = after.replace(second=0, microsecond=0)
        return start + timedelta(seconds=seconds)
    cron = _CRON.match(mapping.expression)
    if not cron:
        raise ScheduleError(f"{mapping.label}: not a rate(...) or cron(...) expression")
    fields = cron.group(1).split()
    if len(fields) != 6:
        raise ScheduleError(f"{mapping.label}: cron takes six fields (minutes hours day month weekday year)")
    zone = ZoneInfo(mapping.timezone)
    moment = after.astimezone(zone).replace(second=0, microsecond=0) + timedelta(minutes=1)
    limit = moment + CRON_SEARCH
    while moment < limit:
        try:
            matches = _cron_matches(fields, moment)
        except ScheduleError as error:
            raise ScheduleError(f"{mapping.label}: {error}") from None
        if matches:
            return moment.astimezone(UTC)
        moment += timedelta(minutes=1)
    raise ScheduleError(f"{mapping.label}: never fires within a year")


def scheduler_payload(mapping: ScheduleMapping, scheduled: datetime, attempt: int = 1) -> Any:
    """What Lambda receives from EventBridge Scheduler for one run."""
    if mapping.input is None:
        return {}
    arn = f"arn:aws:scheduler:local:000000000000:schedule/default/{mapping.function_id}-{mapping.event_name}"
    values = {
        "<aws.scheduler.schedule-arn>": arn,
        "<aws.scheduler.scheduled-time>": scheduled.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "<aws.scheduler.execution-id>": str(uuid.uuid4()),
        "<aws.scheduler.attempt-number>": str(attempt),
    }
    text = mapping.input
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return json.loads(text)


class SchedulePoller(Poller):
    """Invokes the function each time its schedule comes due (or every `every` seconds)."""

    def __init__(
        self,
        mapping: ScheduleMapping,
        runner: FunctionRunner,
        *,
        log: Log,
        log_error: Log,
        every: float | None = None,
        clock: Any = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(mapping.label, log, log_error)
        self.mapping = mapping
        self._runner = runner
        self._every = every
        self._clock = clock
        self._due = self._following(clock())

    def _following(self, after: datetime) -> datetime:
        if self._every is not None:
            return after + timedelta(seconds=self._every)
        return next_run(self.mapping, after)

    def poll_once(self) -> PollOutcome:
        now = self._clock()
        if now < self._due:
            return PollOutcome.IDLE
        scheduled, self._due = self._due, self._following(self._due if self._every is None else now)
        invocation = self._runner.invoke(self.mapping.function_id, scheduler_payload(self.mapping, scheduled))
        if invocation.error is not None:
            self._log(
                f"{self.label}: the run for {scheduled:%H:%M:%S} failed (Scheduler's retry policy applies)"
            )
        return PollOutcome.IDLE  # a schedule never holds up `drain()`


def _cron_matches(fields: list[str], moment: datetime) -> bool:
    minutes, hours, day, month, weekday, year = fields
    # AWS cron: weekdays 1-7 are SUN-SAT; `?` stands for "any" in day-of-month or day-of-week.
    aws_weekday = (moment.isoweekday() % 7) + 1
    return (
        _field_matches(minutes, moment.minute)
        and _field_matches(hours, moment.hour)
        and _field_matches(day, moment.day)
        and _field_matches(month, moment.month)
        and _field_matches(weekday, aws_weekday, names=_WEEKDAYS)
        and _field_matches(year, moment.year)
    )


_WEEKDAYS = {name: number for number, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), 1)}


def _field_matches(field: str, value: int, names: dict[str, int] | None = None) -> bool:
    if field in ("*", "?"):
        return True
    for written in field.split(","):
        part, _, step_text = written.partition("/")
        step = int(step_text) if step_text else 1
        if part in ("*", "?"):
            low, high = 0, 10_000
        elif "-" in part:
            low_text, high_text = part.split("-", 1)
            low, high = _number(low_text, names), _number(high_text, names)
        else:
            low = _number(part, names)
            high = low if step == 1 else 10_000
        if low <= value <= high and (value - low) % step == 0:
            return True
    return False


def _number(text: str, names: dict[str, int] | None) -> int:
    upper = text.upper()
    if names and upper in names:
        return names[upper]
    try:
        return int(text)
    except ValueError:
        raise ScheduleError(f"{text!r} is not a number in a cron field") from None
