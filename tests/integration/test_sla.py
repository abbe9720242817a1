"""The first-response SLA on moto, with the clock in the timer's event (as EventBridge Scheduler
fills it in): a reminder to the owner, an escalation to the manager and a reassign, each once and
at its moment in the team's working time, across a weekend and a DST change; snoozes and
absences pause the clock; an answer takes the inquiry off the schedule."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from inquiry_router.adapters import keys
from inquiry_router.adapters.config_store import apply_config
from inquiry_router.adapters.inbound_records import InboundRecords, TimelineEntry
from inquiry_router.adapters.serialization import to_attributes
from inquiry_router.adapters.status_changes import StatusChanges
from inquiry_router.base.timestamps import iso_timestamp
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.lifecycle import Channel, Status
from inquiry_router.models.settings import Retention
from tests.conftest import TABLE_NAME, LambdaFunction
from tests.integration.test_rep_actions import stored
from tests.support.events import load_event
from tests.support.pipeline import Pipeline, lambda_context, sent_mails, start_pipeline
from tests.support.routing import DOMAIN, new_inquiry_item, rep, routing_config

MANAGER = f"manager@{DOMAIN}"
# Berlin: CEST (UTC+2) until Sunday 2026-10-25 03:00, CET (UTC+1) after.
FRIDAY_4PM_BERLIN = datetime(2026, 10, 23, 14, 0, tzinfo=UTC)


def berlin_team(**sla: Any) -> dict[str, Any]:
    return {
        "key": "sales",
        "name": "Sales",
        "sending_address": f"sales@{DOMAIN}",
        "fallback_address": f"team@{DOMAIN}",
        "manager_address": MANAGER,
        "timezone": "Europe/Berlin",
        "languages": ["en"],
        "response_time_hours": 8,
        "business_hours": {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "18:00"},
        "sla": {"remind_at_percent": 50, "escalate": True, "reassign_after_hours": 12, **sla},
    }


@pytest.fixture
def pipeline(dynamodb: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Pipeline:
    pipeline = start_pipeline(dynamodb, monkeypatch, tmp_path)
    configure(pipeline)
    return pipeline


def configure(pipeline: Pipeline, *reps: dict[str, Any], **sla: Any) -> None:
    config = routing_config(*(reps or (rep("ana"), rep("bob"))), teams=[berlin_team(**sla)], rules=[])
    apply_config(pipeline.dynamodb, TABLE_NAME, config, datetime.now(UTC))


def received(pipeline: Pipeline, at: datetime) -> Inquiry:
    """An inquiry that arrived at `at`, routed and notified."""
    inquiry_id = str(uuid.uuid4())
    email = f"buyer-{inquiry_id[:8]}@gmail.com"  # free mail: a contact, no company account
    item = new_inquiry_item(inquiry_id, email, iso_timestamp(at))
    contact = {
        "TableName": TABLE_NAME,
        "Key": to_attributes(keys.contact_key(email)),
        "UpdateExpression": "SET entity = :c",
        "ExpressionAttributeValues": to_attributes({":c": "contact"}),
    }
    pipeline.dynamodb.transact_write_items(
        TransactItems=[{"Put": {"TableName": TABLE_NAME, "Item": to_attributes(item)}}, {"Update": contact}]
    )
    pipeline.run()
    return stored(pipeline, inquiry_id)


class Timer:
    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.function = LambdaFunction("timer")

    def tick(self, at: datetime) -> dict[str, Any]:
        """One scheduled run at `at` (the event as EventBridge Scheduler sends it), then the mail."""
        event = {**load_event("timer-schedule.json"), "scheduled_time": at.isoformat().replace("+00:00", "Z")}
        result: dict[str, Any] = self.function(event, lambda_context("timer"))
        self.pipeline.run()
        return result


@pytest.fixture
def timer(pipeline: Pipeline) -> Timer:
    return Timer(pipeline)


def mails_about(inquiry: Inquiry, to: str) -> list[Any]:
    return [
        m.message
        for m in sent_mails()
        if inquiry.reference in str(m.message["Subject"]) and m.message["To"].addresses[0].addr_spec == to
    ]


def subjects(inquiry: Inquiry, to: str) -> list[str]:
    return [str(m["Subject"]).strip() for m in mails_about(inquiry, to)]


def test_reminder_escalation_and_reassign_come_once_each_across_a_weekend_and_dst(
    pipeline: Pipeline, timer: Timer
) -> None:
    inquiry = received(pipeline, FRIDAY_4PM_BERLIN)  # 2 working hours left on Friday
    owner = str(inquiry.owner_email)

    # Saturday, Sunday (the clocks go back), Monday before 11:00 CET: nothing
    for at in ("2026-10-24T10:00", "2026-10-25T12:00", "2026-10-26T09:55"):
        timer.tick(datetime.fromisoformat(at + ":00+00:00"))
    assert subjects(inquiry, owner) == [subjects(inquiry, owner)[0]]  # the assignment only

    # Monday 11:00 CET = 10:00 UTC: 4 working hours, half the target: the owner is reminded, once
    monday_11 = datetime(2026, 10, 26, 10, 0, tzinfo=UTC)
    timer.tick(monday_11)
    timer.tick(monday_11)  # a redelivered run
    timer.tick(monday_11 + timedelta(minutes=5))
    reminders = [s for s in subjects(inquiry, owner) if s.startswith(f"[{inquiry.reference}] Reminder")]
    assert len(reminders) == 1
    assert stored(pipeline, inquiry.id).sla_steps == ("remind",)

    # Monday 15:00 CET: the target is up: the manager is told, once
    assert subjects(inquiry, MANAGER) == []
    timer.tick(datetime(2026, 10, 26, 13, 55, tzinfo=UTC))
    assert subjects(inquiry, MANAGER) == []
    timer.tick(datetime(2026, 10, 26, 14, 0, tzinfo=UTC))
    timer.tick(datetime(2026, 10, 26, 14, 0, tzinfo=UTC))
    [escalation] = mails_about(inquiry, MANAGER)
    assert "Late first answer" in str(escalation["Subject"])
    assert owner in escalation.get_body(("plain",)).get_content()

    # Tuesday 10:00 CET: 12 working hours: reassigned to the other rep, who is notified
    timer.tick(datetime(2026, 10, 27, 8, 55, tzinfo=UTC))
    assert stored(pipeline, inquiry.id).owner_email == owner
    timer.tick(datetime(2026, 10, 27, 9, 0, tzinfo=UTC))
    timer.tick(datetime(2026, 10, 27, 9, 0, tzinfo=UTC))
    moved = stored(pipeline, inquiry.id)
    assert moved.owner_email not in (None, owner)
    assert len(mails_about(inquiry, str(moved.owner_email))) == 1
    assert moved.sla_steps == ("remind", "escalate", "reassign")

    # Nothing more, ever
    before = len(sent_mails())
    for days in (1, 2, 7):
        timer.tick(datetime(2026, 10, 27, 9, 0, tzinfo=UTC) + timedelta(days=days))
    assert len(sent_mails()) == before
    assert stored(pipeline, inquiry.id).owner_email == moved.owner_email


def test_an_answer_before_the_reminder_takes_the_inquiry_off_the_schedule(
    pipeline: Pipeline, timer: Timer
) -> None:
    inquiry = received(pipeline, datetime(2026, 11, 2, 8, 0, tzinfo=UTC))  # Monday 09:00 CET
    owner = str(inquiry.owner_email)
    entry = TimelineEntry(
        inquiry.contact_key, datetime(2026, 11, 2, 9, 0, tzinfo=UTC), "bcc-1", "rep_replied", "answer",
        inquiry.id, inquiry.reference, owner,
    )  # fmt: skip
    InboundRecords(pipeline.dynamodb, TABLE_NAME).log_rep_answer(entry, stored(pipeline, inquiry.id))

    for hours in (4, 8, 12, 48):
        timer.tick(datetime(2026, 11, 2, 8, 0, tzinfo=UTC) + timedelta(hours=hours))

    assert len(mails_about(inquiry, owner)) == 1  # the assignment only
    assert mails_about(inquiry, MANAGER) == []
    assert stored(pipeline, inquiry.id).sla_steps == ()


def test_a_snooze_pauses_the_clock_and_ends_on_time(pipeline: Pipeline, timer: Timer) -> None:
    monday_9 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # 09:00 CET
    inquiry = received(pipeline, monday_9)
    owner = str(inquiry.owner_email)
    # Monday 10:00: snoozed until Wednesday 10:00 (one working hour waited so far)
    StatusChanges(pipeline.dynamodb, TABLE_NAME, retention=Retention()).change(
        stored(pipeline, inquiry.id),
        Status.SNOOZED,
        by=owner,
        channel=Channel.MAIL_ACTION,
        now=monday_9 + timedelta(hours=1),
        snoozed_until=monday_9 + timedelta(days=2, hours=1),
    )

    timer.tick(monday_9 + timedelta(hours=4))  # would have been the reminder
    timer.tick(monday_9 + timedelta(days=1))
    assert stored(pipeline, inquiry.id).status == "snoozed"
    timer.tick(monday_9 + timedelta(days=2, hours=1))  # Wednesday 10:00: it wakes
    woken = stored(pipeline, inquiry.id)
    assert woken.status == "assigned"
    assert (woken.transitions[-1].channel, woken.transitions[-1].by) == ("automatic", "inquiry-router")

    # 1 h before the snooze + 3 h after: the reminder is due Wednesday 13:00 CET
    timer.tick(monday_9 + timedelta(days=2, hours=3, minutes=55))
    assert len(mails_about(inquiry, owner)) == 1
    timer.tick(monday_9 + timedelta(days=2, hours=4))
    assert len(mails_about(inquiry, owner)) == 2


def test_the_owner_s_absence_pauses_the_clock(pipeline: Pipeline, timer: Timer) -> None:
    monday_9 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    configure(pipeline, rep("ana"))  # one rep: the inquiry is hers
    inquiry = received(pipeline, monday_9)
    owner = str(inquiry.owner_email)
    away = rep("ana", out_of_office=[{"from": "2026-11-02", "until": "2026-11-03"}])
    configure(pipeline, away)  # she turns out to be away Monday and Tuesday

    timer.tick(monday_9 + timedelta(hours=4))
    timer.tick(monday_9 + timedelta(days=1, hours=4))
    assert len(mails_about(inquiry, owner)) == 1
    timer.tick(monday_9 + timedelta(days=2, hours=3, minutes=55))  # Wednesday 12:55
    assert len(mails_about(inquiry, owner)) == 1
    timer.tick(monday_9 + timedelta(days=2, hours=4))  # Wednesday 13:00: 4 working hours back
    assert len(mails_about(inquiry, owner)) == 2


def test_a_team_without_steps_schedules_nothing(pipeline: Pipeline, timer: Timer) -> None:
    configure(
        pipeline, rep("ana"), rep("bob"), remind_at_percent=None, escalate=False, reassign_after_hours=None
    )
    inquiry = received(pipeline, datetime(2026, 11, 2, 8, 0, tzinfo=UTC))

    result = timer.tick(datetime(2026, 11, 9, 8, 0, tzinfo=UTC))

    assert result["sla"] == {}
    assert len(mails_about(inquiry, str(inquiry.owner_email))) == 1


def test_a_reassign_interrupted_after_its_step_is_finished_by_the_next_run(
    pipeline: Pipeline, timer: Timer
) -> None:
    configure(
        pipeline, rep("ana"), rep("bob"), remind_at_percent=None, escalate=False, reassign_after_hours=2
    )
    inquiry = received(pipeline, datetime(2026, 11, 2, 8, 0, tzinfo=UTC))
    owner = inquiry.owner_email
    sweep = timer.function.composition.sweep
    calls: list[str] = []

    def crash(found: Inquiry, now: datetime) -> tuple[str | None, str | None]:
        calls.append(found.reference)
        raise RuntimeError("the function timed out right after recording the step")

    real = sweep.hand_over
    object.__setattr__(sweep, "hand_over", crash)
    timer.tick(datetime(2026, 11, 2, 10, 0, tzinfo=UTC))
    assert calls == [inquiry.reference]
    assert stored(pipeline, inquiry.id).owner_email == owner
    object.__setattr__(sweep, "hand_over", real)

    timer.tick(datetime(2026, 11, 2, 10, 5, tzinfo=UTC))
    timer.tick(datetime(2026, 11, 2, 10, 10, tzinfo=UTC))

    moved = stored(pipeline, inquiry.id)
    assert moved.owner_email not in (None, owner)
    assert moved.sla_steps == ("reassign",)


# -- the backlog drain --------------------------------------------------------------------------


def test_the_backlog_drains_oldest_first_one_per_eligible_rep_and_run(
    pipeline: Pipeline, timer: Timer
) -> None:
    today = datetime.now(UTC).date()
    leave = [
        {"from": (today - timedelta(days=3)).isoformat(), "until": (today + timedelta(days=3)).isoformat()}
    ]
    configure(
        pipeline,
        rep("ana", out_of_office=leave),
        rep("bob", out_of_office=leave),
        rep("chen", out_of_office=leave),
    )
    now = datetime.now(UTC)
    waiting = [received(pipeline, now - timedelta(minutes=30 - i)) for i in range(4)]
    assert {w.owner_email for w in waiting} == {f"team@{DOMAIN}"}

    timer.tick(now)  # everyone away: nothing moves
    assert {stored(pipeline, w.id).owner_email for w in waiting} == {f"team@{DOMAIN}"}

    configure(pipeline, rep("ana"), rep("bob", out_of_office=leave), rep("chen", out_of_office=leave))
    timer.tick(now + timedelta(minutes=5))  # ana is back: she gets the oldest, and only that one
    owners = [stored(pipeline, w.id).owner_email for w in waiting]
    assert owners == [f"ana@{DOMAIN}", f"team@{DOMAIN}", f"team@{DOMAIN}", f"team@{DOMAIN}"]
    assert len(mails_about(waiting[0], f"ana@{DOMAIN}")) == 1  # notified like any assignment

    configure(pipeline, rep("ana"), rep("bob"), rep("chen", out_of_office=leave))
    timer.tick(now + timedelta(minutes=10))  # bob too: one each, the next two oldest
    owners = [stored(pipeline, w.id).owner_email for w in waiting]
    assert owners[:3].count(f"team@{DOMAIN}") == 0
    assert sorted(owners[1:3]) == [f"ana@{DOMAIN}", f"bob@{DOMAIN}"]
    assert owners[3] == f"team@{DOMAIN}"

    timer.tick(now + timedelta(minutes=15))
    timer.tick(now + timedelta(minutes=15))  # a redelivered run: nothing twice
    final = [stored(pipeline, w.id) for w in waiting]
    assert all(f.owner_email in (f"ana@{DOMAIN}", f"bob@{DOMAIN}") for f in final)
    assert all(f.assignment_seq == 2 for f in final)  # the fallback's, then the rep's


# -- the digests --------------------------------------------------------------------------------

MONDAY_9_CET = datetime(2026, 11, 9, 8, 0, tzinfo=UTC)
NO_SLA: dict[str, Any] = {"remind_at_percent": None, "escalate": False, "reassign_after_hours": None}


def test_monday_morning_brings_the_manager_the_week_and_each_rep_their_open_inquiries(
    pipeline: Pipeline, timer: Timer
) -> None:
    configure(pipeline, rep("ana"), rep("bob"), rep("chen", morning_digest=False), **NO_SLA)
    last_week = [
        received(pipeline, datetime(2026, 11, 2, 8, 0, tzinfo=UTC) + timedelta(hours=h))
        for h in (0, 2, 26, 50)
    ]
    won = last_week[0]
    StatusChanges(pipeline.dynamodb, TABLE_NAME, retention=Retention()).change(
        stored(pipeline, won.id), Status.WON, by=str(won.owner_email), channel=Channel.MAIL_ACTION,
        now=datetime(2026, 11, 2, 10, 0, tzinfo=UTC),
    )  # fmt: skip
    before = len(sent_mails())

    result = timer.tick(MONDAY_9_CET)
    timer.tick(MONDAY_9_CET + timedelta(minutes=5))  # the next run, still in the window: nothing twice

    new = sent_mails()[before:]
    by_recipient: dict[str, list[Any]] = {}
    for mail in new:  # the SLA is off: only digests
        by_recipient.setdefault(mail.message["To"].addresses[0].addr_spec, []).append(mail.message)
    assert "digest:weekly:sales:2026-11-02" in result["digests"]
    [weekly] = by_recipient[MANAGER]
    assert str(weekly["Subject"]).strip() == "Weekly inquiries: Sales, 2026-11-02 to 2026-11-08"
    body = weekly.get_body(("html",)).get_content()
    assert "4 inquiries received" in weekly.get_body(("plain",)).get_content()
    assert 'bgcolor="#1d4ed8"' in body  # the table-drawn chart
    assert "1 won" in weekly.get_body(("plain",)).get_content()
    for owner in {str(i.owner_email) for i in last_week[1:]} - {f"chen@{DOMAIN}"}:
        [morning] = by_recipient[owner]
        text = morning.get_body(("plain",)).get_content()
        mine = [i for i in last_week[1:] if i.owner_email == owner]
        assert str(morning["Subject"]).strip() == f"Your open inquiries: {len(mine)}"
        for inquiry in mine:
            assert inquiry.reference in text
        assert "/actions/" in text
    assert f"chen@{DOMAIN}" not in by_recipient  # opted out


def test_no_digest_outside_the_opening_window_or_on_a_day_off(pipeline: Pipeline, timer: Timer) -> None:
    configure(pipeline, rep("ana"), rep("bob"), **NO_SLA)
    received(pipeline, datetime(2026, 11, 2, 8, 0, tzinfo=UTC))
    before = len(sent_mails())

    for at in (
        MONDAY_9_CET - timedelta(minutes=5),
        MONDAY_9_CET + timedelta(minutes=20),
        datetime(2026, 11, 7, 8, 0, tzinfo=UTC),
    ):
        assert timer.tick(at)["digests"] == []

    assert len(sent_mails()) == before


def test_an_inquiry_long_overdue_gets_each_step_on_consecutive_runs(pipeline: Pipeline, timer: Timer) -> None:
    inquiry = received(pipeline, datetime(2026, 11, 2, 8, 0, tzinfo=UTC))  # Monday 09:00 CET
    owner = str(inquiry.owner_email)
    thursday = datetime(2026, 11, 5, 9, 0, tzinfo=UTC)  # every step is past due

    steps = []
    for minutes in (0, 5):
        timer.tick(thursday + timedelta(minutes=minutes))
        steps.append(stored(pipeline, inquiry.id).sla_steps)
    timer.tick(thursday + timedelta(minutes=10))

    assert steps == [("remind",), ("remind", "escalate")]
    assert stored(pipeline, inquiry.id).owner_email != owner  # the third run reassigned it
    assert len(mails_about(inquiry, MANAGER)) == 1
