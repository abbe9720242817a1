"""How many open (unanswered) inquiries each rep holds: the router's `REP#<email>` / `LOAD` items."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from inquiry_router.adapters import keys
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
