"""Who owns a new inquiry: team by the rules, then sticky owner, weighted round robin or fallback.

Pure: it decides from a snapshot of the table (config, owners, rotation, loads) and returns the
decision with its reason; `routing/service.py` reads the snapshot and commits the decision.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from inquiry_router.models.assignment import InquiryFacts, OwnerDecision, RotationState
from inquiry_router.models.business_time import is_working_time
from inquiry_router.models.routing_config import Rep, RoutingConfig, Rule, Team
from inquiry_router.routing.rotation import Candidate, handed_back, pick_next


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The table's state the decision depends on, read in one round trip."""

    config: RoutingConfig
    contact_owner: str | None = None
    account_owner: str | None = None
    account_exists: bool = False
    rotation: RotationState = field(default_factory=RotationState)
    loads: Mapping[str, int] = field(default_factory=dict)


def choose_team(config: RoutingConfig, facts: InquiryFacts) -> Team:
    """First matching rule wins; otherwise the default team."""
    teams = {team.key: team for team in config.teams}
    for rule in config.rules:
        if _matches(rule, facts):
            return teams[rule.team]
    return teams[config.default_team]


def _matches(rule: Rule, facts: InquiryFacts) -> bool:
    match = rule.match
    checks = (
        (match.channel, facts.channel),
        (match.recipient, facts.recipient),
        (match.country, facts.country),
        (match.language, facts.language),
    )
    for wanted, actual in checks:
        if wanted and (actual or "").lower() not in {w.lower() for w in wanted}:
            return False
    if match.topic:
        topic = (facts.topic or "").casefold()
        if not any(word.casefold() in topic for word in match.topic):
            return False
    return True


def team_reps(config: RoutingConfig, team: Team) -> list[Rep]:
    return [rep for rep in config.reps if team.key in rep.teams]


def local_day(team: Team, now: datetime) -> date:
    return now.astimezone(ZoneInfo(team.timezone)).date()


def is_available(rep: Rep, team: Team, now: datetime) -> bool:
    """Active and not out of office today (in the team's timezone)."""
    return rep.active and not rep.is_away_on(local_day(team, now))


@dataclass(frozen=True, slots=True)
class Eligibility:
    eligible: list[Rep]
    why_not: dict[str, int]  # "away": 2, "at capacity": 1, ...

    def explain(self) -> str:
        parts = [f"{count} {why}" for why, count in self.why_not.items() if count]
        return ", ".join(parts) or "no reps in the team"


def eligible_reps(
    team: Team, reps: Sequence[Rep], loads: Mapping[str, int], now: datetime, *, exclude: str | None = None
) -> Eligibility:
    why_not = {"inactive": 0, "away": 0, "at capacity": 0, "outside working hours": 0}
    if team.working_hours_only and not is_working_time(team, now):
        why_not["outside working hours"] = len(reps)
        return Eligibility([], why_not)
    eligible = []
    for rep in reps:
        if rep.email == exclude:
            continue
        if not rep.active:
            why_not["inactive"] += 1
        elif rep.is_away_on(local_day(team, now)):
            why_not["away"] += 1
        elif loads.get(rep.email, 0) >= rep.capacity:
            why_not["at capacity"] += 1
        else:
            eligible.append(rep)
    return Eligibility(eligible, why_not)


def preferred_reps(reps: Sequence[Rep], facts: InquiryFacts) -> tuple[list[Rep], str]:
    """Reps speaking the inquiry's language or covering its country; everyone when none does."""
    speaking = [r for r in reps if facts.language and facts.language in r.languages]
    if speaking:
        return speaking, f"speaks {facts.language}"
    covering = [r for r in reps if facts.country and facts.country in r.countries]
    if covering:
        return covering, f"covers {facts.country}"
    return list(reps), "whole team"


def decide_owner(
    facts: InquiryFacts, snapshot: Snapshot, now: datetime, *, exclude: str | None = None
) -> OwnerDecision:
    """The owner of an unassigned inquiry. `exclude` leaves a rep out (hand-over from that rep)."""
    config = snapshot.config
    team = choose_team(config, facts)
    reps_by_email = {rep.email: rep for rep in config.reps}
    for owner, whose in ((snapshot.contact_owner, "contact"), (snapshot.account_owner, "company")):
        rep = reps_by_email.get(owner or "")
        if rep is not None and rep.email != exclude and is_available(rep, team, now):
            reason = "returning customer" if whose == "contact" else "returning customer (same company)"
            return OwnerDecision(team, rep.email, rep.name, "returning_customer", reason)
    eligibility = eligible_reps(team, team_reps(config, team), snapshot.loads, now, exclude=exclude)
    if not eligibility.eligible:
        return OwnerDecision(
            team,
            team.fallback_address,
            None,
            "fallback",
            f"no eligible rep in team {team.key} ({eligibility.explain()}): sent to the fallback address",
        )
    pool, preference = preferred_reps(eligibility.eligible, facts)
    pick = pick_next(snapshot.rotation, [Candidate(rep.email, rep.weight) for rep in pool])
    chosen = reps_by_email[pick.email]
    rotation = pick.state
    previous = reps_by_email.get(exclude or "")
    if previous is not None and facts.assignment_kind == "round_robin":
        rotation = handed_back(rotation, previous.email, previous.weight)  # counted once: for the taker
    return OwnerDecision(
        team,
        chosen.email,
        chosen.name,
        "round_robin",
        f"round robin in team {team.key} ({preference})",
        rotation=rotation,
        capacity=chosen.capacity,
    )


def named_owner(facts: InquiryFacts, snapshot: Snapshot, email: str, now: datetime) -> OwnerDecision:
    """A hand-over to a named rep: they must exist and be active (capacity is the admin's call)."""
    rep = next((r for r in snapshot.config.reps if r.email == email), None)
    if rep is None or not rep.active:
        raise ValueError(f"{email} is not an active rep: add or activate them first")
    team = choose_team(snapshot.config, facts)
    return OwnerDecision(team, rep.email, rep.name, "named", f"handed over to {rep.email}")
