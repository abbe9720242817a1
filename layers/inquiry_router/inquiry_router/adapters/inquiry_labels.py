"""Labels on an inquiry ("key account", "tender"): a string set on the inquiry, changed with ADD
and DELETE, so setting a label twice, or two people labelling at once, needs no condition and
loses nothing; each change is an event on the contact's timeline."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING

from inquiry_router.adapters import keys
from inquiry_router.adapters.serialization import to_attributes
from inquiry_router.base.timestamps import iso_timestamp
from inquiry_router.models.contact import TimelineEvent
from inquiry_router.models.inquiry import Inquiry

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

TIMELINE_KIND = "labelled"


def change_labels(
    client: DynamoDBClient,
    table: str,
    inquiry: Inquiry,
    *,
    add: Collection[str] = (),
    remove: Collection[str] = (),
    by: str,
    now: datetime,
) -> frozenset[str]:
    """Add and remove labels (one transaction with the timeline event); the labels it has after."""
    adding, removing = set(add) - set(inquiry.labels), set(remove) & set(inquiry.labels)
    if not adding and not removing:
        return inquiry.labels
    parts, values = [], {}
    if adding:
        parts.append("ADD labels :add")
        values[":add"] = adding
    if removing:
        parts.append("DELETE labels :remove")
        values[":remove"] = removing
    at = iso_timestamp(now)
    summary = ", ".join(
        [*(f"+{label}" for label in sorted(adding)), *(f"-{label}" for label in sorted(removing))]
    )
    event = TimelineEvent(
        kind=TIMELINE_KIND,
        at=at,
        inquiry_id=inquiry.id,
        reference=inquiry.reference,
        summary=f"labels {summary}, by {by}",
        by=by,
        owner_email=inquiry.owner_email,
        team=inquiry.team,
    )
    event_key = keys.timeline_event_key(inquiry.contact_key, at, f"labels-{inquiry.id}-{summary}")
    client.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": table,
                    "Key": to_attributes(keys.inquiry_key(inquiry.id)),
                    "UpdateExpression": " ".join(parts),
                    "ExpressionAttributeValues": to_attributes(values),
                }
            },
            {"Put": {"TableName": table, "Item": to_attributes({**event_key, **event.to_item()})}},
        ]
    )
    return frozenset((set(inquiry.labels) | adding) - removing)
