"""How many open (unanswered) inquiries each rep holds: the router's `REP#<email>` / `LOAD` items."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from inquiry_router.adapters import keys
from inquiry_router.adapters.serialization import from_attributes, to_attributes

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

MAX_BATCH_KEYS = 100


def open_loads(client: DynamoDBClient, table: str, emails: Sequence[str]) -> dict[str, int]:
    """Open inquiries per rep address; a rep never assigned anything has no item and counts 0."""
    loads = dict.fromkeys(emails, 0)
    unique = sorted(set(emails))
    for start in range(0, len(unique), MAX_BATCH_KEYS):
        batch = [to_attributes(keys.rep_load_key(email)) for email in unique[start : start + MAX_BATCH_KEYS]]
        request: Any = {table: {"Keys": batch, "ProjectionExpression": "PK, #open"}}
        request[table]["ExpressionAttributeNames"] = {"#open": "open"}  # OPEN is a reserved word
        while request:
            answer = client.batch_get_item(RequestItems=request)
            for raw in answer.get("Responses", {}).get(table, []):
                item = from_attributes(raw)
                loads[str(item["PK"]).removeprefix("REP#")] = int(item.get("open", 0))
            request = answer.get("UnprocessedKeys") or None
    return loads
