"""The moto patch of the local stack and the tests (inquiry_router_admin/local/moto_isolation.py).

Three kinds of test:
- the contract: moto still has the methods and the state the patch replaces, calls and restores;
  when moto changes them, a test says what changed and where to look;
- the defects the patch exists for, shown on moto as it is; when moto fixes one upstream, its test
  fails and says which part of the patch can go;
- the patch's effect: a cancelled transaction undoes its own writes and no one else's.
"""

from __future__ import annotations

import inspect
import threading
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import boto3
import moto
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoHandler
from moto.dynamodbstreams.models import dynamodbstreams_backends
from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

from inquiry_router_admin.local import moto_isolation
from inquiry_router_admin.local.moto_isolation import isolated_dynamodb
from tests.conftest import TABLE_NAME, create_table

MODULE = "admin/inquiry_router_admin/local/moto_isolation.py"
REGION = "eu-west-1"


def changed(what: str) -> str:
    return f"moto changed {what}: re-check {MODULE} against moto {moto.__version__}"


@pytest.fixture(autouse=True)
def _patch_not_installed() -> None:
    # Each test installs the patch itself: one left installed would make moto "as is" the patched one.
    assert not moto_isolation._installed, f"a test left {MODULE} installed"


@pytest.fixture
def client(aws_environment: None) -> Iterator[Any]:
    """The stack's table (keys, indexes, stream) in moto as it is: each test installs the patch itself."""
    with mock_aws():
        dynamodb = boto3.client("dynamodb")
        create_table(dynamodb)
        yield dynamodb


def backend() -> Any:
    return dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION]


def key(pk: str) -> dict[str, Any]:
    return {"PK": {"S": pk}, "SK": {"S": "ITEM"}}


def stored_keys(client: Any) -> list[str]:
    return sorted(item["PK"]["S"] for item in client.scan(TableName=TABLE_NAME)["Items"])


def stream_events() -> list[tuple[str, str]]:
    shard = backend().tables[TABLE_NAME].stream_shard
    return [(r.record["eventName"], r.record["dynamodb"]["Keys"]["PK"]["S"]) for r in shard.items]


# -- the contract: what the patch replaces, calls and restores ------------------------------------


@pytest.mark.parametrize(
    ("owner", "name", "parameters"),
    [
        # replaced by a wrapper that passes the handler and nothing else
        (DynamoHandler, "call_action", ["self"]),
        (DynamoDBStreamsHandler, "call_action", ["self"]),
        # replaced by a wrapper that takes (backend, transact_items)
        (DynamoDBBackend, "transact_write_items", ["self", "transact_items"]),
        # called by the rollback as get_item(hash_key, range_key) and DynamoType(attribute value)
        (Table, "get_item", ["self", "hash_key", "range_key"]),
        (DynamoType, "__init__", ["self", "type_as_dict"]),
    ],
)
def test_moto_still_has_the_methods_the_patch_replaces_or_calls(
    owner: type, name: str, parameters: list[str]
) -> None:
    function = getattr(owner, name, None)
    assert callable(function), changed(f"{owner.__qualname__}.{name} (it is gone)")
    signature = inspect.signature(function)
    assert list(signature.parameters)[: len(parameters)] == parameters, changed(
        f"the signature of {owner.__qualname__}.{name}, now {signature}"
    )
    required = [p for p in list(signature.parameters.values())[len(parameters) :] if p.default is p.empty]
    assert not required, changed(f"{owner.__qualname__}.{name}: it now requires {[p.name for p in required]}")


def test_moto_tables_have_no_deepcopy_of_their_own() -> None:
    # The patch sets Table.__deepcopy__ and deletes it on the way out: one of moto's own would be lost.
    assert not hasattr(Table, "__deepcopy__"), changed("Table: it has a __deepcopy__ of its own now")


def test_moto_keeps_a_table_in_the_state_the_rollback_restores(client: Any) -> None:
    client.put_item(TableName=TABLE_NAME, Item=key("A"))
    tables = getattr(backend(), "tables", None)
    assert isinstance(tables, dict), changed("DynamoDBBackend.tables (no longer a dict of tables by name)")
    table = tables.get(TABLE_NAME)
    assert isinstance(table, Table), changed("DynamoDBBackend.tables (its values are not Table any more)")
    assert (table.hash_key_attr, table.range_key_attr) == ("PK", "SK"), changed(
        "Table.hash_key_attr / Table.range_key_attr"
    )
    stored = getattr(table, "items", {}).get(DynamoType({"S": "A"}), {}).get(DynamoType({"S": "ITEM"}))
    assert isinstance(stored, Item), changed(
        "Table.items (no longer {hash DynamoType: {range DynamoType: Item}})"
    )
    assert table.get_item(DynamoType({"S": "A"}), DynamoType({"S": "ITEM"})) is stored, changed(
        "Table.get_item (it no longer hands back the stored Item)"
    )
    records = getattr(table.stream_shard, "items", None)
    assert isinstance(records, list), changed("Table.stream_shard.items (no longer a list of stream records)")
    assert len(records) == 1, changed("Table.stream_shard.items (a write no longer appends one record)")


def test_moto_still_backs_a_transaction_up_by_deep_copying_the_table(client: Any) -> None:
    """The patch makes that copy the live table itself, so moto's own rollback puts back the same table."""
    copies: list[Table] = []
    with isolated_dynamodb(), pytest.MonkeyPatch.context() as spy:  # undone before the patch is
        patched = Table.__deepcopy__  # type: ignore[attr-defined]
        spy.setattr(Table, "__deepcopy__", lambda table, memo: copies.append(table) or patched(table, memo))
        client.transact_write_items(TransactItems=[{"Put": {"TableName": TABLE_NAME, "Item": key("A")}}])
    assert copies, changed("how TransactWriteItems backs a table up (it no longer deep-copies the Table)")
    assert stored_keys(client) == ["A"]


@pytest.mark.parametrize("service", ["dynamodb", "dynamodbstreams"])
def test_every_request_reaches_moto_through_the_locked_entry_points(client: Any, service: str) -> None:
    held: list[bool] = []

    def probe(real: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            # Another thread, as a concurrent request would be: it must not get the lock now.
            attempt = threading.Thread(target=lambda: held.append(not _try_lock()))
            attempt.start()
            attempt.join()
            return real(*args, **kwargs)

        return call

    # Spies undone inside moto's mock: leaving it resets the backends they are set on.
    with isolated_dynamodb(), pytest.MonkeyPatch.context() as spy:
        if service == "dynamodb":
            spy.setattr(backend(), "get_item", probe(backend().get_item))
            client.get_item(TableName=TABLE_NAME, Key=key("A"))
        else:
            streams = dynamodbstreams_backends[DEFAULT_ACCOUNT_ID][REGION]
            spy.setattr(streams, "get_records", probe(streams.get_records))
            read_stream()
    assert held == [True], changed(f"how a {service} request reaches its backend (not through call_action)")


def _try_lock() -> bool:
    if moto_isolation._LOCK.acquire(blocking=False):
        moto_isolation._LOCK.release()
        return True
    return False


def read_stream() -> list[dict[str, Any]]:
    # An explicit endpoint: moto's in-process mock does not recognise the one botocore derives (ARN).
    streams = boto3.client("dynamodbstreams", endpoint_url=f"https://streams.dynamodb.{REGION}.amazonaws.com")
    arn = boto3.client("dynamodb").describe_table(TableName=TABLE_NAME)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records: list[dict[str, Any]] = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    return records


# -- a cancelled transaction and a concurrent writer -----------------------------------------------


def cancel_while_another_writes(client: Any, wait: float) -> bool:
    """A transaction that writes NEW and is then cancelled; while it runs, another thread puts WRITER.

    Says whether the writer's PutItem was answered before the transaction ended.
    """
    answered = threading.Event()

    def write() -> None:
        boto3.client("dynamodb").put_item(TableName=TABLE_NAME, Item=key("WRITER"))
        answered.set()

    writer = threading.Thread(target=write)
    answered_during: list[bool] = []
    put_item = backend().put_item

    def put_during_transaction(*args: Any, **kwargs: Any) -> Any:
        if not writer.is_alive() and not answered.is_set():  # the transaction's own Put: let the writer in
            writer.start()
            answered_during.append(answered.wait(wait))
        return put_item(*args, **kwargs)

    with pytest.MonkeyPatch.context() as spy:
        spy.setattr(backend(), "put_item", put_during_transaction)
        with pytest.raises(ClientError, match="TransactionCanceledException"):
            client.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": TABLE_NAME, "Item": key("NEW")}},
                    {
                        "ConditionCheck": {
                            "TableName": TABLE_NAME,
                            "Key": key("MISSING"),
                            "ConditionExpression": "attribute_exists(PK)",
                        }
                    },
                ]
            )
    writer.join(timeout=5)
    assert answered.is_set(), "the writer's PutItem was never answered"
    return answered_during == [True]


def test_a_cancelled_transaction_leaves_a_concurrent_writers_item_alone(client: Any) -> None:
    with isolated_dynamodb():
        answered_during = cancel_while_another_writes(client, wait=0.2)

        assert not answered_during, "the writer was let in while the transaction ran"
        assert stored_keys(client) == ["WRITER"]
        assert stream_events() == [("INSERT", "WRITER")]  # NEW's record went with NEW


def test_moto_as_is_erases_a_concurrent_writers_item_when_it_rolls_back(client: Any) -> None:
    answered_during = cancel_while_another_writes(client, wait=2)

    if not answered_during or stored_keys(client) == ["WRITER"]:
        pytest.fail(
            f"moto {moto.__version__} no longer loses an answered PutItem when it rolls back a concurrent "
            f"cancelled transaction (writer answered during the transaction: {answered_during}): "
            f"the lock and the rollback of {MODULE} may no longer be needed; re-check them and remove "
            "what moto now does itself"
        )
    assert stored_keys(client) == []  # the whole table went back to before the transaction
    assert stream_events() == []  # the writer's stream record with it


def test_a_cancelled_transaction_with_an_incomplete_key_is_moto_s_own_answer(client: Any) -> None:
    """An item without its sort key: moto cancels the transaction; the patch must not fail before it."""
    with isolated_dynamodb(), pytest.raises(ClientError, match="TransactionCanceledException"):
        client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": TABLE_NAME, "Item": key("NEW")}},
                {"Put": {"TableName": TABLE_NAME, "Item": {"PK": {"S": "NO-SORT-KEY"}}}},
            ]
        )
    assert stored_keys(client) == []


def test_a_cancelled_transaction_puts_back_the_items_it_changed(client: Any) -> None:
    client.put_item(TableName=TABLE_NAME, Item={**key("KEPT"), "n": {"N": "1"}})
    client.put_item(TableName=TABLE_NAME, Item=key("DELETED"))
    with isolated_dynamodb(), pytest.raises(ClientError, match="TransactionCanceledException"):
        client.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": TABLE_NAME,
                        "Key": key("KEPT"),
                        "UpdateExpression": "ADD n :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                },
                {"Delete": {"TableName": TABLE_NAME, "Key": key("DELETED")}},
                {"Put": {"TableName": TABLE_NAME, "Item": key("NEW")}},
                {
                    "ConditionCheck": {
                        "TableName": TABLE_NAME,
                        "Key": key("MISSING"),
                        "ConditionExpression": "attribute_exists(PK)",
                    }
                },
            ]
        )
    assert stored_keys(client) == ["DELETED", "KEPT"]
    kept = client.get_item(TableName=TABLE_NAME, Key=key("KEPT"))["Item"]
    assert kept["n"] == {"N": "1"}
    assert stream_events() == [("INSERT", "KEPT"), ("INSERT", "DELETED")]


# -- what a transaction costs as the table grows ---------------------------------------------------


def transaction_peak_bytes(client: Any, table_items: int) -> int:
    """Peak allocation of one 3-item TransactWriteItems once the table holds `table_items` items."""
    table = backend().tables[TABLE_NAME]
    for index in range(len(table.items), table_items):  # straight into moto: the load is not measured
        backend().put_item(TABLE_NAME, {**key(f"OLD#{index}"), "text": {"S": "x" * 200}})
    puts = [{"Put": {"TableName": TABLE_NAME, "Item": key(f"NEW#{table_items}#{n}")}} for n in range(3)]
    tracemalloc.start()
    try:
        client.transact_write_items(TransactItems=puts)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def cost_growth(client: Any, patch: AbstractContextManager[None]) -> float:
    """How many times more a transaction allocates on a table of 1,000 items than on one of 10."""
    with patch:
        small = transaction_peak_bytes(client, 10)
        large = transaction_peak_bytes(client, 1_000)
    return large / small


def test_with_the_patch_a_transaction_costs_the_same_on_a_large_table(client: Any) -> None:
    assert cost_growth(client, isolated_dynamodb()) < 3


def test_moto_as_is_copies_the_whole_table_for_a_transaction(client: Any) -> None:
    growth = cost_growth(client, nullcontext())

    if growth < 10:
        pytest.fail(
            f"moto {moto.__version__} no longer copies the whole table for a transaction (a table 100 "
            f"times larger costs {growth:.1f} times as much): the Table.__deepcopy__ override in "
            f"{MODULE} may no longer be needed; re-check it and remove it if so"
        )
