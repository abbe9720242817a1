"""models/report_figures.py with a fixed clock: first responses in the team's business hours (across a
weekend, in the team's timezone, across a DST change), the SLA met, missed or pending, and the
per-rep and per-source figures a manager reads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from inquiry_router.base.timestamps import iso_timestamp
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.report_figures import build_report
from inquiry_router.models.routing_config import Team

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
ANA, BOB = "ana@sunrise-lighting.com", "bob@sunrise-lighting.com"


def _team(key: str, timezone: str) -> Team:
    return Team(
        key=key,
        name=key.title(),
        sending_address="sales@sunrise-lighting.com",
        fallback_address="manager@sunrise-lighting.com",
        timezone=timezone,
        response_time_hours=8,
    )


SALES, EUROPE = _team("sales", "Asia/Shanghai"), _team("europe", "Europe/Berlin")
TEAMS = {"sales": SALES, "europe": EUROPE}
SINCE = datetime(2026, 10, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 2, 12, 0, tzinfo=SHANGHAI)  # a Monday
_numbers = iter(range(1, 10_000))


def _sh(*moment: int) -> datetime:
    """A moment in Shanghai (the sales team's clock)."""
    return datetime(*moment, tzinfo=SHANGHAI)  # type: ignore[misc]


def _inquiry(received: datetime, answered: datetime | None = None, **fields: Any) -> Inquiry:
    number = next(_numbers)
    values: dict[str, Any] = {
        "id": f"inq-{number}",
        "reference": f"INQ-{number:06d}",
        "status": "responded" if answered else "assigned",
        "received_at": iso_timestamp(received.astimezone(UTC)),
        "contact_key": f"buyer{number}@example.com",
        "email": f"buyer{number}@example.com",
        "owner_email": ANA,
        "team": "sales",
        "responded_at": iso_timestamp(answered.astimezone(UTC)) if answered else None,
    }
    return Inquiry(**(values | fields))


@pytest.mark.parametrize(
    ("received", "answered", "hours"),
    [
        # Friday 17:00 to Monday 10:00 in Shanghai: the last hour of Friday, the first of Monday
        (_sh(2026, 10, 30, 17, 0), _sh(2026, 11, 2, 10, 0), 2.0),
        # written on Saturday, answered Monday 09:30
        (_sh(2026, 10, 31, 11, 0), _sh(2026, 11, 2, 9, 30), 0.5),
        # within the day
        (
            _sh(2026, 10, 28, 10, 0),
            _sh(2026, 10, 28, 13, 15),
            3.25,
        ),
        # received at night (00:30 in Shanghai is 16:30 UTC the day before), answered at 09:45
        (
            _sh(2026, 10, 28, 0, 30),
            _sh(2026, 10, 28, 9, 45),
            0.75,
        ),
    ],
)
def test_a_first_response_counts_the_teams_business_hours_only(
    received: datetime, answered: datetime, hours: float
) -> None:
    (row,) = build_report([_inquiry(received, answered)], TEAMS, SINCE, NOW).inquiries
    assert row.first_response_hours == hours
    assert row.sla == "met"


def test_a_weekend_across_the_dst_change_counts_the_same_two_hours() -> None:
    # Berlin left summer time on Sunday 25 October 2026: the weekend had 49 hours, not 48
    received = datetime(2026, 10, 23, 17, 0, tzinfo=BERLIN)
    answered = datetime(2026, 10, 26, 10, 0, tzinfo=BERLIN)
    inquiry = _inquiry(received, answered, team="europe")
    (row,) = build_report([inquiry], TEAMS, SINCE, NOW).inquiries
    assert row.first_response_hours == 2.0


def test_the_sla_is_met_missed_or_pending() -> None:
    inquiries = [
        _inquiry(_sh(2026, 10, 26, 9, 0), _sh(2026, 10, 26, 17, 0)),
        _inquiry(_sh(2026, 10, 26, 9, 0), _sh(2026, 10, 27, 9, 30)),
        _inquiry(_sh(2026, 10, 20, 9, 0)),  # never answered, long ago
        _inquiry(_sh(2026, 10, 30, 15, 0)),  # 3 h + 3 h of work by now: pending
        _inquiry(_sh(2026, 10, 20, 9, 0), team="gone"),  # its team was removed
    ]
    rows = build_report(inquiries, TEAMS, SINCE, NOW).inquiries
    assert [r.sla for r in rows] == ["missed", "none", "met", "missed", "pending"]
    assert rows[3].first_response_hours == 9.5  # Monday 9 to 18, then half an hour


def test_per_rep_and_per_source() -> None:
    day = _sh(2026, 10, 26, 9, 0)
    inquiries = [
        _inquiry(day, day.replace(hour=10), status="won", country="ES", subject="LED panels"),
        _inquiry(day, day.replace(hour=11), status="quoted", country="ES", subject="LED panels"),
        _inquiry(
            day, day.replace(hour=13), status="lost", country="MX", channel="mail", subject="Street lights"
        ),
        _inquiry(day, day.replace(hour=17), status="negotiating", country="MX"),
        _inquiry(day, owner_email=BOB, country="DE"),  # unanswered: open, SLA missed by now
        _inquiry(day, status="spam", owner_email=None, spam_reasons=("honeypot",)),  # counts nowhere
        _inquiry(day, owner_email=BOB, team="europe"),
    ]
    report = build_report(inquiries, TEAMS, SINCE, NOW, team="sales")

    ana, bob = report.reps
    assert (ana.owner_email, ana.assigned, ana.responded, ana.open_now, ana.won, ana.lost) == (
        ANA,
        4,
        4,
        2,
        1,
        1,
    )
    assert (ana.first_response_median_hours, ana.first_response_p90_hours) == (3.0, 6.8)
    assert ana.sla_met_percent == 100.0
    assert (bob.assigned, bob.responded, bob.open_now, bob.sla_met_percent) == (1, 0, 1, 0.0)
    assert bob.first_response_median_hours is None
    sources = {(s.dimension, s.value): (s.inquiries, s.won) for s in report.sources}
    assert sources[("channel", "form")] == (4, 1)
    assert sources[("channel", "mail")] == (1, 0)
    assert sources[("country", "ES")] == (2, 1)
    assert sources[("topic", "LED panels")] == (2, 1)
    assert sources[("topic", "(none)")] == (2, 0)
    assert len(report.inquiries) == 5


def test_the_stored_deadline_decides_the_sla_when_there_is_one() -> None:
    received = _sh(2026, 10, 26, 9, 0)
    due = iso_timestamp(_sh(2026, 10, 26, 12, 0).astimezone(UTC))  # a tighter target than today's 8 h
    inquiries = [
        _inquiry(received, _sh(2026, 10, 26, 11, 0), first_response_due_at=due),
        _inquiry(received, _sh(2026, 10, 26, 13, 0), first_response_due_at=due),
        _inquiry(received, first_response_due_at=iso_timestamp(_sh(2026, 11, 3, 9, 0).astimezone(UTC))),
        _inquiry(received, first_response_due_at=due),
    ]
    rows = build_report(inquiries, TEAMS, SINCE, NOW).inquiries
    assert [r.sla for r in rows] == ["met", "missed", "pending", "missed"]


def test_the_sla_leaves_out_snoozes_and_the_owner_s_absence_like_the_reminders() -> None:
    from inquiry_router.models.lifecycle import Channel, Status, StatusChange
    from inquiry_router.models.routing_config import Rep

    # Monday 09:00; the team's target is 8 working hours (Monday 17:00 without pauses)
    received = _sh(2026, 10, 26, 9, 0)
    slept, woke = (iso_timestamp(_sh(2026, 10, day, 10, 0).astimezone(UTC)) for day in (26, 27))
    snoozed = (
        StatusChange(Status.ASSIGNED, Status.SNOOZED, slept, ANA, Channel.MAIL_ACTION),
        StatusChange(Status.SNOOZED, Status.ASSIGNED, woke, "inquiry-router", Channel.AUTOMATIC),
    )
    answered_tuesday_noon = _inquiry(received, _sh(2026, 10, 27, 12, 0), transitions=snoozed)
    monday_off = [{"from": "2026-10-26", "until": "2026-10-26"}]
    away = Rep.model_validate({"email": ANA, "name": "Ana", "teams": ["sales"], "out_of_office": monday_off})
    answered_tuesday_3pm = _inquiry(received, _sh(2026, 10, 27, 15, 0))

    snooze_rows = build_report([answered_tuesday_noon], TEAMS, SINCE, NOW).inquiries
    away_rows = build_report([answered_tuesday_3pm], TEAMS, SINCE, NOW, reps={ANA: away}).inquiries
    plain_rows = build_report([answered_tuesday_3pm], TEAMS, SINCE, NOW).inquiries

    # 12 working hours, but 1 h before the snooze + 2 h after it: met
    assert snooze_rows[0].sla == "met"
    # 15 working hours, but Monday she was away: 6 h, met; without the absence, missed
    assert away_rows[0].sla == "met"
    assert plain_rows[0].sla == "missed"
    # The first-response time itself stays the working time between arrival and answer
    assert snooze_rows[0].first_response_hours == 12.0
