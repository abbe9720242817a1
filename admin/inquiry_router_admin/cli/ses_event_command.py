"""`inquiry-router --local local ses-event KIND REFERENCE [--mail acknowledgement|notification]`:
an SES sending event (a bounce, a complaint, a delivery…) about one of the local stack's sent mails,
put on its default EventBridge bus in SES's own shape. The stack's rule sends it to the feedback
queue and the feedback function records it, as SES's event would in AWS (local/ses_events.py).

Only the local stack: AWS lets nobody but SES publish `aws.ses` events. On a deployed stack, send an
inquiry from bounce@simulator.amazonses.com (or complaint@…, suppressionlist@…) instead.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from inquiry_router_admin.cli.target import TargetError, local_target
from inquiry_router_admin.local.ses_events import EVENT_KINDS, ses_sending_event


def register(commands: Any) -> None:
    command = commands.add_parser(
        "ses-event",
        help="put an SES bounce, complaint or delivery of a sent mail on the local stack's bus",
        description="Simulate what SES says about one of the local stack's sent mails: the event goes "
        "through the stack's EventBridge rule and feedback queue to the feedback function.",
    )
    command.add_argument("kind", choices=EVENT_KINDS, help="what SES says became of the mail")
    command.add_argument("reference", help="the inquiry's reference, such as INQ-7K3M9Q")
    command.add_argument(
        "--mail",
        choices=("acknowledgement", "notification"),
        default="acknowledgement",
        help="which of the inquiry's mails (default: the acknowledgement to the buyer)",
    )
    command.set_defaults(run=put_ses_event)


def put_ses_event(args: argparse.Namespace) -> int:
    from inquiry_router.adapters import keys
    from inquiry_router.adapters.queries import get_inquiry, inquiry_id_by_reference
    from inquiry_router.adapters.table import get_item

    target = local_target()
    dynamodb = target.dynamodb()
    reference = args.reference.strip().upper()
    inquiry_id = inquiry_id_by_reference(dynamodb, target.table_name, reference)
    inquiry = get_inquiry(dynamodb, target.table_name, inquiry_id) if inquiry_id else None
    if inquiry is None:
        raise TargetError(f"no inquiry {reference}: see `inquiry-router --local inquiries list`")
    if args.mail == "acknowledgement":
        job_id = f"ack:{inquiry.id}"
    else:
        sequence = f":{inquiry.assignment_seq}" if inquiry.assignment_seq else ""
        job_id = f"notify:{inquiry.id}:{inquiry.owner_email}{sequence}"
    record = get_item(dynamodb, target.table_name, keys.mail_job_guard_key(job_id), consistent=True)
    ses_message_id = (record or {}).get("ses_message_id")
    sent = get_item(dynamodb, target.table_name, keys.ses_message_key(str(ses_message_id)), consistent=True)
    if not ses_message_id or sent is None:
        state = (record or {}).get("state", "not queued yet")
        raise TargetError(
            f"{reference}'s {args.mail} was not sent ({state}): there is nothing for SES to say"
        )
    event = ses_sending_event(
        args.kind,
        ses_message_id=str(ses_message_id),
        recipient=str(sent["recipient"]),
        configuration_set=target.output("MailConfigurationSetName"),
        region=target.region or "eu-west-1",
    )
    answer = target.client("events").put_events(
        Entries=[
            {
                "Source": event["source"],
                "DetailType": event["detail-type"],
                "Detail": json.dumps(event["detail"]),
                "Resources": event["resources"],
                "EventBusName": "default",
            }
        ]
    )
    if answer.get("FailedEntryCount"):
        print(f"inquiry-router: the local bus refused the event: {answer['Entries']}", file=sys.stderr)
        return 1
    print(
        f"Put an SES {args.kind} event about {reference}'s {args.mail} on the local default bus; the "
        f"feedback function records it in a few seconds. See it with:\n"
        f"  inquiry-router --local contacts show {inquiry.email}"
    )
    return 0
