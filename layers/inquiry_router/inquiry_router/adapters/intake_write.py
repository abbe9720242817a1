"""The intake's one durable write: a single TransactWriteItems per accepted inquiry.

It carries the inquiry, its reference, the contact upsert, the timeline event, the company
account upsert and the contact's membership of the account, guarded in the same round trip by
the idempotency key and the rate-limit windows. A failed guard cancels the whole transaction, so
a refused or repeated submit stores nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from inquiry_router.adapters import keys
from inquiry_router.adapters.item_size import fit_item
from inquiry_router.adapters.serialization import from_attributes, to_attribute, to_attributes
from inquiry_router.base.references import new_reference
from inquiry_router.base.timestamps import iso_timestamp
from inquiry_router.models.contact import CONSENT_PREFIX, MARKETING_PREFIX, Contact, TimelineEvent
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.inquiry_record import InquiryRecord
from inquiry_router.models.intake_errors import IdempotencyKeyReused, RateLimited, StoreBusy

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

CONFLICT_RETRIES = 2
# Transient answers: nothing (or, after a timeout, perhaps everything) was stored; the submitter's
# retry is safe either way, because the idempotency guard answers a stored submission's retry.
_BUSY_CODES = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "TransactionInProgressException",
}


@dataclass(frozen=True, slots=True)
class RateWindow:
    scope: str  # "ip" | "email"
    subject_hash: str
    limit: int
    window_seconds: int

    def start(self, now: datetime) -> int:
        epoch = int(now.timestamp())
        return epoch - epoch % self.window_seconds


@dataclass(frozen=True, slots=True)
class IntakeGuards:
    fingerprint: str
    payload_digest: str
    idempotency_ttl: timedelta
    rate_windows: tuple[RateWindow, ...]


@dataclass(frozen=True, slots=True)
class IntakeReceipt:
    inquiry_id: str
    reference: str
    status: str
    replayed: bool = False


class IntakeWriter:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def record_inquiry(self, record: InquiryRecord, guards: IntakeGuards) -> IntakeReceipt:
        for attempt in range(CONFLICT_RETRIES + 1):
            items = self._transaction(record, guards)
            try:
                self._client.transact_write_items(TransactItems=items)
            except BotoCoreError as error:  # a timeout or a lost connection: as busy
                raise StoreBusy() from error
            except ClientError as error:
                outcome = self._explain_cancellation(error, record, guards)
                if outcome == "retry_new_reference":
                    record = _with_reference(record, new_reference())
                    continue
                if outcome == "retry_conflict" and attempt < CONFLICT_RETRIES:
                    time.sleep(0.05 * (attempt + 1))
                    continue
                if isinstance(outcome, IntakeReceipt):
                    return outcome
                raise StoreBusy() from error
            return IntakeReceipt(record.id, record.reference, record.status)
        raise StoreBusy()

    def mark_released(self, spam_id: str, released: IntakeReceipt, at: datetime) -> None:
        """The spam inquiry names the inquiry an admin released it as (it still expires as spam)."""
        self._client.update_item(
            TableName=self._table,
            Key=to_attributes(keys.inquiry_key(spam_id)),
            UpdateExpression="SET released_as = :id, released_reference = :ref, released_at = :at",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeValues=to_attributes(
                {":id": released.inquiry_id, ":ref": released.reference, ":at": iso_timestamp(at)}
            ),
        )

    # -- the transaction ---------------------------------------------------------------------

    def _transaction(self, record: InquiryRecord, guards: IntakeGuards) -> list[TransactWriteItemTypeDef]:
        now = record.received_at
        items: list[TransactWriteItemTypeDef] = [self._idempotency_guard(record, guards)]
        items += [self._rate_guard(window, now) for window in guards.rate_windows]
        items.append(self._put_new(keys.reference_key(record.reference), {"inquiry_id": record.id}, record))
        items.append(
            self._put_new(keys.inquiry_key(record.id), inquiry_item(record, guards.fingerprint), record)
        )
        if not record.is_spam:
            # Spam never touches the contact: a bot typing someone's address must not rewrite them.
            items.append(self._contact_upsert(record))
            items.append(self._timeline_event(record))
            if record.signals.is_company_domain:
                items.append(self._account_upsert(record))
                items.append(self._account_member(record))
        return items

    def _idempotency_guard(self, record: InquiryRecord, guards: IntakeGuards) -> TransactWriteItemTypeDef:
        now = record.received_at
        item = {
            **keys.idempotency_guard_key(guards.fingerprint),
            "entity": "guard",
            "inquiry_id": record.id,
            "reference": record.reference,
            "status": record.status,
            "payload_digest": guards.payload_digest,
            "expires_at": int((now + guards.idempotency_ttl).timestamp()),
        }
        return {
            "Put": {
                "TableName": self._table,
                "Item": to_attributes(item),
                # TTL deletion is lazy, so an expired guard must not count as present.
                "ConditionExpression": "attribute_not_exists(PK) OR expires_at < :now",
                "ExpressionAttributeValues": {":now": to_attribute(int(now.timestamp()))},
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        }

    def _rate_guard(self, window: RateWindow, now: datetime) -> TransactWriteItemTypeDef:
        start = window.start(now)
        return {
            "Update": {
                "TableName": self._table,
                "Key": to_attributes(keys.rate_guard_key(window.scope, window.subject_hash, start)),
                "UpdateExpression": "ADD hits :one SET expires_at = :expires, entity = :entity",
                "ConditionExpression": "attribute_not_exists(hits) OR hits < :limit",
                "ExpressionAttributeValues": {
                    ":one": to_attribute(1),
                    ":limit": to_attribute(window.limit),
                    ":expires": to_attribute(start + window.window_seconds),
                    ":entity": to_attribute("guard"),
                },
            }
        }

    def _put_new(self, key: dict[str, str], attributes: dict[str, Any], record: InquiryRecord) -> Any:
        # A mail's subject, Message-ID or attachment list is the sender's to size: shortened, marked.
        item = fit_item({**key, **{k: v for k, v in attributes.items() if v is not None}})
        if record.expires_at is not None:
            item.setdefault("expires_at", int(record.expires_at.timestamp()))
        return {
            "Put": {
                "TableName": self._table,
                "Item": to_attributes(item),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }

    def _contact_upsert(self, record: InquiryRecord) -> TransactWriteItemTypeDef:
        # Only what this submission actually says overwrites what we knew (Contact.seen_in).
        contact = Contact.seen_in(record)
        present = contact.to_item()
        names = {f"#{k}": k for k in present} | {"#first_seen_at": "first_seen_at", "#count": "inquiry_count"}
        values = {f":{k}": to_attribute(v) for k, v in present.items()} | {":one": to_attribute(1)}
        assignments = [f"#{k} = :{k}" for k in present]
        assignments.append("#first_seen_at = if_not_exists(#first_seen_at, :last_seen_at)")
        # A new consent replaces the one before as a whole: a part it lacks is not left from the old.
        stale = _absent_proof_parts(contact)
        names |= {f"#{k}": k for k in stale}
        removes = " REMOVE " + ", ".join(f"#{k}" for k in stale) if stale else ""
        return {
            "Update": {
                "TableName": self._table,
                "Key": to_attributes(keys.contact_key(record.contact_key)),
                "UpdateExpression": "SET " + ", ".join(assignments) + removes + " ADD #count :one",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }

    def _timeline_event(self, record: InquiryRecord) -> TransactWriteItemTypeDef:
        at = iso_timestamp(record.received_at)
        s = record.submission
        event = TimelineEvent(
            kind="inquiry_received",
            at=at,
            inquiry_id=record.id,
            reference=record.reference,
            channel=record.channel,
            summary=s.subject or s.product,
        )
        key = keys.timeline_event_key(record.contact_key, at, f"{record.id}#received")
        return {"Put": {"TableName": self._table, "Item": to_attributes({**key, **event.to_item()})}}

    def _account_upsert(self, record: InquiryRecord) -> TransactWriteItemTypeDef:
        at = iso_timestamp(record.received_at)
        values: dict[str, Any] = {
            ":entity": to_attribute("account"),
            ":domain": to_attribute(record.signals.domain),
            ":at": to_attribute(at),
            ":one": to_attribute(1),
        }
        company = ""
        if record.submission.company:
            values[":company"] = to_attribute(record.submission.company)
            company = ", company_name = if_not_exists(company_name, :company)"
        return {
            "Update": {
                "TableName": self._table,
                "Key": to_attributes(keys.account_key(record.signals.domain)),
                # The account's contacts are items of their own (`_account_member`): a set here
                # grew with every address until the item passed 400 KB and the domain was refused
                # for good; the set an older version kept is dropped.
                "UpdateExpression": (
                    "SET entity = :entity, #domain = :domain, last_seen_at = :at, "
                    f"first_seen_at = if_not_exists(first_seen_at, :at){company} "
                    "ADD inquiry_count :one REMOVE contact_keys"
                ),
                "ExpressionAttributeNames": {"#domain": "domain"},
                "ExpressionAttributeValues": values,
            }
        }

    def _account_member(self, record: InquiryRecord) -> TransactWriteItemTypeDef:
        """The contact as a member of its company account: `PK=ACCOUNT#<domain>`, `SK=CONTACT#<email>`."""
        at = iso_timestamp(record.received_at)
        return {
            "Update": {
                "TableName": self._table,
                "Key": to_attributes(keys.account_contact_key(record.signals.domain, record.contact_key)),
                "UpdateExpression": "SET entity = :entity, email_key = :email, last_seen_at = :at, "
                "first_seen_at = if_not_exists(first_seen_at, :at)",
                "ExpressionAttributeValues": to_attributes(
                    {":entity": "account_contact", ":email": record.contact_key, ":at": at}
                ),
            }
        }

    # -- reading a cancelled transaction -----------------------------------------------------

    def _explain_cancellation(
        self, error: ClientError, record: InquiryRecord, guards: IntakeGuards
    ) -> IntakeReceipt | str:
        code = error.response.get("Error", {}).get("Code", "")
        if code in _BUSY_CODES:
            return "busy"
        if code != "TransactionCanceledException":
            raise error
        reasons: list[dict[str, Any]] = error.response.get("CancellationReasons", [])  # type: ignore[assignment]
        codes = [reason.get("Code", "None") for reason in reasons]
        if codes and codes[0] == "ConditionalCheckFailed":
            previous = from_attributes(reasons[0].get("Item", {}))
            if (
                guards.fingerprint.startswith("key:")
                and previous.get("payload_digest") != guards.payload_digest
            ):
                raise IdempotencyKeyReused()
            return IntakeReceipt(
                inquiry_id=previous.get("inquiry_id", ""),
                reference=previous.get("reference", ""),
                status=previous.get("status", "new"),
                replayed=True,
            )
        for index, window in enumerate(guards.rate_windows, start=1):
            if index < len(codes) and codes[index] == "ConditionalCheckFailed":
                now = int(record.received_at.timestamp())
                retry_after = max(1, window.start(record.received_at) + window.window_seconds - now)
                raise RateLimited(retry_after, window.scope)
        reference_index = 1 + len(guards.rate_windows)
        if reference_index < len(codes) and codes[reference_index] == "ConditionalCheckFailed":
            return "retry_new_reference"
        if "TransactionConflict" in codes:
            return "retry_conflict"
        return "busy"


def _absent_proof_parts(contact: Contact) -> list[str]:
    """The contact's attributes of each proof this inquiry brings that the proof has no value for."""
    proofs = ((contact.consent, CONSENT_PREFIX), (contact.marketing, MARKETING_PREFIX))
    return [
        name
        for proof, prefix in proofs
        if proof
        for name, value in proof.flat(prefix).items()
        if value is None
    ]


def _with_reference(record: InquiryRecord, reference: str) -> InquiryRecord:
    return replace(record, reference=reference)


def inquiry_item(record: InquiryRecord, fingerprint: str | None = None) -> dict[str, Any]:
    """The new inquiry's item: its mapping (models/inquiry.py) under the status index's key, naming
    its idempotency guard (`fingerprint`), which only an erasure needs to find."""
    inquiry = replace(Inquiry.from_record(record), idempotency_fingerprint=fingerprint)
    return {**keys.status_index_key(inquiry.status, inquiry.received_at, inquiry.id), **inquiry.to_item()}
