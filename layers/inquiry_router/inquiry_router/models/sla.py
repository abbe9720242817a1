"""An inquiry's first-response clock and the steps it sets off: a reminder to the owner at a share
of the team's target (`remind_at_percent`), an escalation to the team's manager at the target,
and (when the team asks for it) a reassign to the next eligible rep after N working hours.

The clock runs in the team's working time from the buyer's arrival, as the deadline the buyer was
promised does (models/business_time.py), and stands still while the inquiry is snoozed and while
its owner is away (their out-of-office days, counted where their team works). So a Friday-evening
inquiry is not "late" on Monday morning, and a rep back from leave is not greeted by escalations.

Pure functions: the SLA sweep (routing/sla_sweep.py) reads, plans with these, and writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from inquiry_router.base.timestamps import parse_timestamp
from inquiry_router.models.business_time import working_deadline, working_time
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.lifecycle import Status
from inquiry_router.models.routing_config import Rep, Team

Period = tuple[datetime, datetime]


class SlaStep(StrEnum):
    REMIND = "remind"  # the owner, at `remind_at` of the target
    ESCALATE = "escalate"  # the team's fallback address (its manager), at the target
    REASSIGN = "reassign"  # the next eligible rep, after `reassign_after_hours`


@dataclass(frozen=True, slots=True)
class Threshold:
    step: SlaStep
    hours: float  # of the team's working time, paused time not counted


@dataclass(frozen=True, slots=True)
class SlaPlan:
    """What the sweep does with an inquiry now: take `step`, or look again at `look_again`
    (None for both: nothing is left to do, the inquiry leaves the schedule)."""

    step: SlaStep | None = None
    look_again: datetime | None = None


def thresholds(team: Team) -> list[Threshold]:
    """The team's steps in the order they come due."""
    policy, target = team.sla, float(team.response_time_hours)
    steps = []
    if policy.remind_at_percent is not None:
        steps.append(Threshold(SlaStep.REMIND, target * policy.remind_at_percent / 100))
    if policy.escalate:
        steps.append(Threshold(SlaStep.ESCALATE, target))
    if policy.reassign_after_hours is not None:
        steps.append(Threshold(SlaStep.REASSIGN, float(policy.reassign_after_hours)))
    return sorted(steps, key=lambda threshold: threshold.hours)


def snoozed_periods(inquiry: Inquiry, now: datetime) -> list[Period]:
    """When the inquiry slept: from each move to `snoozed` to the move out of it (or now)."""
    periods: list[Period] = []
    asleep: datetime | None = None
    for change in inquiry.transitions:
        at = parse_timestamp(change.at)
        if change.to_status is Status.SNOOZED and asleep is None:
            asleep = at
        elif change.from_status is Status.SNOOZED and asleep is not None:
            periods.append((asleep, at))
            asleep = None
    if asleep is not None:
        periods.append((asleep, now))
    return periods


def away_periods(rep: Rep | None, team: Team) -> list[Period]:
    """The owner's out-of-office days, whole days where the team works."""
    if rep is None:
        return []
    zone = ZoneInfo(team.timezone)
    return [
        (_midnight(a.start, zone), _midnight(a.until + timedelta(days=1), zone)) for a in rep.out_of_office
    ]


def waited(inquiry: Inquiry, team: Team, rep: Rep | None, now: datetime) -> timedelta:
    """How long the inquiry has waited on its owner, in the team's working time, pauses left out."""
    start = inquiry.received_moment
    total = working_time(team, start, now)
    for paused_from, paused_until in _merged([*snoozed_periods(inquiry, now), *away_periods(rep, team)]):
        begin, end = max(paused_from, start), min(paused_until, now)
        if end > begin:
            total -= working_time(team, begin, end)
    return max(total, timedelta())


def plan(inquiry: Inquiry, team: Team, rep: Rep | None, now: datetime) -> SlaPlan:
    """The next step for an inquiry that waits on its owner's first answer (a snoozed one looks
    again when it wakes; an answered, closed or unowned one has nothing left)."""
    if inquiry.status == Status.SNOOZED:
        until = parse_timestamp(inquiry.snoozed_until) if inquiry.snoozed_until else now
        return SlaPlan(look_again=until)
    if not inquiry.awaits_answer or not inquiry.owner_email or inquiry.assignment_kind == "fallback":
        return SlaPlan()
    done = set(inquiry.sla_steps)
    pending = [threshold for threshold in thresholds(team) if threshold.step not in done]
    if not pending:
        return SlaPlan()
    due = pending[0]
    left = timedelta(hours=due.hours) - waited(inquiry, team, rep, now)
    if left <= timedelta():
        return SlaPlan(step=due.step)
    look_again = working_deadline(team, now, left.total_seconds() / 3600)
    back = _back_from_leave(rep, team, now)
    return SlaPlan(look_again=max(look_again, back) if back else look_again)


def first_look(team: Team, received: datetime, assignment_kind: str) -> datetime | None:
    """When the sweep first looks at a newly assigned inquiry: its first step's moment (None when
    the team has no steps, or the inquiry waits with the fallback address for the backlog drain)."""
    steps = thresholds(team)
    if not steps or assignment_kind == "fallback":
        return None
    return working_deadline(team, received, steps[0].hours)


def _back_from_leave(rep: Rep | None, team: Team, now: datetime) -> datetime | None:
    """The end of the owner's current absence (None when they are not away now)."""
    ends = [end for begin, end in _merged(away_periods(rep, team)) if begin <= now < end]
    return ends[0] if ends else None


def _merged(periods: Iterable[Period]) -> Sequence[Period]:
    merged: list[Period] = []
    for begin, end in sorted(periods):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone).astimezone(UTC)
