"""`inquiry-router doctor [--json] [--resolver IP[:PORT]]`: the mail setup checked against DNS and
AWS, each problem with the record to publish or the command to run (inquiry_router_admin/doctor/).

Exit status: 0 when nothing is a problem (warnings allowed), 1 when something is, 2 when the
doctor could not run (no credentials, no stack)."""

from __future__ import annotations

import argparse
import shutil
import textwrap
from typing import Any

from inquiry_router_admin.cli.output import print_json
from inquiry_router_admin.cli.target import TargetError, resolve_target
from inquiry_router_admin.doctor.aws_answers import DoctorCannotRun, ask_aws, stack_facts
from inquiry_router_admin.doctor.diagnosis import diagnose
from inquiry_router_admin.doctor.dns_lookup import DnsResolver, DnsUnreachable, parse_nameserver
from inquiry_router_admin.doctor.results import Action, CheckResult, Command, Record, tally

_MARKS = {"ok": "ok", "warning": "warning", "problem": "PROBLEM"}


def register(groups: Any) -> None:
    doctor = groups.add_parser(
        "doctor",
        help="check DNS, SES and alarms; print the record or command that fixes each problem",
        description="Checks the sending domain's SPF, DKIM and DMARC, the MAIL FROM and inbound MX "
        "records, the SES identity and account (sandbox, quota), the active receipt rule set, the "
        "configuration set's EventBridge destination and the alarm subscription. Exit status 1 when "
        "anything is a problem (warnings alone give 0), 2 when it cannot run.",
    )
    doctor.add_argument(
        "--json", action="store_true", help="print a JSON list of {check, status, detail, fix}"
    )
    doctor.add_argument(
        "--resolver",
        metavar="IP[:PORT]",
        type=_nameserver,
        help="ask this DNS server (e.g. your domain's authoritative server) instead of the system's",
    )
    doctor.set_defaults(run=run_doctor)


def _nameserver(text: str) -> str:
    try:
        parse_nameserver(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def run_doctor(args: argparse.Namespace) -> int:
    target = resolve_target(args)
    try:
        facts = stack_facts(target, target.client)
        answers = ask_aws(facts, target.client)
        lookup = DnsResolver(args.resolver)
    except DoctorCannotRun as error:
        raise TargetError(str(error)) from None
    except DnsUnreachable as error:
        raise TargetError(f"{error}") from None
    results = diagnose(facts, answers, lookup)
    if args.json:
        print_json([result.to_dict() for result in results])
    else:
        print(f"inquiry-router doctor: {facts.sending_domain}, stack {facts.stack} in {facts.region}")
        print(f"DNS answers from {lookup.description}.\n")
        for result in results:
            _print_result(result)
        counted = tally(results)
        print(
            f"\n{counted.problems} problem{'s' if counted.problems != 1 else ''}, "
            f"{counted.warnings} warning{'s' if counted.warnings != 1 else ''}."
        )
    return 1 if tally(results).problems else 0


def _print_result(result: CheckResult) -> None:
    """The verdict wrapped to the terminal; the fix on lines of its own, never wrapped, to copy."""
    head = f"{_MARKS[result.status]:<8} {result.check:<19} "
    width = max(60, shutil.get_terminal_size((100, 20)).columns)
    print(
        textwrap.fill(
            result.detail,
            width,
            initial_indent=head,
            subsequent_indent=" " * len(head),
            break_long_words=False,
            break_on_hyphens=False,
        )
    )
    fix = result.fix
    indent = " " * 9
    if isinstance(fix, Record):
        print(f"{indent}publish: {fix.zone_line()}")
        for value in fix.remove:
            print(f"{indent}remove:  {Record(fix.name, fix.type, value).zone_line()}")
    elif isinstance(fix, Command):
        print(f"{indent}run:     {fix.command}")
    elif isinstance(fix, Action):
        print(f"{indent}do:      {fix.text}")
