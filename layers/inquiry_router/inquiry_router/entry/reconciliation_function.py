"""The load reconciliation's composition root: once a day, EventBridge Scheduler invokes it, and it
recounts every rep's load from the stored inquiries and repairs any that drifted
(routing/load_reconciliation.py). What it repaired goes to the log, one line per rep with the
address masked, and to the `LoadRepaired` metric; `inquiry-router reps reconcile-load` does the
same on demand.

A failed run is not retried: the next day's run is its retry, and the function's error alarm says
when runs keep failing. functions/reconciliation/app.py calls `build_reconciliation(os.environ)`
once, at init (see entry/intake_function.py for what a composition root does).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from inquiry_router.adapters.clients import aws_session, dynamodb_client
from inquiry_router.adapters.config_store import read_config_snapshot
from inquiry_router.adapters.open_load import LoadBook
from inquiry_router.base.observability import Handler, instrument, logger, mask_email, metrics
from inquiry_router.models.settings import PipelineSettings
from inquiry_router.routing.load_reconciliation import reconcile_loads

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from inquiry_router.adapters.clients import AwsSession


@dataclass(frozen=True)
class ReconciliationFunction:
    settings: PipelineSettings
    dynamodb: DynamoDBClient
    handler: Handler  # Lambda's `app.handler`


def build_reconciliation(
    environ: Mapping[str, str],
    session: AwsSession | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ReconciliationFunction:
    settings = PipelineSettings.from_environment(environ)
    session = aws_session() if session is None else session
    dynamodb = dynamodb_client(session)
    book = LoadBook(dynamodb, settings.table_name)

    def reconcile(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
        reps = read_config_snapshot(dynamodb, settings.table_name, consistent=False).reps
        checks = reconcile_loads(book, sorted(reps), clock())
        for check in checks:
            if check.outcome == "repaired":
                logger.warning(
                    "rep load repaired",
                    extra={"rep": mask_email(check.email), "stored": check.stored, "counted": check.counted},
                )
        repaired = sum(1 for c in checks if c.outcome == "repaired")
        later = sum(1 for c in checks if c.outcome in ("settling", "moved"))
        metrics.add_metric(name="LoadRepaired", unit=MetricUnit.Count, value=repaired)
        summary = {"reps": len(checks), "repaired": repaired, "next_run": later}
        logger.info("rep loads recounted", extra=summary)
        return summary

    handler = instrument(reconcile, settings.observability)
    return ReconciliationFunction(settings, dynamodb, handler)
