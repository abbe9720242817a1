"""`inquiry-router inquiries list | show | set-status | label | reassign | reroute | release`: one
inquiry, or the inquiries in a status, from the table."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from inquiry_router.adapters.queries import (
    contact_timeline,
    get_inquiry,
    inquiries_by_status,
    inquiry_id_by_reference,
)
from inquiry_router.base.addresses import normalise_email
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.lifecycle import (
    FINAL,
    LABELS,
    MAX_NOTE_CHARS,
    OPEN,
    TRANSITIONS,
    Channel,
    Status,
    TransitionRefused,
    parse_status,
)
from inquiry_router_admin.cli.output import print_json, print_table
from inquiry_router_admin.cli.target import Target, TargetError, resolve_target

TIMELINE_LIMIT = 200  # the contact's newest events, of which the inquiry's are shown
MESSAGE_PREVIEW = 1_000


def register(groups: Any) -> None:
    group = groups.add_parser("inquiries", help="list and inspect inquiries")
    commands = group.add_subparsers(dest="command", metavar="COMMAND", required=True)
    listing = commands.add_parser("list", help="inquiries by status, newest first")
    listing.add_argument(
        "--status",
        choices=list(Status),
        help=f"only this status (default: the open ones, {', '.join(sorted(OPEN))})",
    )
    listing.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    listing.add_argument("--json", action="store_true", help="print JSON for scripts")
    listing.set_defaults(run=list_inquiries)
    show = commands.add_parser("show", help="one inquiry: the record, its status changes and its timeline")
    show.add_argument("inquiry", metavar="REFERENCE|ID", help="e.g. INQ-7K3M9Q")
    show.add_argument("--json", action="store_true", help="print JSON for scripts")
    show.set_defaults(run=show_inquiry)
    set_status = commands.add_parser(
        "set-status",
        help="move an inquiry to another status (quoted, won, lost …)",
        description="The moves allowed: "
        + "; ".join(
            f"{status} → {', '.join(sorted(moves))}"
            for status, moves in TRANSITIONS.items()
            if moves and status is not Status.SNOOZED
        )
        + f". {', '.join(sorted(FINAL))} are final. A snoozed inquiry goes back to the status it "
        "left, or on from there. The change is kept on the inquiry and on the contact's timeline, "
        "with who made it, how, and the note.",
    )
    set_status.add_argument("inquiry", metavar="REFERENCE|ID", help="e.g. INQ-7K3M9Q")
    set_status.add_argument("status", metavar="STATUS", help=f"one of: {', '.join(Status)}")
    set_status.add_argument("--note", help=f"why, for the timeline (at most {MAX_NOTE_CHARS} characters)")
    set_status.add_argument("--by", help="who made the change (default: your login name)")
    set_status.set_defaults(run=set_inquiry_status)
    label = commands.add_parser(
        "label",
        help="put labels on an inquiry (or take them off): the team's `labels` in the routing YAML",
        description="Labels are declared in the routing config (`labels:`, a key and a name each), "
        "e.g. key-account or tender; they show in `inquiries show`, the digests and `report --csv`.",
    )
    label.add_argument("inquiry", metavar="REFERENCE|ID", help="e.g. INQ-7K3M9Q")
    label.add_argument("labels", metavar="LABEL", nargs="+", help="label keys, e.g. key-account")
    label.add_argument("--remove", action="store_true", help="take these labels off")
    label.add_argument("--by", help="who made the change (default: your login name)")
    label.set_defaults(run=label_inquiry)
    reassign = commands.add_parser(
        "reassign",
        help="give an inquiry to another rep, or to the next one in its team's rotation",
        description="The new owner is notified by mail like any assignment. An inquiry awaiting "
        "its first answer moves between the two reps' loads and reaches the new owner as "
        "assigned; one already answered (quoted, negotiating …) keeps its status.",
    )
    reassign.add_argument("inquiry", metavar="REFERENCE|ID", help="e.g. INQ-7K3M9Q")
    reassign.add_argument(
        "--to", required=True, metavar="EMAIL|team", help="a rep's address, or `team` for round robin"
    )
    reassign.set_defaults(run=reassign_to)
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
    statuses = [args.status] if args.status else sorted(OPEN)
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
    from inquiry_router.intake.service import NotReleasable, release_spam_inquiry

    target = resolve_target(args)
    client = target.dynamodb()
    stored = _stored_inquiry(target, str(args.inquiry), hint="--status spam")
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


def _stored_inquiry(target: Target, wanted: str, hint: str = "") -> Inquiry:
    """The inquiry a person named by reference (any case) or id."""
    client = target.dynamodb()
    wanted = wanted.strip()
    inquiry_id = inquiry_id_by_reference(client, target.table_name, wanted.upper()) or wanted
    stored = get_inquiry(client, target.table_name, inquiry_id, consistent=True)
    if stored is None:
        listing = f"inquiry-router inquiries list {hint}".strip()
        raise TargetError(f"no inquiry {wanted!r}: `{listing}` shows them")
    return stored


# (label, value): what a person reads first about an inquiry
def _facts(i: Inquiry) -> list[tuple[str, Any]]:
    label = LABELS.get(Status(i.status)) if i.status in set(Status) else None
    status = f"{i.status} ({label})" if label and label != i.status.replace("_", " ") else i.status
    via = i.first_response_via or Channel.MAIL_COPY  # the only way before status changes existed
    first = (
        f"{i.responded_at} ({_hours(i.first_response_seconds)} after arrival, via {via})"
        if i.responded_at
        else None
    )
    return [
        ("reference", i.reference),
        ("status", status + (f", snoozed from {i.snoozed_from}" if i.snoozed_from else "")),
        ("received", f"{i.received_at} by {i.channel}"),
        ("from", f"{i.name} <{i.email}>" if i.name else i.email),
        ("company", i.company),
        ("country", i.country),
        ("phone", i.phone or i.phone_as_typed),
        ("about", i.topic),
        ("quantity", i.quantity),
        ("owner", f"{i.owner_name or ''} <{i.owner_email}>".strip() if i.owner_email else None),
        ("team", i.team),
        ("assigned", i.assigned_at),
        ("answer due", i.first_response_due_at if not i.responded_at else None),
        ("first response", first),
        ("status changed", i.status_changed_at),
        ("labels", ", ".join(sorted(i.labels)) or None),
    ]


def _hours(seconds: int | None) -> str:
    return "-" if seconds is None else f"{seconds / 3600:.1f} h"


def show_inquiry(args: argparse.Namespace) -> int:
    target = resolve_target(args)
    inquiry = _stored_inquiry(target, args.inquiry)
    events = [
        e
        for e in contact_timeline(target.dynamodb(), target.table_name, inquiry.contact_key, TIMELINE_LIMIT)
        if e.inquiry_id == inquiry.id
    ]
    if args.json:
        print_json({"inquiry": inquiry.to_item(), "timeline": [e.to_item() for e in events]})
        return 0
    facts = [(label, value) for label, value in _facts(inquiry) if value not in (None, "")]
    width = max(len(label) for label, _ in facts)
    for label, value in facts:
        print(f"{label:<{width}}  {value}")
    if inquiry.message:
        print("\n" + inquiry.message.strip()[:MESSAGE_PREVIEW])
    if inquiry.transitions:
        print()
        rows = [
            (c.at[:19].replace("T", " "), f"{c.from_status} → {c.to_status}", c.by, c.channel, c.note)
            for c in inquiry.transitions
        ]
        print_table(rows, ["when (UTC)", "status", "by", "how", "note"])
    print()
    print_table(
        [(e.at[:19].replace("T", " "), e.kind, e.summary) for e in events], ["when (UTC)", "event", "about"]
    )
    return 0


def set_inquiry_status(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from inquiry_router.adapters.status_changes import StatusChanges

    target = resolve_target(args)
    try:
        wanted = parse_status(args.status)
    except TransitionRefused as error:
        raise TargetError(str(error)) from None
    inquiry = _stored_inquiry(target, args.inquiry)
    by = (args.by or getpass.getuser()).strip()
    changes = StatusChanges(target.dynamodb(), target.table_name, retention=target.retention())
    try:
        outcome = changes.change(
            inquiry, wanted, by=by, channel=Channel.CLI, now=datetime.now(UTC), note=args.note
        )
    except TransitionRefused as error:
        raise TargetError(f"{inquiry.reference}: {error}") from None
    if outcome.kind == "already":
        print(f"{inquiry.reference} is {wanted} already; nothing changed.")
        return 0
    if outcome.kind == "moved":
        print(
            f"inquiry-router: {inquiry.reference} changed while this ran (it is {outcome.inquiry.status} "
            "now); nothing was written: look with `inquiries show`, then run again",
            file=sys.stderr,
        )
        return 1
    assert outcome.change is not None
    line = f"{inquiry.reference}: {LABELS[outcome.change.from_status]} → {LABELS[wanted]}"
    print(line + (", the first response" if outcome.first_response else "") + ".")
    return 0


def label_inquiry(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from inquiry_router.adapters.config_store import load_routing_config
    from inquiry_router.adapters.inquiry_labels import change_labels

    target = resolve_target(args)
    config = load_routing_config(target.dynamodb(), target.table_name)
    declared = config.label_names() if config else {}
    unknown = sorted(set(args.labels) - set(declared))
    if unknown and not args.remove:
        known = ", ".join(sorted(declared)) or "none yet"
        raise TargetError(
            f"not a label of the routing config: {', '.join(unknown)} (declared: {known}); add it "
            "under `labels:` in the YAML and apply it"
        )
    inquiry = _stored_inquiry(target, args.inquiry)
    by = (args.by or getpass.getuser()).strip()
    wanted = {"remove": args.labels} if args.remove else {"add": args.labels}
    after = change_labels(
        target.dynamodb(), target.table_name, inquiry, by=by, now=datetime.now(UTC), **wanted
    )
    names = [declared.get(key, key) for key in sorted(after)]
    print(f"{inquiry.reference}: {', '.join(names) or 'no labels'}.")
    return 0


def reassign_to(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    # Loaded only here: it brings the router along.
    from inquiry_router.routing.hand_over import reassign_inquiry

    target = resolve_target(args)
    inquiry = _stored_inquiry(target, args.inquiry)
    if inquiry.status in FINAL:
        raise TargetError(f"{inquiry.reference} is {inquiry.status}, which is final: nobody needs to own it")
    to = None if args.to.strip().lower() == "team" else normalise_email(args.to)
    if to is not None and to == inquiry.owner_email:
        print(f"{inquiry.reference} is {to}'s already; nothing changed.")
        return 0
    result = reassign_inquiry(target.dynamodb(), target.table_name, inquiry, to, datetime.now(UTC))
    if result.error:
        raise TargetError(f"{inquiry.reference}: {result.error}")
    print(f"{inquiry.reference}: {result.from_owner} → {result.to_owner}; they are notified by mail.")
    return 0
