"""Entry point of `inquiry-router`. Each command group lives in its own module with a `register()`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from inquiry_router_admin.cli import (
    config_commands,
    contacts,
    dlq_commands,
    doctor_command,
    inquiries,
    local_commands,
    mail_commands,
    openapi_command,
    report_command,
    reps,
)
from inquiry_router_admin.cli.target import TargetError

COMMAND_GROUPS = (
    local_commands,
    config_commands,
    reps,
    inquiries,
    contacts,
    report_command,
    dlq_commands,
    mail_commands,
    doctor_command,
    openapi_command,
)


class CommandParser(argparse.ArgumentParser):
    """Every parser of the tree takes the global options, so `inquiry-router inquiries list --local`
    works as well as `inquiry-router --local inquiries list`.

    Sub-commands inherit this class (argparse builds subparsers with the parent's class). Below the
    root the options default to SUPPRESS: a sub-command that is not given one leaves the value
    parsed before it (or the root's default) in place instead of resetting it.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        below_root: dict[str, Any] = {} if self.prog == PROG else {"default": argparse.SUPPRESS}
        options = self.add_argument_group("global options")
        options.add_argument(
            "--stack", help="CloudFormation stack name (default: from samconfig.toml)", **below_root
        )
        options.add_argument("--region", help="AWS region (default: your AWS configuration)", **below_root)
        options.add_argument(
            "--local",
            action="store_true",
            help="talk to the local stack (`make local`); also implied by AWS_ENDPOINT_URL",
            **below_root,
        )


PROG = "inquiry-router"


def build_parser() -> argparse.ArgumentParser:
    parser = CommandParser(
        prog=PROG,
        description="Administer an inquiry-router stack: the deployed one (AWS credentials and region "
        "as usual) or the local one started by `make local`.",
    )
    groups = parser.add_subparsers(dest="group", metavar="COMMAND", required=True)
    for module in COMMAND_GROUPS:
        module.register(groups)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.run(args)
    except TargetError as error:
        print(f"inquiry-router: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return result


if __name__ == "__main__":
    sys.exit(main())
