"""How many open (unanswered) inquiries each rep holds: the router's `REP#<email>` / `LOAD` items."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from inquiry_router.adapters import keys
from inquiry_router.adapters.serialization import to_attributes
from inquiry_router.adapters.table import batch_get

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

MAX_BATCH_KEYS = 100


def open_loads(client: DynamoDBClient, table: str, emails: Sequence[str]) -> dict[str, int]:
    """Open inquiries per rep address; a rep never assigned anything has no item and counts 0."""
    loads = dict.fromkeys(emails, 0)
    wanted = [keys.rep_load_key(email) for email in sorted(set(emails))]
    # OPEN is a reserved word.
    for item in batch_get(client, table, wanted, projection="PK, #open", names={"#open": "open"}):
        loads[str(item["PK"]).removeprefix("REP#")] = int(item.get("open", 0))
    return loads


def load_decrement(table: str, email: str) -> dict[str, Any]:
    """One inquiry fewer in a rep's open load, as a transaction's Update: never below zero and
    never creating the item (a transaction cancelled by this item alone is written again without
    it: the reconciliation repairs a load that drifted)."""
    return {
        "TableName": table,
        "Key": to_attributes(keys.rep_load_key(email)),
        "UpdateExpression": "ADD #open :minus",
        "ConditionExpression": "attribute_exists(PK) AND #open > :zero",
        "ExpressionAttributeNames": {"#open": "open"},
        "ExpressionAttributeValues": to_attributes({":minus": -1, ":zero": 0}),
    }
