"""The feedback function's table work: finding the mail an SES sending event is about (the SESMSG
index the mailer writes with each sent record) and recording what the event changes.

Each event is recorded by one write (a transaction when it changes the contact or the inquiry too)
whose timeline event is keyed by the event's identity (`SendingEvent.event_key`) and written only
if absent: SES publishing an event twice, or the queue delivering it twice, fails the second
write's condition, and nothing is counted or marked twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from botocore.exceptions import ClientError

from inquiry_router.adapters import keys
from inquiry_router.adapters.serialization import to_attributes
from inquiry_router.adapters.table import get_item
from inquiry_router.models.contact import Contact, TimelineEvent
from inquiry_router.models.mail_record import SesMessage
from inquiry_router.models.sending_event import FeedbackEffect, SendingEvent

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_REASON_LIMIT = 500

Recorded = Literal["recorded", "duplicate", "gone"]


class FeedbackRecords:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def sent_message(self, ses_message_id: str) -> SesMessage | None:
        item = get_item(self._client, self._table, keys.ses_message_key(ses_message_id), consistent=True)
        return SesMessage.from_item(item, ses_message_id) if item is not None else None

    def contact(self, email_key: str) -> Contact | None:
        item = get_item(self._client, self._table, keys.contact_key(email_key), consistent=True)
        return Contact.from_item(item) if item is not None else None

    def record(self, event: SendingEvent, sent: SesMessage, effect: FeedbackEffect) -> Recorded:
        """The event's timeline entry and what it changes, at most once: "duplicate" when this
        event was recorded before (SES published it twice, the queue delivered it twice), "gone"
        when its contact or inquiry no longer exists (erased since the mail went)."""
        contact_key = str(sent.contact_key)
        timeline = TimelineEvent(
            kind=effect.timeline_kind,
            at=event.at,
            inquiry_id=sent.inquiry_id,
            reference=sent.reference,
            summary=effect.summary[:_REASON_LIMIT],
            other={"ses_message_id": event.ses_message_id, "mail_kind": sent.kind},
        )
        key = keys.timeline_event_key(contact_key, event.at, f"ses-{event.event_key}")
        items: list[Any] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_attributes({**key, **timeline.to_item()}),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            }
        ]
        contact_update = self._contact_update(contact_key, event, effect)
        if contact_update is not None:
            items.append(contact_update)
        if effect.inquiry_outcome and sent.inquiry_id:
            items.append(
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": to_attributes(keys.inquiry_key(sent.inquiry_id)),
                        "UpdateExpression": "SET #outcome = :outcome",
                        "ConditionExpression": "attribute_exists(PK)",
                        "ExpressionAttributeNames": {"#outcome": f"{sent.kind}_outcome"},
                        "ExpressionAttributeValues": to_attributes({":outcome": effect.inquiry_outcome}),
                    }
                }
            )
        if len(items) == 1:  # a delivery or a delay: one conditional put, half a transaction's cost
            try:
                self._client.put_item(**items[0]["Put"])
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise
                return "duplicate"
            return "recorded"
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            return self._why_cancelled(error)
        return "recorded"

    def suppress(self, email_key: str, reason: str, at: str) -> None:
        """No more mail of ours to this address (set once; repeating it changes nothing)."""
        self._client.update_item(
            TableName=self._table,
            Key=to_attributes(keys.contact_key(email_key)),
            UpdateExpression="SET suppressed = :yes, suppressed_at = if_not_exists(suppressed_at, :at), "
            "suppressed_reason = if_not_exists(suppressed_reason, :reason)",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeValues=to_attributes(
                {":yes": True, ":at": at, ":reason": reason[:_REASON_LIMIT]}
            ),
        )

    def _contact_update(
        self, contact_key: str, event: SendingEvent, effect: FeedbackEffect
    ) -> dict[str, Any] | None:
        if effect.contact_mark is None:
            return None
        values: dict[str, Any] = {":at": event.at}
        if effect.contact_mark == "transient_bounce":
            expression = "ADD transient_bounces :one SET last_transient_bounce_at = :at"
            values[":one"] = 1
        elif effect.contact_mark == "bounced":
            expression = (
                "SET bounced = :yes, bounced_at = :at, bounce_reason = :reason, bounce_sub_type = :sub"
            )
            values |= {
                ":yes": True,
                ":reason": effect.summary[:_REASON_LIMIT],
                ":sub": event.bounce_sub_type or "",
            }
        else:
            expression = "SET complained = :yes, complained_at = :at, complaint_type = :type"
            values |= {":yes": True, ":type": event.complaint_type or "unspecified"}
        if effect.suppress:
            expression += (
                ", suppressed = :yes, suppressed_at = if_not_exists(suppressed_at, :at), "
                "suppressed_reason = if_not_exists(suppressed_reason, :reason)"
            )
            values |= {":yes": True, ":reason": effect.summary[:_REASON_LIMIT]}
        return {
            "Update": {
                "TableName": self._table,
                "Key": to_attributes(keys.contact_key(contact_key)),
                "UpdateExpression": expression,
                # A contact erased since (or never stored) is not brought back by its mail's bounce.
                "ConditionExpression": "attribute_exists(PK)",
                "ExpressionAttributeValues": to_attributes(values),
            }
        }

    @staticmethod
    def _why_cancelled(error: ClientError) -> Recorded:
        """The first item is the timeline event: its condition failing means recorded before. Any
        other failed condition is a contact or inquiry that is gone. Anything else (a conflict with
        another write) is raised, and the queue's retry records the event."""
        codes = [reason.get("Code") for reason in error.response.get("CancellationReasons") or []]
        if codes and codes[0] == "ConditionalCheckFailed":
            return "duplicate"
        if "ConditionalCheckFailed" in codes:
            return "gone"
        raise error
