"""The timer's composition root: every five minutes EventBridge Scheduler invokes it, and it runs
what is due by the schedule's time: the SLA sweep (routing/sla_sweep.py: snoozes that end,
reminders, escalations, reassigns), then the backlog drain (routing/backlog.py: inquiries waiting
with a team's fallback address, assigned oldest first as reps can take them), then the digests
due at the teams' opening time (models/digest_schedule.py), queued for the mailer.

The time is the one the schedule was due at (`scheduled_time`, filled in by EventBridge Scheduler
from `<aws.scheduler.scheduled-time>`), not the function's clock: a retried or late invocation
acts for the moment it was meant for, and tests and the local stack drive the clock through the
event, in the same shape. Every step is idempotent (see the sweep), so a retry is harmless.

functions/timer/app.py calls `build_timer(os.environ)` once, at init (see entry/intake_function.py
for what a composition root does).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from inquiry_router.adapters.assignment_write import AssignmentStore
from inquiry_router.adapters.clients import aws_session, dynamodb_client, sqs_client
from inquiry_router.adapters.config_store import load_routing_config
from inquiry_router.adapters.open_load import LoadBook
from inquiry_router.adapters.queues import MailQueue
from inquiry_router.adapters.sla_schedule import SlaSchedule
from inquiry_router.adapters.status_changes import StatusChanges
from inquiry_router.base.observability import Handler, instrument, metrics
from inquiry_router.base.timestamps import parse_timestamp
from inquiry_router.models.digest_schedule import digests_due
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.settings import PipelineSettings
from inquiry_router.routing.backlog import BacklogDrain
from inquiry_router.routing.hand_over import reassign_inquiry
from inquiry_router.routing.service import Router
from inquiry_router.routing.sla_sweep import SlaSweep

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from inquiry_router.adapters.clients import AwsSession


@dataclass(frozen=True)
class TimerFunction:
    settings: PipelineSettings
    dynamodb: DynamoDBClient
    sweep: SlaSweep
    handler: Handler  # Lambda's `app.handler`


def scheduled_time(event: Mapping[str, Any], clock: Callable[[], datetime]) -> datetime:
    """The moment the invocation was scheduled for; the clock's when the event does not say."""
    value = event.get("scheduled_time") if isinstance(event, Mapping) else None
    if isinstance(value, str):
        try:
            return parse_timestamp(value)
        except ValueError:
            pass
    return clock()


def build_timer(
    environ: Mapping[str, str],
    session: AwsSession | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> TimerFunction:
    settings = PipelineSettings.from_environment(environ)
    session = aws_session() if session is None else session
    dynamodb = dynamodb_client(session)
    table = settings.table_name
    queue = MailQueue(sqs_client(session), settings.mail_queue_url)

    def hand_over(inquiry: Inquiry, now: datetime) -> tuple[str | None, str | None]:
        result = reassign_inquiry(dynamodb, table, inquiry, None, now)
        return result.to_owner, result.error

    sweep = SlaSweep(
        schedule=SlaSchedule(dynamodb, table),
        changes=StatusChanges(dynamodb, table, retention=settings.retention),
        enqueue=queue.enqueue,
        load_config=lambda: load_routing_config(dynamodb, table),
        hand_over=hand_over,
    )

    def tick(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        now = scheduled_time(event, clock)
        config = load_routing_config(dynamodb, table)
        if config is None:  # nothing applied yet: nothing can be due
            return {"at": now.isoformat(), "sla": {}, "backlog": {}, "digests": []}
        sla = sweep.run(now, config)
        router = Router(AssignmentStore(dynamodb, table), lambda: config, clock=lambda: now)
        drained = BacklogDrain(sweep.schedule, LoadBook(dynamodb, table), router).run(config, now)
        digests = digests_due(config, now)
        queue.enqueue(digests)
        counts = {
            **{f"Sla_{k}": v for k, v in sla.items()},
            **{f"Backlog_{k}": v for k, v in drained.items()},
        }
        for name, count in counts.items():
            metrics.add_metric(name=name, unit=MetricUnit.Count, value=count)
        return {
            "at": now.isoformat(),
            "sla": dict(sla),
            "backlog": dict(drained),
            "digests": [job.job_id for job in digests],
        }

    handler = instrument(tick, settings.observability)
    return TimerFunction(settings, dynamodb, sweep, handler)
