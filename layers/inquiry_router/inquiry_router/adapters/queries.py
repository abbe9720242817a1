"""Read access patterns of the table (see adapters/keys.py): every one a GetItem or a Query, each
answering with the stored items' models."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from inquiry_router.adapters import keys
from inquiry_router.adapters.serialization import from_attributes, to_attributes
from inquiry_router.adapters.table import batch_get, get_item
from inquiry_router.base.timestamps import iso_timestamp
from inquiry_router.models.contact import Contact, TimelineEvent
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.lifecycle import OPEN, Status
from inquiry_router.models.received_mail import ReceivedMail

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def get_contact(client: DynamoDBClient, table: str, email_key: str) -> Contact | None:
    item = get_item(client, table, keys.contact_key(email_key))
    return Contact.from_item(item) if item is not None else None


def contact_timeline(
    client: DynamoDBClient, table: str, email_key: str, limit: int = 50
) -> list[TimelineEvent]:
    """Newest first."""
    answer = client.query(
        TableName=table,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :events)",
        ExpressionAttributeValues=to_attributes(
            {":pk": keys.contact_key(email_key)["PK"], ":events": keys.EVENT_PREFIX}
        ),
        ScanIndexForward=False,
        Limit=limit,
    )
    return [TimelineEvent.from_item(from_attributes(item)) for item in answer.get("Items", [])]


def get_inquiry(
    client: DynamoDBClient, table: str, inquiry_id: str, *, consistent: bool = False
) -> Inquiry | None:
    item = get_item(client, table, keys.inquiry_key(inquiry_id), consistent=consistent)
    return Inquiry.from_item(item) if item is not None else None


def inquiry_id_by_reference(client: DynamoDBClient, table: str, reference: str) -> str | None:
    """The id behind a reference such as INQ-7K3M9Q, or None."""
    pointer = get_item(client, table, keys.reference_key(reference))
    return str(pointer["inquiry_id"]) if pointer else None


def inquiries_received_until(
    client: DynamoDBClient, table: str, status: str, until_iso: str, limit: int = 1000
) -> Iterator[Inquiry]:
    """Inquiries with this status received at or before `until_iso`, newest first."""
    pages = _query_index(
        client, table, keys.STATUS_INDEX, "GSI1PK", f"STATUS#{status}", limit=limit, sort_until=until_iso
    )
    yield from map(Inquiry.from_item, pages)


def inquiries_received_between(
    client: DynamoDBClient, table: str, start: datetime, end: datetime
) -> Iterator[Inquiry]:
    """Every inquiry received between two moments, whatever its status: one Query of the status
    index per status (models/lifecycle.Status), newest first within each."""
    since, until = iso_timestamp(start.astimezone(UTC)), iso_timestamp(end.astimezone(UTC))
    for status in Status:
        pages = _query_index(
            client,
            table,
            keys.STATUS_INDEX,
            "GSI1PK",
            f"STATUS#{status}",
            limit=1_000_000,
            sort_from=since,
            sort_until=until,
        )
        yield from map(Inquiry.from_item, pages)


def inquiries_assigned_between(
    client: DynamoDBClient, table: str, start: datetime, end: datetime
) -> list[str]:
    """The ids of the inquiries assigned (or handed over) between two moments, from the assignment
    events' index: one GSI1 partition per day."""
    ids: dict[str, None] = {}
    day = start.astimezone(UTC).date()
    while day <= end.astimezone(UTC).date():
        answer_pages = _query_index(
            client,
            table,
            keys.STATUS_INDEX,
            "GSI1PK",
            f"{keys.ASSIGNED_PREFIX}{day.isoformat()}",
            limit=100_000,
            sort_from=iso_timestamp(start.astimezone(UTC)),
            sort_until=iso_timestamp(end.astimezone(UTC)),
        )
        ids |= {str(event["inquiry_id"]): None for event in answer_pages if event.get("inquiry_id")}
        day += timedelta(days=1)
    return list(ids)


def mail_job_states(client: DynamoDBClient, table: str, job_ids: Sequence[str]) -> dict[str, str]:
    """The state of each mail job's send record (sending, sent, skipped, failed); a job never
    claimed has no record and is left out."""
    states: dict[str, str] = {}
    wanted = [keys.mail_job_guard_key(job_id) for job_id in job_ids]
    for item in batch_get(client, table, wanted, consistent=True):
        states[str(item["PK"]).removeprefix("GUARD#MAIL#")] = str(item.get("state"))
    return states


def inquiries_by_status(
    client: DynamoDBClient, table: str, status: str, limit: int = 50
) -> Iterator[Inquiry]:
    """Newest first, following pages until `limit` items were returned."""
    pages = _query_index(client, table, keys.STATUS_INDEX, "GSI1PK", f"STATUS#{status}", limit=limit)
    yield from map(Inquiry.from_item, pages)


def inquiries_by_owner(
    client: DynamoDBClient, table: str, owner_email: str, limit: int = 50
) -> Iterator[Inquiry]:
    pages = _query_index(client, table, keys.OWNER_INDEX, "GSI2PK", f"OWNER#{owner_email}", limit=limit)
    yield from map(Inquiry.from_item, pages)


def _query_index(
    client: DynamoDBClient,
    table: str,
    index: str,
    key_name: str,
    key_value: str,
    *,
    limit: int,
    sort_from: str | None = None,
    sort_until: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Newest first; `sort_from` / `sort_until` bound the sort key (`<iso time>#<id>`) by time."""
    returned = 0
    start: dict[str, Any] | None = None
    condition, values = f"{key_name} = :key", {":key": key_value}
    sort_key = key_name.replace("PK", "SK")
    if sort_from is not None or sort_until is not None:
        # "~" sorts after "#" and every id character: a time bound includes all its ids.
        condition += f" AND {sort_key} BETWEEN :from AND :until"
        values |= {":from": sort_from or "0", ":until": f"{sort_until or '9999'}~"}
    while returned < limit:
        params: dict[str, Any] = {
            "TableName": table,
            "IndexName": index,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": to_attributes(values),
            "ScanIndexForward": False,
            "Limit": limit - returned,
        }
        if start:
            params["ExclusiveStartKey"] = start
        answer = client.query(**params)
        for item in answer.get("Items", []):
            returned += 1
            yield from_attributes(item)
        start = answer.get("LastEvaluatedKey")
        if not start:
            return


def received_mail(client: DynamoDBClient, table: str, ses_message_id: str) -> ReceivedMail | None:
    item = get_item(client, table, keys.inbound_mail_key(ses_message_id))
    return ReceivedMail.from_item(item) if item is not None else None


def received_mail_by_decision(
    client: DynamoDBClient, table: str, decision: str, limit: int = 50
) -> Iterator[ReceivedMail]:
    """Received messages with this decision, newest first."""
    pages = _query_index(client, table, keys.STATUS_INDEX, "GSI1PK", f"MAIL#{decision}", limit=limit)
    yield from map(ReceivedMail.from_item, pages)


class InquiryQueries:
    """What the digests read (mail/digests.py's DigestSource)."""

    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    def received_between(self, since: datetime, until: datetime) -> list[Inquiry]:
        return list(inquiries_received_between(self._client, self._table, since, until))

    def open_of(self, owner_email: str) -> list[Inquiry]:
        owned = inquiries_by_owner(self._client, self._table, owner_email, limit=10_000)
        return [inquiry for inquiry in owned if inquiry.status in OPEN]
