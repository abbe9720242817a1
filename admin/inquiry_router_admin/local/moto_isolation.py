"""moto's DynamoDB made atomic per request, as DynamoDB is, for the local stack and the tests.

As it is (moto 5.2), moto answers concurrent requests with no isolation, and it rolls a cancelled
transaction back by putting back a copy of the *whole table* taken when the transaction began —
erasing whatever other requests committed meanwhile (with the router and the intake writing at
once, an inquiry or an assignment could vanish). It also takes that copy once per item of the
transaction, stream records included, so every transaction costs time and memory in proportion
to the table.

While installed: every DynamoDB and DynamoDB Streams request is answered under one lock (so each
is atomic, and a stream read never sees a table half-written), and a cancelled transaction is
rolled back by restoring exactly the items it touched and dropping the stream records of the
writes it undoes. What a transaction checks and writes is
moto's own code, unchanged.
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
