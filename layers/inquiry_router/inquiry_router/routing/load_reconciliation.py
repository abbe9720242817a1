"""The reps' loads recounted from the stored inquiries, and repaired where they drifted.

A rep's load is the number of inquiries they own that await their first answer; the router reads
it to keep a rep under their capacity and the rotation fair. Every path that changes it does so in
the same transaction as the change it counts, so it should never drift; this is what proves it,
and repairs it when something (a partial failure, a hand edit, a bug) made it wrong anyway. Run on
a schedule and by `inquiry-router reps reconcile-load`.

A load that changed within `SETTLE` is left for the next run: the owner index the recount reads
is eventually consistent, and may not show an assignment made a moment ago.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from inquiry_router.base.timestamps import iso_timestamp, parse_timestamp

SETTLE = timedelta(minutes=5)


class LoadReading(Protocol):
    @property
    def open(self) -> int: ...

    @property
    def changed_at(self) -> str | None: ...


class LoadBook(Protocol):
    """adapters/open_load.LoadBook, or a fake."""

    def readings(self, emails: Sequence[str]) -> Mapping[str, LoadReading]: ...

    def count_awaiting(self, email: str) -> int: ...

    def repair(self, email: str, seen: int, counted: int, at: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class LoadCheck:
    """One rep's load: `right`, `repaired` (from `stored` to `counted`), `settling` (changed within
    SETTLE: next run) or `moved` (changed while this ran: next run)."""

    email: str
    stored: int
    counted: int | None
    outcome: Literal["right", "repaired", "settling", "moved"]


def reconcile_loads(
    book: LoadBook, emails: Sequence[str], now: datetime, settle: timedelta = SETTLE
) -> list[LoadCheck]:
    checks = []
    for email, seen in sorted(book.readings(emails).items()):
        if seen.changed_at and now - parse_timestamp(seen.changed_at) < settle:
            checks.append(LoadCheck(email, seen.open, None, "settling"))
            continue
        counted = book.count_awaiting(email)
        if counted == seen.open:
            checks.append(LoadCheck(email, seen.open, counted, "right"))
        elif book.repair(email, seen.open, counted, iso_timestamp(now)):
            checks.append(LoadCheck(email, seen.open, counted, "repaired"))
        else:
            checks.append(LoadCheck(email, seen.open, counted, "moved"))
    return checks
