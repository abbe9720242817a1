"""`inquiry-router inquiries list [--status S] [--limit N] [--json]` and `inquiries reroute`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from inquiry_router.adapters.queries import inquiries_by_status
from inquiry_router_admin.cli.output import print_json, print_table
from inquiry_router_admin.cli.target import TargetError, resolve_target

STATUSES = ("new", "spam", "assigned", "acknowledged", "responded", "closed")
OPEN = ("new", "assigned")  # waiting for an owner, or for the owner's answer


def register(groups: Any) -> None:
    group = groups.add_parser("inquiries", help="list and inspect inquiries")
    commands = group.add_subparsers(dest="command", metavar="COMMAND", required=True)
    listing = commands.add_parser("list", help="inquiries by status, newest first")
    listing.add_argument(
        "--status", choices=STATUSES, help="only this status (default: the open ones, new and assigned)"
    )
    listing.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    listing.add_argument("--json", action="store_true", help="print JSON for scripts")
    listing.set_defaults(run=list_inquiries)
    reroute = commands.add_parser(
        "reroute",
        help="assign the inquiries still waiting for an owner (status new)",
        description="Route every inquiry with status `new`, e.g. after the first `config apply`. "
        "Idempotent; the mails follow as usual. Failed router batches: `dlq redrive --queue router`.",
    )
    reroute.add_argument("--limit", type=int, default=1000, help="at most this many (default 1000)")
    reroute.set_defaults(run=reroute_inquiries)
    release = commands.add_parser(
        "release",
        help="make a form submission stored as spam an inquiry after all",
        description="For a buyer screening got wrong (a CAPTCHA provider that could not vouch, a "
        "honeypot the browser's autofill filled): it becomes a new inquiry, assigned and acknowledged "
        "as usual, received now. Running it twice creates one inquiry. See the suspects with "
        "`inquiries list --status spam`.",
    )
    release.add_argument("inquiry", metavar="REFERENCE|ID", help="e.g. INQ-7K3M9Q (from `inquiries list`)")
    release.set_defaults(run=release_inquiry)


def list_inquiries(args: argparse.Namespace) -> int:
    target = resolve_target(args)
    statuses = [args.status] if args.status else list(OPEN)
    client = target.dynamodb()
    found = [item for s in statuses for item in inquiries_by_status(client, target.table_name, s, args.limit)]
    items = sorted(found, key=lambda i: i.received_at, reverse=True)[: args.limit]
    if args.json:
        print_json([i.to_item() for i in items])
        return 0
    if not items:
        print(f"No inquiries with status {' or '.join(statuses)}.")
        return 0
    rows = [
        (
            i.received_at[:16].replace("T", " "),
            i.reference,
            i.status,
            i.owner_email or "",
            i.email,
            i.country,
            i.topic or (i.message or "")[:60],
        )
        for i in items
    ]
    print_table(rows, ["received (UTC)", "reference", "status", "owner", "from", "country", "about"])
    return 0


def reroute_inquiries(args: argparse.Namespace) -> int:
    # Loaded only here: it brings the router along.
    from inquiry_router.routing.reroute import reroute_waiting_inquiries

    target = resolve_target(args)
    results = reroute_waiting_inquiries(target.dynamodb(), target.table_name, args.limit)
    if not results:
        print("No inquiry is waiting for an owner.")
        return 0
    print_table([(r.reference, r.owner_email or "", r.reason) for r in results], ["inquiry", "owner", "why"])
    failed = sum(1 for r in results if r.owner_email is None)
    if failed:
        print(f"inquiry-router: {failed} of {len(results)} inquiries are still waiting", file=sys.stderr)
        return 1
    print(f"Assigned {len(results)} inquiries; acknowledgements and notifications follow by mail.")
    return 0


def release_inquiry(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from inquiry_router.adapters.intake_write import IntakeWriter
    from inquiry_router.adapters.queries import get_inquiry, inquiry_id_by_reference
    from inquiry_router.intake.service import NotReleasable, release_spam_inquiry

    target = resolve_target(args)
    client = target.dynamodb()
    wanted = str(args.inquiry).strip()
    inquiry_id = inquiry_id_by_reference(client, target.table_name, wanted.upper()) or wanted
    stored = get_inquiry(client, target.table_name, inquiry_id, consistent=True)
    if stored is None:
        raise TargetError(f"no inquiry {wanted!r}: `inquiry-router inquiries list --status spam` shows them")
    if stored.released_reference:
        print(f"{stored.reference} was released already as {stored.released_reference}.")
        return 0
    writer = IntakeWriter(client, target.table_name)
    now = datetime.now(UTC)
    try:
        receipt = release_spam_inquiry(stored, now, writer=writer)
    except NotReleasable as error:
        raise TargetError(str(error)) from None
    writer.mark_released(stored.id, receipt, now)
    print(f"{stored.reference} is inquiry {receipt.reference} now; it is assigned and acknowledged as usual.")
    return 0
