"""An inquiry's life after it arrives, as data: its statuses, the moves allowed between them, and
which statuses count as open, unanswered or final. Everything that changes a status (the rep's
mail actions and commands, the CLI, the SLA sweep, the inbound function's logged answers) asks
here, so no path can invent a move the others do not know.

    new ── assigned ─┬─ responded ─┬─ quoted ⇄ sample_sent ⇄ negotiating ─┬─ won
     │        │      │             └──────────────────────────────────────┤
     │        │      └──────────────────────────────────────────────────── lost, closed
     └── spam, closed      any open status ⇄ snoozed (back to the status it left)

Final statuses have no way out: a buyer who comes back writes a new inquiry, which goes to the
rep they had (a returning customer keeps their rep).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from inquiry_router.models.stored import present, text

MAX_NOTE_CHARS = 500


class Status(StrEnum):
    NEW = "new"  # stored, no owner yet
    ASSIGNED = "assigned"  # an owner, not yet answered
    RESPONDED = "responded"
    QUOTED = "quoted"
    SAMPLE_SENT = "sample_sent"
    NEGOTIATING = "negotiating"
    WON = "won"
    LOST = "lost"
    CLOSED = "closed"  # ended without an outcome: a duplicate, a wrong address, a question answered
    SPAM = "spam"  # not an inquiry
    SNOOZED = "snoozed"  # set aside until a date; the SLA clock pauses


# What the people who use it call each status (the CLI, the pages, the reports).
LABELS: Mapping[Status, str] = {
    Status.NEW: "new, no owner yet",
    Status.ASSIGNED: "awaiting first answer",
    Status.RESPONDED: "answered",
    Status.QUOTED: "quote sent",
    Status.SAMPLE_SENT: "sample sent",
    Status.NEGOTIATING: "negotiating",
    Status.WON: "won",
    Status.LOST: "lost",
    Status.CLOSED: "closed",
    Status.SPAM: "not an inquiry",
    Status.SNOOZED: "snoozed",
}

FINAL = frozenset({Status.WON, Status.LOST, Status.CLOSED, Status.SPAM})
# Still someone's work: in a rep's list, in "open now" of the reports.
OPEN = frozenset(Status) - FINAL
# Moving to one of these shows the owner answered the buyer: the first such move is the first
# response (lost, closed and spam do not: a rep may close an inquiry without a word).
SHOWS_AN_ANSWER = frozenset(
    {Status.RESPONDED, Status.QUOTED, Status.SAMPLE_SENT, Status.NEGOTIATING, Status.WON}
)
# With no answer recorded, these wait on their owner: what a rep's open load counts, and what the
# first-response clock runs on (paused while snoozed).
AWAITING_ANSWER = frozenset({Status.ASSIGNED, Status.SNOOZED})
_IN_CONVERSATION = SHOWS_AN_ANSWER - {Status.RESPONDED, Status.WON}
_ENDINGS = frozenset({Status.WON, Status.LOST, Status.CLOSED})

TRANSITIONS: Mapping[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.ASSIGNED, Status.SPAM, Status.CLOSED}),
    Status.ASSIGNED: SHOWS_AN_ANSWER | _ENDINGS | {Status.SPAM, Status.SNOOZED},
    Status.RESPONDED: _IN_CONVERSATION | _ENDINGS | {Status.SPAM, Status.SNOOZED},
    **{status: (_IN_CONVERSATION - {status}) | _ENDINGS | {Status.SNOOZED} for status in _IN_CONVERSATION},
    # Waking up: back to the status it left, or on to any that one allows (see allowed_moves).
    Status.SNOOZED: frozenset(),
    **{status: frozenset() for status in FINAL},
}


class Channel(StrEnum):
    """How a status change came about."""

    MAIL_ACTION = "mail_action"  # a button on a page linked from the rep's notification
    MAIL_COMMAND = "mail_command"  # a command line (#won) in the rep's reply to the notification
    MAIL_COPY = "mail_copy"  # the rep's answer, copied (BCC) to the logging address
    MAIL_THREAD = "mail_thread"  # the rep's answer on the buyer's thread (to the thread address)
    CLI = "cli"  # an admin, with inquiry-router
    AUTOMATIC = "automatic"  # the pipeline itself: assignment, the SLA sweep, a snooze running out


class TransitionRefused(ValueError):
    """A move the lifecycle does not allow; the message says which moves it does."""


def allowed_moves(status: Status, snoozed_from: Status | None = None) -> frozenset[Status]:
    """Where an inquiry in `status` may go. A snoozed one goes back to the status it left
    (`snoozed_from`), or wherever that status could go except straight back to sleep."""
    if status is Status.SNOOZED:
        can_snooze = snoozed_from is not None and Status.SNOOZED in TRANSITIONS[snoozed_from]
        before = snoozed_from if snoozed_from is not None and can_snooze else Status.ASSIGNED
        return (TRANSITIONS[before] | {before}) - {Status.SNOOZED}
    return TRANSITIONS[status]


def check_move(status: Status, wanted: Status, snoozed_from: Status | None = None) -> None:
    """Raise TransitionRefused unless `status` may move to `wanted`."""
    allowed = allowed_moves(status, snoozed_from)
    if wanted in allowed:
        return
    if status in FINAL:
        raise TransitionRefused(
            f"the inquiry is {status} ({LABELS[status]}), which is final: a buyer who comes back "
            "starts a new inquiry, with the same rep"
        )
    names = ", ".join(sorted(allowed))
    raise TransitionRefused(f"an inquiry that is {status} can move to {names}; not to {wanted}")


def parse_status(value: str) -> Status:
    """A status from what a person typed (`sample sent`, `Sample-Sent`, `sample_sent`)."""
    wanted = value.strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return Status(wanted)
    except ValueError:
        raise TransitionRefused(f"{value!r} is not a status; the statuses are {', '.join(Status)}") from None


def awaits_answer(status: str, answered: bool) -> bool:
    """Whether an inquiry waits on its owner's first answer: what a rep's load counts, what a
    leaving rep hands over, and what the first-response clock runs on."""
    return status in AWAITING_ANSWER and not answered


def first_response_in(status: Status, wanted: Status, answered: bool) -> bool:
    """Whether moving `status` → `wanted` is the owner's first response: the first move to a status
    that shows an answer, on an inquiry with no answer recorded."""
    return not answered and wanted in SHOWS_AN_ANSWER and status not in FINAL


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One transition, as kept in the inquiry's `transitions` list and on the contact's timeline."""

    from_status: Status
    to_status: Status
    at: str  # ISO timestamp (base/timestamps.py)
    by: str  # the rep's or admin's address or name, or "inquiry-router" for automatic moves
    channel: Channel
    note: str | None = None

    def __post_init__(self) -> None:
        if self.note is not None and len(self.note) > MAX_NOTE_CHARS:
            object.__setattr__(self, "note", self.note[: MAX_NOTE_CHARS - 1] + "…")

    @property
    def summary(self) -> str:
        line = f"{LABELS[self.from_status]} → {LABELS[self.to_status]}, by {self.by} ({self.channel})"
        return f"{line}: {self.note}" if self.note else line

    def to_item(self) -> dict[str, Any]:
        return present(
            {
                "from": str(self.from_status),
                "to": str(self.to_status),
                "at": self.at,
                "by": self.by,
                "channel": str(self.channel),
                "note": self.note,
            }
        )

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> StatusChange:
        return cls(
            from_status=Status(str(item["from"])),
            to_status=Status(str(item["to"])),
            at=str(item["at"]),
            by=str(item["by"]),
            channel=Channel(str(item["channel"])),
            note=text(item, "note"),
        )
