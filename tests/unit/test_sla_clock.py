"""The SLA clock and the digests' schedule, with a fixed clock: working time only, snoozes and
absences left out, the steps in order, and the digests at the team's opening time where it works."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from inquiry_router.models.digest_schedule import digests_due
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.lifecycle import Channel, Status, StatusChange
from inquiry_router.models.routing_config import Rep, Team
from inquiry_router.models.sla import SlaStep, plan, thresholds, waited
from tests.support.routing import DOMAIN, rep, routing_config

TEAM = Team.model_validate(
    {
        "key": "sales",
        "name": "Sales",
        "sending_address": f"sales@{DOMAIN}",
        "fallback_address": f"team@{DOMAIN}",
        "timezone": "Asia/Shanghai",
        "response_time_hours": 8,
        "sla": {"remind_at_percent": 50, "escalate": True, "reassign_after_hours": 16},
    }
)
MONDAY_9_SHANGHAI = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def inquiry(received: datetime = MONDAY_9_SHANGHAI, **fields: object) -> Inquiry:
    defaults: dict[str, object] = {
        "id": "i1",
        "reference": "INQ-AAAAAA",
        "status": "assigned",
        "received_at": received.isoformat(),
        "contact_key": "b@x.example",
        "email": "b@x.example",
        "owner_email": f"ana@{DOMAIN}",
        "assignment_kind": "round_robin",
    }
    return Inquiry(**{**defaults, **fields})  # type: ignore[arg-type]


def test_the_steps_come_in_order_of_their_hours() -> None:
    assert [(t.step, t.hours) for t in thresholds(TEAM)] == [
        (SlaStep.REMIND, 4.0),
        (SlaStep.ESCALATE, 8.0),
        (SlaStep.REASSIGN, 16.0),
    ]


def test_the_clock_counts_working_time_only() -> None:
    friday_5pm = datetime(2026, 11, 6, 9, 0, tzinfo=UTC)  # 17:00 in Shanghai
    monday_10am = datetime(2026, 11, 9, 2, 0, tzinfo=UTC)

    assert waited(inquiry(friday_5pm), TEAM, None, monday_10am) == timedelta(hours=2)


def test_a_snooze_and_an_absence_are_left_out() -> None:
    slept, woke = (MONDAY_9_SHANGHAI + timedelta(hours=h) for h in (1, 3))
    snoozed = (
        StatusChange(Status.ASSIGNED, Status.SNOOZED, slept.isoformat(), "ana", Channel.MAIL_ACTION),
        StatusChange(Status.SNOOZED, Status.ASSIGNED, woke.isoformat(), "x", Channel.AUTOMATIC),
    )
    away = Rep.model_validate(
        {**rep("ana"), "out_of_office": [{"from": "2026-11-03", "until": "2026-11-03"}]},
        context={"company_domains": [DOMAIN]},
    )
    wednesday_noon = MONDAY_9_SHANGHAI + timedelta(days=2, hours=3)

    # Monday 9 h of work, less 2 h snoozed; Tuesday away; Wednesday 3 h
    assert waited(inquiry(transitions=snoozed), TEAM, away, wednesday_noon) == timedelta(hours=7 + 3)


def test_the_plan_takes_the_first_step_not_taken_when_it_is_due() -> None:
    assert plan(inquiry(), TEAM, None, MONDAY_9_SHANGHAI + timedelta(hours=4)).step is SlaStep.REMIND
    later = plan(inquiry(sla_steps=("remind",)), TEAM, None, MONDAY_9_SHANGHAI + timedelta(hours=4))
    assert later.step is None
    assert later.look_again == MONDAY_9_SHANGHAI + timedelta(hours=8)  # 17:00: the target


def test_nothing_is_planned_for_an_answered_closed_or_fallback_held_inquiry() -> None:
    now = MONDAY_9_SHANGHAI + timedelta(days=3)
    for other in (
        inquiry(status="responded", responded_at=now.isoformat()),
        inquiry(status="won"),
        inquiry(assignment_kind="fallback"),
        inquiry(sla_steps=("remind", "escalate", "reassign")),
    ):
        assert plan(other, TEAM, None, now).step is None
        assert plan(other, TEAM, None, now).look_again is None


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 24 * 21), st.integers(0, 24 * 21))
def test_the_clock_never_runs_backwards_or_faster_than_time(first: int, second: int) -> None:
    early, late = sorted((first, second))
    item = inquiry()
    at = [MONDAY_9_SHANGHAI + timedelta(hours=h) for h in (early, late)]

    waited_early, waited_late = (waited(item, TEAM, None, moment) for moment in at)

    assert timedelta() <= waited_early <= waited_late
    assert waited_late - waited_early <= at[1] - at[0]


def test_digests_come_at_the_team_s_opening_where_it_works() -> None:
    config = routing_config(
        rep("ana"),
        rep("bob", morning_digest=False),
        rep("chen", out_of_office=[{"from": "2026-11-09", "until": "2026-11-09"}]),
    )
    monday_open = datetime(2026, 11, 9, 1, 5, tzinfo=UTC)  # 09:05 in Shanghai

    ids = [job.job_id for job in digests_due(config, monday_open)]

    assert ids == ["digest:weekly:sales:2026-11-02", f"digest:morning:ana@{DOMAIN}:2026-11-09"]
    assert digests_due(config, monday_open + timedelta(minutes=15)) == []
    tuesday = [j.rep_email for j in digests_due(config, monday_open + timedelta(days=1))]
    assert tuesday == [f"ana@{DOMAIN}", f"chen@{DOMAIN}"]  # chen is back; no weekly on a Tuesday
    assert digests_due(config, monday_open + timedelta(days=5)) == []  # Saturday
