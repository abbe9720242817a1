"""`inquiry-router reps list|add|update|away|back|remove`: everyday changes to one rep.

Each edit reads the config (one Query), validates the changed rep with the same model and company
domains as `config apply`, and writes that rep's item only if nobody changed it meanwhile. The
routing YAML is not touched: `config export` brings it up to date, and applying an old file
would undo these edits (its diff shows it).
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

from inquiry_router.adapters.config_store import (
    ConfigSnapshot,
    StoredRep,
    delete_rep,
    put_rep,
    read_config_snapshot,
)
from inquiry_router.adapters.open_load import LoadBook, open_loads
from inquiry_router.base.addresses import normalise_email
from inquiry_router.models.config_diff import diff_config
from inquiry_router.models.routing_config import Absence, Rep
from inquiry_router.routing.absences import absences_ended, away_summary, rep_today
from inquiry_router.routing.load_reconciliation import reconcile_loads
from inquiry_router_admin.cli.config_edits import store_conflicts_exit_1
from inquiry_router_admin.cli.output import print_json, print_table
from inquiry_router_admin.cli.prompts import confirm
from inquiry_router_admin.cli.rep_hand_over import (
    add_hand_over_option,
    choose_hand_over,
    count_open_inquiries,
    hand_over,
    parse_hand_over,
)
from inquiry_router_admin.cli.rep_input import add_rep_options, given_fields, parse_date, validated_rep
from inquiry_router_admin.cli.target import Target, TargetError, resolve_target


def register(groups: Any) -> None:
    group = groups.add_parser("reps", help="list reps; add, update, mark away or back, remove one")
    commands = group.add_subparsers(dest="command", metavar="COMMAND", required=True)

    listing = commands.add_parser("list", help="every rep: teams, weight, availability, open inquiries")
    listing.add_argument("--json", action="store_true", help="print JSON for scripts")
    listing.set_defaults(run=list_reps)

    add = commands.add_parser("add", help="add a rep (company mailbox) to one or more teams")
    add.add_argument("email", metavar="EMAIL")
    add_rep_options(add, adding=True)
    add.set_defaults(run=add_rep)

    update = commands.add_parser(
        "update", help="change a rep; a repeated option (--team, --language, --country) replaces the list"
    )
    update.add_argument("email", metavar="EMAIL")
    add_rep_options(update, adding=False)
    state = update.add_mutually_exclusive_group()
    state.add_argument(
        "--active", dest="active", action="store_const", const=True, help="route to them again"
    )
    state.add_argument(
        "--inactive", dest="active", action="store_const", const=False, help="stop routing to them"
    )
    add_hand_over_option(update)
    update.set_defaults(run=update_rep)

    away = commands.add_parser("away", help="mark a rep out of office; the team covers meanwhile")
    away.add_argument("email", metavar="EMAIL")
    away.add_argument("--until", type=parse_date, required=True, help="last day away, e.g. 2026-12-31")
    away.add_argument("--from", dest="start", type=parse_date, help="first day away (default: today)")
    away.set_defaults(run=mark_away)

    back = commands.add_parser("back", help="a rep is back: end today's absence, drop future ones")
    back.add_argument("email", metavar="EMAIL")
    back.set_defaults(run=mark_back)

    remove = commands.add_parser(
        "remove", help="stop routing to a rep for good; their inquiries and timelines stay"
    )
    remove.add_argument("email", metavar="EMAIL")
    add_hand_over_option(remove)
    remove.add_argument("--yes", action="store_true", help="remove without asking")
    remove.set_defaults(run=remove_rep)

    handing = commands.add_parser(
        "hand-over", help="reassign a rep's open inquiries (also after they were removed)"
    )
    handing.add_argument("email", metavar="EMAIL")
    handing.add_argument(
        "--to", required=True, metavar="team|EMAIL", help="round robin within the team, or the named rep"
    )
    handing.set_defaults(run=hand_over_inquiries)

    reconcile = commands.add_parser(
        "reconcile-load",
        help="recount each rep's open load from the stored inquiries and repair any that drifted",
        description="A rep's load (the `open` of `reps list`, what their capacity is checked "
        "against) is the number of inquiries they own awaiting their first answer. It is kept in "
        "step on every change; this recounts it from the inquiries themselves and repairs any rep "
        "whose load drifted. A load that changed in the last few minutes is left for the next run.",
    )
    reconcile.add_argument("--json", action="store_true", help="print JSON for scripts")
    reconcile.set_defaults(run=reconcile_load)


def reconcile_load(args: argparse.Namespace) -> int:
    target = resolve_target(args)
    client = target.dynamodb()
    snapshot = read_config_snapshot(client, target.table_name, consistent=False)
    checks = reconcile_loads(LoadBook(client, target.table_name), sorted(snapshot.reps), datetime.now(UTC))
    if args.json:
        print_json([asdict(check) for check in checks])
        return 0
    if not checks:
        print("No reps yet: nothing to recount.")
        return 0
    print_table(
        [(c.email, c.stored, c.counted, c.outcome) for c in checks], ["rep", "stored", "counted", "outcome"]
    )
    repaired = [c for c in checks if c.outcome == "repaired"]
    later = [c for c in checks if c.outcome in ("settling", "moved")]
    print(
        f"{len(repaired)} of {len(checks)} loads repaired"
        + (f"; {len(later)} changed just now, recounted on the next run" if later else "")
        + "."
    )
    return 0


def list_reps(args: argparse.Namespace) -> int:
    target = resolve_target(args)
    client = target.dynamodb()
    snapshot = read_config_snapshot(client, target.table_name, consistent=False)
    reps = sorted(snapshot.reps.values(), key=lambda r: r.email)
    loads = open_loads(client, target.table_name, [r.email for r in reps])
    now = datetime.now(UTC)
    listed = [
        {
            **rep.model_dump(mode="json", by_alias=True),
            "away": away_summary(rep, rep_today(rep, snapshot.teams, now)),
            "open": loads[rep.email],
        }
        for rep in reps
    ]
    if args.json:
        print_json(listed)
        return 0
    if not listed:
        print("No reps yet: add one with `inquiry-router reps add` or `inquiry-router config apply`.")
        return 0
    columns = ["email", "name", "teams", "weight", "active", "away", "open", "capacity"]
    rows = [[", ".join(r[c]) if c == "teams" else r[c] for c in columns] for r in listed]
    print_table(rows, columns)
    return 0


@store_conflicts_exit_1
def add_rep(args: argparse.Namespace) -> int:
    target = resolve_target(args)
    snapshot = _applied_snapshot(target)
    email = normalise_email(args.email)
    if email in snapshot.reps:
        raise TargetError(f"rep {email} already exists: change it with `inquiry-router reps update {email}`")
    rep = validated_rep({"email": args.email, **given_fields(args)}, snapshot, target)
    put_rep(target.dynamodb(), target.table_name, rep, datetime.now(UTC), previous=None)
    _print_change(snapshot, rep)
    return 0


@store_conflicts_exit_1
def update_rep(args: argparse.Namespace) -> int:
    target = resolve_target(args)
    snapshot = _applied_snapshot(target)
    stored = _stored_rep(snapshot, args.email)
    given = given_fields(args)
    if args.active is not None:
        given["active"] = args.active
    if not given:
        raise TargetError("nothing to update: pass an option, e.g. --weight 2 (see `reps update -h`)")
    rep = validated_rep(stored.rep.model_dump(mode="json", by_alias=True) | given, snapshot, target)
    if rep == stored.rep:
        print(f"Nothing to change: {rep.email} already has these settings.")
        return 0
    client = target.dynamodb()
    handing_over = None
    if stored.rep.active and not rep.active:
        # Asked before anything is written, so a refusal leaves the rep as it was.
        handing_over = choose_hand_over(client, target.table_name, rep.email, args.hand_over, snapshot)
    put_rep(client, target.table_name, rep, datetime.now(UTC), previous=stored)
    _print_change(snapshot, rep)
    return hand_over(client, target.table_name, rep.email, handing_over) if handing_over else 0


@store_conflicts_exit_1
def mark_away(args: argparse.Namespace) -> int:
    target = resolve_target(args)
    snapshot = _applied_snapshot(target)
    stored = _stored_rep(snapshot, args.email)
    today = rep_today(stored.rep, snapshot.teams, datetime.now(UTC))
    start: date = args.start or today
    if args.until < today:
        raise TargetError(f"--until {args.until} is in the past (today is {today}): nothing to mark")
    period = {"from": start.isoformat(), "until": args.until.isoformat()}
    if start <= args.until and Absence.model_validate(period) in stored.rep.out_of_office:
        print(f"Nothing to change: {stored.rep.email} is already away from {start} until {args.until}.")
        return 0
    periods = [a.model_dump(mode="json", by_alias=True) for a in stored.rep.out_of_office]
    periods.append(period)
    rep = validated_rep(
        stored.rep.model_dump(mode="json", by_alias=True) | {"out_of_office": periods}, snapshot, target
    )
    put_rep(target.dynamodb(), target.table_name, rep, datetime.now(UTC), previous=stored)
    _print_change(snapshot, rep)
    print(f"{rep.email} is away from {start} until {args.until}: the rest of the team takes new inquiries.")
    return 0


@store_conflicts_exit_1
def mark_back(args: argparse.Namespace) -> int:
    target = resolve_target(args)
    snapshot = _applied_snapshot(target)
    stored = _stored_rep(snapshot, args.email)
    today = rep_today(stored.rep, snapshot.teams, datetime.now(UTC))
    periods = absences_ended(stored.rep.out_of_office, today)
    if periods == stored.rep.out_of_office:
        print(f"Nothing to change: {stored.rep.email} is not away today and has no absence planned.")
        return 0
    rep = stored.rep.model_copy(update={"out_of_office": periods})
    put_rep(target.dynamodb(), target.table_name, rep, datetime.now(UTC), previous=stored)
    _print_change(snapshot, rep)
    print(f"{rep.email} is back: new inquiries reach them again from today ({today}).")
    return 0


@store_conflicts_exit_1
def remove_rep(args: argparse.Namespace) -> int:
    target = resolve_target(args)
    client = target.dynamodb()
    snapshot = _applied_snapshot(target)
    stored = _stored_rep(snapshot, args.email)
    email = stored.rep.email
    handing_over = choose_hand_over(client, target.table_name, email, args.hand_over, snapshot)
    question = f"Remove rep {email}? Their inquiries, contacts and timelines stay."
    refusal = "not removed: pass --yes to remove without a terminal"
    if not args.yes and not confirm(question, without_terminal=refusal):
        print("Nothing removed.")
        return 1
    delete_rep(client, target.table_name, stored)
    print(f"- rep {email} (their inquiries, contacts and timelines stay)")
    return hand_over(client, target.table_name, email, handing_over) if handing_over else 0


def hand_over_inquiries(args: argparse.Namespace) -> int:
    target = resolve_target(args)
    client = target.dynamodb()
    email = normalise_email(args.email)
    choice = parse_hand_over(args.to, email, _applied_snapshot(target), keep=False)
    assert choice is not None  # keep=False: "keep" is refused as not an address
    if not count_open_inquiries(client, target.table_name, email):
        print(f"Nothing to hand over: {email} has no open inquiries.")
        return 0
    return hand_over(client, target.table_name, email, choice)


def _applied_snapshot(target: Target) -> ConfigSnapshot:
    snapshot = read_config_snapshot(target.dynamodb(), target.table_name)
    if not snapshot.teams:
        raise TargetError(
            f"no teams in table {target.table_name} yet: apply a routing configuration first "
            "(`inquiry-router config apply routing.yaml`; see routing.example.yaml)"
        )
    return snapshot


def _stored_rep(snapshot: ConfigSnapshot, email: str) -> StoredRep:
    stored = snapshot.stored_rep(normalise_email(email))
    if stored is None:
        known = ", ".join(sorted(snapshot.reps)) or "none yet"
        raise TargetError(f"no rep {email} (reps: {known}); add one with `inquiry-router reps add`")
    return stored


def _print_change(snapshot: ConfigSnapshot, rep: Rep) -> None:
    before = snapshot.as_config()
    assert before is not None  # _applied_snapshot made sure there is one
    others = [r for r in before.reps if r.email != rep.email]
    after = before.model_copy(update={"reps": [*others, rep]})
    for line in diff_config(before, after).lines():
        print(line)
