"""AWS requests on the intake's synchronous path, per inquiry, counted from botocore's own events.

    .venv/bin/python bench/requests_per_inquiry.py

Runs the real handler against moto (in process) for accepted, replayed, spam and CAPTCHA-checked
submissions and counts every request any botocore client sends, by operation.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if __package__ in (None, ""):  # run as a script: make `bench` importable from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._harness import (
    TABLE_NAME,
    Handler,
    InquiryEvents,
    RequestCounter,
    create_table,
    fake_siteverify,
    intake_environment,
    load_intake_handler,
    stdout_discarded,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

ACCEPTED = 50
REPLAYED = 10
SPAM = 10
CAPTCHA_CHECKED = 10
CAPTCHA_SECRET_PARAMETER = "/bench/captcha-secret"


def count_requests(handler: Handler, events: list[dict[str, Any]], counter: RequestCounter) -> dict[str, Any]:
    """Send each event, insist on 202, and return the requests each one made."""
    per_inquiry: list[int] = []
    before = counter.operations.copy()
    bodies: list[dict[str, Any]] = []
    for event in events:
        sent = counter.total
        response = handler(event)
        if response["statusCode"] != 202:
            raise AssertionError(f"expected 202, got {response['statusCode']}: {response.get('body')}")
        per_inquiry.append(counter.total - sent)
        bodies.append(json.loads(response["body"]))
    operations = counter.operations - before
    return {
        "inquiries": len(events),
        "requests": sum(per_inquiry),
        "requests_per_inquiry": sum(per_inquiry) / len(events),
        "min": min(per_inquiry),
        "max": max(per_inquiry),
        "operations": dict(operations),
        "bodies": bodies,
    }


def _stored_with_status(client: DynamoDBClient, status: str) -> int:
    answer = client.query(
        TableName=TABLE_NAME,
        IndexName="GSI1",
        KeyConditionExpression="GSI1PK = :status",
        ExpressionAttributeValues={":status": {"S": f"STATUS#{status}"}},
        Select="COUNT",
    )
    return answer["Count"]


def measure() -> dict[str, Any]:
    import boto3
    from moto import mock_aws  # first: its stubber must join botocore's handlers before any session

    events = InquiryEvents()
    # The counter starts before the intake's modules are imported, so clients they create at
    # import time (as Powertools' Tracer does when SDK tracing is on) are counted too;
    # count_requests only counts what each submission adds.
    with RequestCounter() as counter, intake_environment(), mock_aws():
        admin = boto3.client("dynamodb")
        create_table(admin)
        ssm = boto3.client("ssm")
        ssm.put_parameter(Name=CAPTCHA_SECRET_PARAMETER, Value="bench-secret", Type="SecureString")

        with stdout_discarded():
            handler = load_intake_handler()
            accepted = count_requests(handler, [events.accepted() for _ in range(ACCEPTED)], counter)
            originals = [events.accepted() for _ in range(REPLAYED)]
            first_answers = count_requests(handler, originals, counter)["bodies"]
            replayed = count_requests(handler, originals, counter)
            spam = count_requests(handler, [events.spam() for _ in range(SPAM)], counter)

        # The figures mean something only if a replay really answered the first receipt and spam was stored.
        if replayed["bodies"] != first_answers:
            raise AssertionError("a replayed submission did not get its first answer back")
        if _stored_with_status(admin, "spam") != SPAM:
            raise AssertionError(f"expected {SPAM} inquiries stored as spam")

        with (
            fake_siteverify() as siteverify,
            intake_environment(
                CAPTCHA_PROVIDER="turnstile",
                CAPTCHA_SECRET_PARAMETER=CAPTCHA_SECRET_PARAMETER,
                CAPTCHA_VERIFY_URL=siteverify.url,
            ),
            stdout_discarded(),
        ):
            handler = load_intake_handler()
            captcha = count_requests(
                handler, [events.with_captcha() for _ in range(CAPTCHA_CHECKED)], counter
            )
            captcha["siteverify_calls"] = siteverify.calls

    return {"accepted": accepted, "replayed": replayed, "spam": spam, "captcha": captcha}


def main() -> dict[str, Any]:
    results = measure()
    for result in results.values():
        del result["bodies"]
    accepted = results["accepted"]
    figures = {
        "requests_per_accepted_inquiry": accepted["requests_per_inquiry"],
        "accepted_all_exactly_one": accepted["min"] == accepted["max"] == 1,
        "requests_per_replayed_submission": results["replayed"]["requests_per_inquiry"],
        "requests_per_spam_submission": results["spam"]["requests_per_inquiry"],
        "requests_per_captcha_inquiry": results["captcha"]["requests_per_inquiry"],
        "details": results,
    }
    print("AWS requests per submission on the synchronous path (botocore before-send, all clients)")
    for name, result in results.items():
        operations = ", ".join(f"{op} x{n}" for op, n in sorted(result["operations"].items()))
        print(
            f"  {name:<9} {result['inquiries']:>3} submissions: {result['requests_per_inquiry']:.2f} "
            f"requests each (min {result['min']}, max {result['max']}); {operations}"
        )
    captcha = results["captcha"]
    print(f"  captcha   siteverify (non-AWS HTTPS) calls: {captcha['siteverify_calls']}")
    return figures


if __name__ == "__main__":
    main()
