"""EventBridge Scheduler, locally: the template's schedules fire when AWS would fire them, and the
function gets the payload Scheduler sends (the Input with its context attributes filled in)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from inquiry_router_admin.local.schedules import (
    ScheduleError,
    ScheduleMapping,
    SchedulePoller,
    next_run,
    scheduler_payload,
)
from tests.support.template import load_template

ROOT = Path(__file__).resolve().parents[2]


def mapping(expression: str, timezone: str = "UTC", payload: str | None = None) -> ScheduleMapping:
    return ScheduleMapping("TimerFunction", "Tick", expression, timezone, payload)


@pytest.mark.parametrize(
    ("expression", "timezone", "after", "expected"),
    [
        ("rate(5 minutes)", "UTC", "2026-12-04T10:02:31", "2026-12-04T10:07:00"),
        ("rate(1 hour)", "UTC", "2026-12-04T10:02:00", "2026-12-04T11:02:00"),
        ("cron(17 3 * * ? *)", "UTC", "2026-12-04T10:00:00", "2026-12-05T03:17:00"),
        ("cron(17 3 * * ? *)", "UTC", "2026-12-04T03:16:59", "2026-12-04T03:17:00"),
        # Monday 08:00 in Berlin: 07:00 UTC in winter, 06:00 UTC in summer
        ("cron(0 8 ? * MON *)", "Europe/Berlin", "2026-12-04T10:00:00", "2026-12-07T07:00:00"),
        ("cron(0 8 ? * 2 *)", "Europe/Berlin", "2026-06-03T10:00:00", "2026-06-08T06:00:00"),
        ("cron(0/15 9-17 ? * MON-FRI *)", "UTC", "2026-12-04T17:50:00", "2026-12-07T09:00:00"),
    ],
)
def test_schedules_fire_when_aws_would(expression: str, timezone: str, after: str, expected: str) -> None:
    moment = datetime.fromisoformat(after).replace(tzinfo=UTC)

    assert next_run(mapping(expression, timezone), moment) == datetime.fromisoformat(expected).replace(
        tzinfo=UTC
    )


@pytest.mark.parametrize(
    "expression", ["every 5 minutes", "cron(1 2 3)", "rate(0 minutes)", "cron(x * * * ? *)"]
)
def test_an_expression_the_local_stack_cannot_run_is_named(expression: str) -> None:
    with pytest.raises(ScheduleError, match="TimerFunction"):
        next_run(mapping(expression), datetime(2026, 12, 4, tzinfo=UTC))


def test_the_payload_is_the_input_with_scheduler_s_context_filled_in() -> None:
    template = load_template()
    event = template["Resources"]["TimerFunction"]["Properties"]["Events"]["EveryFiveMinutes"]["Properties"]
    payload = scheduler_payload(
        mapping(event["ScheduleExpression"], payload=event["Input"]), datetime(2026, 12, 7, 8, 5, tzinfo=UTC)
    )

    assert payload == {
        **json.loads((ROOT / "events" / "timer-schedule.json").read_text()),
        "scheduled_time": "2026-12-07T08:05:00Z",
    }
    assert scheduler_payload(mapping("rate(5 minutes)"), datetime(2026, 12, 7, tzinfo=UTC)) == {}


class Runner:
    def __init__(self) -> None:
        self.events: list[Any] = []

    def invoke(self, function_id: str, event: Any) -> Any:
        self.events.append((function_id, event))
        return type("Invocation", (), {"error": None})()


def test_the_poller_invokes_once_per_due_time_with_that_time() -> None:
    now = [datetime(2026, 12, 7, 8, 3, tzinfo=UTC)]
    runner = Runner()
    poller = SchedulePoller(
        mapping("rate(5 minutes)", payload='{"scheduled_time": "<aws.scheduler.scheduled-time>"}'),
        runner,  # type: ignore[arg-type]
        log=lambda _: None,
        log_error=lambda _: None,
        clock=lambda: now[0],
    )

    for minute in (4, 7, 8, 8, 13, 14):
        now[0] = now[0].replace(minute=minute)
        poller.poll_once()

    assert [event["scheduled_time"] for _, event in runner.events] == [
        "2026-12-07T08:08:00Z",
        "2026-12-07T08:13:00Z",
    ]
