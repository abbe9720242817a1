"""When the digests go: each team's weekly digest to its manager on Monday, and each rep's morning
list of open inquiries on the team's working days, both at the team's opening time where it works
(its `business_hours.start` in its `timezone`), so Shanghai's manager reads the week at 09:00 in
Shanghai and Berlin's at 09:00 in Berlin.

The five-minute timer asks this on every run; inside the first quarter of an hour after opening it
queues the jobs, whose ids name the team's week or the rep's day, so the two or three runs in that
window send each digest once (the mailer sends a job id once).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from inquiry_router.models.mail_job import MailJob
from inquiry_router.models.routing_config import WEEKDAYS, RoutingConfig

WINDOW = timedelta(minutes=15)


def digests_due(config: RoutingConfig, now: datetime) -> list[MailJob]:
    jobs: list[MailJob] = []
    for team in config.teams:
        local = now.astimezone(ZoneInfo(team.timezone))
        opening = datetime.combine(local.date(), team.business_hours.start, tzinfo=local.tzinfo)
        if not opening <= local < opening + WINDOW:
            continue
        today = local.date()
        if today.weekday() == 0:  # Monday: last week, Monday to Sunday
            jobs.append(MailJob.weekly_digest(team.key, (today - timedelta(days=7)).isoformat()))
        if WEEKDAYS[today.weekday()] not in team.business_hours.days:
            continue
        jobs += [
            MailJob.morning_digest(rep.email, today.isoformat())
            for rep in config.reps
            # Once, by the rep's first team's clock; never while they are away.
            if rep.teams[0] == team.key and rep.active and rep.morning_digest and not rep.is_away_on(today)
        ]
    return jobs
