"""`inquiry-router local up`: run the whole pipeline on an embedded local stack, in the foreground."""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from inquiry_router_admin.cli import ses_event_command

if TYPE_CHECKING:
    from inquiry_router_admin.local import LocalStack
    from inquiry_router_admin.local.schedules import ScheduleMapping

DEFAULT_API_PORT = 3000
DEFAULT_AWS_PORT = 4566
DEFAULT_STATE_DIR = ".local"
EXAMPLE_EMAIL = "ana@importadora-sol.example"


def register(groups: Any) -> None:
    group = groups.add_parser("local", help="the embedded local stack (`make local`)")
    commands = group.add_subparsers(dest="command", metavar="COMMAND", required=True)
    up = commands.add_parser(
        "up",
        help="start the local stack in the foreground; Ctrl-C stops it",
        description="Run template.yaml on this machine: an embedded AWS endpoint (moto), the tables and "
        "queues of the template, the HTTP API and every function, with no AWS account.",
    )
    up.add_argument("--api-port", type=int, default=DEFAULT_API_PORT, help="HTTP API port (default 3000)")
    up.add_argument("--aws-port", type=int, default=DEFAULT_AWS_PORT, help="AWS endpoint port (default 4566)")
    up.add_argument(
        "--state-dir",
        type=Path,
        default=Path(DEFAULT_STATE_DIR),
        help="where stack.json and the outbox go (default .local)",
    )
    up.add_argument(
        "--template", type=Path, help="the SAM template (default: template.yaml in the project root)"
    )
    up.add_argument("--project-root", type=Path, default=Path(), help="the repository (default: here)")
    up.add_argument(
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a stack parameter, e.g. --parameter CompanyName='Sunrise Lighting' (repeatable)",
    )
    up.add_argument(
        "--routing-config",
        metavar="FILE",
        help="routing YAML applied once the stack is up (default: routing.example.yaml in the project "
        "root; '' applies none)",
    )
    up.add_argument(
        "--schedules-every",
        type=float,
        metavar="SECONDS",
        help="run every schedule (the five-minute SLA timer, the daily recount) this often instead of "
        "its expression: to watch reminders and snoozes without waiting",
    )
    up.set_defaults(run=start_local_stack)
    ses_event_command.register(commands)


def start_local_stack(args: argparse.Namespace) -> int:
    from inquiry_router_admin.local import LocalStack, LocalStackError

    try:
        overrides = dict(_parameter(p) for p in args.parameter)
    except ValueError as error:
        print(f"inquiry-router: {error}", file=sys.stderr)
        return 2
    stack = LocalStack(
        args.project_root,
        template=args.template,
        state_dir=args.state_dir,
        api_port=args.api_port,
        aws_port=args.aws_port,
        parameters=overrides,
        schedules_every=args.schedules_every,
    )
    try:
        stack.start()
    except LocalStackError as error:
        print(f"inquiry-router: cannot start the local stack: {error}", file=sys.stderr)
        return 1
    stop = threading.Event()
    previous_handlers = _stop_on_signals(stop)
    try:
        routing = _apply_routing_config(stack, args)
        _print_welcome(stack, args, routing)
        while not stop.wait(0.5):
            pass
    finally:
        print("Stopping the local stack...", flush=True)
        stack.stop()
        for number, handler in previous_handlers.items():
            signal.signal(number, handler)
    print("Stopped.", flush=True)
    return 0


def _apply_routing_config(stack: LocalStack, args: argparse.Namespace) -> str:
    """Apply the example (or chosen) routing config, so a newcomer sees round robin at once.
    A config that does not fit the stack (e.g. other CompanyDomains) is reported, not fatal."""
    from inquiry_router.adapters.config_store import apply_config
    from inquiry_router_admin.cli.config_commands import read_config_file
    from inquiry_router_admin.cli.target import TargetError, local_target

    if args.routing_config == "":
        return "none applied (--routing-config '')"
    path = Path(args.routing_config) if args.routing_config else args.project_root / "routing.example.yaml"
    if not path.exists():
        return f"none applied ({path} does not exist)"
    target = local_target(stack.state_dir)
    try:
        config = read_config_file(path, target)
    except TargetError as error:
        print(f"note: routing config not applied: {error}", file=sys.stderr, flush=True)
        return f"none applied ({path} is not valid for this stack, see above)"
    apply_config(target.dynamodb(), target.table_name, config, datetime.now(UTC))
    teams = ", ".join(f"{t.key} ({sum(t.key in r.teams for r in config.reps)} reps)" for t in config.teams)
    return f"{path}: {teams}"


def _parameter(text: str) -> tuple[str, str]:
    name, separator, value = text.partition("=")
    if not separator or not name:
        raise ValueError(f"--parameter {text!r}: write NAME=VALUE")
    return name, value


def _stop_on_signals(stop: threading.Event) -> dict[int, Any]:
    """Ctrl-C and SIGTERM end the wait loop, so the stack stops cleanly and the command exits 0.

    Returns the handlers it replaced, to put back afterwards.
    """

    def request_stop(signal_number: int, frame: FrameType | None) -> None:
        stop.set()

    return {number: signal.signal(number, request_stop) for number in (signal.SIGINT, signal.SIGTERM)}


def _print_welcome(stack: LocalStack, args: argparse.Namespace, routing: str) -> None:
    cli = _cli_prefix(stack, args)
    body = (
        '{"name": "Ana García", "email": "' + EXAMPLE_EMAIL + '", "message": "Please quote 500 LED panels."}'
    )
    lines = [
        *(f"note: {note}" for note in stack.notes),
        "",
        "The local stack is up.",
        f"  API           {stack.api_url}  (POST /inquiries)",
        f"  Contact form  {stack.form_url}",
        f"  AWS endpoint  {stack.endpoint_url}  (region {stack.region}, fake credentials)",
        f"  State         {stack.state_dir}  (stack.json, outbox/)",
        f"  Routing       {routing}",
        *(f"  Schedule      {s.function_id}: {_every(s, args)}" for s in stack.schedules),
        "",
        "Try:",
        f"  curl -i {stack.api_url}/inquiries -H 'Content-Type: application/json' \\",
        f"       -d {shlex.quote(body)}",
        f"  open {stack.form_url} in a browser and send the form",
        f"  {cli} inquiries list --status assigned",
        f"  ls {stack.state_dir / 'outbox'}   # the acknowledgement and the rep's notification",
        f"  {cli} reps list",
        f"  {cli} contacts show {EXAMPLE_EMAIL}",
        f"  {cli} local ses-event bounce INQ-…   # SES says the acknowledgement bounced",
        "",
        "Ctrl-C stops everything.",
    ]
    print("\n".join(lines), flush=True)


def _every(schedule: ScheduleMapping, args: argparse.Namespace) -> str:
    every = args.schedules_every
    return f"every {every:g} s (--schedules-every)" if every else schedule.expression


def _cli_prefix(stack: LocalStack, args: argparse.Namespace) -> str:
    """How to point the CLI at this stack: `--local` finds it through the state dir's stack.json."""
    program = ".venv/bin/inquiry-router" if Path(".venv/bin/inquiry-router").exists() else "inquiry-router"
    if stack.state_dir == Path(DEFAULT_STATE_DIR).resolve():
        return f"{program} --local"
    return f"INQUIRY_ROUTER_LOCAL_DIR={shlex.quote(str(stack.state_dir))} {program} --local"
