"""Handing on the open inquiries of a rep who leaves or stops: the choice (flag or question) and
the report. The reassignment itself is the router's (`routing/hand_over.py`)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from inquiry_router.base.addresses import normalise_email
from inquiry_router_admin.cli.output import print_table
from inquiry_router_admin.cli.prompts import ask
from inquiry_router_admin.cli.target import TargetError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from inquiry_router.adapters.config_store import ConfigSnapshot


@dataclass(frozen=True, slots=True)
class HandOver:
    to: str | None  # a rep's address, or None: round robin within the inquiry's team


def add_hand_over_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--hand-over",
        metavar="team|EMAIL|keep",
        help="their open inquiries: round robin within the team, to the named rep, or keep them "
        "(asked on a terminal; required without one when they have open inquiries)",
    )


def count_open_inquiries(client: DynamoDBClient, table: str, email: str) -> int:
    """What `hand_over` would hand on: the inquiries awaiting their first answer."""
    from inquiry_router.routing.hand_over import open_inquiries_of

    return len(open_inquiries_of(client, table, email))


def choose_hand_over(
    client: DynamoDBClient, table: str, email: str, option: str | None, snapshot: ConfigSnapshot
) -> HandOver | None:
    """The hand-over to do once the rep is changed, or None (keep, or nothing open)."""
    chosen = parse_hand_over(option, email, snapshot) if option else None  # a typo fails before anything
    count = count_open_inquiries(client, table, email)
    if not count:
        return None
    if option:
        return chosen
    answer = ask(
        f"{email} has {count} open inquiries. Hand them over round robin within the team, to a named "
        "rep, or keep them with them? [team/EMAIL/keep]",
        without_terminal=f"{email} has {count} open inquiries: pass --hand-over team (round robin "
        "within the team), --hand-over EMAIL (a named rep) or --hand-over keep",
    )
    if not answer:
        raise TargetError("no answer: nothing changed")
    return parse_hand_over(answer, email, snapshot)


def parse_hand_over(
    value: str, email: str, snapshot: ConfigSnapshot, *, keep: bool = True
) -> HandOver | None:
    word = value.strip().lower()
    if word == "team":
        return HandOver(None)
    if word == "keep" and keep:
        return None
    to = normalise_email(value)
    if "@" not in to:
        choices = "team, keep or a rep's address" if keep else "team or a rep's address"
        raise TargetError(f"hand over to {value!r}? Use {choices}")
    if to == email:
        raise TargetError(f"{to} is the rep whose inquiries are handed over: name another rep")
    rep = snapshot.reps.get(to)
    if rep is None:
        raise TargetError(f"cannot hand over to {to}: not a rep (reps: {', '.join(sorted(snapshot.reps))})")
    if not rep.active:
        raise TargetError(f"cannot hand over to {to}: inactive (`inquiry-router reps update {to} --active`)")
    return HandOver(to)


def hand_over(client: DynamoDBClient, table: str, email: str, choice: HandOver) -> int:
    """Reassign, print one line per inquiry; exit 1 when any stayed with `email`."""
    # Loaded only here: it brings the router (and its mail jobs) along.
    from inquiry_router.routing.hand_over import hand_over_open_inquiries

    results = hand_over_open_inquiries(client, table, email, choice.to, datetime.now(UTC))
    rows = [(r.reference, r.to_owner, r.error or "handed over") for r in results]
    print_table(rows, ["inquiry", "new owner", "result"])
    failed = sum(1 for r in results if r.error)
    if failed:
        print(
            f"inquiry-router: {failed} of {len(results)} open inquiries stayed with {email}; retry with "
            f"`inquiry-router reps hand-over {email} --to team` (or --to EMAIL)",
            file=sys.stderr,
        )
        return 1
    print(f"Handed over {len(results)} open inquiries of {email}; the new owners are notified by mail.")
    return 0
