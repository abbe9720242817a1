"""How many inquiries each rep holds awaiting their first answer: the router's `REP#<email>` /
`LOAD` items, what changes them, and their recount from the stored inquiries.

The count is kept on one item per rep because the router checks a rep's capacity inside the
assignment's transaction; every path that changes what the count means changes it in the same
transaction (adapters/assignment_write.py, status_changes.py, inbound_records.py). The recount
(`LoadBook`, run by routing/load_reconciliation.py) is what the stored inquiries say, and repairs
an item that drifted anyway: a partial failure, a hand edit, a bug.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from inquiry_router.adapters import keys
from inquiry_router.adapters.serialization import to_attributes
from inquiry_router.adapters.table import batch_get
from inquiry_router.models.lifecycle import AWAITING_ANSWER

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

LOAD_ENTITY = "rep_load"


def open_loads(client: DynamoDBClient, table: str, emails: Sequence[str]) -> dict[str, int]:
    """Open inquiries per rep address; a rep never assigned anything has no item and counts 0."""
    return {email: reading.open for email, reading in LoadBook(client, table).readings(emails).items()}


def load_change(table: str, email: str, delta: int, at: str, capacity: int | None = None) -> dict[str, Any]:
    """A transaction's Update of a rep's load by `delta`, stamped `changed_at` (the recount leaves
    a load that just changed alone: the owner index may not show that change yet). With
    `capacity`, refused when the rep is full."""
    values: dict[str, Any] = {":entity": LOAD_ENTITY, ":delta": delta, ":at": at}
    update: dict[str, Any] = {
        "TableName": table,
        "Key": to_attributes(keys.rep_load_key(email)),
        "UpdateExpression": "SET entity = :entity, changed_at = :at ADD #open :delta",
        "ExpressionAttributeNames": {"#open": "open"},
    }
    if capacity is not None:
        update["ConditionExpression"] = "attribute_not_exists(#open) OR #open < :capacity"
        values[":capacity"] = capacity
    update["ExpressionAttributeValues"] = to_attributes(values)
    return update


def load_decrement(table: str, email: str, at: str) -> dict[str, Any]:
    """One inquiry fewer in a rep's load: never below zero, never creating the item (see
    `write_with_load`)."""
    update = load_change(table, email, -1, at)
    update["ConditionExpression"] = "attribute_exists(PK) AND #open > :zero"
    update["ExpressionAttributeValues"] |= to_attributes({":zero": 0})
    return update


def write_with_load(client: DynamoDBClient, items: list[Any], load: dict[str, Any] | None) -> None:
    """TransactWriteItems of `items` and, last, the `load` update; written once more without the
    load when only the load refused (no item, or already at zero: the recount repairs it). Any
    other refusal is raised, its CancellationReasons in `items` order."""
    try:
        written: list[Any] = [*items, *([{"Update": load}] if load else [])]
        client.transact_write_items(TransactItems=written)
    except ClientError as error:
        if load is None or error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
            raise
        reasons = [reason.get("Code") for reason in error.response.get("CancellationReasons", [])]
        if reasons[-1:] != ["ConditionalCheckFailed"] or any(r not in (None, "None") for r in reasons[:-1]):
            raise
        client.transact_write_items(TransactItems=items)


@dataclass(frozen=True, slots=True)
class LoadReading:
    open: int
    changed_at: str | None = None  # absent on items written before the stamp existed


class LoadBook:
    """The load items as stored, and what the stored inquiries say they should hold."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def readings(self, emails: Sequence[str]) -> dict[str, LoadReading]:
        """Every rep of `emails`; one never assigned anything has no item and reads 0."""
        found = dict.fromkeys(emails, LoadReading(0))
        wanted = [keys.rep_load_key(email) for email in sorted(set(emails))]
        # OPEN is a reserved word.
        names = {"#open": "open"}
        for item in batch_get(
            self._client, self._table, wanted, projection="PK, #open, changed_at", names=names
        ):
            changed_at = item.get("changed_at")
            reading = LoadReading(int(item.get("open", 0)), str(changed_at) if changed_at else None)
            found[str(item["PK"]).removeprefix("REP#")] = reading
        return found

    def count_awaiting(self, email: str) -> int:
        """The inquiries `email` owns that await their first answer (models/lifecycle.AWAITING_ANSWER
        with no answer recorded), from the owner index."""
        statuses = sorted(AWAITING_ANSWER)
        values = {":owner": f"OWNER#{email}", **{f":s{i}": s for i, s in enumerate(statuses)}}
        params: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": keys.OWNER_INDEX,
            "KeyConditionExpression": "GSI2PK = :owner",
            "FilterExpression": f"#status IN ({', '.join(f':s{i}' for i in range(len(statuses)))}) "
            "AND attribute_not_exists(responded_at)",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": to_attributes(values),
            "Select": "COUNT",
        }
        counted = 0
        while True:
            answer = self._client.query(**params)
            counted += answer.get("Count", 0)
            if not answer.get("LastEvaluatedKey"):
                return counted
            params["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def repair(self, email: str, seen: int, counted: int, at: str) -> bool:
        """Set the load to `counted` if it still holds what was `seen`; False when it changed."""
        # No item reads 0: then it must still be missing (or 0).
        unchanged = "attribute_not_exists(#open) OR #open = :seen" if seen == 0 else "#open = :seen"
        try:
            self._client.update_item(
                TableName=self._table,
                Key=to_attributes(keys.rep_load_key(email)),
                UpdateExpression="SET entity = :entity, #open = :counted, changed_at = :at, "
                "repaired_at = :at",
                ConditionExpression=unchanged,
                ExpressionAttributeNames={"#open": "open"},
                ExpressionAttributeValues=to_attributes(
                    {":entity": LOAD_ENTITY, ":counted": counted, ":seen": seen, ":at": at}
                ),
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            return False
        return True
