"""Read access patterns of the table (see store/keys.py): every one a GetItem or a Query."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from inquiry_router.store import keys
from inquiry_router.store.serialization import from_attributes, to_attributes

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

INTERNAL_ATTRIBUTES = ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK")


def _public(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in from_attributes(item).items() if k not in INTERNAL_ATTRIBUTES}


def get_contact(client: DynamoDBClient, table: str, email_key: str) -> dict[str, Any] | None:
    answer = client.get_item(TableName=table, Key=to_attributes(keys.contact_key(email_key)))
    return _public(answer["Item"]) if "Item" in answer else None


def contact_timeline(
    client: DynamoDBClient, table: str, email_key: str, limit: int = 50
) -> list[dict[str, Any]]:
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
    return [_public(item) for item in answer.get("Items", [])]


def get_inquiry(client: DynamoDBClient, table: str, inquiry_id: str) -> dict[str, Any] | None:
    answer = client.get_item(TableName=table, Key=to_attributes(keys.inquiry_key(inquiry_id)))
    return _public(answer["Item"]) if "Item" in answer else None


def inquiries_by_status(
    client: DynamoDBClient, table: str, status: str, limit: int = 50
) -> Iterator[dict[str, Any]]:
    """Newest first, following pages until `limit` items were returned."""
    yield from _query_index(client, table, keys.STATUS_INDEX, "GSI1PK", f"STATUS#{status}", limit=limit)


def inquiries_by_owner(
    client: DynamoDBClient, table: str, owner_email: str, limit: int = 50
) -> Iterator[dict[str, Any]]:
    yield from _query_index(client, table, keys.OWNER_INDEX, "GSI2PK", f"OWNER#{owner_email}", limit=limit)


def _query_index(
    client: DynamoDBClient, table: str, index: str, key_name: str, key_value: str, *, limit: int
) -> Iterator[dict[str, Any]]:
    returned = 0
    start: dict[str, Any] | None = None
    while returned < limit:
        params: dict[str, Any] = {
            "TableName": table,
            "IndexName": index,
            "KeyConditionExpression": f"{key_name} = :key",
            "ExpressionAttributeValues": to_attributes({":key": key_value}),
            "ScanIndexForward": False,
            "Limit": limit - returned,
        }
        if start:
            params["ExclusiveStartKey"] = start
        answer = client.query(**params)
        for item in answer.get("Items", []):
            returned += 1
            yield _public(item)
        start = answer.get("LastEvaluatedKey")
        if not start:
            return


def received_mail(client: DynamoDBClient, table: str, ses_message_id: str) -> dict[str, Any] | None:
    answer = client.get_item(TableName=table, Key=to_attributes(keys.inbound_mail_key(ses_message_id)))
    return _public(answer["Item"]) if "Item" in answer else None


def received_mail_by_decision(
    client: DynamoDBClient, table: str, decision: str, limit: int = 50
) -> Iterator[dict[str, Any]]:
    """Received messages with this decision, newest first."""
    yield from _query_index(client, table, keys.STATUS_INDEX, "GSI1PK", f"MAIL#{decision}", limit=limit)
