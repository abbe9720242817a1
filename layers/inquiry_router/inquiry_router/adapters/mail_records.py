"""The mailer's table work: the per-job send record, the 24-hour acknowledgement guard, and what a
sent (or refused) mail leaves on the inquiry, the contact's timeline and the Message-ID index.

Exactly one send per job: a job is claimed (conditional put of GUARD#MAIL#<job id>, with this
delivery's claim id) before SES is called. The moment SES accepts the mail, one conditional update
marks the claim "accepted" with everything needed to record it; then one transaction records it
(job "sent", inquiry fields, the Message-ID index and its twin by SES's id, timeline). A
redelivered job that finds "accepted" finishes that recording without sending again; one that
finds "sent" stops. A claim whose sender
died before SES answered expires after the lease, so the job is retried rather than lost: the one
window for a duplicate left is SES accepting a mail whose "accepted" write then fails for good.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

from inquiry_router.adapters import keys
from inquiry_router.adapters.serialization import from_attributes, to_attributes
from inquiry_router.adapters.table import get_item
from inquiry_router.base.timestamps import iso_timestamp
from inquiry_router.models.contact import Contact, TimelineEvent
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.mail_record import MailJobRecord, SentMail, SentMessage, SesMessage
from inquiry_router.models.received_mail import ReceivedMail

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

ACKNOWLEDGEMENT_INTERVAL = timedelta(hours=24)
SEND_LEASE = timedelta(minutes=2)  # longer than one SES call with retries; shorter than the queue's
JOB_RECORD_RETENTION = timedelta(days=30)
SENT_RECORD_ATTEMPTS = 8  # about 2.5 s at most: a mail SES took is recorded, not sent twice
_NOT_TRANSIENT = {"ValidationException", "AccessDeniedException", "ResourceNotFoundException"}

Claim = Literal["claimed", "already_done", "in_flight", "acknowledged_recently", "accepted"]

# What a sent mail sets on its inquiry (time, Message-ID) and the timeline event it leaves.
SENT_FIELDS = {
    "acknowledgement": ("acknowledged_at", "acknowledgement_message_id", "acknowledged"),
    "notification": ("notified_at", "notification_message_id", "rep_notified"),
    "forward": ("last_forwarded_at", "last_forward_message_id", "reply_forwarded"),
    "sla_reminder": ("reminded_at", "reminder_message_id", "sla_reminder_sent"),
    "sla_escalation": ("escalated_at", "escalation_message_id", "sla_escalation_sent"),
    "bounce_notice": ("bounce_noticed_at", "bounce_notice_message_id", "bounce_notice_sent"),
}


class MailRecords:
    def __init__(
        self, client: DynamoDBClient, table_name: str, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self._client = client
        self._table = table_name
        self._sleep = sleep

    # -- reads ------------------------------------------------------------------------------------

    def job_record(self, job_id: str) -> MailJobRecord | None:
        item = get_item(self._client, self._table, keys.mail_job_guard_key(job_id), consistent=True)
        return MailJobRecord.from_item(item) if item is not None else None

    def inquiry(self, inquiry_id: str) -> Inquiry | None:
        item = get_item(self._client, self._table, keys.inquiry_key(inquiry_id), consistent=True)
        return Inquiry.from_item(item) if item is not None else None

    def contact(self, email_key: str) -> Contact | None:
        item = get_item(self._client, self._table, keys.contact_key(email_key), consistent=True)
        return Contact.from_item(item) if item is not None else None

    def received_mail(self, ses_message_id: str) -> ReceivedMail | None:
        item = get_item(self._client, self._table, keys.inbound_mail_key(ses_message_id), consistent=True)
        return ReceivedMail.from_item(item) if item is not None else None

    def previous_inquiries(self, contact_key: str, except_id: str, limit: int = 5) -> list[TimelineEvent]:
        """The contact's earlier inquiries (newest first), from the timeline."""
        answer = self._client.query(
            TableName=self._table,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :events)",
            FilterExpression="kind = :received AND inquiry_id <> :current",
            ExpressionAttributeValues=to_attributes(
                {
                    ":pk": keys.contact_key(contact_key)["PK"],
                    ":events": keys.EVENT_PREFIX,
                    ":received": "inquiry_received",
                    ":current": except_id,
                }
            ),
            ScanIndexForward=False,
            Limit=100,
        )
        return [TimelineEvent.from_item(from_attributes(item)) for item in answer.get("Items", [])][:limit]

    # -- the claim ----------------------------------------------------------------------------

    def claim(self, job_id: str, claim_id: str, now: datetime, acknowledged_mailbox: str | None) -> Claim:
        """Take the job for sending; with `acknowledged_mailbox` (the digest of a canonical mailbox),
        also take that mailbox's 24-hour acknowledgement slot."""
        claimed = MailJobRecord(
            state="sending",
            claim_id=claim_id,
            lease_until=int((now + SEND_LEASE).timestamp()),
            expires_at=int((now + JOB_RECORD_RETENTION).timestamp()),
        )
        items: list[Any] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_attributes({**keys.mail_job_guard_key(job_id), **claimed.to_item()}),
                    # Free, or a claim whose sender died mid-send and whose lease ran out.
                    "ConditionExpression": (
                        "attribute_not_exists(PK) OR (#state = :sending AND lease_until < :now)"
                    ),
                    "ExpressionAttributeNames": {"#state": "state"},
                    "ExpressionAttributeValues": to_attributes(
                        {":sending": "sending", ":now": int(now.timestamp())}
                    ),
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            }
        ]
        if acknowledged_mailbox:
            items.append(
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": to_attributes(
                            {
                                **keys.acknowledgement_guard_key(acknowledged_mailbox),
                                "entity": "guard",
                                "job_id": job_id,
                                "expires_at": int((now + ACKNOWLEDGEMENT_INTERVAL).timestamp()),
                            }
                        ),
                        # Free when never used, expired (TTL deletes late), or taken by this very job.
                        "ConditionExpression": (
                            "attribute_not_exists(PK) OR expires_at < :now OR job_id = :job"
                        ),
                        "ExpressionAttributeValues": to_attributes(
                            {":now": int(now.timestamp()), ":job": job_id}
                        ),
                    }
                }
            )
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            reasons: list[Any] = list(error.response.get("CancellationReasons", []))
            job_reason = reasons[0] if reasons else {}
            if job_reason.get("Code") == "ConditionalCheckFailed":
                state = from_attributes(job_reason.get("Item") or {}).get("state")
                if state == "sending":
                    return "in_flight"
                return "accepted" if state == "accepted" else "already_done"
            if len(reasons) > 1 and reasons[1].get("Code") == "ConditionalCheckFailed":
                return "acknowledged_recently"
            raise
        return "claimed"

    def release(self, job_id: str, claim_id: str) -> None:
        """A transient failure: free the job so the queue's retry can claim it at once (only our own
        claim: after a lease ran out, the job may be another delivery's by now)."""
        try:
            self._client.delete_item(
                TableName=self._table,
                Key=to_attributes(keys.mail_job_guard_key(job_id)),
                ConditionExpression="#state = :sending AND claim_id = :mine",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues=to_attributes({":sending": "sending", ":mine": claim_id}),
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise

    def record_accepted(self, sent: SentMail, claim_id: str, now: datetime) -> bool:
        """SES accepted the mail: say so on our claim in one conditional write, with what recording it
        needs, so no redelivery sends it again. False when the claim is no longer ours (our lease ran
        out and another delivery took the job: it sent and records its own copy)."""
        fields = {
            "kind": sent.kind,
            "inquiry_id": sent.inquiry_id,
            "reference": sent.reference,
            "contact_key": sent.contact_key,
            "recipient": sent.recipient,
            "message_id": sent.message_id,
            "ses_message_id": sent.ses_message_id or "",
            "accepted_at": iso_timestamp(now),
        }
        try:
            self._client.update_item(
                TableName=self._table,
                Key=to_attributes(keys.mail_job_guard_key(sent.job_id)),
                UpdateExpression="SET #state = :accepted, job_id = :job, "
                + ", ".join(f"#{name} = :{name}" for name in fields),
                ConditionExpression="#state = :sending AND claim_id = :mine",
                ExpressionAttributeNames={"#state": "state", **{f"#{name}": name for name in fields}},
                ExpressionAttributeValues=to_attributes(
                    {
                        ":accepted": "accepted",
                        ":sending": "sending",
                        ":mine": claim_id,
                        ":job": sent.job_id,
                        **{f":{name}": value for name, value in fields.items()},
                    }
                ),
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    # -- outcomes -------------------------------------------------------------------------------

    def mark_sent(self, sent: SentMail, now: datetime) -> None:
        at = iso_timestamp(now)
        inquiry_field, message_field, event_kind = SENT_FIELDS[sent.kind]
        summary = f"{sent.kind} sent to {sent.recipient}"
        indexed_key = keys.message_id_key(sent.message_id)
        indexed = SentMessage(
            message_id=indexed_key["PK"].removeprefix("MSGID#"),
            kind=sent.kind,
            # A bounce or complaint counts only for the address the message went to.
            recipient=sent.recipient.lower(),
            inquiry_id=sent.inquiry_id,
            reference=sent.reference,
            contact_key=sent.contact_key,
            sent_at=at,
        )
        items: list[Any] = [
            self._finish_job(
                sent.job_id,
                MailJobRecord(
                    state="sent",
                    finished_at=at,
                    message_id=sent.message_id,
                    ses_message_id=sent.ses_message_id,
                ),
            ),
            {
                "Update": {
                    "TableName": self._table,
                    "Key": to_attributes(keys.inquiry_key(sent.inquiry_id)),
                    "UpdateExpression": f"SET {inquiry_field} = :at, {message_field} = :mid",
                    "ExpressionAttributeValues": to_attributes({":at": at, ":mid": sent.message_id}),
                }
            },
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_attributes({**indexed_key, **indexed.to_item()}),
                }
            },
            self._timeline(
                sent.contact_key,
                at=at,
                job_id=sent.job_id,
                kind=event_kind,
                inquiry_id=sent.inquiry_id,
                reference=sent.reference,
                summary=summary,
            ),
        ]
        if sent.ses_message_id:  # what SES's bounce, complaint and delivery events will name
            by_ses_id = SesMessage(
                ses_message_id=sent.ses_message_id,
                job_id=sent.job_id,
                kind=sent.kind,
                recipient=sent.recipient.lower(),
                message_id=indexed.message_id,
                inquiry_id=sent.inquiry_id,
                reference=sent.reference,
                contact_key=sent.contact_key,
                sent_at=at,
            )
            item = {**keys.ses_message_key(sent.ses_message_id), **by_ses_id.to_item()}
            items.append({"Put": {"TableName": self._table, "Item": to_attributes(item)}})
        self._write_sent_record(lambda: self._client.transact_write_items(TransactItems=items))

    def _write_sent_record(self, write: Callable[[], object]) -> None:
        """SES took the mail: until this record is written, a redelivered job would send it again,
        so a transient failure is retried here at once (the writes are idempotent: a retry after
        a timeout that did write rewrites the same items) before it is left to the queue."""
        for attempt in range(SENT_RECORD_ATTEMPTS):
            try:
                write()
                return
            except (ClientError, BotoCoreError) as error:
                code = error.response.get("Error", {}).get("Code") if isinstance(error, ClientError) else None
                if code in _NOT_TRANSIENT or attempt == SENT_RECORD_ATTEMPTS - 1:
                    raise
            self._sleep(min(0.5, 0.02 * 2**attempt))

    def mark_not_sent(
        self, job_id: str, inquiry: Inquiry, *, kind: str, state: str, reason: str, now: datetime
    ) -> None:
        """A job that will not be sent (refused by SES, suppressed, acknowledged recently): recorded
        once on the job and on the timeline, so nobody wonders where the mail went."""
        at = iso_timestamp(now)
        finish = self._finish_job(job_id, MailJobRecord(state=state, finished_at=at, reason=reason))
        finish["Put"]["ConditionExpression"] = "attribute_not_exists(PK) OR #state = :sending"
        finish["Put"]["ExpressionAttributeNames"] = {"#state": "state"}
        finish["Put"]["ExpressionAttributeValues"] = to_attributes({":sending": "sending"})
        event = self._timeline(
            inquiry.contact_key,
            at=at,
            job_id=job_id,
            kind=f"{kind}_{state}",
            inquiry_id=inquiry.id,
            reference=inquiry.reference,
            summary=reason,
        )
        items: list[Any] = [finish, event]
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise  # cancelled: an earlier delivery of this job recorded it already

    def finish_notice(
        self,
        job_id: str,
        state: str,
        now: datetime,
        *,
        reason: str | None = None,
        message_id: str | None = None,
        ses_message_id: str | None = None,
    ) -> None:
        """A notice that belongs to no inquiry: only its job record says it went (or why not)."""
        record = MailJobRecord(
            state=state,
            finished_at=iso_timestamp(now),
            reason=reason,
            message_id=message_id,
            ses_message_id=ses_message_id,
        )
        finish = self._finish_job(job_id, record)
        self._write_sent_record(lambda: self._client.put_item(**finish["Put"]))

    def _finish_job(self, job_id: str, record: MailJobRecord) -> dict[str, Any]:
        """The job's record, written whole: the claim's lease and id are done with."""
        item = {**keys.mail_job_guard_key(job_id), **record.to_item()}
        return {"Put": {"TableName": self._table, "Item": to_attributes(item)}}

    def _timeline(
        self,
        contact_key: str,
        *,
        at: str,
        job_id: str,
        kind: str,
        inquiry_id: str,
        reference: str,
        summary: str,
    ) -> dict[str, Any]:
        event_id = hashlib.sha256(job_id.encode()).hexdigest()[:12]
        event = TimelineEvent(kind=kind, at=at, inquiry_id=inquiry_id, reference=reference, summary=summary)
        item = {**keys.timeline_event_key(contact_key, at, event_id), **event.to_item()}
        return {"Put": {"TableName": self._table, "Item": to_attributes(item)}}
