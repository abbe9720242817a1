"""What a rep can do to an inquiry from their mailbox: the one-click actions of the notification
(answered on the actions pages, entry/actions_api.py) and the same actions as a command line in a
mail (`#won`, `#lost price too high`, `#snooze 2d`), read by the inbound function.

Each action is a status of the lifecycle (models/lifecycle.py), except *give to the team*, which
hands the inquiry back to the team's rotation. Both ways end in the same code (actions/service.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any, Literal

from inquiry_router.models.lifecycle import MAX_NOTE_CHARS, Status

DEFAULT_SNOOZE = timedelta(days=1)
MAX_SNOOZE = timedelta(days=30)


class RepAction(StrEnum):
    RESPONDED = "responded"
    QUOTED = "quoted"
    SAMPLE_SENT = "sample_sent"
    NEGOTIATING = "negotiating"
    WON = "won"
    LOST = "lost"
    CLOSED = "closed"
    NOT_AN_INQUIRY = "not_an_inquiry"
    SNOOZE = "snooze"
    GIVE_TO_TEAM = "give_to_team"


# The buttons of a notification, in the order a rep meets them (negotiating and closed are
# commands only: a mail has room for eight buttons, not ten).
BUTTONS: tuple[RepAction, ...] = (
    RepAction.RESPONDED,
    RepAction.QUOTED,
    RepAction.SAMPLE_SENT,
    RepAction.WON,
    RepAction.LOST,
    RepAction.NOT_AN_INQUIRY,
    RepAction.SNOOZE,
    RepAction.GIVE_TO_TEAM,
)

# The status each action moves the inquiry to; give to the team keeps it (the owner changes).
TARGET_STATUS: dict[RepAction, Status] = {
    RepAction.RESPONDED: Status.RESPONDED,
    RepAction.QUOTED: Status.QUOTED,
    RepAction.SAMPLE_SENT: Status.SAMPLE_SENT,
    RepAction.NEGOTIATING: Status.NEGOTIATING,
    RepAction.WON: Status.WON,
    RepAction.LOST: Status.LOST,
    RepAction.CLOSED: Status.CLOSED,
    RepAction.NOT_AN_INQUIRY: Status.SPAM,
    RepAction.SNOOZE: Status.SNOOZED,
}

# What a rep may type after `#`, lower-cased, with `-` and spaces as `_`.
COMMAND_WORDS: dict[str, RepAction] = {
    **{action.value: action for action in RepAction},
    "answered": RepAction.RESPONDED,
    "replied": RepAction.RESPONDED,
    "quote": RepAction.QUOTED,
    "sample": RepAction.SAMPLE_SENT,
    "samples": RepAction.SAMPLE_SENT,
    "samples_sent": RepAction.SAMPLE_SENT,
    "negotiation": RepAction.NEGOTIATING,
    "close": RepAction.CLOSED,
    "spam": RepAction.NOT_AN_INQUIRY,
    "sample_sent": RepAction.SAMPLE_SENT,
    "not_an_inquiry": RepAction.NOT_AN_INQUIRY,
    "not_inquiry": RepAction.NOT_AN_INQUIRY,
    "give_to_team": RepAction.GIVE_TO_TEAM,
    "give_to_the_team": RepAction.GIVE_TO_TEAM,
    "team": RepAction.GIVE_TO_TEAM,
    "give": RepAction.GIVE_TO_TEAM,
    "reassign": RepAction.GIVE_TO_TEAM,
}

MAX_COMMAND_WORDS = 4  # "give to the team"
_PUNCTUATION = ":,.;!-–—"
_DURATION = re.compile(r"^(\d{1,3})\s*([hdw]|hours?|days?|weeks?)?\b\s*(.*)$", re.IGNORECASE)
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


class CommandNotUnderstood(ValueError):
    """A `#` line that names no action; the message lists the ones there are."""


@dataclass(frozen=True, slots=True)
class ActionRequest:
    """One action as a rep asked for it: a note for the timeline, and how long a snooze lasts."""

    action: RepAction
    note: str | None = None
    snooze_for: timedelta = DEFAULT_SNOOZE

    def __post_init__(self) -> None:
        note = " ".join((self.note or "").split())[:MAX_NOTE_CHARS] or None
        object.__setattr__(self, "note", note)
        object.__setattr__(self, "snooze_for", min(max(self.snooze_for, timedelta(hours=1)), MAX_SNOOZE))


ActionOutcomeKind = Literal["done", "already", "refused", "not_yours", "moved"]


@dataclass(frozen=True, slots=True)
class ActionOutcome:
    """What an action did. `done`; `already` (the inquiry was in that state: nothing written);
    `refused` (the lifecycle does not allow it now, `detail` says why); `not_yours` (the inquiry
    has another owner now: a rep's links and commands act only on their own inquiries); `moved`
    (someone changed it at the same moment: nothing written)."""

    kind: ActionOutcomeKind
    action: RepAction
    reference: str
    status: Status  # the inquiry's status after the action (or as it is, when nothing changed)
    owner_email: str | None = None  # its owner after the action
    detail: str | None = None


def parse_command(line: str) -> ActionRequest | None:
    """The action of a command line (`#won`, `#lost: price too high`, `#sample sent`,
    `#snooze 2d`), None when the line is not a command at all; CommandNotUnderstood when it starts
    with `#` and names no action."""
    stripped = line.strip()
    if not stripped.startswith("#"):
        return None
    words = stripped[1:].split()
    # The longest phrase that names an action: "#sample sent" before "#sample".
    for length in range(min(MAX_COMMAND_WORDS, len(words)), 0, -1):
        phrase = "_".join(words[:length]).lower().replace("-", "_").rstrip(_PUNCTUATION)
        action = COMMAND_WORDS.get(phrase)
        if action is not None:
            rest = " ".join(words[length:]).lstrip(_PUNCTUATION + " ")
            if action is RepAction.SNOOZE:
                snooze_for, rest = _snooze_duration(rest)
                return ActionRequest(action, rest or None, snooze_for)
            return ActionRequest(action, rest or None)
    known = ", ".join(f"#{a}" for a in RepAction)
    raise CommandNotUnderstood(f"{stripped[:40]!r} is not a command; the commands are {known}")


def _snooze_duration(rest: str) -> tuple[timedelta, str]:
    """`2d`, `3 days`, `4h`, `1w` (a number alone is days); the default when none is given."""
    match = _DURATION.match(rest)
    if not match:
        return DEFAULT_SNOOZE, rest
    number, unit, remainder = int(match.group(1)), (match.group(2) or "d").lower()[0], match.group(3)
    return _UNITS[unit] * max(number, 1), remainder.strip()


@dataclass(frozen=True, slots=True)
class CommandRecord:
    """A command mail's result, kept on its received-mail record (`command`): what the rep wrote,
    and what came of it, for the reply the mailer sends them (mail/assemble.py)."""

    line: str  # the command line as written, shortened
    outcome: ActionOutcomeKind | Literal["not_understood", "no_inquiry"]
    action: RepAction | None = None
    status: Status | None = None  # the inquiry's status after it
    owner_email: str | None = None

    @classmethod
    def of(cls, line: str, outcome: ActionOutcome) -> CommandRecord:
        return cls(line[:80], outcome.kind, outcome.action, outcome.status, outcome.owner_email)

    def to_item(self) -> dict[str, str]:
        item = {"line": self.line, "outcome": self.outcome}
        for name, value in (
            ("action", self.action),
            ("status", self.status),
            ("owner_email", self.owner_email),
        ):
            if value:
                item[name] = str(value)
        return item

    @classmethod
    def from_item(cls, item: Mapping[str, Any] | None) -> CommandRecord | None:
        if not item:
            return None
        action, status = item.get("action"), item.get("status")
        return cls(
            line=str(item.get("line") or ""),
            outcome=item.get("outcome") or "not_understood",
            action=RepAction(action) if action else None,
            status=Status(status) if status else None,
            owner_email=str(item["owner_email"]) if item.get("owner_email") else None,
        )
