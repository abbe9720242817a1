"""Inbound mail from the command line.

- `mail inspect FILE.eml [--json]`: how the inbound function would read and screen a message.
  Reads the file only: no AWS, no store. What only the store can tell (is this Message-ID or
  reference ours? was this bounced message sent by us, to that address?) is said as a condition.
- `mail replay FILE.eml [--to ADDRESS]`: hand a message to the local stack's inbound function as
  SES would (the raw object in the local bucket, the receipt event to the function).
- `mail list [--decision D]` and `mail show ID`: what was received and decided, with fresh
  download links to the original and its attachments.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

from inquiry_router.inbound.triage import DecisionKind
from inquiry_router_admin.cli.output import print_json
from inquiry_router_admin.cli.target import TargetError

if TYPE_CHECKING:
    from inquiry_router.inbound.parse import ParsedMail
    from inquiry_router.inbound.triage import Decision

DEFAULT_COMPANY_DOMAIN = "example.com"
DECISIONS: tuple[str, ...] = get_args(DecisionKind)
LINK_HOURS = 24


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

    replay = commands.add_parser(
        "replay", help="receive a raw message (.eml) in the local stack, as SES would deliver it"
    )
    replay.add_argument("file", type=Path, metavar="FILE", help="the raw message")
    replay.add_argument(
        "--to",
        action="append",
        default=[],
        dest="recipients",
        metavar="ADDRESS",
        help="an envelope recipient (repeatable; default: the message's To and Cc)",
    )
    replay.add_argument("--json", action="store_true", help="print JSON for scripts")
    replay.set_defaults(run=replay_message)

    listing = commands.add_parser("list", help="received mail and its decision, newest first")
    listing.add_argument(
        "--decision", choices=DECISIONS, help="only this decision (default: all), e.g. spam to review"
    )
    listing.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    listing.add_argument("--json", action="store_true", help="print JSON for scripts")
    listing.set_defaults(run=list_received)

    show = commands.add_parser("show", help="one received message: decision, text, download links")
    show.add_argument("message_id", metavar="ID", help="the SES message id (from `mail list`)")
    show.add_argument("--json", action="store_true", help="print JSON for scripts")
    show.set_defaults(run=show_received)

    release = commands.add_parser(
        "release",
        help="make a screened-out message (spam, automated, spoofed...) an inquiry after all",
        description="For a buyer's mail that screening got wrong: it is stored, assigned and "
        "acknowledged like any new mail. Running it twice creates one inquiry.",
    )
    release.add_argument("message_id", metavar="ID", help="the SES message id (from `mail list`)")
    release.set_defaults(run=release_received)


@dataclass(frozen=True, slots=True)
class Inspection:
    """What screening decided about a file, and what the inbound function would then do, as far as
    it can be told without the store: a thread or a bounce depends on what we sent."""

    parsed: ParsedMail
    screened: Decision
    company_domains: tuple[str, ...]

    @property
    def decision(self) -> str:
        # Without the store a thread cannot be confirmed; an unconfirmed one becomes a new inquiry.
        return "new_inquiry" if self.screened.decision == "thread_reply" else self.screened.decision

    @property
    def reason(self) -> str:
        if self.screened.decision == "thread_reply":
            return "no sign of a robot or a rep's log; " + (self.would_thread or "")
        return self.screened.reason

    @property
    def would_thread(self) -> str | None:
        if self.screened.decision != "thread_reply":
            return None
        if self.screened.reference:
            named = f"inquiry {self.screened.reference} (named in the subject) is ours"
        else:
            named = f"the Message-ID {self._our_looking_id()} is ours"
        return f"would thread if {named} (the store was not consulted)"

    @property
    def bounce_condition(self) -> str | None:
        """A bounce suppresses only addresses a message we sent went to (the MSGID index says)."""
        if self.screened.decision != "bounce" or not self.screened.recipients:
            return None
        who = ", ".join(self.screened.recipients)
        ids = self.screened.reported_message_ids
        if not ids:
            return f"names no original Message-ID: it will not be trusted, {who} not suppressed"
        return (
            f"suppresses {who} only if {', '.join(ids[:3])} is a message we sent to them; "
            "the store was not consulted"
        )

    def _our_looking_id(self) -> str:
        domains = [d.lower() for d in self.company_domains]
        for message_id in (*self.parsed.in_reply_to, *self.parsed.references):
            domain = message_id.strip("<>").rpartition("@")[2].lower()
            if any(domain == d or domain.endswith(f".{d}") for d in domains):
                return message_id
        return "it answers"


def inspect_raw(
    raw: bytes,
    *,
    company_domains: Collection[str],
    log_address: str | None = None,
    envelope_recipients: Collection[str] = (),
) -> Inspection:
    """How the inbound function reads and screens `raw`, without AWS or the store."""
    from inquiry_router.inbound.parse import parse_message
    from inquiry_router.inbound.triage import screen

    parsed = parse_message(raw)
    screened = screen(
        parsed,
        company_domains=company_domains,
        log_address=log_address,
        envelope_recipients=envelope_recipients,
    )
    return Inspection(parsed, screened, tuple(company_domains))


def inspect_message(args: argparse.Namespace) -> int:
    try:
        raw = args.file.read_bytes()
    except OSError as error:
        raise TargetError(f"cannot read {args.file}: {error.strerror or error}") from None
    inspection = inspect_raw(
        raw,
        company_domains=args.company_domains or _environment_domains(),
        log_address=args.log_address or os.environ.get("REPLY_BCC_ADDRESS") or None,
        envelope_recipients=args.recipients,
    )
    parsed, decision = inspection.parsed, inspection.screened
    if args.json:
        print_json(
            {
                "decision": inspection.decision,
                "reason": inspection.reason,
                "would_thread": inspection.would_thread,
                "bounce_condition": inspection.bounce_condition,
                "store_consulted": False,
                "reference": decision.reference,
                "recipients": list(decision.recipients),
                "reported_message_ids": list(decision.reported_message_ids),
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
        ("Decision", f"{inspection.decision}: {inspection.reason}"),
    ]
    if inspection.bounce_condition:
        rows.append(("Trust", inspection.bounce_condition))
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


def replay_message(args: argparse.Namespace) -> int:
    """Store the message under raw/<id> in the local bucket and invoke the inbound function with
    SES's receipt event, waiting for its decision (SES invokes it asynchronously; here the answer
    is worth waiting for)."""
    import json
    import uuid
    from datetime import UTC, datetime

    from inquiry_router.inbound.parse import parse_message
    from inquiry_router.inbound.receipt import receipt_event
    from inquiry_router_admin.cli.target import local_target

    try:
        raw = args.file.read_bytes()
    except OSError as error:
        raise TargetError(f"cannot read {args.file}: {error.strerror or error}") from None
    target = local_target()
    bucket = target.output("RawMailBucketName")
    parsed = parse_message(raw)
    recipients = [r.lower() for r in args.recipients] or [a.address for a in (*parsed.to, *parsed.cc)]
    message_id = uuid.uuid4().hex  # SES's ids are opaque lower-case tokens too
    target.client("s3").put_object(Bucket=bucket, Key=f"raw/{message_id}", Body=raw)
    event = receipt_event(message_id, recipients=recipients, received_at=datetime.now(UTC))
    function = target.outputs.get("InboundFunctionName") or "InboundFunction"
    answer = target.lambda_client().invoke(FunctionName=function, Payload=json.dumps(event).encode())
    payload = json.loads(answer["Payload"].read() or b"null")
    if answer.get("FunctionError"):
        message = payload.get("errorMessage") if isinstance(payload, dict) else payload
        raise TargetError(f"the inbound function failed on {args.file}: {message} (see the `make local` log)")
    if args.json:
        print_json({"ses_message_id": message_id, **payload})
    else:
        print(f"{'Stored:':<10}s3://{bucket}/raw/{message_id}")
        print(f"{'Decision:':<10}{payload.get('decision')}: {payload.get('reason')}")
        if payload.get("reference"):
            print(f"{'Inquiry:':<10}{payload['reference']}")
    return 0


def list_received(args: argparse.Namespace) -> int:
    from inquiry_router.adapters.queries import received_mail_by_decision
    from inquiry_router_admin.cli.output import print_table
    from inquiry_router_admin.cli.target import resolve_target

    target = resolve_target(args)
    client = target.dynamodb()
    decisions = [args.decision] if args.decision else list(DECISIONS)
    found = [
        m for d in decisions for m in received_mail_by_decision(client, target.table_name, d, args.limit)
    ]
    items = sorted(found, key=lambda m: m.received_at, reverse=True)[: args.limit]
    if args.json:
        print_json([m.to_item() for m in items])
        return 0
    if not items:
        print(f"No received mail{' with decision ' + args.decision if args.decision else ''}.")
        return 0
    rows = [
        (
            m.received_at[:16].replace("T", " "),
            m.id,
            m.decision,
            m.reference or "",
            m.sender.address if m.sender else None,
            m.reason,
        )
        for m in items
    ]
    print_table(rows, ["received (UTC)", "id", "decision", "inquiry", "from", "why"])
    return 0


def show_received(args: argparse.Namespace) -> int:
    from inquiry_router.adapters.queries import received_mail
    from inquiry_router.mail.links import MailLinks
    from inquiry_router_admin.cli.target import resolve_target

    target = resolve_target(args)
    mail = received_mail(target.dynamodb(), target.table_name, args.message_id)
    if mail is None:
        raise TargetError(f"no received mail {args.message_id!r}: `inquiry-router mail list` shows the ids")
    links = MailLinks(target.client("s3"), target.output("RawMailBucketName"), LINK_HOURS)
    original = links.original(mail.raw_mail_key, mail.attachments, reference=args.message_id)
    if args.json:
        print_json(
            {
                **mail.to_item(),
                "original_url": original.original_url,
                "attachment_urls": [a.url for a in original.attachments],
            }
        )
        return 0
    sender = mail.sender
    rows = [
        ("Received", mail.received_at),
        ("From", f"{sender.name or ''} <{sender.address}>".strip() if sender else "-"),
        ("To", ", ".join(a.address for a in mail.to) or "-"),
        ("Subject", mail.subject or "-"),
        ("Decision", f"{mail.decision}: {mail.reason}"),
        ("Inquiry", mail.reference or "-"),
        ("Original", original.original_url or "-"),
    ]
    for label, value in rows:
        print(f"{label + ':':<10}{value}")
    for attachment in original.attachments:
        print(f"{'Attached:':<10}{attachment.name} ({attachment.size} bytes): {attachment.url or 'inline'}")
    print(f"{'':<10}(links valid for {LINK_HOURS} hours)")
    print()
    print(mail.text or "(no text)")
    return 0


RELEASABLE = ("spam", "automated", "spoofed", "quarantine", "rep_log", "bounce")


def release_received(args: argparse.Namespace) -> int:

    from inquiry_router.adapters.config_store import load_routing_config
    from inquiry_router.adapters.inbound_records import InboundRecords
    from inquiry_router.adapters.intake_write import IntakeWriter
    from inquiry_router.adapters.queries import received_mail
    from inquiry_router.adapters.raw_mail import RawMailStore
    from inquiry_router.inbound.processing import InboundProcessor
    from inquiry_router.inbound.receipt import SesReceipt
    from inquiry_router.models.settings import PipelineSettings
    from inquiry_router_admin.cli.target import resolve_target

    target = resolve_target(args)
    client = target.dynamodb()
    mail = received_mail(client, target.table_name, args.message_id)
    if mail is None:
        raise TargetError(f"no received mail {args.message_id!r}: `inquiry-router mail list` shows the ids")
    decision = mail.decision
    if decision == "new_inquiry" and mail.reference:
        # Released before (or an inquiry from the start): running it again changes nothing.
        print(f"{args.message_id} is inquiry {mail.reference} already: nothing to release.")
        return 0
    if decision not in RELEASABLE:
        raise TargetError(
            f"{args.message_id} was decided {decision}, not screened out: only {', '.join(RELEASABLE)} "
            "can be released"
        )
    bucket = target.output("RawMailBucketName")
    domains = [d for d in target.output("CompanyDomains").split(",") if d]
    settings = PipelineSettings(table_name=target.table_name, company_domains=domains, raw_mail_bucket=bucket)

    def no_mail_jobs(jobs: Any) -> None:  # a new inquiry's mails follow from the router
        raise AssertionError(f"releasing a message queues no mail itself: {jobs}")

    processor = InboundProcessor(
        records=InboundRecords(client, target.table_name),
        raw_mail=RawMailStore(
            target.client("s3"), bucket, settings.raw_mail_prefix, settings.attachment_prefix
        ),
        writer=IntakeWriter(client, target.table_name),
        enqueue=no_mail_jobs,
        settings=settings,
        load_config=lambda: load_routing_config(client, target.table_name),
    )
    receipt = SesReceipt(
        message_id=args.message_id, received_at=mail.received_moment, recipients=mail.recipients
    )
    outcome = processor.release(receipt, decision)
    if outcome.decision != "new_inquiry":
        raise TargetError(f"{args.message_id} cannot become an inquiry: {outcome.reason}")
    print(f"{args.message_id} is inquiry {outcome.reference}; it is assigned and acknowledged as usual.")
    return 0
