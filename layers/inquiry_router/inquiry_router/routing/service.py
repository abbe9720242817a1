"""Routing a stored inquiry to its owner, and queueing the mails an assignment calls for.

`route_new_inquiry` runs for every newly stored inquiry (stream INSERT); `mail_jobs_for_change`
for every stored change of owner (stream MODIFY), so mails go out only once the assignment is
durable, and a hand-over by the CLI notifies the new owner the same way.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from inquiry_router.adapters.assignment_write import AssignmentStore, OwnershipState
from inquiry_router.base.language import detect_language
from inquiry_router.models.assignment import InquiryFacts, OwnerDecision
from inquiry_router.models.mail_job import MailJob
from inquiry_router.models.routing_config import RoutingConfig
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


def inquiry_language(item: Mapping[str, Any]) -> str | None:
    return detect_language(item.get("locale"), item.get("accept_language"), item.get("message"))


@dataclass
class Router:
    store: AssignmentStore
    load_config: Callable[[], RoutingConfig | None]
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    sleep: Callable[[float], None] = time.sleep

    def route_new_inquiry(self, item: Mapping[str, Any]) -> RoutingResult:
        config = self.load_config()
        if config is None:
            raise RoutingNotConfigured
        facts = InquiryFacts.from_item(item, inquiry_language(item))
        return self._assign(facts, config, lambda snapshot, now: decide_owner(facts, snapshot, now))

    def hand_over(self, item: Mapping[str, Any], from_owner: str, to: str | None) -> RoutingResult:
        """Reassign an inquiry owned by `from_owner`: to a named rep, or by round robin without them."""
        config = self.load_config()
        if config is None:
            raise RoutingNotConfigured
        facts = InquiryFacts.from_item(item, inquiry_language(item))

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
        for attempt in range(MAX_ATTEMPTS):
            now = self.clock()
            state = self.store.read_state(facts, team.key, rep_emails)
            decision = decide(_snapshot(config, state), now)
            outcome = self.store.commit(facts, decision, state, now, previous_owner=previous_owner)
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
        current = self.store.get_inquiry(facts.inquiry_id) or {}
        owner = current.get("owner_email")
        if previous_owner is not None:
            raise ValueError(
                f"{facts.reference} is no longer owned by {previous_owner} (now {owner or 'nobody'})"
            )
        if not owner:
            raise RoutingContention(f"inquiry {facts.reference} is neither new nor assigned")
        return RoutingResult(
            facts.inquiry_id,
            str(owner),
            str(current.get("assignment_kind")),
            str(current.get("assignment_reason")),
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


def mail_jobs_for_change(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[MailJob]:
    """The mails a stored change of owner calls for: the buyer's acknowledgement on the first
    assignment (never for spam), and a notification to whoever owns the inquiry now."""
    owner = new.get("owner_email")
    if new.get("entity") != "inquiry" or not owner or (old or {}).get("owner_email") == owner:
        return []
    return mail_jobs_for_assignment(new, first=not (old or {}).get("owner_email"))


def mail_jobs_for_assignment(inquiry: Mapping[str, Any], *, first: bool | None = None) -> list[MailJob]:
    """The mails the inquiry's current assignment calls for, with the same job ids whoever asks
    (the router on the stored change, or a redrive finishing it): a notification of this
    assignment to its owner, and the acknowledgement if it is the first assignment.

    `first` is read from the assignment count when the inquiry has one; without it (assigned before
    counts were kept) the caller says, or an inquiry already acknowledged is taken as not first."""
    owner = inquiry.get("owner_email")
    if inquiry.get("entity") != "inquiry" or not owner:
        return []
    sequence = inquiry.get("assignment_seq")
    inquiry_id = str(inquiry["id"])
    jobs = [MailJob.notification(inquiry_id, str(owner), int(sequence) if sequence else None)]
    if sequence:
        first = int(sequence) == 1
    elif first is None:
        first = not inquiry.get("acknowledged_at")
    if first and inquiry.get("status") != "spam":
        jobs.insert(0, MailJob.acknowledgement(inquiry_id))
    return jobs
