"""`reps back` and `reps list`: out-of-office periods as the admin edits and reads them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from inquiry_router.models.routing_config import Absence
from inquiry_router.routing.absences import absences_ended, away_summary, rep_today
from tests.support.routing import rep, routing_config

TODAY = date(2026, 11, 24)


def period(start: str, until: str) -> Absence:
    return Absence.model_validate({"from": start, "until": until})


def test_back_early_ends_the_current_leave_yesterday_and_keeps_history() -> None:
    # Given a past leave, a current one since last week, and one planned for spring
    periods = [
        period("2026-08-03", "2026-08-14"),
        period("2026-11-17", "2026-12-06"),
        period("2027-04-01", "2027-04-10"),
    ]
    # When the rep is back today
    kept = absences_ended(periods, TODAY)
    # Then the summer stays on file, the current leave ended yesterday, and spring is cancelled
    assert kept == [period("2026-08-03", "2026-08-14"), period("2026-11-17", "2026-11-23")]


def test_a_leave_starting_today_is_dropped_rather_than_ending_before_it_began() -> None:
    assert absences_ended([period("2026-11-24", "2026-11-30")], TODAY) == []


def test_the_list_says_until_when_away_and_from_when_planned() -> None:
    away = rep("ana", out_of_office=[{"from": "2026-11-20", "until": "2026-11-27"}])
    planned = rep("bob", out_of_office=[{"from": "2027-01-04", "until": "2027-01-08"}])
    config = routing_config(away, planned)
    assert away_summary(config.reps[0], TODAY) == "until 2026-11-27"
    assert away_summary(config.reps[1], TODAY) == "from 2027-01-04 to 2027-01-08"


def test_today_is_the_day_where_the_team_works() -> None:
    # 20:00 UTC on the 24th is already the 25th in Shanghai, where the sales team works
    config = routing_config(rep("ana"))
    teams = {t.key: t for t in config.teams}
    assert rep_today(config.reps[0], teams, datetime(2026, 11, 24, 20, 0, tzinfo=UTC)) == date(2026, 11, 25)
