"""`inquiry-router contacts show EMAIL [--json]`: the profile and the timeline, newest first."""

from __future__ import annotations

import argparse
from typing import Any

from inquiry_router.cli.output import print_json, print_table
from inquiry_router.cli.target import TargetError, resolve_target
from inquiry_router.intake.lead_signals import normalise_email
from inquiry_router.store.queries import contact_timeline, get_contact

PROFILE_FIELDS = (
    "email",
    "name",
    "company",
    "country",
    "phone",
    "website",
    "locale",
    "owner",
    "inquiry_count",
    "first_seen_at",
    "last_seen_at",
    "free_mail",
    "disposable",
    "consent_at",
    "marketing_opt_in",
)


def register(groups: Any) -> None:
    group = groups.add_parser("contacts", help="look up contacts and their timelines")
    commands = group.add_subparsers(dest="command", metavar="COMMAND", required=True)
    show = commands.add_parser("show", help="a contact's profile and timeline")
    show.add_argument("email")
    show.add_argument("--limit", type=int, default=50, help="timeline events to show (default 50)")
    show.add_argument("--json", action="store_true", help="print JSON for scripts")
    show.set_defaults(run=show_contact)


def show_contact(args: argparse.Namespace) -> int:
    target = resolve_target(args)
    client = target.dynamodb()
    key = normalise_email(args.email)
    profile = get_contact(client, target.table_name, key)
    if profile is None:
        raise TargetError(f"no contact {args.email!r}")
    timeline = contact_timeline(client, target.table_name, key, args.limit)
    if args.json:
        print_json({"contact": profile, "timeline": timeline})
        return 0
    width = max(len(f) for f in PROFILE_FIELDS)
    for field in PROFILE_FIELDS:
        if profile.get(field) not in (None, ""):
            print(f"{field.replace('_', ' '):<{width}}  {profile[field]}")
    print()
    rows = [
        (e.get("at", "")[:19].replace("T", " "), e.get("kind"), e.get("reference"), e.get("summary"))
        for e in timeline
    ]
    print_table(rows, ["when (UTC)", "event", "reference", "about"])
    return 0
