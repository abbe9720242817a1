"""The figures of a report over the inquiries received in a period: one row per inquiry (what
`report --csv` prints), per rep (assigned, answered, first-response time in the team's business
hours, the SLA met, open, won, lost) and per source (channel, country, topic).

A first response is measured in the team's working time (models/business_time.py) from the
inquiry's arrival, and its SLA is the deadline the router stored at assignment (the team's
`response_time_hours` of working time; for inquiries assigned before deadlines were stored, that
target under the team's hours now): met when the first response came by then, missed when it came
later or has not come and the time is up, pending otherwise. Spam is no inquiry and counts nowhere.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from inquiry_router.base.timestamps import parse_timestamp
from inquiry_router.models.business_time import working_time
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.lifecycle import OPEN, Status
from inquiry_router.models.routing_config import Rep, Team
from inquiry_router.models.sla import waited

Sla = Literal["met", "missed", "pending", "none"]  # none: no team to measure against
TOPIC_CHARS = 60
TOP_SOURCES = 10


@dataclass(frozen=True, slots=True)
class InquiryFigures:
    reference: str
    received_at: str
    channel: str
    country: str | None
    topic: str | None
    team: str | None
    owner_email: str | None
    status: str
    responded_at: str | None
    first_response_via: str | None
    first_response_hours: float | None  # in the team's business hours (wall-clock without a team)
    sla: Sla
    labels: str = ""  # the inquiry's label keys, `;`-separated (one cell of the CSV)


@dataclass(frozen=True, slots=True)
class RepFigures:
    owner_email: str
    assigned: int
    responded: int
    first_response_median_hours: float | None
    first_response_p90_hours: float | None
    sla_met_percent: float | None  # of those whose SLA is decided (met or missed)
    open_now: int
    won: int
    lost: int


@dataclass(frozen=True, slots=True)
class SourceFigures:
    dimension: Literal["channel", "country", "topic"]
    value: str
    inquiries: int
    won: int


@dataclass(frozen=True, slots=True)
class Report:
    since: str
    until: str
    team: str | None
    inquiries: list[InquiryFigures]
    reps: list[RepFigures]
    sources: list[SourceFigures]


def build_report(
    inquiries: Iterable[Inquiry],
    teams: Mapping[str, Team],
    since: datetime,
    until: datetime,
    team: str | None = None,
    *,
    reps: Mapping[str, Rep] | None = None,
) -> Report:
    """`reps` (by address) lets the SLA leave out their out-of-office days, as the reminders do."""
    known = reps or {}
    rows = sorted(
        (
            _inquiry_figures(i, teams.get(i.team or ""), known.get(i.owner_email or ""), until)
            for i in inquiries
            if i.status != Status.SPAM and (team is None or i.team == team)
        ),
        key=lambda row: row.received_at,
    )
    return Report(
        since=since.isoformat(),
        until=until.isoformat(),
        team=team,
        inquiries=rows,
        reps=_rep_figures(rows),
        sources=_source_figures(rows),
    )


def _inquiry_figures(inquiry: Inquiry, team: Team | None, rep: Rep | None, now: datetime) -> InquiryFigures:
    received = inquiry.received_moment
    answered = parse_timestamp(inquiry.responded_at) if inquiry.responded_at else None
    hours = _hours(team, received, answered) if answered else None
    due = parse_timestamp(inquiry.first_response_due_at) if inquiry.first_response_due_at else None
    return InquiryFigures(
        reference=inquiry.reference,
        received_at=inquiry.received_at,
        channel=inquiry.channel,
        country=inquiry.country,
        topic=inquiry.topic,
        team=inquiry.team,
        owner_email=inquiry.owner_email,
        status=inquiry.status,
        responded_at=inquiry.responded_at,
        first_response_via=inquiry.first_response_via or ("mail_copy" if inquiry.responded_at else None),
        first_response_hours=hours,
        sla=_sla(inquiry, team, rep, due=due, answered=answered, now=now),
        labels=";".join(sorted(inquiry.labels)),
    )


def _hours(team: Team | None, start: datetime, end: datetime) -> float:
    spent = working_time(team, start, end) if team else max(timedelta(), end - start)
    return round(spent.total_seconds() / 3600, 2)


def _sla(
    inquiry: Inquiry,
    team: Team | None,
    rep: Rep | None,
    *,
    due: datetime | None,
    answered: datetime | None,
    now: datetime,
) -> Sla:
    """Met when the first response came within the target, missed when it came later or has not
    come and the time is up, pending otherwise. The target is the one stored at assignment (the
    working time from arrival to `first_response_due_at`: the team's target as it was then), or
    the team's target now for inquiries assigned before deadlines were stored; the time waited is
    the SLA clock's (models/sla.py): working time, snoozes and the owner's absences left out."""
    if team is None:
        if due is None:
            return "none"
        if answered is not None:  # no team to count working time in: against the stored moment
            return "met" if answered <= due else "missed"
        return "missed" if now > due else "pending"
    target = (
        working_time(team, inquiry.received_moment, due) if due else timedelta(hours=team.response_time_hours)
    )
    spent = waited(inquiry, team, rep, answered or now)
    if answered is not None:
        return "met" if spent <= target else "missed"
    return "missed" if spent > target else "pending"


def _rep_figures(rows: list[InquiryFigures]) -> list[RepFigures]:
    by_owner: dict[str, list[InquiryFigures]] = {}
    for row in rows:
        if row.owner_email:
            by_owner.setdefault(row.owner_email, []).append(row)
    figures = []
    for owner, owned in sorted(by_owner.items()):
        times = sorted(r.first_response_hours for r in owned if r.first_response_hours is not None)
        decided = [r for r in owned if r.sla in ("met", "missed")]
        figures.append(
            RepFigures(
                owner_email=owner,
                assigned=len(owned),
                responded=len(times),
                first_response_median_hours=round(statistics.median(times), 2) if times else None,
                first_response_p90_hours=_p90(times),
                sla_met_percent=(
                    round(100 * sum(r.sla == "met" for r in decided) / len(decided), 1) if decided else None
                ),
                open_now=sum(r.status in OPEN for r in owned),
                won=sum(r.status == Status.WON for r in owned),
                lost=sum(r.status == Status.LOST for r in owned),
            )
        )
    return figures


def _p90(times: list[float]) -> float | None:
    if not times:
        return None
    if len(times) == 1:
        return times[0]
    return round(statistics.quantiles(times, n=10, method="inclusive")[8], 2)


def _source_figures(rows: list[InquiryFigures]) -> list[SourceFigures]:
    figures: list[SourceFigures] = []
    dimensions: dict[Literal["channel", "country", "topic"], list[str]] = {
        "channel": [r.channel for r in rows],
        "country": [r.country or "unknown" for r in rows],
        "topic": [" ".join((r.topic or "(none)").split())[:TOPIC_CHARS] for r in rows],
    }
    for dimension, values in dimensions.items():
        won = Counter(v for v, r in zip(values, rows, strict=True) if r.status == Status.WON)
        for value, count in Counter(values).most_common(TOP_SOURCES):
            figures.append(SourceFigures(dimension, value, count, won[value]))
    return figures
