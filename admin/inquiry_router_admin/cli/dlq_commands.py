"""`inquiry-router dlq list [--queue mail|router|inbound|feedback] [--json]`, `dlq redrive --queue Q`.

The mail dead-letter queue holds mail jobs the mailer gave up on; the router's holds Lambda's
on-failure records of stream batches that could not be routed (the records point at the stream,
they do not carry the inquiries: the redrive reads them back, or finds the inquiries in the
table once the stream no longer has them); the inbound one holds Lambda's on-failure records of SES receipt
events (the message itself stays in the raw mail bucket under raw/<SES message id>); the feedback
one holds SES sending events (bounces, complaints) the feedback function could not record.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from inquiry_router_admin.cli.dead_letter_queue import (
    DeadLetter,
    invoke_all,
    move_all,
    peek,
    settle_all,
    waiting_count,
)
from inquiry_router_admin.cli.output import print_json, print_table
from inquiry_router_admin.cli.prompts import confirm
from inquiry_router_admin.cli.target import Target, resolve_target

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

DEAD_LETTER_OUTPUTS = {
    "mail": "MailDeadLetterQueueUrl",
    "router": "RouterDeadLetterQueueUrl",
    "inbound": "InboundDeadLetterQueueUrl",
    "feedback": "FeedbackDeadLetterQueueUrl",
}
TITLES = {
    "mail": "mail dead-letter queue",
    "router": "router dead-letter queue",
    "inbound": "inbound mail dead-letter queue",
    "feedback": "feedback (SES sending events) dead-letter queue",
}


def register(groups: Any) -> None:
    group = groups.add_parser("dlq", help="inspect and redrive the dead-letter queues")
    commands = group.add_subparsers(dest="command", metavar="COMMAND", required=True)
    listing = commands.add_parser("list", help="show dead letters without taking them off the queue")
    listing.add_argument("--queue", choices=sorted(DEAD_LETTER_OUTPUTS), help="one queue (default: all)")
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
    if args.queue:
        urls = {args.queue: target.output(DEAD_LETTER_OUTPUTS[args.queue])}
    else:  # a stack deployed before a queue existed lists the queues it has
        urls = {queue: target.outputs[o] for queue, o in DEAD_LETTER_OUTPUTS.items() if o in target.outputs}
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
        elif queue == "router":
            _print_router_failures(letters)
        elif queue == "feedback":
            _print_sending_events(letters)
        else:
            _print_inbound_failures(letters)
    return 0


def redrive_dead_letters(args: argparse.Namespace) -> int:
    target = resolve_target(args)
    if args.queue == "router":
        return _redrive_router(args, target)
    if args.queue == "inbound":
        return _redrive_inbound(args, target)
    sqs: SQSClient = target.client("sqs")
    # The feedback queue's events are recorded once each (their timeline event is keyed by the
    # event), so moving them back is as safe as moving mail jobs back.
    queue = "feedback" if args.queue == "feedback" else "mail"
    source_output, queue_output = {
        "mail": ("MailDeadLetterQueueUrl", "MailQueueUrl"),
        "feedback": ("FeedbackDeadLetterQueueUrl", "FeedbackQueueUrl"),
    }[queue]
    dead_letters, back_to = target.output(source_output), target.output(queue_output)
    declined = _declined(
        args,
        sqs,
        dead_letters,
        queue,
        f"Move {{}} message(s) from the {queue} dead-letter queue back to the {queue} queue?",
    )
    if declined is not None:
        return declined
    result = move_all(sqs, dead_letters, back_to)
    settled = (
        "jobs that were sent after all are skipped by the mailer."
        if queue == "mail"
        else "events recorded after all are recognised and skipped."
    )
    print(f"Moved {result.moved} message(s) back to the {queue} queue; {settled}")
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


def _print_sending_events(letters: list[DeadLetter]) -> None:
    rows = []
    for letter in letters:
        event = letter.record() or {}
        detail = event.get("detail")
        mail = detail.get("mail") if isinstance(detail, dict) else None
        message_id = mail.get("messageId") if isinstance(mail, dict) else None
        about = event.get("detail-type") or f"unreadable: {letter.body[:60]}"
        rows.append((_when(letter.sent_at), letter.receive_count, about, message_id))
    print_table(rows, ["first sent (UTC)", "receives", "event", "SES message id"])


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


def _print_inbound_failures(letters: list[DeadLetter]) -> None:
    rows = []
    for letter in letters:
        record = letter.record() or {}
        request, response = record.get("requestContext", {}), record.get("responseContext", {})
        rows.append(
            (
                _when(record.get("timestamp") or letter.sent_at),
                request.get("condition") or f"unreadable: {letter.body[:60]}",
                request.get("approximateInvokeCount"),
                ses_message_id(record),
                _error(record.get("responsePayload")) or response.get("functionError"),
            )
        )
    print_table(rows, ["failed (UTC)", "condition", "attempts", "SES message id", "error"])


def ses_message_id(record: dict[str, Any]) -> str | None:
    """The SES message id of the receipt event an on-failure record carries (its raw/ key in S3)."""
    try:
        message_id = record["requestPayload"]["Records"][0]["ses"]["mail"]["messageId"]
    except (KeyError, IndexError, TypeError):
        return None
    return str(message_id)


def _error(payload: Any) -> str | None:
    """`ErrorType: message` from the function's error response (the table cuts it to the terminal)."""
    if not isinstance(payload, dict) or not payload.get("errorType"):
        return None
    message = payload.get("errorMessage")
    return f"{payload['errorType']}: {message}" if message else str(payload["errorType"])


def _declined(
    args: argparse.Namespace, sqs: SQSClient, queue_url: str, queue: str, question: str
) -> int | None:
    """The exit code when there is nothing to redrive (0) or the admin says no (1); None: go on.
    `question` has one {} for the number of dead letters waiting."""
    waiting = waiting_count(sqs, queue_url)
    if not waiting:
        print(f"The {queue} dead-letter queue is empty: nothing to redrive.")
        return 0
    refusal = "not redriven: pass --yes without a terminal"
    if not args.yes and not confirm(question.format(waiting), without_terminal=refusal):
        print("Nothing done.")
        return 1
    return None


def _redrive_inbound(args: argparse.Namespace, target: Target) -> int:
    """Invoke the inbound function again with each failed SES event; the raw message is still in
    S3 and processing is idempotent on the SES message id, so a message handled meanwhile is not
    handled twice."""
    sqs: SQSClient = target.client("sqs")
    dead_letters = target.output("InboundDeadLetterQueueUrl")
    declined = _declined(
        args, sqs, dead_letters, "inbound", "Hand {} failed message(s) back to the inbound function?"
    )
    if declined is not None:
        return declined
    functions = target.lambda_client()
    name = target.output("InboundFunctionName")

    def invoke(event: dict[str, Any]) -> None:
        functions.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps(event).encode())

    result = invoke_all(sqs, dead_letters, invoke)
    print(
        f"Handed {result.moved} message(s) back to the inbound function; "
        "what fails again returns to the dead-letter queue after its retries."
    )
    if result.failed:
        print(f"inquiry-router: {result.failed} could not be handed back; they stay", file=sys.stderr)
        return 1
    return 0


def _redrive_router(args: argparse.Namespace, target: Target) -> int:
    """Finish the inquiries of each failed stream batch (routing/redrive.py): read back from the
    stream while it keeps them, else found in the table; each letter is deleted once finished."""
    # Loaded only here: it brings the router along.
    from inquiry_router.adapters.assignment_write import AssignmentStore
    from inquiry_router.adapters.config_store import load_routing_config
    from inquiry_router.adapters.queues import enqueue_mail_jobs
    from inquiry_router.routing.redrive import InvalidDeadLetter, RouterRedrive, StreamBatchFailure
    from inquiry_router.routing.service import Router

    sqs: SQSClient = target.client("sqs")
    dead_letters = target.output("RouterDeadLetterQueueUrl")
    declined = _declined(
        args, sqs, dead_letters, "router", "Finish the inquiries of {} failed stream batch(es)?"
    )
    if declined is not None:
        return declined
    mail_queue = target.output("MailQueueUrl")
    dynamodb = target.dynamodb()
    config = load_routing_config(dynamodb, target.table_name)
    redrive = RouterRedrive(
        client=dynamodb,
        table=target.table_name,
        streams=target.client("dynamodbstreams"),
        router=Router(AssignmentStore(dynamodb, target.table_name), lambda: config),
        enqueue=lambda jobs: enqueue_mail_jobs(sqs, mail_queue, jobs),
    )
    checked, queued = 0, 0

    def finish(record: dict[str, Any]) -> bool:
        nonlocal checked, queued
        try:
            failure = StreamBatchFailure.from_record(record)
        except InvalidDeadLetter as error:
            print(f"inquiry-router: a dead letter stays: {error}", file=sys.stderr)
            return False
        try:
            report = redrive.finish(failure)
        except (ClientError, BotoCoreError) as error:  # AWS refused a read or a write: it stays, said
            print(f"inquiry-router: a dead letter stays: {error}", file=sys.stderr)
            return False
        source = (
            "read back from the stream"
            if report.found_by == "stream"
            else f"records no longer in the stream ({report.why_table}): found in the table"
        )
        print(f"Batch of {failure.size} record(s) from sequence {failure.first_sequence}, {source}:")
        if report.inquiries:
            rows = [(f.reference or f.inquiry_id, f.owner_email or "", f.summary) for f in report.inquiries]
            print_table(rows, ["inquiry", "owner", "done"])
        else:
            print("  no inquiry in it")
        checked += len(report.inquiries)
        queued += sum(len(f.queued) for f in report.inquiries)
        return report.complete

    result = settle_all(sqs, dead_letters, finish)
    print(
        f"Finished {result.moved} dead letter(s): {checked} inquiries checked, {queued} mail job(s) "
        "queued (the mailer sends each job once)."
    )
    if result.failed:
        print(
            f"inquiry-router: {result.failed} dead letter(s) could not be finished; they stay in the queue",
            file=sys.stderr,
        )
        return 1
    return 0


def _when(iso: str | None) -> str | None:
    return iso[:19].replace("T", " ") if iso else None
