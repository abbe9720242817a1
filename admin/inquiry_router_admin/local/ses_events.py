"""SES sending events in the shape EventBridge delivers them from a configuration set's event
destination: what `inquiry-router local ses-event` puts on the local stack's default bus (and the
tests hand the feedback function), so a bounce on `make local` travels the same path as in AWS.

Only AWS may publish events whose source is `aws.ses`; on a deployed stack, send to SES's mailbox
simulator (bounce@simulator.amazonses.com, complaint@…, suppressionlist@…) to get real ones.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

EventKind = Literal["bounce", "soft-bounce", "suppressed", "complaint", "delivery", "delay", "reject"]
EVENT_KINDS: tuple[EventKind, ...] = (
    "bounce",
    "soft-bounce",
    "suppressed",
    "complaint",
    "delivery",
    "delay",
    "reject",
)

_DETAIL_TYPES = {
    "Bounce": "Email Bounced",
    "Complaint": "Email Complaint Received",
    "Delivery": "Email Delivered",
    "DeliveryDelay": "Email Delivery Delayed",
    "Reject": "Email Rejected",
    "Rendering Failure": "Email Rendering Failed",
}


def ses_sending_event(
    kind: EventKind,
    *,
    ses_message_id: str,
    recipient: str,
    configuration_set: str,
    region: str = "eu-west-1",
    account: str = "123456789012",
    at: datetime | None = None,
    sender: str = "sales@example.com",
) -> dict[str, Any]:
    """One EventBridge event about the message SES accepted as `ses_message_id`."""
    moment = (at or datetime.now(UTC)).astimezone(UTC)
    stamp = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    feedback_id = f"{uuid.uuid4().hex}-000000"
    detail: dict[str, Any] = {
        "mail": {
            "timestamp": stamp,
            "source": sender,
            "sendingAccountId": account,
            "messageId": ses_message_id,
            "destination": [recipient],
            "tags": {"ses:configuration-set": [configuration_set]},
        }
    }
    if kind in ("bounce", "soft-bounce", "suppressed"):
        bounce_type, sub_type, status, code = {
            "bounce": ("Permanent", "General", "5.1.1", "smtp; 550 5.1.1 user unknown"),
            "soft-bounce": ("Transient", "MailboxFull", "4.2.2", "smtp; 452 4.2.2 mailbox full"),
            "suppressed": ("Permanent", "OnAccountSuppressionList", "5.1.1", "Amazon SES did not send"),
        }[kind]
        detail["eventType"] = "Bounce"
        detail["bounce"] = {
            "bounceType": bounce_type,
            "bounceSubType": sub_type,
            "bouncedRecipients": [
                {"emailAddress": recipient, "action": "failed", "status": status, "diagnosticCode": code}
            ],
            "timestamp": stamp,
            "feedbackId": feedback_id,
            "reportingMTA": "dsn; a1-2.smtp-out.eu-west-1.amazonses.com",
        }
    elif kind == "complaint":
        detail["eventType"] = "Complaint"
        detail["complaint"] = {
            "complainedRecipients": [{"emailAddress": recipient}],
            "timestamp": stamp,
            "feedbackId": feedback_id,
            "complaintFeedbackType": "abuse",
        }
    elif kind == "delivery":
        detail["eventType"] = "Delivery"
        detail["delivery"] = {
            "timestamp": stamp,
            "processingTimeMillis": 546,
            "recipients": [recipient],
            "smtpResponse": "250 2.6.0 Message received",
            "reportingMTA": "a8-70.smtp-out.amazonses.com",
        }
    elif kind == "delay":
        detail["eventType"] = "DeliveryDelay"
        detail["deliveryDelay"] = {
            "timestamp": stamp,
            "delayType": "TransientCommunicationFailure",
            "delayedRecipients": [
                {"emailAddress": recipient, "status": "4.4.1", "diagnosticCode": "smtp; 421 4.4.1 try later"}
            ],
        }
    else:
        detail["eventType"] = "Reject"
        detail["reject"] = {"reason": "Bad content"}
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": _DETAIL_TYPES[detail["eventType"]],
        "source": "aws.ses",
        "account": account,
        "time": stamp,
        "region": region,
        "resources": [f"arn:aws:ses:{region}:{account}:configuration-set/{configuration_set}"],
        "detail": detail,
    }
