"""The inbound mail function's table work: the per-message record (its decision and reason), the
flood counter, thread lookups, and what a reply, a rep's logged answer or a bounce leaves behind.
Items go in and come out as their models (models/).

Every write is safe to repeat: items are keyed by the SES message id, the flood counter adds the
message id to a set (counted once however often it is added), and marking an inquiry responded is
conditional on it still being open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from inquiry_router.adapters import keys
from inquiry_router.adapters.item_size import fit_item
from inquiry_router.adapters.open_load import load_decrement, write_with_load
from inquiry_router.adapters.serialization import to_attributes
from inquiry_router.adapters.table import batch_get, get_item
from inquiry_router.base.addresses import normalise_email
from inquiry_router.base.timestamps import iso_timestamp
from inquiry_router.models.contact import Contact, TimelineEvent
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.lifecycle import Channel, Status, StatusChange
from inquiry_router.models.mail_record import SentMessage
from inquiry_router.models.received_mail import ReceivedMail

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

FLOOD_WINDOW = timedelta(minutes=10)
# The flood counter keeps message ids (a redelivered one counts once) up to this many: a flood needs
# no exact count, and a set without a bound would grow until its item is refused.
MAX_COUNTED_MESSAGES = 100
MAX_LOOKUP_IDS = 50  # Message-IDs looked up per reply (In-Reply-To first, then References)


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    contact_key: str
    at: datetime
    ses_message_id: str
    kind: str
    summary: str
    inquiry_id: str | None = None
    reference: str | None = None
    by: str | None = None

    def put(self, table: str) -> dict[str, Any]:
        at = iso_timestamp(self.at)
        event = TimelineEvent(
            kind=self.kind,
            at=at,
            mail_id=self.ses_message_id,
            inquiry_id=self.inquiry_id,
            reference=self.reference,
            by=self.by,
            summary=self.summary,
        )
        # Keyed by the message: a redelivered event rewrites the same item.
        key = keys.timeline_event_key(self.contact_key, at, f"mail-{self.ses_message_id}")
        return {"Put": {"TableName": table, "Item": to_attributes(fit_item({**key, **event.to_item()}))}}


class InboundRecords:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    # -- reads --------------------------------------------------------------------------------

    def _get(self, key: dict[str, str]) -> dict[str, Any] | None:
        return get_item(self._client, self._table, key, consistent=True)

    def mail_record(self, ses_message_id: str) -> ReceivedMail | None:
        item = self._get(keys.inbound_mail_key(ses_message_id))
        return ReceivedMail.from_item(item) if item is not None else None

    def contact(self, email_key: str) -> Contact | None:
        item = self._get(keys.contact_key(email_key))
        return Contact.from_item(item) if item is not None else None

    def inquiry(self, inquiry_id: str) -> Inquiry | None:
        item = self._get(keys.inquiry_key(inquiry_id))
        return Inquiry.from_item(item) if item is not None else None

    def inquiry_by_reference(self, reference: str) -> Inquiry | None:
        pointer = self._get(keys.reference_key(reference))
        return self.inquiry(str(pointer["inquiry_id"])) if pointer else None

    def inquiry_by_message_ids(self, message_ids: Sequence[str]) -> Inquiry | None:
        """The inquiry behind the first of `message_ids` we sent (In-Reply-To before References)."""
        wanted, found = self._message_index(message_ids)
        first = next((found[pk] for pk in wanted if pk in found), None)
        return self.inquiry(str(first["inquiry_id"])) if first else None

    def sent_messages(self, message_ids: Sequence[str]) -> list[SentMessage]:
        """The messages among `message_ids` that we sent, and to whom (the MSGID index)."""
        wanted, found = self._message_index(message_ids)
        return [SentMessage.from_item(found[pk], pk.removeprefix("MSGID#")) for pk in wanted if pk in found]

    def _message_index(self, message_ids: Sequence[str]) -> tuple[list[str], dict[str, dict[str, Any]]]:
        wanted = list(dict.fromkeys(keys.message_id_key(i)["PK"] for i in message_ids))[:MAX_LOOKUP_IDS]
        items = batch_get(self._client, self._table, [{"PK": pk, "SK": "MSGID"} for pk in wanted])
        return wanted, {str(item["PK"]): item for item in items}

    # -- the per-message record -------------------------------------------------------------

    def save_mail_record(self, mail: ReceivedMail) -> None:
        """The message's record, under its key and in the decision and sender indexes (adapters/keys.py)."""
        item = {
            **keys.inbound_mail_key(mail.id),
            **keys.mail_decision_index_key(mail.decision, mail.received_at, mail.id),
            # By sender too: a data subject's mail that became no inquiry (an auto-reply, spam).
            **(
                keys.sender_index_key(normalise_email(mail.sender.address), mail.received_at, mail.id)
                if mail.sender and mail.sender.address
                else {}
            ),
            **mail.to_item(),
        }
        # Subject, addresses, names and attachments are the sender's to size: shortened, marked.
        self._client.put_item(TableName=self._table, Item=to_attributes(fit_item(item)))

    def count_from_sender(self, sender_hash: str, ses_message_id: str, now: datetime) -> int:
        """Messages from one sender in the current 10-minute window, this one included."""
        seconds = int(FLOOD_WINDOW.total_seconds())
        epoch = int(now.timestamp())
        start = epoch - epoch % seconds
        try:
            answer = self._client.update_item(
                TableName=self._table,
                Key=to_attributes(keys.flood_guard_key(sender_hash, start)),
                UpdateExpression="ADD message_ids :id SET entity = :entity, expires_at = :expires",
                ConditionExpression="attribute_not_exists(message_ids) OR size(message_ids) < :most "
                "OR contains(message_ids, :one_id)",
                ExpressionAttributeValues={
                    ":id": {"SS": [ses_message_id]},
                    ":one_id": {"S": ses_message_id},
                    ":entity": {"S": "guard"},
                    ":expires": {"N": str(start + seconds)},
                    ":most": {"N": str(MAX_COUNTED_MESSAGES)},
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            return MAX_COUNTED_MESSAGES + 1  # counted to the bound: a flood either way
        return len(answer.get("Attributes", {}).get("message_ids", {}).get("SS", []))

    # -- what a message leaves behind -------------------------------------------------------

    def append_reply(self, inquiry: Inquiry, entry: TimelineEntry) -> None:
        """A buyer's reply on the contact's timeline and as the inquiry's latest reply."""
        update = {
            "Update": {
                "TableName": self._table,
                "Key": to_attributes(keys.inquiry_key(inquiry.id)),
                "UpdateExpression": "SET last_reply_at = :at, last_reply_mail_id = :mail",
                "ConditionExpression": "attribute_exists(PK)",
                "ExpressionAttributeValues": to_attributes(
                    {":at": iso_timestamp(entry.at), ":mail": entry.ses_message_id}
                ),
            }
        }
        self._client.transact_write_items(TransactItems=[entry.put(self._table), update])  # type: ignore[list-item]

    def log_rep_answer(
        self, entry: TimelineEntry, inquiry: Inquiry | None, channel: Channel = Channel.MAIL_COPY
    ) -> int | None:
        """A rep's answer on the contact's timeline; an open inquiry becomes `responded`, its
        first response shown by `channel` (a BCC copy, or the answer on the buyer's thread).

        Returns the first-response time in seconds when this answer was the first, else None.
        """
        items: list[Any] = [entry.put(self._table)]
        first_response: int | None = None
        load = None
        if inquiry and inquiry.awaits_answer:
            first_response = max(0, int((entry.at - inquiry.received_moment).total_seconds()))
            items.append(self._responded(inquiry, entry, first_response, channel))
            owner = inquiry.owner_email
            if owner and inquiry.assignment_kind != "fallback":  # a team address has no load
                load = load_decrement(self._table, owner, iso_timestamp(entry.at))
        try:
            write_with_load(self._client, items, load)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            # Answered already (another message, or this one delivered twice): log it only.
            self._client.transact_write_items(TransactItems=[entry.put(self._table)])  # type: ignore[list-item]
            return None
        return first_response

    def mark_bounced(self, email_key: str, entry: TimelineEntry, reason: str) -> bool:
        """Suppress acknowledgements to a contact's address; False when no such contact exists."""
        update = {
            "Update": {
                "TableName": self._table,
                "Key": to_attributes(keys.contact_key(email_key)),
                "UpdateExpression": "SET bounced = :yes, suppressed = :yes, bounced_at = :at, "
                "bounce_reason = :reason",
                "ConditionExpression": "attribute_exists(PK)",
                "ExpressionAttributeValues": to_attributes(
                    {":yes": True, ":at": iso_timestamp(entry.at), ":reason": reason[:500]}
                ),
            }
        }
        try:
            self._client.transact_write_items(TransactItems=[update, entry.put(self._table)])  # type: ignore[list-item]
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            return False
        return True

    def _responded(
        self, inquiry: Inquiry, entry: TimelineEntry, seconds: int, channel: Channel
    ) -> dict[str, Any]:
        at = iso_timestamp(entry.at)
        change = StatusChange(Status(inquiry.status), Status.RESPONDED, at, entry.by or "the owner", channel)
        return {
            "Update": {
                "TableName": self._table,
                "Key": to_attributes(keys.inquiry_key(inquiry.id)),
                "UpdateExpression": "SET #status = :responded, responded_at = :at, responded_by = :by, "
                "first_response_seconds = :seconds, first_response_via = :via, GSI1PK = :status_pk, "
                "status_changed_at = :at, "
                "transitions = list_append(if_not_exists(transitions, :none), :change) "
                "REMOVE snoozed_from, snoozed_until, GSI3PK, GSI3SK",  # off the SLA schedule
                # Only the first answer counts, and only while the inquiry waits for one (assigned,
                # or snoozed before an answer: the answer wakes it).
                "ConditionExpression": "#status = :read AND attribute_not_exists(responded_at)",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": to_attributes(
                    {
                        ":responded": str(Status.RESPONDED),
                        ":read": inquiry.status,
                        ":at": at,
                        ":by": entry.by,
                        ":seconds": seconds,
                        ":via": str(channel),
                        ":status_pk": "STATUS#responded",
                        ":none": [],
                        ":change": [change.to_item()],
                    }
                ),
            }
        }
