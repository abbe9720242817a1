"""The table's two read primitives, written once: one item by key, and many by key.

BatchGetItem may hand back part of a request as `UnprocessedKeys` when the table is throttled;
asking again at once would be throttled again, so the remainder is re-asked after an exponential,
jittered pause (the backoff AWS recommends), and a remainder still unread after `MAX_ATTEMPTS`
raises, so the caller's retry (the stream's, the queue's) takes over instead of reading less.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from inquiry_router.adapters.serialization import from_attributes, to_attributes

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

MAX_BATCH_KEYS = 100  # BatchGetItem's limit per request
MAX_ATTEMPTS = 8
BASE_DELAY_SECONDS = 0.05
# The OS source, not a seeded generator: one SnapStart snapshot seeds every restored environment
# alike, and their retries would then pause in step.
_jitter = random.SystemRandom()


class UnprocessedKeysLeft(RuntimeError):
    """The table kept some keys unread through every attempt (sustained throttling)."""


def get_item(
    client: DynamoDBClient, table: str, key: Mapping[str, str], *, consistent: bool = False
) -> dict[str, Any] | None:
    answer = client.get_item(TableName=table, Key=to_attributes(dict(key)), ConsistentRead=consistent)
    return from_attributes(answer["Item"]) if "Item" in answer else None


def batch_get(
    client: DynamoDBClient,
    table: str,
    keys: Iterable[Mapping[str, str]],
    *,
    consistent: bool = False,
    projection: str | None = None,
    names: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[dict[str, Any]]:
    """Every item found among `keys` (duplicates asked once; missing ones simply absent)."""
    unique = list({(k["PK"], k["SK"]): dict(k) for k in keys}.values())
    found: list[dict[str, Any]] = []
    for start in range(0, len(unique), MAX_BATCH_KEYS):
        spec: dict[str, Any] = {"Keys": [to_attributes(k) for k in unique[start : start + MAX_BATCH_KEYS]]}
        if consistent:
            spec["ConsistentRead"] = True
        if projection:
            spec["ProjectionExpression"] = projection
        if names:
            spec["ExpressionAttributeNames"] = dict(names)
        request: Any = {table: spec}
        for attempt in range(MAX_ATTEMPTS):
            if attempt:
                sleep(_jitter.uniform(0, BASE_DELAY_SECONDS * 2**attempt))
            answer = client.batch_get_item(RequestItems=request)
            found.extend(from_attributes(raw) for raw in answer.get("Responses", {}).get(table, []))
            request = answer.get("UnprocessedKeys") or None
            if not request:
                break
        else:
            raise UnprocessedKeysLeft(f"{table}: keys still unprocessed after {MAX_ATTEMPTS} attempts")
    return found
