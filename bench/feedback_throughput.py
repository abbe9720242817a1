"""The feedback function's throughput and its AWS requests per SES sending event.

    .venv/bin/python bench/feedback_throughput.py [--json] [--events N]

On moto, in process, through the function's composition root: N sent acknowledgements (their
SESMSG index items and contacts written directly, as the mailer leaves them), then one SES event
each in batches of ten, as the feedback queue hands them to Lambda: deliveries (nearly every
event a company will see), then hard bounces, then the same bounces again (SES publishing twice).
Requests are counted from botocore's own events; events per second are wall time per batch, moto's
own work included (the function's share is smaller: the ratio between kinds is what compares).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` importable from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._fresh_process import FakeLambdaContext
from bench._harness import REGION, TABLE_NAME, RequestCounter, create_table, stdout_discarded

CONFIGURATION_SET = "bench-mail"
BATCH = 10  # the mapping's BatchSize


def _context() -> Any:
    return FakeLambdaContext(str(uuid.uuid4()))


def _records(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": str(n),
                "receiptHandle": str(n),
                "body": json.dumps(event),
                "attributes": {},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{REGION}:123456789012:bench-feedback",
                "awsRegion": REGION,
            }
            for n, event in enumerate(events)
        ]
    }


def measure(events: int) -> dict[str, Any]:
    import os

    import boto3
    from moto import mock_aws

    from inquiry_router.adapters import keys
    from inquiry_router.adapters.serialization import to_attributes
    from inquiry_router.entry.compositions import build_function
    from inquiry_router.models.mail_record import SesMessage
    from inquiry_router_admin.local.ses_events import EventKind, ses_sending_event

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
            "CLOSED_INQUIRY_RETENTION_DAYS": "730",
            "SPAM_RETENTION_DAYS": "30",
            "POWERTOOLS_TRACE_DISABLED": "1",
            "POWERTOOLS_METRICS_NAMESPACE": "Bench",
            "AWS_DEFAULT_REGION": REGION,
        }
        sent = []
        for n in range(events):
            buyer, ses_id, inquiry_id = f"buyer{n}@example.com", f"0102{uuid.uuid4().hex}-000000", f"i{n}"
            index = SesMessage(
                ses_id,
                f"ack:{inquiry_id}",
                "acknowledgement",
                buyer,
                f"m{n}@x",
                inquiry_id,
                f"INQ-{n:06d}",
                buyer,
                "2026-12-04T09:00:00.000Z",
            )
            client.put_item(
                TableName=TABLE_NAME, Item=to_attributes({**keys.ses_message_key(ses_id), **index.to_item()})
            )
            client.put_item(
                TableName=TABLE_NAME,
                Item=to_attributes({**keys.contact_key(buyer), "entity": "contact", "email": buyer}),
            )
            client.put_item(
                TableName=TABLE_NAME,
                Item=to_attributes({**keys.inquiry_key(inquiry_id), "entity": "inquiry", "id": inquiry_id}),
            )
            sent.append((ses_id, buyer))
        function = build_function("feedback", environ)

        def run(kind: EventKind, bodies: list[dict[str, Any]] | None = None) -> dict[str, Any]:
            made = bodies or [
                ses_sending_event(
                    kind,
                    ses_message_id=ses_id,
                    recipient=buyer,
                    configuration_set=CONFIGURATION_SET,
                    at=datetime.now(UTC),
                )
                for ses_id, buyer in sent
            ]
            before = counter.operations.copy()
            started = time.perf_counter()
            for start in range(0, len(made), BATCH):
                answer = function.handler(_records(made[start : start + BATCH]), _context())
                assert answer == {"batchItemFailures": []}, answer
            seconds = time.perf_counter() - started
            requests: Counter[str] = counter.operations - before
            return {
                "events": len(made),
                "seconds": seconds,
                "events_per_second": len(made) / seconds,
                "requests": dict(requests),
                "requests_per_event": sum(requests.values()) / len(made),
                "bodies": made,
            }

        deliveries = run("delivery")
        bounces = run("bounce")
        duplicates = run("bounce", bounces["bodies"])
    for figures in (deliveries, bounces, duplicates):
        figures.pop("bodies")
    return {"events": events, "delivery": deliveries, "bounce": bounces, "bounce_published_twice": duplicates}


def main(as_json: bool = False, events: int = 200) -> dict[str, Any]:
    figures = measure(events)
    if as_json:
        print(json.dumps(figures, indent=2))
        return figures
    print(f"Feedback function, {events} events of each kind, batches of {BATCH}, on moto")
    for name in ("delivery", "bounce", "bounce_published_twice"):
        f = figures[name]
        ops = ", ".join(f"{op} x{c}" for op, c in sorted(f["requests"].items()))
        print(
            f"  {name:<24} {f['events_per_second']:7.0f} events/s  "
            f"{f['requests_per_event']:.2f} requests/event ({ops})"
        )
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--events", type=int, default=200)
    arguments = parser.parse_args()
    main(arguments.json, arguments.events)
