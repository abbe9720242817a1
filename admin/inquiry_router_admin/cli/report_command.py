"""`inquiry-router report [--team T] [--since DATE] [--until DATE] [--json | --csv]`: what the
inquiries received in a period became, per rep and per source (models/report_figures.py)."""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import asdict, fields
from datetime import UTC, datetime, time, timedelta
from typing import Any

from inquiry_router.adapters.config_store import load_routing_config
from inquiry_router.adapters.queries import inquiries_received_between
from inquiry_router.models.report_figures import InquiryFigures, Report, build_report
from inquiry_router_admin.cli.output import print_json, print_table
from inquiry_router_admin.cli.rep_input import parse_date
from inquiry_router_admin.cli.target import TargetError, resolve_target

DEFAULT_DAYS = 30


def register(groups: Any) -> None:
    report = groups.add_parser(
        "report",
        help="per rep and per source: response times in business hours, SLA, outcomes",
        description="The inquiries received in a period (default: the last 30 days), per rep: "
        "assigned, answered, first-response time in the team's business hours (median and p90), "
        "the team's SLA met, open now, won and lost; and per channel, country and topic. Spam is "
        "left out.",
    )
    report.add_argument("--team", help="only this team's inquiries (its key, as in the routing YAML)")
    report.add_argument("--since", type=parse_date, help="first day received, UTC (default: 30 days ago)")
    report.add_argument("--until", type=parse_date, help="last day received, UTC (default: today)")
    output = report.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print JSON for scripts")
    output.add_argument("--csv", action="store_true", help="one row per inquiry, for a spreadsheet")
    report.set_defaults(run=print_report)


def print_report(args: argparse.Namespace) -> int:
    target = resolve_target(args)
    client = target.dynamodb()
    now = datetime.now(UTC)
    until = datetime.combine(args.until, time.max, tzinfo=UTC) if args.until else now
    since = (
        datetime.combine(args.since, time.min, tzinfo=UTC)
        if args.since
        else datetime.combine((now - timedelta(days=DEFAULT_DAYS)).date(), time.min, tzinfo=UTC)
    )
    if since > until:
        raise TargetError(f"--since {since:%Y-%m-%d} is after --until {until:%Y-%m-%d}")
    config = load_routing_config(client, target.table_name)
    teams = {team.key: team for team in config.teams} if config else {}
    if args.team and args.team not in teams:
        known = ", ".join(sorted(teams)) or "none yet (`inquiry-router config apply`)"
        raise TargetError(f"no team {args.team!r}: the teams are {known}")
    inquiries = inquiries_received_between(client, target.table_name, since, min(until, now))
    reps = {rep.email: rep for rep in config.reps} if config else {}
    report = build_report(inquiries, teams, since, min(until, now), args.team, reps=reps)
    if args.json:
        print_json(asdict(report))
    elif args.csv:
        _print_csv(report)
    else:
        _print_text(report)
    return 0


def _print_csv(report: Report) -> None:
    writer = csv.writer(sys.stdout)
    writer.writerow([f.name for f in fields(InquiryFigures)])
    for row in report.inquiries:
        writer.writerow(["" if v is None else v for v in asdict(row).values()])


def _print_text(report: Report) -> None:
    scope = f", team {report.team}" if report.team else ""
    print(f"Inquiries received {report.since[:10]} to {report.until[:10]}{scope}: {len(report.inquiries)}")
    if not report.inquiries:
        return
    print()
    print_table(
        [
            (
                r.owner_email,
                r.assigned,
                r.responded,
                _hours(r.first_response_median_hours),
                _hours(r.first_response_p90_hours),
                "-" if r.sla_met_percent is None else f"{r.sla_met_percent:g} %",
                r.open_now,
                r.won,
                r.lost,
            )
            for r in report.reps
        ],
        ["owner", "assigned", "answered", "1st answer median", "p90", "SLA met", "open", "won", "lost"],
    )
    print("\n(first answers in the team's business hours)")
    for dimension in ("channel", "country", "topic"):
        print()
        rows = [(s.value, s.inquiries, s.won) for s in report.sources if s.dimension == dimension]
        print_table(rows, [dimension, "inquiries", "won"])


def _hours(value: float | None) -> str:
    return "-" if value is None else f"{value:g} h"
