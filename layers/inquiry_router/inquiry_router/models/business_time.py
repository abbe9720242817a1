"""A team's working time: its business hours, on its days, in its timezone. What the acknowledgement's
promise (mail/promise.py), the working-hours-only routing (routing/decision.py), the reports'
response times (models/report_figures.py) and the SLA clock (models/sla.py) all measure with, so
one hour of work means the same everywhere.

All arithmetic is done in UTC between aware moments: within one zone, aware subtraction ignores
a DST change, and a Monday that lost an hour would count one too many.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from inquiry_router.models.routing_config import WEEKDAYS, Team


def is_working_time(team: Team, now: datetime) -> bool:
    local = now.astimezone(ZoneInfo(team.timezone))
    hours = team.business_hours
    return WEEKDAYS[local.weekday()] in hours.days and hours.start <= local.time() < hours.end


def working_time(team: Team, start: datetime, end: datetime) -> timedelta:
    """The team's working time between two moments (zero when `end` is not after `start`)."""
    worked = timedelta()
    for opening, closing in business_periods(team, start.astimezone(ZoneInfo(team.timezone)).date()):
        if opening >= end:
            break
        worked += max(timedelta(), min(closing, end) - max(opening, start))
    return worked


def next_opening(team: Team, after: datetime) -> datetime:
    local_day = after.astimezone(ZoneInfo(team.timezone)).date()
    return next(opening for opening, _ in business_periods(team, local_day) if opening > after)


def business_periods(team: Team, first_day: date) -> Iterator[tuple[datetime, datetime]]:
    """The team's working periods in UTC, day by day from `first_day` (its local date) onwards."""
    zone = ZoneInfo(team.timezone)
    hours = team.business_hours
    day = first_day - timedelta(days=1)  # a period that started yesterday may still be open
    while True:
        if WEEKDAYS[day.weekday()] in hours.days:
            opening = datetime.combine(day, hours.start, tzinfo=zone).astimezone(UTC)
            closing = datetime.combine(day, hours.end, tzinfo=zone).astimezone(UTC)
            yield opening, closing
        day += timedelta(days=1)


def working_deadline(team: Team, start: datetime, hours: float) -> datetime:
    """The moment `hours` of the team's working time have passed since `start`: a first answer's
    deadline (its `response_time_hours`), which a night or a weekend pushes on."""
    remaining = timedelta(hours=hours)
    for opening, closing in business_periods(team, start.astimezone(ZoneInfo(team.timezone)).date()):
        begins = max(opening, start)
        if closing <= begins:
            continue
        if closing - begins >= remaining:
            return begins + remaining
        remaining -= closing - begins
    raise AssertionError("unreachable: business_periods never ends")  # pragma: no cover
