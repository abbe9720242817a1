"""`inquiry-router inquiries list [--status S] [--limit N] [--json]`."""

from __future__ import annotations

import argparse
from typing import Any

from inquiry_router.cli.output import print_json, print_table
from inquiry_router.cli.target import resolve_target
from inquiry_router.store.queries import inquiries_by_status

STATUSES = ("new", "spam", "assigned", "acknowledged", "responded", "closed")


def register(groups: Any) -> None:
    group = groups.add_parser("inquiries", help="list and inspect inquiries")
    commands = group.add_subparsers(dest="command", metavar="COMMAND", required=True)
    listing = commands.add_parser("list", help="inquiries by status, newest first")
    listing.add_argument("--status", default="new", choices=STATUSES, help="default: new")
    listing.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    listing.add_argument("--json", action="store_true", help="print JSON for scripts")
    listing.set_defaults(run=list_inquiries)


def list_inquiries(args: argparse.Namespace) -> int:
    target = resolve_target(args)
    items = list(inquiries_by_status(target.dynamodb(), target.table_name, args.status, args.limit))
    if args.json:
        print_json(items)
        return 0
    if not items:
        print(f"No inquiries with status {args.status!r}.")
        return 0
    rows = [
        (
            i.get("received_at", "")[:16].replace("T", " "),
            i.get("reference"),
            i.get("status"),
            i.get("email"),
            i.get("country"),
            i.get("subject") or i.get("product") or i.get("message", "")[:60],
        )
        for i in items
    ]
    print_table(rows, ["received (UTC)", "reference", "status", "from", "country", "about"])
    return 0
