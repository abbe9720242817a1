"""What the SLA timer, the backlog drain, the digests and the one-click actions add: AWS requests
and Lambda invocations, per quiet run, per inquiry and per action, and their cost.

    .venv/bin/python bench/sla_requests.py [--json]

On moto, in process, through the functions' composition roots (the timer, the router, the mailer,
the actions function): inquiries assigned by the router, then timer runs at the moments their
reminder and escalation fall due, then one confirmed action (a GET of the page and its POST).
Requests are counted from botocore's own events. Prices: the table below, with its date.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

if __package__ in (None, ""):  # run as a script: make `bench` importable from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._fresh_process import FakeLambdaContext
from bench._harness import REGION, TABLE_NAME, RequestCounter, create_table, one_team_config, stdout_discarded

INQUIRIES = 40
REPS = ("ana", "bob", "chen", "dora", "emil")
DOMAIN = "bench-lighting.example"
RUNS_PER_MONTH = 30 * 24 * 12  # rate(5 minutes)
# us-east-1 list prices, 2026-12 (DynamoDB on-demand; Lambda arm64; SQS standard; Scheduler).
PRICES = {
    "lambda_request": 0.20 / 1_000_000,
    "lambda_gb_second_arm64": 0.0000133334,
    "dynamodb_write_unit": 0.625 / 1_000_000,
    "dynamodb_read_unit": 0.125 / 1_000_000,
    "sqs_request": 0.40 / 1_000_000,
    "scheduler_invocation": 1.00 / 1_000_000,  # after the free 14 million a month
}
TIMER_SECONDS, TIMER_GB = 0.15, 0.5  # a quiet run: two Queries and a BatchGet, warm


def _context() -> Any:
    return FakeLambdaContext(str(uuid.uuid4()))


def measure() -> dict[str, Any]:
    import os

    import boto3
    from moto import mock_aws

    from inquiry_router.adapters.config_store import apply_config
    from inquiry_router.adapters.serialization import to_attributes
    from inquiry_router.entry.compositions import build_function
    from tests.support.routing import new_inquiry_item

    os.environ.update(
        {"AWS_DEFAULT_REGION": REGION, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
    )
    with RequestCounter() as counter, mock_aws(), stdout_discarded():
        client = boto3.client("dynamodb", region_name=REGION)
        create_table(client)
        sqs = boto3.client("sqs", region_name=REGION)
        queue_url = sqs.create_queue(QueueName="bench-mail")["QueueUrl"]
        environ = {
            "TABLE_NAME": TABLE_NAME,
            "MAIL_QUEUE_URL": queue_url,
            "COMPANY_DOMAINS": DOMAIN,
            "CLOSED_INQUIRY_RETENTION_DAYS": "730",
            "SPAM_RETENTION_DAYS": "30",
            "ACTIONS_URL": "https://bench.execute-api.eu-west-1.amazonaws.com/actions",
            "POWERTOOLS_TRACE_DISABLED": "1",
            "POWERTOOLS_METRICS_NAMESPACE": "Bench",
            "AWS_DEFAULT_REGION": REGION,
        }
        config = one_team_config(DOMAIN, REPS)
        team = config.teams[0].model_copy(update={"timezone": "UTC"})
        config = config.model_copy(update={"teams": [team]})
        apply_config(client, TABLE_NAME, config, datetime.now(UTC))
        timer = build_function("timer", environ)
        router = build_function("router", environ)

        # The inquiries, assigned (their stream records as the router gets them)
        # 10:00, after the 09:00 opening's digest window: the runs measure the SLA alone
        monday_10 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
        ids = []
        for n in range(INQUIRIES):
            inquiry_id = str(uuid.uuid4())
            ids.append(inquiry_id)
            item = new_inquiry_item(
                inquiry_id, f"buyer{n}@gmail.com", monday_10.isoformat().replace("+00:00", "Z")
            )
            client.put_item(TableName=TABLE_NAME, Item=to_attributes(item))
            contact = {
                "PK": {"S": f"CONTACT#buyer{n}@gmail.com"},
                "SK": {"S": "PROFILE"},
                "entity": {"S": "contact"},
            }
            client.put_item(TableName=TABLE_NAME, Item=contact)
            record = {"eventName": "INSERT", "dynamodb": {"NewImage": to_attributes(item)}, "eventID": str(n)}
            router.handler({"Records": [record]}, _context())

        def tick(at: datetime) -> Counter[str]:
            before = counter.operations.copy()
            timer.handler(
                {"source": "inquiry-router.schedule", "scheduled_time": at.isoformat()},
                _context(),
            )
            return counter.operations - before

        quiet = tick(monday_10 + timedelta(minutes=5))
        # Thursday 10:00, long past both steps: each run takes one step of each inquiry
        reminders = tick(monday_10 + timedelta(days=3))
        escalations = tick(monday_10 + timedelta(days=3, minutes=5))
        after = tick(monday_10 + timedelta(days=3, minutes=10))
        jobs = int(
            sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"])[
                "Attributes"
            ]["ApproximateNumberOfMessages"]
        )

        # One confirmed action: the page, then its button
        from inquiry_router.adapters.action_keys import ActionKeys
        from inquiry_router.models.rep_actions import RepAction

        actions = build_function("actions", environ)
        inquiry = client.get_item(
            TableName=TABLE_NAME, Key={"PK": {"S": f"INQUIRY#{ids[0]}"}, "SK": {"S": "INQUIRY"}}
        )["Item"]
        owner = inquiry["owner_email"]["S"]
        before = counter.operations.copy()
        links = ActionKeys(client, TABLE_NAME, environ["ACTIONS_URL"]).issue(
            ids[0], owner, "en", datetime.now(UTC)
        )
        issued = counter.operations - before
        token = links[RepAction.WON].rsplit("/", 1)[1]
        event = json.loads((Path(__file__).resolve().parents[1] / "events" / "actions-get.json").read_text())
        event["rawPath"] = event["requestContext"]["http"]["path"] = f"/actions/{token}"
        event["pathParameters"] = {"token": token}
        before = counter.operations.copy()
        page = actions.handler(event, _context())
        opened = counter.operations - before
        form = dict(__import__("re").findall(r'name="(form)" value="([^"]+)"', page["body"]))
        post = json.loads((Path(__file__).resolve().parents[1] / "events" / "actions-post.json").read_text())
        post["rawPath"] = post["requestContext"]["http"]["path"] = f"/actions/{token}"
        post["pathParameters"] = {"token": token}
        post["body"] = base64.b64encode(urlencode(form).encode()).decode()
        before = counter.operations.copy()
        done = actions.handler(post, _context())
        confirmed = counter.operations - before
        assert "Done" in done["body"], done["body"][:300]
    return {
        "inquiries": INQUIRIES,
        "quiet_run": dict(quiet),
        "reminder_run": dict(reminders),
        "escalation_run": dict(escalations),
        "run_after": dict(after),
        "mail_jobs_queued": jobs,
        "action_key_per_notification": dict(issued),
        "action_page": dict(opened),
        "action_confirmed": dict(confirmed),
    }


def report(figures: dict[str, Any]) -> dict[str, Any]:
    n = figures["inquiries"]
    quiet = sum(figures["quiet_run"].values())
    per_inquiry_steps = (
        sum(figures["reminder_run"].values()) + sum(figures["escalation_run"].values()) - 2 * quiet
    ) / n
    monthly_timer = RUNS_PER_MONTH * (
        PRICES["lambda_request"]
        + TIMER_SECONDS * TIMER_GB * PRICES["lambda_gb_second_arm64"]
        + PRICES["scheduler_invocation"]
        + quiet * 0.5 * PRICES["dynamodb_read_unit"]
    )
    figures |= {
        "requests_per_quiet_run": quiet,
        "requests_per_unanswered_inquiry_for_its_two_steps": per_inquiry_steps,
        "timer_usd_per_month": monthly_timer,
        "prices": PRICES,
    }
    return figures


def main(as_json: bool = False) -> dict[str, Any]:
    figures = report(measure())
    if as_json:
        print(json.dumps(figures, indent=2))
        return figures

    def ops(counts: dict[str, int]) -> str:
        return ", ".join(f"{op} x{c}" for op, c in sorted(counts.items())) or "none"

    f = figures
    print(f"SLA timer and actions, {f['inquiries']} unanswered inquiries, one team of {len(REPS)}")
    print(f"  a quiet run (nothing due): {f['requests_per_quiet_run']} requests ({ops(f['quiet_run'])})")
    print(f"  the run that reminds all {f['inquiries']}: {ops(f['reminder_run'])}")
    print(f"  the run that escalates all: {ops(f['escalation_run'])}")
    print(f"  the next run: {ops(f['run_after'])}")
    print(
        f"  per unanswered inquiry, its reminder and escalation: "
        f"{f['requests_per_unanswered_inquiry_for_its_two_steps']:.2f} requests, 2 mail jobs "
        f"({f['mail_jobs_queued']} queued in all); no timer invocation of its own, but each step's "
        "write wakes the router once for nothing (issue 13)"
    )
    print(f"  the timer itself: {RUNS_PER_MONTH} runs a month, ${f['timer_usd_per_month']:.4f} a month")
    print(f"  action links per notification: {ops(f['action_key_per_notification'])}")
    print(f"  an action's page: {ops(f['action_page'])}; its confirmation: {ops(f['action_confirmed'])}")
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    main(parser.parse_args().json)
