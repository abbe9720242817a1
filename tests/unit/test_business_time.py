"""models/business_time.py as properties, in zones with and without DST: working time adds up
over any split, never exceeds the clock, and a whole week holds exactly the team's hours."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from inquiry_router.models.business_time import is_working_time, next_opening, working_deadline, working_time
from inquiry_router.models.routing_config import BusinessHours, Team

ZONES = ["UTC", "Asia/Shanghai", "Europe/Berlin", "America/Sao_Paulo", "America/New_York", "Asia/Kolkata"]
MOMENTS = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)


@st.composite
def teams(draw: st.DrawFn) -> Team:
    start = draw(st.integers(0, 20))
    end = draw(st.integers(start + 1, 23))
    days = draw(
        st.lists(st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]), min_size=1, unique=True)
    )
    return Team(
        key="t",
        name="T",
        sending_address="sales@sunrise-lighting.com",
        fallback_address="manager@sunrise-lighting.com",
        timezone=draw(st.sampled_from(ZONES)),
        business_hours=BusinessHours(days=days, start=time(start), end=time(end)),
    )


@given(teams(), st.lists(MOMENTS, min_size=3, max_size=3))
def test_working_time_adds_up_over_any_split_and_never_exceeds_the_clock(
    team: Team, moments: list[datetime]
) -> None:
    first, middle, last = sorted(moments)
    whole = working_time(team, first, last)
    assert whole == working_time(team, first, middle) + working_time(team, middle, last)
    assert timedelta() <= whole <= last - first
    assert working_time(team, last, first) == timedelta()


@given(teams(), MOMENTS)
def test_a_week_holds_the_teams_hours_give_or_take_a_dst_change(team: Team, start: datetime) -> None:
    hours = team.business_hours
    per_day = datetime.combine(start.date(), hours.end) - datetime.combine(start.date(), hours.start)
    worked = working_time(team, start, start + timedelta(days=7))
    assert abs(worked - per_day * len(hours.days)) <= timedelta(hours=1)


@given(teams(), MOMENTS)
def test_the_next_opening_is_working_time(team: Team, after: datetime) -> None:
    opening = next_opening(team, after)
    assert opening > after
    assert is_working_time(team, opening + timedelta(seconds=1))


@given(teams(), MOMENTS, st.integers(1, 24 * 14))
def test_a_deadline_is_exactly_that_much_working_time_away(team: Team, start: datetime, hours: int) -> None:
    due = working_deadline(team, start, hours)
    assert due > start
    assert working_time(team, start, due) == timedelta(hours=hours)
    assert working_time(team, start, due - timedelta(seconds=1)) < timedelta(hours=hours)


def test_a_friday_evening_inquiry_is_due_on_monday() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    team = Team(
        key="sales",
        name="Sales",
        sending_address="sales@sunrise-lighting.com",
        fallback_address="manager@sunrise-lighting.com",
        timezone="Asia/Shanghai",
    )  # Monday to Friday, 09:00 to 18:00
    received = datetime(2026, 10, 30, 17, 0, tzinfo=shanghai)  # a Friday
    assert working_deadline(team, received, 8) == datetime(2026, 11, 2, 16, 0, tzinfo=shanghai)
