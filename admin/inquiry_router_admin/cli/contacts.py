"""`inquiry-router contacts show EMAIL [--json]`: the profile and the timeline, newest first.
`contacts export` and `contacts erase` (a data subject's requests) are cli/contact_data.py's."""

from __future__ import annotations

import argparse
from typing import Any

from inquiry_router.adapters.queries import contact_timeline, get_contact
from inquiry_router.base.addresses import normalise_email
from inquiry_router_admin.cli import contact_data
from inquiry_router_admin.cli.output import print_json, print_table
from inquiry_router_admin.cli.target import TargetError, resolve_target

# (stored field, label): the names the writers use (adapters/intake_write.py, assignment_write.py,
# inbound_records.py); tests/integration/test_cli.py fills every one through the real pipeline.
PROFILE_FIELDS = (
    ("email", "email"),
    ("name", "name"),
    ("company", "company"),
    ("country", "country"),
    ("phone", "phone"),
    ("website", "website"),
    ("locale", "locale"),
    ("owner_email", "owner"),
    ("owner_since", "owner since"),
    ("inquiry_count", "inquiries"),
    ("first_seen_at", "first seen"),
    ("last_seen_at", "last seen"),
    ("free_mail", "free mail"),
    ("disposable", "disposable"),
    ("consent_at", "consent given"),
    ("consent_text_version", "consent text"),
    ("consent_text_sha256", "consent text sha256"),
    ("consent_policy_url", "privacy policy"),
    ("consent_page_url", "consent page"),
    ("consent_page_origin_listed", "page origin listed"),
    ("consent_ip_digest", "consent IP digest"),
    ("marketing_opt_in", "marketing opt-in"),
    ("marketing_opt_in_at", "opted in"),
    ("marketing_opt_in_text_version", "opt-in text"),
    ("marketing_opt_in_text_sha256", "opt-in text sha256"),
    ("marketing_opt_in_page_url", "opt-in page"),
    ("marketing_opt_in_ip_digest", "opt-in IP digest"),
    ("bounced", "bounced"),
    ("bounced_at", "bounced at"),
    ("bounce_reason", "bounce"),
    ("bounce_sub_type", "bounce subtype"),
    ("transient_bounces", "soft bounces"),
    ("complained", "complained"),
    ("complained_at", "complained at"),
    ("complaint_type", "complaint"),
    ("suppressed", "suppressed"),
    ("suppressed_at", "suppressed at"),
    ("suppressed_reason", "suppressed because"),
)


def register(groups: Any) -> None:
    group = groups.add_parser("contacts", help="look up contacts and their timelines")
    commands = group.add_subparsers(dest="command", metavar="COMMAND", required=True)
    show = commands.add_parser("show", help="a contact's profile and timeline")
    show.add_argument("email")
    show.add_argument("--limit", type=int, default=50, help="timeline events to show (default 50)")
    show.add_argument("--json", action="store_true", help="print JSON for scripts")
    show.set_defaults(run=show_contact)
    contact_data.register_commands(commands)


def show_contact(args: argparse.Namespace) -> int:
    target = resolve_target(args)
    client = target.dynamodb()
    key = normalise_email(args.email)
    profile = get_contact(client, target.table_name, key)
    if profile is None:
        raise TargetError(f"no contact {args.email!r}")
    timeline = contact_timeline(client, target.table_name, key, args.limit)
    if args.json:
        print_json({"contact": profile.to_item(), "timeline": [e.to_item() for e in timeline]})
        return 0
    width = max(len(label) for _, label in PROFILE_FIELDS)
    shown = profile.to_item()  # the profile as stored, field by field
    for field, label in PROFILE_FIELDS:
        if shown.get(field) not in (None, ""):
            print(f"{label:<{width}}  {shown[field]}")
    print()
    rows = [(e.at[:19].replace("T", " "), e.kind, e.reference, e.summary) for e in timeline]
    print_table(rows, ["when (UTC)", "event", "reference", "about"])
    return 0
