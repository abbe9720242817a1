"""Faults everywhere, nothing lost and nothing twice: the fault-injection bench run small (its
driver is bench/fault_injection.py), and the defect it found, pinned at the store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from bench.fault_injection import run
from tests.integration.test_mail_pipeline import submit
from tests.support.pipeline import Pipeline, sent_mails, start_pipeline


@pytest.mark.slow
def test_100_inquiries_with_a_fifth_of_all_calls_failing_are_each_assigned_once_and_mailed_once() -> None:
    outcome = run(inquiries=100, rate=0.2, seed=11)

    figures = outcome.figures
    assert outcome.problems == [], json.dumps(figures, indent=2)
    assert figures["lost_inquiries"] == 0
    assert figures["duplicate_mails"] == 0
    assert figures["missing_mails"] == 0
    assert figures["assignments_per_inquiry"] == {"1": 100}
    assert set(figures["dlq_after_redrive"].values()) == {0}
    # The faults were real: every service failed often, and retries and dead letters did the work
    assert figures["injected_total"] > 0.15 * sum(figures["calls"].values())
    assert {key.split()[0] for key in figures["injected"]} == {"dynamodb", "sqs", "sesv2"}
    assert sum(figures["dlq_before_redrive"].values()) > 0


class FailingRecord:
    """The mailer's DynamoDB refusing the send record `times` times (throttling), then taking it."""

    def __init__(self, pipeline: Pipeline, times: int) -> None:
        self.left = times
        self._client = pipeline.mailer.composition.dynamodb

    def __enter__(self) -> FailingRecord:
        self._client.meta.events.register("before-call.dynamodb.TransactWriteItems", self._refuse)
        return self

    def __exit__(self, *_: object) -> None:
        self._client.meta.events.unregister("before-call.dynamodb.TransactWriteItems", self._refuse)

    def _refuse(self, params: dict[str, Any], **_: Any) -> None:
        if self.left and "MSGID#" in str(params.get("body")):  # mark_sent's transaction only
            self.left -= 1
            error = {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}}
            raise ClientError(error, "TransactWriteItems")  # type: ignore[arg-type]


def test_a_mail_ses_took_is_recorded_despite_throttling_and_never_sent_again(
    intake: Any, dynamodb: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pipeline: Pipeline = start_pipeline(dynamodb, monkeypatch, tmp_path)
    submit(intake)
    pipeline.route()
    pipeline.route()
    jobs = pipeline.queued_jobs()
    pipeline.mailer.composition.mailer.records._sleep = lambda _: None  # type: ignore[attr-defined]
    with FailingRecord(pipeline, times=3):
        assert pipeline.send(jobs) == {"batchItemFailures": []}
    assert pipeline.send(jobs) == {"batchItemFailures": []}  # redelivered: recorded as sent
    assert len(sent_mails()) == 2
