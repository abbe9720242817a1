"""`inquiry-router dlq list [--queue mail|router] [--json]` and `dlq redrive --queue mail [--yes]`.

The mail dead-letter queue holds mail jobs the mailer gave up on; the router's holds Lambda's
on-failure records of stream batches that could not be routed (the records point at the stream,
they do not carry the inquiries).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from inquiry_router.cli.dead_letters import DeadLetter, move_all, peek, waiting_count
from inquiry_router.cli.output import print_json, print_table
from inquiry_router.cli.prompts import confirm
from inquiry_router.cli.target import resolve_target

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

DEAD_LETTER_OUTPUTS = {"mail": "MailDeadLetterQueueUrl", "router": "RouterDeadLetterQueueUrl"}
TITLES = {"mail": "mail dead-letter queue", "router": "router dead-letter queue"}


def register(groups: Any) -> None:
    group = groups.add_parser("dlq", help="inspect and redrive the dead-letter queues")
    commands = group.add_subparsers(dest="command", metavar="COMMAND", required=True)
    listing = commands.add_parser("list", help="show dead letters without taking them off the queue")
    listing.add_argument("--queue", choices=sorted(DEAD_LETTER_OUTPUTS), help="one queue (default: both)")
    listing.add_argument("--limit", type=int, default=100, help="at most this many per queue (default 100)")
    listing.add_argument("--json", action="store_true", help="print JSON for scripts")
    listing.set_defaults(run=list_dead_letters)
    redrive = commands.add_parser("redrive", help="move dead letters back to be processed again")
    redrive.add_argument("--queue", choices=sorted(DEAD_LETTER_OUTPUTS), required=True)
    redrive.add_argument("--yes", action="store_true", help="redrive without asking")
    redrive.set_defaults(run=redrive_dead_letters)


def list_dead_letters(args: argparse.Namespace) -> int:
    target = resolve_target(args)
    sqs: SQSClient = target.client("sqs")
    queues = [args.queue] if args.queue else list(DEAD_LETTER_OUTPUTS)
    urls = {queue: target.output(DEAD_LETTER_OUTPUTS[queue]) for queue in queues}
    found = {queue: peek(sqs, url, args.limit) for queue, url in urls.items()}
    if args.json:
        print_json({queue: [letter.as_json() for letter in letters] for queue, letters in found.items()})
        return 0
    for number, (queue, letters) in enumerate(found.items()):
        if number:
            print()
        if not letters:
            print(f"The {TITLES[queue]} is empty.")
            continue
        print(f"The {TITLES[queue]} holds {len(letters)} message(s) (listing counts as one receive):")
        if queue == "mail":
            _print_mail_jobs(letters)
        else:
            _print_router_failures(letters)
    return 0


def redrive_dead_letters(args: argparse.Namespace) -> int:
    if args.queue == "router":
        print(
            "inquiry-router: router failures are redriven by rerouting their inquiries: "
            "use `inquiry-router inquiries reroute`",
            file=sys.stderr,
        )
        return 2
    target = resolve_target(args)
    sqs: SQSClient = target.client("sqs")
    dead_letters, mail_queue = target.output("MailDeadLetterQueueUrl"), target.output("MailQueueUrl")
    waiting = waiting_count(sqs, dead_letters)
    if not waiting:
        print("The mail dead-letter queue is empty: nothing to redrive.")
        return 0
    question = f"Move {waiting} message(s) from the mail dead-letter queue back to the mail queue?"
    if not args.yes and not confirm(question, without_terminal="not redriven: pass --yes without a terminal"):
        print("Nothing moved.")
        return 1
    result = move_all(sqs, dead_letters, mail_queue)
    print(
        f"Moved {result.moved} message(s) back to the mail queue; "
        "jobs that were sent after all are skipped by the mailer."
    )
    if result.failed:
        stayed = f"{result.failed} could not be sent; they stay in the dead-letter queue"
        print(f"inquiry-router: {stayed}", file=sys.stderr)
        return 1
    return 0


def _print_mail_jobs(letters: list[DeadLetter]) -> None:
    rows = []
    for letter in letters:
        job = letter.record() or {}
        about = job.get("inquiry_id") if job else f"unreadable: {letter.body[:60]}"
        rows.append((_when(letter.sent_at), letter.receive_count, job.get("kind"), about, job.get("job_id")))
    print_table(rows, ["first sent (UTC)", "receives", "kind", "inquiry", "job id"])


def _print_router_failures(letters: list[DeadLetter]) -> None:
    rows = []
    for letter in letters:
        record = letter.record() or {}
        request, response = record.get("requestContext", {}), record.get("responseContext", {})
        batch = record.get("DDBStreamBatchInfo", {})
        rows.append(
            (
                _when(record.get("timestamp") or letter.sent_at),
                request.get("condition") or f"unreadable: {letter.body[:60]}",
                response.get("functionError"),
                batch.get("batchSize"),
                _when(batch.get("approximateArrivalOfFirstRecord")),
                batch.get("startSequenceNumber"),
            )
        )
    headers = ["failed (UTC)", "condition", "error", "records", "first arrived (UTC)", "from sequence"]
    print_table(rows, headers)


def _when(iso: str | None) -> str | None:
    return iso[:19].replace("T", " ") if iso else None
