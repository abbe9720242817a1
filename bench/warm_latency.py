"""Warm handler time per inquiry against a moto server, as a ratio to a minimal handler.

    .venv/bin/python bench/warm_latency.py

Both handlers run in this process against one ThreadedMotoServer on 127.0.0.1, so both pay real
HTTP. The minimal handler parses the body and stores it with one PutItem. After a warm-up the
two are called alternately; each call gets its own, different inquiry.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` importable from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._fresh_process import RoundTrips, minimal_handler
from bench._harness import (
    TABLE_NAME,
    Handler,
    InquiryEvents,
    Summary,
    create_table,
    empty_table,
    intake_environment,
    load_intake_handler,
    milliseconds,
    moto_server,
    stdout_discarded,
    summarise,
)

WARMUP = 20
ITERATIONS = 300
TARGET_RATIO = 1.3


class Contender:
    def __init__(self, name: str, handler: Handler, round_trips: RoundTrips) -> None:
        self.name = name
        self.handler = handler
        self.round_trips = round_trips
        self.totals: list[float] = []
        self.waits: list[float] = []

    def call(self, event: dict[str, Any], *, record: bool) -> None:
        self.round_trips.seconds = 0.0
        start = time.perf_counter()
        response = self.handler(event)
        elapsed = time.perf_counter() - start
        if response["statusCode"] != 202:
            raise AssertionError(
                f"{self.name}: expected 202, got {response['statusCode']}: {response['body']}"
            )
        if record:
            self.totals.append(elapsed)
            self.waits.append(self.round_trips.seconds)

    def summary(self) -> dict[str, Summary]:
        own = [total - wait for total, wait in zip(self.totals, self.waits, strict=True)]
        return {"total": summarise(self.totals), "waiting": summarise(self.waits), "own": summarise(own)}


def measure(iterations: int = ITERATIONS, warmup: int = WARMUP) -> dict[str, dict[str, Summary]]:
    import boto3

    events = InquiryEvents()
    with moto_server() as endpoint, intake_environment(endpoint):
        admin = boto3.client("dynamodb")
        create_table(admin)
        baseline_client = boto3.client("dynamodb")
        intake = load_intake_handler()
        contenders = [
            Contender("intake", intake, RoundTrips(intake.function.dynamodb)),
            Contender(
                "minimal",
                lambda event: minimal_handler(baseline_client, TABLE_NAME, event),
                RoundTrips(baseline_client),
            ),
        ]
        planned = {c.name: [events.accepted() for _ in range(warmup + iterations)] for c in contenders}
        with stdout_discarded():
            for index in range(warmup + iterations):
                empty_table(admin)  # untimed; keeps moto's per-transaction table copy small and constant
                # Alternate who goes first, so neither always follows the other's garbage.
                order = contenders if index % 2 == 0 else contenders[::-1]
                for contender in order:
                    contender.call(planned[contender.name][index], record=index >= warmup)
    return {c.name: c.summary() for c in contenders}


def main() -> dict[str, Any]:
    summaries = measure()
    intake, minimal = summaries["intake"], summaries["minimal"]
    figures = {
        "iterations": intake["total"].samples,
        "intake": {part: vars(summary) for part, summary in intake.items()},
        "minimal": {part: vars(summary) for part, summary in minimal.items()},
        "ratio_of_medians": intake["total"].median / minimal["total"].median,
        "own_time_ratio_of_medians": intake["own"].median / minimal["own"].median,
    }
    print(f"Warm latency per call, {figures['iterations']} calls each, against a moto server on 127.0.0.1")
    print(f"  {'':<9} {'median':>10} {'p90':>10}   {'waiting on DynamoDB':>19}   {'own time':>9}")
    for name, summary in summaries.items():
        total, waiting, own = summary["total"], summary["waiting"], summary["own"]
        print(
            f"  {name:<9} {milliseconds(total.median):>10} {milliseconds(total.p90):>10}"
            f"   {milliseconds(waiting.median):>19}   {milliseconds(own.median):>9}"
        )
    print(
        f"  ratio of medians {figures['ratio_of_medians']:.2f} (target <= {TARGET_RATIO}); "
        f"own time (total less waiting) {figures['own_time_ratio_of_medians']:.2f}"
    )
    return figures


if __name__ == "__main__":
    main()
