"""Entry point of `inquiry-router`. Each command group lives in its own module with a `register()`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from inquiry_router.cli import (
    config_commands,
    contacts,
    dlq,
    inquiries,
    local_commands,
    mail_commands,
    openapi_command,
    reps,
)
from inquiry_router.cli.target import TargetError

COMMAND_GROUPS = (
    local_commands,
    config_commands,
    reps,
    inquiries,
    contacts,
    dlq,
    mail_commands,
    openapi_command,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="inquiry-router",
        description="Administer an inquiry-router stack: the deployed one (AWS credentials and region "
        "as usual) or the local one started by `make local`.",
    )
    parser.add_argument("--stack", help="CloudFormation stack name (default: from samconfig.toml)")
    parser.add_argument("--region", help="AWS region (default: your AWS configuration)")
    parser.add_argument(
        "--local",
        action="store_true",
        help="talk to the local stack (`make local`); also implied by AWS_ENDPOINT_URL",
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
