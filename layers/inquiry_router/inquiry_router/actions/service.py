"""One rep action on one inquiry, however it arrived: a button on the actions page (entry/
actions_api.py) or a command line in a mail (the inbound function hands its commands here through
the port its composition root builds).

A rep acts only on an inquiry they own: links and commands stop working for the old owner once it
is reassigned. Everything is safe to repeat: an action the inquiry already shows answers `already`
and writes nothing; two people acting at once cannot both move it (adapters/status_changes.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from inquiry_router.adapters.status_changes import StatusChanges
from inquiry_router.base.addresses import normalise_email
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.lifecycle import FINAL, Channel, Status, TransitionRefused, check_move
from inquiry_router.models.rep_actions import (
    TARGET_STATUS,
    ActionOutcome,
    ActionOutcomeKind,
    ActionRequest,
    RepAction,
)


class HandOverRefused(RuntimeError):
    """The team could not take the inquiry (no other eligible rep, no fallback): nothing changed."""


# Gives the inquiry to the next eligible rep of its team, returns the new owner's address
# (routing/hand_over.py, built by the composition root: capabilities do not import each other).
GiveToTeam = Callable[[Inquiry, datetime], str]


@dataclass(frozen=True)
class RepActions:
    changes: StatusChanges
    give_to_team: GiveToTeam

    def preview(self, inquiry: Inquiry, rep_email: str, action: RepAction) -> ActionOutcome | None:
        """How the inquiry stands when `action` has nothing to do (it is not theirs, it is done
        already, the lifecycle does not allow it now); None when the action can go ahead."""
        status = Status(inquiry.status)

        def settled(kind: ActionOutcomeKind, detail: str | None = None) -> ActionOutcome:
            return ActionOutcome(kind, action, inquiry.reference, status, inquiry.owner_email, detail)

        owner = normalise_email(inquiry.owner_email) if inquiry.owner_email else None
        if owner != normalise_email(rep_email):
            return settled("not_yours")
        if action is RepAction.GIVE_TO_TEAM:
            final = f"the inquiry is {status}, which is final: there is nothing left to hand over"
            return settled("refused", final) if status in FINAL else None
        wanted = TARGET_STATUS[action]
        if status is wanted:
            return settled("already")
        snoozed_from = Status(inquiry.snoozed_from) if inquiry.snoozed_from else None
        try:
            check_move(status, wanted, snoozed_from)
        except TransitionRefused as refused:
            return settled("refused", str(refused))
        return None

    def perform(
        self, inquiry: Inquiry, rep_email: str, request: ActionRequest, channel: Channel, now: datetime
    ) -> ActionOutcome:
        """Carry out `request` for the rep on the inquiry as read (once: see the module's note)."""
        action = request.action
        settled = self.preview(inquiry, rep_email, action)
        if settled is not None:
            return settled
        if action is RepAction.GIVE_TO_TEAM:
            try:
                new_owner = self.give_to_team(inquiry, now)
            except HandOverRefused as refused:
                return ActionOutcome(
                    "refused",
                    action,
                    inquiry.reference,
                    Status(inquiry.status),
                    inquiry.owner_email,
                    str(refused),
                )
            return ActionOutcome("done", action, inquiry.reference, Status(inquiry.status), new_owner)
        wanted = TARGET_STATUS[action]
        until = now + request.snooze_for if action is RepAction.SNOOZE else None
        result = self.changes.change(
            inquiry, wanted, by=rep_email, channel=channel, now=now, note=request.note, snoozed_until=until
        )
        stored = result.inquiry
        if result.kind == "moved":
            return ActionOutcome(
                "moved", action, inquiry.reference, Status(stored.status), stored.owner_email
            )
        kind: ActionOutcomeKind = "done" if result.kind == "changed" else "already"
        return ActionOutcome(kind, action, inquiry.reference, wanted, stored.owner_email)
