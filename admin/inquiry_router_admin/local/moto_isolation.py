"""moto's DynamoDB made atomic per request, as DynamoDB is, for the local stack and the tests.

Still needed with moto 5.2.5, the newest release (checked 2026-12-02, by tests/unit/test_moto_isolation.py
and by experiment). As it is, moto answers concurrent requests with no isolation (nothing serialises
werkzeug's request threads, nor threads under mock_aws), and DynamoDBBackend.transact_write_items
backs each table up with copy.deepcopy of the whole Table, stream records included, once per item
of the transaction; a cancelled transaction is rolled back by putting that copy back, erasing
whatever other requests committed meanwhile (with the router and the intake writing at once, an
inquiry or an assignment could vanish). Measured on 5.2.5: three intake-like and three
assignment-like threads for 10 s against moto's server lost 10 of 139 acknowledged inquiries and
15 of 163 acknowledged counter updates, and 17 requests failed with a 500 ("dictionary changed
size during iteration", in that copy); with this module, 0 of 634 and 0 of 473, no errors. One
3-item transaction on a table of 1,000 / 4,000 / 16,000 items took 92 / 539 / 2,394 ms and
allocated 11 / 44 / 176 MB at its peak; with this module about 1 ms and 0.1 MB at every size.

While installed: every DynamoDB and DynamoDB Streams request is answered under one lock (so each
is atomic, and a stream read never sees a table half-written), and a cancelled transaction is
rolled back by restoring exactly the items it touched and dropping the stream records of the
writes it undoes. What a transaction checks and writes is moto's own code, unchanged.

tests/unit/test_moto_isolation.py fails, naming what changed, when moto changes what this module
replaces, calls or restores; and it shows both defects on moto as it is, so that the release
that fixes one fails its test and says which part of this module can go.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_LOCK = threading.RLock()
_installed = 0
_originals: dict[str, Any] = {}


@contextmanager
def isolated_dynamodb() -> Iterator[None]:
    """Install for the duration of the block; nested and concurrent uses share one installation."""
    _install()
    try:
        yield
    finally:
        _uninstall()


def _install() -> None:
    global _installed  # noqa: PLW0603 - one process-wide patch, counted
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoHandler
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

    with _LOCK:
        _installed += 1
        if _installed > 1:
            return
        _originals.update(
            dynamodb=DynamoHandler.call_action,
            streams=DynamoDBStreamsHandler.call_action,
            transact=DynamoDBBackend.transact_write_items,
        )
        DynamoHandler.call_action = _one_at_a_time(_originals["dynamodb"])  # type: ignore[method-assign]
        DynamoDBStreamsHandler.call_action = _one_at_a_time(_originals["streams"])  # type: ignore[method-assign]
        DynamoDBBackend.transact_write_items = _rolling_back_touched_items(_originals["transact"])  # type: ignore[method-assign]
        # moto's own backup is then the live table itself, and its own rollback a no-op.
        Table.__deepcopy__ = lambda table, memo: table  # type: ignore[attr-defined]


def _uninstall() -> None:
    global _installed  # noqa: PLW0603
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoHandler
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

    with _LOCK:
        _installed -= 1
        if _installed:
            return
        DynamoHandler.call_action = _originals["dynamodb"]  # type: ignore[method-assign]
        DynamoDBStreamsHandler.call_action = _originals["streams"]  # type: ignore[method-assign]
        DynamoDBBackend.transact_write_items = _originals["transact"]  # type: ignore[method-assign]
        del Table.__deepcopy__  # type: ignore[attr-defined]


def _one_at_a_time(call_action: Any) -> Any:
    def locked(handler: Any) -> Any:
        with _LOCK:
            return call_action(handler)

    return locked


def _rolling_back_touched_items(transact_write_items: Any) -> Any:
    from moto.dynamodb.models.dynamo_type import DynamoType

    def transact(backend: Any, transact_items: list[dict[str, Any]]) -> None:
        saved = []
        streams = {}  # records of the items written before the cancel must go too, as in DynamoDB
        for entry in transact_items:
            for operation, request in entry.items():
                table = backend.tables.get(request.get("TableName"))
                key = request.get("Item" if operation == "Put" else "Key") or {}
                if table is None or any(name not in key for name in _key_names(table)):
                    continue  # moto rejects this item itself, before it writes anything for it
                hash_key = DynamoType(key[table.hash_key_attr])
                range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
                saved.append((table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))))
                if table.stream_shard is not None:
                    streams[id(table)] = (table.stream_shard, len(table.stream_shard.items))
        try:
            transact_write_items(backend, transact_items)
        except BaseException:
            for table, hash_key, range_key, item in reversed(saved):
                if range_key is None:
                    if item is None:
                        table.items.pop(hash_key, None)
                    else:
                        table.items[hash_key] = item
                elif item is None:
                    table.items[hash_key].pop(range_key, None)
                else:
                    table.items[hash_key][range_key] = item
            for shard, length in streams.values():
                del shard.items[length:]
            raise

    return transact


def _key_names(table: Any) -> list[str]:
    return [table.hash_key_attr, *([table.range_key_attr] if table.range_key_attr else [])]
