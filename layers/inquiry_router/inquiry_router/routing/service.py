"""Routing a stored inquiry to its owner, and queueing the mails an assignment calls for.

`route_new_inquiry` runs for every newly stored inquiry (stream INSERT); `mail_jobs_for_change`
for every stored change of owner (stream MODIFY), so mails go out only once the assignment is
durable, and a hand-over by the CLI notifies the new owner the same way.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from inquiry_router.adapters.assignment_write import AssignmentStore, OwnershipState
from inquiry_router.base.language import detect_language
from inquiry_router.base.timestamps import parse_timestamp
from inquiry_router.models.assignment import InquiryFacts, OwnerDecision
from inquiry_router.models.business_time import working_deadline
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.mail_job import MailJob
from inquiry_router.models.routing_config import RoutingConfig, Team
from inquiry_router.models.sla import first_look
from inquiry_router.routing.decision import (
    Snapshot,
    choose_team,
    decide_owner,
    named_owner,
    team_reps,
)

# From the OS, not the module's seeded generator: environments restored from one SnapStart snapshot
# would otherwise all draw the same backoff sequence and collide again in step.
_jitter = random.SystemRandom()

MAX_ATTEMPTS = 200  # 16 routers on one team collide often; each retry re-reads and re-decides
FIRST_PAUSE_SECONDS = 0.005
MAX_PAUSE_SECONDS = 0.2


class RoutingNotConfigured(RuntimeError):
    """No routing config in the table: the record is retried, then parked in the router's DLQ."""

    def __init__(self) -> None:
        super().__init__(
            "no routing configuration is applied: run `inquiry-router config apply routing.yaml`, "
            "then `inquiry-router inquiries reroute` for inquiries waiting meanwhile"
        )


class RoutingContention(RuntimeError):
    """Gave up after too many concurrent changes; the record is retried by Lambda."""


@dataclass(frozen=True, slots=True)
class RoutingResult:
    inquiry_id: str
    owner_email: str
    kind: str
    reason: str
    replayed: bool = False


def first_response_due(team: Team, facts: InquiryFacts) -> datetime:
    return working_deadline(team, parse_timestamp(facts.received_at), team.response_time_hours)


def inquiry_language(inquiry: Inquiry) -> str | None:
    return detect_language(inquiry.locale, inquiry.accept_language, inquiry.message)


@dataclass
class Router:
    store: AssignmentStore
    load_config: Callable[[], RoutingConfig | None]
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    sleep: Callable[[float], None] = time.sleep

    def route_new_inquiry(self, inquiry: Inquiry) -> RoutingResult:
        config = self.load_config()
        if config is None:
            raise RoutingNotConfigured
        facts = InquiryFacts.of(inquiry, inquiry_language(inquiry))
        return self._assign(facts, config, lambda snapshot, now: decide_owner(facts, snapshot, now))

    def hand_over(self, inquiry: Inquiry, from_owner: str, to: str | None) -> RoutingResult:
        """Reassign an inquiry owned by `from_owner`: to a named rep, or by round robin without them."""
        config = self.load_config()
        if config is None:
            raise RoutingNotConfigured
        facts = InquiryFacts.of(inquiry, inquiry_language(inquiry))

        def decide(snapshot: Snapshot, now: datetime) -> OwnerDecision:
            if to is not None:
                return named_owner(facts, snapshot, to, now)
            return decide_owner(facts, snapshot, now, exclude=from_owner)

        return self._assign(facts, config, decide, previous_owner=from_owner)

    def _assign(
        self,
        facts: InquiryFacts,
        config: RoutingConfig,
        decide: Callable[[Snapshot, datetime], OwnerDecision],
        previous_owner: str | None = None,
    ) -> RoutingResult:
        team = choose_team(config, facts)
        rep_emails = [rep.email for rep in team_reps(config, team)]
        # The team's first-response target, in its working time from the buyer's arrival (the
        # decision's team is this one); a hand-over keeps the deadline the inquiry has.
        due = None if previous_owner else first_response_due(team, facts)
        for attempt in range(MAX_ATTEMPTS):
            now = self.clock()
            state = self.store.read_state(facts, team.key, rep_emails)
            decision = decide(_snapshot(config, state), now)
            look_at = first_look(team, parse_timestamp(facts.received_at), decision.kind)
            outcome = self.store.commit(
                facts,
                decision,
                state,
                now,
                previous_owner=previous_owner,
                first_response_due_at=due,
                sla_look_at=look_at,
            )
            if outcome == "assigned":
                return RoutingResult(facts.inquiry_id, decision.owner_email, decision.kind, decision.reason)
            if outcome == "already_assigned":
                return self._existing(facts, previous_owner)
            # Exponential backoff with full jitter: colliding routers spread out instead of colliding
            # again (5 ms, 10 ms, 20 ms … up to 200 ms).
            pause = min(MAX_PAUSE_SECONDS, FIRST_PAUSE_SECONDS * 2 ** min(attempt, 6))
            self.sleep(_jitter.uniform(0, pause))
        raise RoutingContention(f"inquiry {facts.reference}: {MAX_ATTEMPTS} conflicting attempts")

    def _existing(self, facts: InquiryFacts, previous_owner: str | None) -> RoutingResult:
        current = self.store.get_inquiry(facts.inquiry_id)
        owner = current.owner_email if current else None
        if previous_owner is not None:
            raise ValueError(
                f"{facts.reference} is no longer owned by {previous_owner} (now {owner or 'nobody'})"
            )
        if not owner:
            raise RoutingContention(f"inquiry {facts.reference} is neither new nor assigned")
        assert current is not None  # it has an owner
        return RoutingResult(
            facts.inquiry_id,
            owner,
            str(current.assignment_kind),
            str(current.assignment_reason),
            True,
        )


def _snapshot(config: RoutingConfig, state: OwnershipState) -> Snapshot:
    return Snapshot(
        config=config,
        contact_owner=state.contact_owner,
        account_owner=state.account_owner,
        account_exists=state.account_exists,
        rotation=state.rotation,
        loads=state.loads,
    )


def mail_jobs_for_change(old: Inquiry | None, new: Inquiry) -> list[MailJob]:
    """The mails a stored change of owner calls for: the buyer's acknowledgement on the first
    assignment (never for spam), and a notification to whoever owns the inquiry now."""
    owner = new.owner_email
    previous_owner = old.owner_email if old else None
    if not owner or previous_owner == owner:
        return []
    return mail_jobs_for_assignment(new, first=not previous_owner)


def mail_jobs_for_assignment(inquiry: Inquiry, *, first: bool | None = None) -> list[MailJob]:
    """The mails the inquiry's current assignment calls for, with the same job ids whoever asks
    (the router on the stored change, or a redrive finishing it): a notification of this
    assignment to its owner, and the acknowledgement if it is the first assignment.

    `first` is read from the assignment count when the inquiry has one; without it (assigned before
    counts were kept) the caller says, or an inquiry already acknowledged is taken as not first."""
    owner = inquiry.owner_email
    if not owner:
        return []
    sequence = inquiry.assignment_seq
    jobs = [MailJob.notification(inquiry.id, owner, sequence or None)]
    if sequence:
        first = sequence == 1
    elif first is None:
        first = not inquiry.acknowledged_at
    if first and inquiry.status != "spam":
        jobs.insert(0, MailJob.acknowledgement(inquiry.id))
    return jobs
