"""Form POST to both mails in the outbox, end to end on the local stack (what `make local` runs).

    .venv/bin/python bench/mail_latency.py [--inquiries N]

Starts the project's template.yaml in this process on free ports with a temporary state dir,
applies routing.example.yaml as `inquiry-router local up` does, then posts N HTML forms one
after another, each from a different buyer (only one acknowledgement per buyer address is sent
in 24 hours). Each sample runs from just before the POST is sent until the acknowledgement and
the rep's notification for its reference are both in `<state dir>/outbox`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import tempfile
import time
import warnings
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

if __package__ in (None, ""):  # run as a script: make `bench` importable from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._harness import REPO_ROOT, milliseconds, stdout_discarded, summarise

if TYPE_CHECKING:
    from inquiry_router_admin.local import LocalStack

INQUIRIES = 30
TARGET_SECONDS = 5.0  # the end-to-end test's deadline (tests/integration/test_local_end_to_end.py)
TIMEOUT_SECONDS = 30.0  # a sample not complete by then counts as a failure
POLL_SECONDS = 0.01
ROUTING_CONFIG = REPO_ROOT / "routing.example.yaml"
# Out of the way: every POST comes from 127.0.0.1. The template allows any value >= 1.
STACK_PARAMETERS = {"RateLimitPerIp": "1000", "RateLimitPerEmail": "1000"}
# Cycled through: ES, US, DE and CN go to the sales team, BR to export-latam (routing.example.yaml).
COUNTRIES = ("ES", "US", "DE", "BR", "CN")
MAIL_KINDS = ("acknowledgement", "notification")


@dataclass(frozen=True)
class Sample:
    reference: str
    post_seconds: float
    mails_seconds: float | None  # None: not both in the outbox within TIMEOUT_SECONDS


def form(n: int, run: str) -> dict[str, str]:
    """A form as the example contact form sends it, rendered 30 s ago, from buyer n of this run."""
    return {
        "name": f"Buyer {n}",
        "email": f"buyer-{n}@importer-{run}-{n}.example",
        "country": COUNTRIES[n % len(COUNTRIES)],
        "product": "LED panels",
        "quantity": "2,000 pcs",
        "message": f"Please quote 2,000 LED panels 600x600, CIF. Inquiry {n} of the mail latency benchmark.",
        "rendered_at": str(int(time.time() * 1000) - 30_000),
    }


def post_form(api_url: str, fields: dict[str, str]) -> str:
    """POST /inquiries as a url-encoded form asking for JSON; returns the inquiry's reference."""
    address = urlsplit(api_url)
    body = urlencode(fields).encode()
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=TIMEOUT_SECONDS)
    try:
        connection.request(
            "POST",
            "/inquiries",
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
                "Origin": api_url,
            },
        )
        response = connection.getresponse()
        answer = response.read()
    finally:
        connection.close()
    if response.status != 202:
        raise AssertionError(f"expected 202, got {response.status}: {answer[:500]!r}")
    reference: str = json.loads(answer)["reference"]
    return reference


def mails_in(outbox: Path) -> list[str]:
    return [name for name in os.listdir(outbox) if name.endswith(".eml")]


def wait_for_mails(outbox: Path, reference: str, started: float) -> float | None:
    """Seconds from `started` until both .eml files for `reference` exist; None after the timeout."""
    wanted = {f"-{reference}-{kind}.eml" for kind in MAIL_KINDS}
    while True:
        now = time.perf_counter()
        names = mails_in(outbox)
        if all(any(name.endswith(suffix) for name in names) for suffix in wanted):
            return now - started
        if now - started > TIMEOUT_SECONDS:
            return None
        time.sleep(POLL_SECONDS)


def apply_example_routing(stack: LocalStack) -> None:
    """routing.example.yaml, applied exactly as `inquiry-router local up` applies it."""
    from inquiry_router.adapters.config_store import apply_config
    from inquiry_router_admin.cli.config_commands import read_config_file
    from inquiry_router_admin.cli.target import local_target

    target = local_target(stack.state_dir)
    config = read_config_file(ROUTING_CONFIG, target)
    apply_config(target.dynamodb(), target.table_name, config, datetime.now(UTC))


def measure(inquiries: int = INQUIRIES) -> dict[str, Any]:
    from inquiry_router_admin.local import LocalStack

    run = os.urandom(3).hex()
    samples: list[Sample] = []
    # The functions' log lines go to stdout, as in Lambda: discarded here, with Powertools'
    # warning about functions that published no metric (the router, on most records).
    with (
        tempfile.TemporaryDirectory(prefix="bench-mail-latency-") as state_dir,
        warnings.catch_warnings(),
        stdout_discarded(),
        LocalStack(
            REPO_ROOT,
            api_port=0,
            aws_port=0,
            state_dir=Path(state_dir),
            parameters=STACK_PARAMETERS,
            log=lambda _: None,
        ) as stack,
    ):
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        apply_example_routing(stack)
        outbox = stack.outbox_dir
        for n in range(1, inquiries + 1):
            fields = form(n, run)
            started = time.perf_counter()
            reference = post_form(stack.api_url, fields)
            posted = time.perf_counter() - started
            samples.append(Sample(reference, posted, wait_for_mails(outbox, reference, started)))
        stack.drain(timeout=TIMEOUT_SECONDS)  # anything late or duplicated is in the outbox now
        mails = mails_in(outbox)
    return {"samples": samples, "mails": mails}


def main(inquiries: int = INQUIRIES) -> dict[str, Any]:
    measured = measure(inquiries)
    samples: list[Sample] = measured["samples"]
    arrived = [s.mails_seconds for s in samples if s.mails_seconds is not None]
    posts = [s.post_seconds for s in samples]
    per_reference = Counter(name.split("-", 1)[1].rsplit("-", 1)[0] for name in measured["mails"])
    expected = {s.reference for s in samples}
    all_arrived = len(measured["mails"]) == 2 * inquiries and all(per_reference[r] == 2 for r in expected)
    latency = None
    if arrived:
        summary = summarise(arrived) if len(arrived) > 1 else None
        latency = {
            "median": summary.median if summary else arrived[0],
            "p90": summary.p90 if summary else arrived[0],
            "min": min(arrived),
            "max": max(arrived),
        }
    figures: dict[str, Any] = {
        "inquiries": inquiries,
        "completed": len(arrived),
        "failures": inquiries - len(arrived),
        "mails_in_outbox": len(measured["mails"]),
        "all_mails_arrived": all_arrived,
        "latency_s": latency,
        "first_inquiry_s": samples[0].mails_seconds if samples else None,
        "post_median_s": statistics.median(posts),
        "post_max_s": max(posts),
        "target_s": TARGET_SECONDS,
        "median_within_target": latency is not None and latency["median"] < TARGET_SECONDS,
        "p90_within_target": latency is not None and latency["p90"] < TARGET_SECONDS,
    }
    print(
        f"Form POST to both mails in the outbox, local stack in process, {inquiries} inquiries one at a time"
    )
    if latency is None:
        print(f"  no inquiry had both mails within {TIMEOUT_SECONDS:g} s")
    else:
        print(
            f"  median {milliseconds(latency['median'])}, p90 {milliseconds(latency['p90'])}, "
            f"min {milliseconds(latency['min'])}, max {milliseconds(latency['max'])} "
            f"(target < {TARGET_SECONDS:g} s)"
        )
    if figures["first_inquiry_s"] is not None:
        print(f"  first inquiry (functions' first invocations) {milliseconds(figures['first_inquiry_s'])}")
    print(
        f"  POST answered in {milliseconds(figures['post_median_s'])} median, "
        f"{milliseconds(figures['post_max_s'])} max"
    )
    print(
        f"  {figures['mails_in_outbox']} mails in the outbox for {inquiries} inquiries "
        f"(expected {2 * inquiries}); {figures['failures']} timed out after {TIMEOUT_SECONDS:g} s"
    )
    return figures


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--inquiries", type=int, default=INQUIRIES, help=f"default {INQUIRIES}")
    return parser.parse_args()


if __name__ == "__main__":
    main(_arguments().inquiries)
