"""`inquiry-router local up`: run the whole pipeline on an embedded local stack."""

from __future__ import annotations

import argparse
from typing import Any


def register(groups: Any) -> None:
    group = groups.add_parser("local", help="the embedded local stack (`make local`)")
    commands = group.add_subparsers(dest="command", metavar="COMMAND", required=True)
    up = commands.add_parser("up", help="start the local stack in the foreground; Ctrl-C stops it")
    up.set_defaults(run=start_local_stack)


def start_local_stack(_: argparse.Namespace) -> int:
    raise SystemExit("the local stack is being built: see inquiry_router/local/")
