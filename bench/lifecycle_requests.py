"""What the inquiry's lifecycle adds per inquiry: AWS requests, capacity units and their cost.

    .venv/bin/python bench/lifecycle_requests.py [--json]

On moto, in process: real inquiries through the intake, assigned by the router (`reroute`), then
a typical life from the CLI's code (quoted, negotiating, won or lost: three status changes, the
first of them the first response) and the daily recount of every rep's load. Requests are counted
from botocore's own events; write and read units from the items' sizes as DynamoDB counts them
(adapters/item_size.py): a transaction's write costs 2 units per KB of each item, a Query's read
0.5 unit per 4 KB it reads (eventually consistent). Prices: the table below, with its date.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` importable from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._harness import (
    TABLE_NAME,
    InquiryEvents,
    RequestCounter,
    create_table,
    intake_environment,
    load_intake_handler,
    one_team_config,
    stdout_discarded,
)

INQUIRIES = 60
REPS = ("ana", "bob", "chen", "dora", "emil")
DOMAIN = "bench-lighting.example"
LIFE = ("quoted", "negotiating", "won")  # three changes: the first is the first response
# us-east-1 list prices, 2026-12 (DynamoDB on-demand since the November 2024 cut; Lambda arm64).
PRICES = {
    "dynamodb_write_unit": 0.625 / 1_000_000,
    "dynamodb_read_unit": 0.125 / 1_000_000,
    "lambda_request": 0.20 / 1_000_000,
    "lambda_gb_second_arm64": 0.0000133334,
}
RECONCILIATION_SECONDS, RECONCILIATION_GB = 1.0, 0.5  # a generous bound for one daily run


def _write_units(item: dict[str, Any]) -> int:
    from inquiry_router.adapters.item_size import item_size

    return 2 * max(1, math.ceil(item_size(item) / 1024))


def measure() -> dict[str, Any]:
    import boto3
    from moto import mock_aws

    from inquiry_router.adapters.config_store import apply_config, read_config_snapshot
    from inquiry_router.adapters.item_size import item_size
    from inquiry_router.adapters.open_load import LoadBook
    from inquiry_router.adapters.queries import get_inquiry, inquiries_by_owner, inquiry_id_by_reference
    from inquiry_router.adapters.status_changes import StatusChanges
    from inquiry_router.models.lifecycle import Channel, Status
    from inquiry_router.models.settings import Retention
    from inquiry_router.routing.load_reconciliation import reconcile_loads
    from inquiry_router.routing.reroute import reroute_waiting_inquiries

    events = InquiryEvents()
    with RequestCounter() as counter, intake_environment(COMPANY_DOMAINS=DOMAIN), mock_aws():
        client = boto3.client("dynamodb")
        create_table(client)
        apply_config(client, TABLE_NAME, one_team_config(DOMAIN, REPS), datetime.now(UTC))
        with stdout_discarded():
            intake = load_intake_handler()
            references = [
                json.loads(intake(events.accepted())["body"])["reference"] for _ in range(INQUIRIES)
            ]
            reroute_waiting_inquiries(client, TABLE_NAME, INQUIRIES)

        changes = StatusChanges(client, TABLE_NAME, retention=Retention())
        before, write_units = counter.operations.copy(), 0
        now = datetime.now(UTC)
        for reference in references:
            for step, status in enumerate(LIFE):
                # what `inquiry-router inquiries set-status` reads first, then the change
                inquiry_id = inquiry_id_by_reference(client, TABLE_NAME, reference)
                assert inquiry_id is not None
                inquiry = get_inquiry(client, TABLE_NAME, inquiry_id, consistent=True)
                assert inquiry is not None
                outcome = changes.change(
                    inquiry, Status(status), by="bench", channel=Channel.CLI, now=now + timedelta(hours=step)
                )
                assert outcome.kind == "changed", outcome
                # the inquiry as written, its timeline event (about 0.5 KB), the load on the first
                write_units += _write_units(inquiry.to_item()) + 2 + (2 if step == 0 else 0)
        change_requests = counter.operations - before

        book = LoadBook(client, TABLE_NAME)
        emails = [f"{name}@{DOMAIN}" for name in REPS]
        before = counter.operations.copy()
        read_config_snapshot(client, TABLE_NAME, consistent=False)  # the function's first read
        checks = reconcile_loads(book, emails, now + timedelta(days=1))
        recount_requests = counter.operations - before
        assert all(c.outcome == "right" for c in checks), checks
        owned_bytes = sum(
            item_size(i.to_item())
            for email in emails
            for i in inquiries_by_owner(client, TABLE_NAME, email, 10_000)
        )
    return {
        "inquiries": INQUIRIES,
        "status_changes_per_inquiry": len(LIFE),
        "requests_per_status_change": sum(change_requests.values()) / (INQUIRIES * len(LIFE)),
        "status_change_operations": dict(change_requests),
        "write_units_per_inquiry": write_units / INQUIRIES,
        "reps": len(REPS),
        "requests_per_recount": sum(recount_requests.values()),
        "recount_operations": dict(recount_requests),
        "read_units_per_recount": math.ceil(owned_bytes / 4096) * 0.5,
        "owned_bytes": owned_bytes,
    }


def report(figures: dict[str, Any]) -> dict[str, Any]:
    per_1000 = 1000 * (
        figures["write_units_per_inquiry"] * PRICES["dynamodb_write_unit"]
        + figures["status_changes_per_inquiry"] * 2 * 0.5 * PRICES["dynamodb_read_unit"]  # the two reads
    )
    read_units_per_inquiry = figures["read_units_per_recount"] / figures["inquiries"]
    monthly_recount = 30 * (
        PRICES["lambda_request"]
        + RECONCILIATION_SECONDS * RECONCILIATION_GB * PRICES["lambda_gb_second_arm64"]
    )
    figures |= {
        "status_changes_usd_per_1000_inquiries": per_1000,
        "recount_read_units_per_owned_inquiry": read_units_per_inquiry,
        "recount_lambda_usd_per_month": monthly_recount,
        "recount_reads_usd_per_month_per_1000_owned": 30
        * 1000
        * read_units_per_inquiry
        * PRICES["dynamodb_read_unit"],
        "prices": PRICES,
    }
    return figures


def main(as_json: bool = False) -> dict[str, Any]:
    figures = report(measure())
    if as_json:
        print(json.dumps(figures, indent=2))
        return figures
    f = figures
    ops = ", ".join(f"{op} x{n}" for op, n in sorted(f["status_change_operations"].items()))
    print(f"Lifecycle, {f['inquiries']} inquiries, {f['status_changes_per_inquiry']} status changes each")
    print(f"  requests per status change: {f['requests_per_status_change']:.2f} ({ops})")
    print(f"  write units per inquiry (its three changes): {f['write_units_per_inquiry']:.1f}")
    print(f"  cost of the changes: ${f['status_changes_usd_per_1000_inquiries']:.4f} per 1,000 inquiries")
    recount = ", ".join(f"{op} x{n}" for op, n in sorted(f["recount_operations"].items()))
    print(f"  daily recount of {f['reps']} reps: {f['requests_per_recount']} requests ({recount})")
    print(
        f"  recount reads: {figures['recount_read_units_per_owned_inquiry']:.3f} units per owned inquiry, "
        f"${figures['recount_reads_usd_per_month_per_1000_owned']:.4f} a month per 1,000 owned; "
        f"Lambda ${figures['recount_lambda_usd_per_month']:.5f} a month (30 runs)"
    )
    print(
        "  Lambda invocations per inquiry: the recount none (one a day, whatever the volume); but each "
        f"status change wakes the router once, {figures['status_changes_per_inquiry']} no-op stream "
        "records per inquiry (its filter passes any MODIFY of an owned inquiry: issue 13's target)"
    )
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    main(parser.parse_args().json)
