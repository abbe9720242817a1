"""SES's sending events about our own mail, through the feedback function on moto: a bounce marks
the buyer's contact undeliverable, suppresses our mail and tells the owner; soft bounces suppress
after three; a complaint suppresses; deliveries and delays go on the timeline; each event counts
once however often it comes, in whatever order; an event about a mail we never sent changes
nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from inquiry_router.adapters import keys
from inquiry_router.adapters.queries import contact_timeline, get_contact
from inquiry_router.adapters.serialization import from_attributes, to_attributes
from inquiry_router_admin.local.ses_events import EventKind, ses_sending_event
from tests.conftest import TABLE_NAME, LambdaFunction
from tests.integration.test_mail_pipeline import BUYER, job_record, stored, submit
from tests.support.events import load_event
from tests.support.pipeline import CONFIGURATION_SET, Pipeline, lambda_context, sent_mails, start_pipeline

Invoke = Callable[[dict[str, Any]], dict[str, Any]]
BUYER_EMAIL = BUYER["email"]
T0 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def pipeline(dynamodb: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Pipeline:
    return start_pipeline(dynamodb, monkeypatch, tmp_path)


@pytest.fixture
def feedback(pipeline: Pipeline) -> LambdaFunction:
    return LambdaFunction("feedback")


def deliver(feedback: LambdaFunction, *events: dict[str, Any]) -> dict[str, Any]:
    """The events as the feedback queue hands them to Lambda (EventBridge's event as the body)."""
    records = [
        {
            "messageId": f"m{n}",
            "receiptHandle": f"r{n}",
            "body": json.dumps(event),
            "attributes": {"ApproximateReceiveCount": "1"},
            "messageAttributes": {},
            "md5OfBody": "",
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:inquiry-router-feedback",
            "awsRegion": "eu-west-1",
        }
        for n, event in enumerate(events)
    ]
    result: dict[str, Any] = feedback({"Records": records}, lambda_context("feedback"))
    return result


def event(kind: EventKind, ses_message_id: str, recipient: str = BUYER_EMAIL, **at: int) -> dict[str, Any]:
    return ses_sending_event(
        kind,
        ses_message_id=ses_message_id,
        recipient=recipient,
        configuration_set=CONFIGURATION_SET,
        at=T0 + timedelta(**at),
    )


def sent_inquiry(intake: Invoke, pipeline: Pipeline, **fields: Any) -> tuple[str, str, str]:
    """An inquiry acknowledged and notified: its id and the SES ids of both mails."""
    inquiry_id = submit(intake, phone="+34 961 234 567", company="Importadora Sol SL", **fields)
    pipeline.run()
    inquiry = stored(pipeline.dynamodb, inquiry_id)
    acknowledgement = job_record(pipeline.dynamodb, f"ack:{inquiry_id}")["ses_message_id"]
    notification = job_record(pipeline.dynamodb, f"notify:{inquiry_id}:{inquiry['owner_email']}:1")
    return inquiry_id, acknowledgement, notification["ses_message_id"]


def contact(pipeline: Pipeline, email: str = BUYER_EMAIL) -> dict[str, Any]:
    found = get_contact(pipeline.dynamodb, TABLE_NAME, email)
    assert found is not None
    return found.to_item()


def timeline(pipeline: Pipeline, email: str = BUYER_EMAIL) -> list[tuple[str, str]]:
    """(kind, at) of the contact's feedback events, oldest first."""
    events = contact_timeline(pipeline.dynamodb, TABLE_NAME, email, 100)
    return sorted((e.at, e.kind) for e in events if e.other.get("ses_message_id"))  # type: ignore[misc]


def all_items(pipeline: Pipeline) -> list[dict[str, Any]]:
    return [from_attributes(i) for i in pipeline.dynamodb.scan(TableName=TABLE_NAME)["Items"]]


# -- a hard bounce of the acknowledgement -----------------------------------------------------------


def test_a_bounced_acknowledgement_marks_the_address_and_tells_the_owner(
    intake: Invoke, pipeline: Pipeline, feedback: LambdaFunction
) -> None:
    inquiry_id, acknowledgement, _ = sent_inquiry(intake, pipeline)
    mails_before = len(sent_mails())

    assert deliver(feedback, event("bounce", acknowledgement)) == {"batchItemFailures": []}

    profile = contact(pipeline)
    assert profile["bounced"] is True
    assert profile["suppressed"] is True
    assert profile["bounce_sub_type"] == "General"
    assert "550 5.1.1 user unknown" in profile["bounce_reason"]
    assert [kind for _, kind in timeline(pipeline)] == ["acknowledgement_bounced"]
    inquiry = stored(pipeline.dynamodb, inquiry_id)
    assert inquiry["acknowledgement_outcome"] == "bounced"

    # The owner hears of it, with the other ways to reach the buyer.
    pipeline.run()
    (notice,) = sent_mails()[mails_before:]
    assert inquiry["owner_email"] in notice.destinations[0]
    assert "Undeliverable" in notice.message["Subject"]
    assert inquiry["reference"] in notice.message["Subject"]
    assert "Phone: +34961234567" in notice.text
    assert "Company: Importadora Sol SL" in notice.text
    assert "550 5.1.1 user unknown" in notice.text


def test_a_suppressed_address_gets_no_more_acknowledgements(
    intake: Invoke, pipeline: Pipeline, feedback: LambdaFunction
) -> None:
    _, acknowledgement, _ = sent_inquiry(intake, pipeline)
    deliver(feedback, event("bounce", acknowledgement))
    pipeline.run()

    second = submit(intake, subject="LED strips")
    pipeline.run()

    record = job_record(pipeline.dynamodb, f"ack:{second}")
    assert record["state"] == "skipped"
    assert "suppressed" in record["reason"]
    # The rep still gets the inquiry: a dead address is not a lost lead.
    owner = stored(pipeline.dynamodb, second)["owner_email"]
    assert any(owner in mail.destinations[0] and "LED strips" in mail.text for mail in sent_mails())


def test_suppressed_by_ses_is_recorded_as_not_sent(
    intake: Invoke, pipeline: Pipeline, feedback: LambdaFunction
) -> None:
    inquiry_id, acknowledgement, _ = sent_inquiry(intake, pipeline)

    deliver(feedback, event("suppressed", acknowledgement))

    assert [kind for _, kind in timeline(pipeline)] == ["acknowledgement_suppressed_by_ses"]
    assert stored(pipeline.dynamodb, inquiry_id)["acknowledgement_outcome"] == "suppressed_by_ses"
    (entry,) = [
        e for e in contact_timeline(pipeline.dynamodb, TABLE_NAME, BUYER_EMAIL, 50) if "ses" in e.kind
    ]
    assert entry.summary is not None
    assert entry.summary.startswith("not sent: SES suppressed it")
    assert contact(pipeline)["suppressed"] is True


# -- once, in any order ----------------------------------------------------------------------------


def test_an_event_published_twice_counts_once(
    intake: Invoke, pipeline: Pipeline, feedback: LambdaFunction
) -> None:
    _, acknowledgement, _ = sent_inquiry(intake, pipeline)
    mails_before = len(sent_mails())
    bounce = event("bounce", acknowledgement)
    # SES's second publication of the same event has another EventBridge id, the same feedback id.
    again = {**bounce, "id": "another-envelope"}

    deliver(feedback, bounce)
    deliver(feedback, again, bounce)
    pipeline.run()

    assert [kind for _, kind in timeline(pipeline)] == ["acknowledgement_bounced"]
    assert len(sent_mails()) == mails_before + 1  # one notice to the owner


def test_soft_bounces_suppress_after_the_third_even_when_redelivered(
    intake: Invoke, pipeline: Pipeline, feedback: LambdaFunction
) -> None:
    _, acknowledgement, _ = sent_inquiry(intake, pipeline)
    first, second, third = (event("soft-bounce", acknowledgement, hours=h) for h in (1, 30, 60))

    deliver(feedback, first, second, second, first)
    assert contact(pipeline)["transient_bounces"] == 2
    assert not contact(pipeline).get("suppressed")

    deliver(feedback, third, third)
    profile = contact(pipeline)
    assert profile["transient_bounces"] == 3
    assert profile["suppressed"] is True
    assert "3 soft bounces" in profile["suppressed_reason"]
    assert not profile.get("bounced")  # soft bounces never say the address is dead


def test_events_out_of_order_land_in_time_order_and_never_lift_a_suppression(
    intake: Invoke, pipeline: Pipeline, feedback: LambdaFunction
) -> None:
    _, acknowledgement, _ = sent_inquiry(intake, pipeline)

    deliver(
        feedback,
        event("complaint", acknowledgement, hours=5),
        event("delivery", acknowledgement, minutes=1),
        event("delay", acknowledgement, seconds=20),
    )

    assert [kind for _, kind in timeline(pipeline)] == [
        "acknowledgement_delayed",
        "acknowledgement_delivered",
        "acknowledgement_complaint",
    ]
    profile = contact(pipeline)
    assert profile["complained"] is True
    assert profile["complaint_type"] == "abuse"
    assert profile["suppressed"] is True


# -- what an event may not touch -----------------------------------------------------------------


def test_an_event_for_a_mail_we_never_sent_changes_nothing(
    intake: Invoke, pipeline: Pipeline, feedback: LambdaFunction
) -> None:
    sent_inquiry(intake, pipeline)
    before = all_items(pipeline)

    result = deliver(feedback, event("bounce", "0100019abcdef-never-sent-000000"))

    assert result == {"batchItemFailures": []}
    assert all_items(pipeline) == before
    assert pipeline.queued_jobs() == []


def test_a_bounce_for_another_recipient_of_the_message_leaves_the_buyer_alone(
    intake: Invoke, pipeline: Pipeline, feedback: LambdaFunction
) -> None:
    _, acknowledgement, _ = sent_inquiry(intake, pipeline)

    deliver(feedback, event("bounce", acknowledgement, recipient="copy@elsewhere.example"))

    assert not contact(pipeline).get("suppressed")
    assert timeline(pipeline) == []


def test_a_bounced_rep_notification_goes_on_the_timeline_and_never_suppresses_the_buyer(
    intake: Invoke, pipeline: Pipeline, feedback: LambdaFunction
) -> None:
    inquiry_id, _, notification = sent_inquiry(intake, pipeline)
    owner = stored(pipeline.dynamodb, inquiry_id)["owner_email"]

    deliver(feedback, event("bounce", notification, recipient=owner))

    assert [kind for _, kind in timeline(pipeline)] == ["notification_bounced"]
    assert not contact(pipeline).get("suppressed")
    assert pipeline.queued_jobs() == []


def test_an_event_after_the_contact_was_erased_brings_nothing_back(
    intake: Invoke, pipeline: Pipeline, feedback: LambdaFunction
) -> None:
    _, acknowledgement, _ = sent_inquiry(intake, pipeline)
    pipeline.dynamodb.delete_item(TableName=TABLE_NAME, Key=to_attributes(keys.contact_key(BUYER_EMAIL)))

    assert deliver(feedback, event("bounce", acknowledgement)) == {"batchItemFailures": []}

    assert get_contact(pipeline.dynamodb, TABLE_NAME, BUYER_EMAIL) is None
    assert pipeline.queued_jobs() == []


def test_a_message_that_is_not_an_ses_event_fails_its_record_only(
    intake: Invoke, pipeline: Pipeline, feedback: LambdaFunction
) -> None:
    _, acknowledgement, _ = sent_inquiry(intake, pipeline)
    forged = {**event("bounce", acknowledgement), "source": "my.app"}

    result = deliver(feedback, forged, event("delivery", acknowledgement))

    assert result == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert [kind for _, kind in timeline(pipeline)] == ["acknowledgement_delivered"]


def test_the_sample_event_is_what_the_function_takes(pipeline: Pipeline, feedback: LambdaFunction) -> None:
    """events/feedback-sqs-bounce.json documents the queue's message shape; the handler takes it."""
    assert feedback(load_event("feedback-sqs-bounce.json"), lambda_context("feedback")) == {
        "batchItemFailures": []
    }
