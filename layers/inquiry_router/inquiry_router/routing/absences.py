"""A rep's out-of-office days as the admin sees and edits them.

Days are counted where the rep's (first) team works, as the router counts them (decision.local_day),
so "away until Friday" ends on Friday in Shanghai, not in the admin's timezone.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from inquiry_router.models.routing_config import Absence, Rep, Team


def rep_today(rep: Rep, teams: Mapping[str, Team], now: datetime) -> date:
    team = teams.get(rep.teams[0])
    return now.astimezone(ZoneInfo(team.timezone if team else "UTC")).date()


def away_summary(rep: Rep, today: date) -> str | None:
    """`until 2026-12-31` while away, `from … to …` for the next planned absence, else None."""
    current = [a for a in rep.out_of_office if a.start <= today <= a.until]
    if current:
        return f"until {max(a.until for a in current)}"
    planned = sorted((a for a in rep.out_of_office if a.start > today), key=lambda a: a.start)
    return f"from {planned[0].start} to {planned[0].until}" if planned else None


def absences_ended(periods: list[Absence], today: date) -> list[Absence]:
    """Back today: past absences stay (they are history), today's ends yesterday, planned ones go."""
    kept = []
    for period in periods:
        if period.until < today:
            kept.append(period)
        elif period.start < today:
            kept.append(period.model_copy(update={"until": today - timedelta(days=1)}))
    return kept
