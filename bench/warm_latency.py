"""Warm time per accepted inquiry: the intake against the two reference handlers, in one process.

    .venv/bin/python bench/warm_latency.py [--iterations N]

The bare and the idiomatic Powertools handler of issue 10 (bench/references/) and the intake
(functions/intake/app.py) run in this process against one fake DynamoDB endpoint that answers at
once (bench/fake_dynamodb.py), so all three pay real HTTP to the same server and nothing of the
server's own cost is theirs. After a warm-up they are called in turn, the order rotating each
round, each call with its own inquiry. "Own time" is a call's total less the time its client
waited on the endpoint (from sending a request until its response is back): the handler's code,
its libraries and botocore.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` importable from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._fresh_process import CONTENDERS, RoundTrips
from bench._harness import (
    Handler,
    InquiryEvents,
    Summary,
    intake_environment,
    load_intake_handler,
    load_reference_handler,
    milliseconds,
    stdout_discarded,
    summarise,
)
from bench.fake_dynamodb import fake_dynamodb

WARMUP = 20
ITERATIONS = 300
# The intake's own time per call, as a multiple of each reference's (issue 10).
TARGETS = {"bare": 2.5, "idiomatic": 1.3}
RATIOS = (("intake", "bare"), ("intake", "idiomatic"), ("idiomatic", "bare"))


class Contender:
    def __init__(self, name: str, handler: Handler, round_trips: RoundTrips) -> None:
        self.name = name
        self.handler = handler
        self.round_trips = round_trips
        self.totals: list[float] = []
        self.waits: list[float] = []
        self.requests = 0

    def call(self, event: dict[str, Any], *, record: bool) -> None:
        self.round_trips.seconds = 0.0
        self.round_trips.requests = 0
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
            self.requests += self.round_trips.requests

    def summary(self) -> dict[str, Summary]:
        own = [total - wait for total, wait in zip(self.totals, self.waits, strict=True)]
        return {"total": summarise(self.totals), "waiting": summarise(self.waits), "own": summarise(own)}


def contenders() -> list[Contender]:
    """The three handlers, built in the intake's environment pointed at the endpoint."""
    built: list[Contender] = []
    for name in CONTENDERS:
        if name == "intake":
            intake = load_intake_handler()
            built.append(Contender(name, intake, RoundTrips(intake.function.dynamodb)))
        else:
            handler, client = load_reference_handler(name)
            built.append(Contender(name, handler, RoundTrips(client)))
    return built


def measure(iterations: int = ITERATIONS, warmup: int = WARMUP) -> dict[str, Any]:
    events = InquiryEvents()
    with fake_dynamodb() as fake, intake_environment(fake.endpoint_url):
        racing = contenders()
        planned = {c.name: [events.accepted() for _ in range(warmup + iterations)] for c in racing}
        with stdout_discarded():
            for index in range(warmup + iterations):
                # Rotate who goes first, so none always follows another's garbage.
                shift = index % len(racing)
                for contender in racing[shift:] + racing[:shift]:
                    contender.call(planned[contender.name][index], record=index >= warmup)
        endpoint_requests = dict(fake.requests)
    summaries = {c.name: c.summary() for c in racing}
    figures: dict[str, Any] = {
        "iterations": iterations,
        "endpoint_requests": endpoint_requests,
        "requests_per_call": {c.name: c.requests / iterations for c in racing},
        **{
            name: {part: vars(summary) for part, summary in summary_of.items()}
            for name, summary_of in summaries.items()
        },
    }
    figures["ratios"] = {
        f"{over}/{under}": {
            part: summaries[over][part].median / summaries[under][part].median for part in ("own", "total")
        }
        for over, under in RATIOS
    }
    return figures


def target_of(ratio: str) -> float | None:
    over, _, under = ratio.partition("/")
    return TARGETS.get(under) if over == "intake" else None


def report(figures: dict[str, Any]) -> None:
    print(
        f"Warm time per accepted inquiry, {figures['iterations']} calls each, against a fake DynamoDB "
        "that answers at once"
    )
    print(f"  {'':<10} {'total':>10} {'p90':>10}   {'waiting':>9}   {'own time':>9} {'p90':>10}   requests")
    for name in CONTENDERS:
        total, waiting, own = (figures[name][part] for part in ("total", "waiting", "own"))
        print(
            f"  {name:<10} {milliseconds(total['median']):>10} {milliseconds(total['p90']):>10}"
            f"   {milliseconds(waiting['median']):>9}   {milliseconds(own['median']):>9} "
            f"{milliseconds(own['p90']):>10}   {figures['requests_per_call'][name]:.2f} per call"
        )
    for ratio, parts in figures["ratios"].items():
        target = target_of(ratio)
        verdict = "context"
        if target is not None:
            verdict = f"target <= {target}: {'pass' if parts['own'] <= target else 'FAIL'}"
        print(f"  {ratio:<16} own time {parts['own']:.2f}, total {parts['total']:.2f}  ({verdict})")
    print(f"  requests the fake endpoint served: {figures['endpoint_requests']}")


def main(iterations: int = ITERATIONS) -> dict[str, Any]:
    figures = measure(iterations)
    report(figures)
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--iterations", type=int, default=ITERATIONS, help="timed calls per contender")
    main(parser.parse_args().iterations)
