"""`inquiry-router mail inspect FILE.eml [--json]`: how the inbound function would read and screen a
message. Reads the file only: no AWS, no store.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from inquiry_router.cli.output import print_json
from inquiry_router.cli.target import TargetError

DEFAULT_COMPANY_DOMAIN = "example.com"


def register(groups: Any) -> None:
    group = groups.add_parser("mail", help="look at inbound mail the way the stack reads it")
    commands = group.add_subparsers(dest="command", metavar="COMMAND", required=True)
    inspect = commands.add_parser("inspect", help="parse and screen a raw message (.eml) without sending it")
    inspect.add_argument("file", type=Path, metavar="FILE", help="the raw message, e.g. saved from S3")
    inspect.add_argument("--json", action="store_true", help="print JSON for scripts")
    inspect.add_argument(
        "--company-domain",
        action="append",
        dest="company_domains",
        metavar="DOMAIN",
        help="a domain of the company (repeatable; default: $COMPANY_DOMAINS or example.com)",
    )
    inspect.add_argument(
        "--log-address", help="the address reps BCC to log replies (default: $REPLY_BCC_ADDRESS)"
    )
    inspect.add_argument(
        "--recipient",
        action="append",
        default=[],
        dest="recipients",
        metavar="ADDRESS",
        help="an envelope recipient, as SES's receipt lists it; BCC'd addresses appear only there",
    )
    inspect.set_defaults(run=inspect_message)


def inspect_message(args: argparse.Namespace) -> int:
    from inquiry_router.inbound.parse import parse_message
    from inquiry_router.inbound.screening import screen

    try:
        raw = args.file.read_bytes()
    except OSError as error:
        raise TargetError(f"cannot read {args.file}: {error.strerror or error}") from None
    parsed = parse_message(raw)
    decision = screen(
        parsed,
        company_domains=args.company_domains or _environment_domains(),
        log_address=args.log_address or os.environ.get("REPLY_BCC_ADDRESS") or None,
        envelope_recipients=args.recipients,
    )
    if args.json:
        print_json(
            {
                "decision": decision.decision,
                "reason": decision.reason,
                "reference": decision.reference,
                "recipients": list(decision.recipients),
                "message": parsed.as_json(),
            }
        )
        return 0
    sender = parsed.from_address
    rows = [
        ("From", f"{sender.name} <{sender.address}>".strip() if sender else "-"),
        ("To", ", ".join(a.address for a in parsed.to) or "-"),
        ("Cc", ", ".join(a.address for a in parsed.cc) or "-"),
        ("Subject", parsed.subject or "-"),
        ("Language", parsed.language or "unknown"),
        ("Decision", f"{decision.decision}: {decision.reason}"),
    ]
    for label, value in rows:
        print(f"{label + ':':<10}{value}")
    for attachment in parsed.attachments:
        inline = ", inline" if attachment.inline else ""
        described = f"{attachment.content_type}, {attachment.size} bytes{inline}"
        print(f"{'Attached:':<10}{attachment.name} ({described})")
    for problem in parsed.charset_problems:
        print(f"{'Problem:':<10}{problem}")
    print()
    print(parsed.text or "(no text)")
    return 0


def _environment_domains() -> list[str]:
    domains = [d.strip().lower() for d in os.environ.get("COMPANY_DOMAINS", "").split(",") if d.strip()]
    return domains or [DEFAULT_COMPANY_DOMAIN]
