"""Weighted, availability-aware fair rotation: start-time fair queuing over a team's reps.

Each rep carries a finish tag; the rotation carries a virtual time. The next owner is the
eligible rep with the smallest start tag `max(finish, virtual_time)`; picking them moves the
virtual time to that start tag and their finish tag one stride (BASE / weight) further.

Why this shape, against the incumbents' failures:
- Adding, removing or marking a rep away changes who is *eligible*, never the tags: nothing resets.
- A rep returning from leave (or newly added) starts at the current virtual time, so they rejoin
  the queue at its front once — no catch-up burst for the days they were away.
- Weights are exact: over any run of picks each continuously eligible rep's share differs from
  weight / total weight by less than one pick.
- The state is one small item updated with a version condition, so concurrent routers serialise
  on it and the counts stay exact under concurrency.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from inquiry_router.models.assignment import RotationState

# Divisible by every weight from 1 to 20, so common weights step in whole numbers.
STRIDE_BASE = 232_792_560


@dataclass(frozen=True, slots=True)
class Candidate:
    email: str
    weight: int = 1


@dataclass(frozen=True, slots=True)
class Pick:
    email: str
    state: RotationState


def stride(weight: int) -> int:
    if weight < 1:
        raise ValueError(f"a rep's weight must be at least 1, not {weight}")
    return STRIDE_BASE // weight


def pick_next(state: RotationState, candidates: Iterable[Candidate]) -> Pick:
    """The next owner among `candidates` (the eligible reps) and the rotation state after the pick."""
    pool = list(candidates)
    if not pool:
        raise ValueError("no eligible rep to pick from")

    def start_tag(candidate: Candidate) -> tuple[int, int, str]:
        start = max(state.finish.get(candidate.email, 0), state.virtual_time)
        # Ties go to the heavier rep first, then by address, so the order is reproducible.
        return start, -candidate.weight, candidate.email

    chosen = min(pool, key=start_tag)
    start = start_tag(chosen)[0]
    return Pick(
        email=chosen.email,
        state=RotationState(
            version=state.version + 1,
            virtual_time=start,
            finish={**state.finish, chosen.email: start + stride(chosen.weight)},
            assigned={**state.assigned, chosen.email: state.assigned.get(chosen.email, 0) + 1},
        ),
    )


def handed_back(state: RotationState, email: str, weight: int) -> RotationState:
    """The rotation after a rep picked for an inquiry gave it back (a hand-over to their team, an
    SLA reassign): their finish tag one stride back and one assignment fewer, so the inquiry
    counts once in the team's fairness, for whoever takes it, and not also for them.

    Never below the virtual time: a rep who is behind anyway gains no credit to burst with."""
    if state.assigned.get(email, 0) <= 0:
        return state
    finish = max(
        state.finish.get(email, 0) - stride(weight), min(state.virtual_time, state.finish.get(email, 0))
    )
    return RotationState(
        version=state.version,
        virtual_time=state.virtual_time,
        finish={**state.finish, email: finish},
        assigned={**state.assigned, email: state.assigned[email] - 1},
    )
