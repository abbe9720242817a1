"""The router against the table (moto): one assignment per inquiry, exact fairness under
concurrency and pool changes, returning customers, fallback, and idempotent redelivery."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from inquiry_router.adapters import keys
from inquiry_router.adapters.assignment_write import AssignmentStore
from inquiry_router.adapters.serialization import from_attributes, to_attributes
from inquiry_router.base.timestamps import iso_timestamp
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.routing_config import RoutingConfig
from inquiry_router.routing.service import Router
from inquiry_router_admin.local.moto_isolation import isolated_dynamodb
from tests.conftest import TABLE_NAME, create_table
from tests.support.items import contact_timeline, get_contact, get_inquiry
from tests.support.routing import DOMAIN, new_inquiry_item, rep, routing_config

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai


@pytest.fixture
def dynamodb(aws_environment: None) -> Iterator[Any]:
    """The stack's table without its stream, which the router's tests do not read (see create_table)."""
    with mock_aws(), isolated_dynamodb():
        client = boto3.client("dynamodb")
        create_table(client, stream=False)
        yield client


def store_inquiry(client: Any, email: str | None = None, **fields: Any) -> dict[str, Any]:
    """A new inquiry and its contact, as the intake leaves them (only what routing reads)."""
    inquiry_id = str(uuid.uuid4())
    email = email or f"buyer-{inquiry_id[:8]}@gmail.com"
    domain = email.rsplit("@", 1)[1]
    received = iso_timestamp(NOW)
    item = new_inquiry_item(inquiry_id, email, received, **fields)
    writes: list[Any] = [
        {"Put": {"TableName": TABLE_NAME, "Item": to_attributes(item)}},
        {
            "Update": {
                "TableName": TABLE_NAME,
                "Key": to_attributes(keys.contact_key(email)),
                "UpdateExpression": "SET entity = :c",
                "ExpressionAttributeValues": to_attributes({":c": "contact"}),
            }
        },
    ]
    if domain != "gmail.com":
        writes.append(
            {
                "Update": {
                    "TableName": TABLE_NAME,
                    "Key": to_attributes(keys.account_key(domain)),
                    "UpdateExpression": "SET entity = :a",
                    "ExpressionAttributeValues": to_attributes({":a": "account"}),
                }
            }
        )
    client.transact_write_items(TransactItems=writes)
    return from_attributes(to_attributes(item))


def stored_inquiry(client: Any, email: str | None = None, **fields: Any) -> Inquiry:
    """`store_inquiry`, as the stream record hands it to the router."""
    return Inquiry.from_item(store_inquiry(client, email, **fields))


def make_router(client: Any, config: Callable[[], RoutingConfig], now: datetime = NOW) -> Router:
    return Router(AssignmentStore(client, TABLE_NAME), config, clock=lambda: now, sleep=lambda _: None)


def rotation(client: Any, team: str = "sales") -> dict[str, Any]:
    answer = client.get_item(TableName=TABLE_NAME, Key=to_attributes(keys.rotation_key(team)))
    return from_attributes(answer.get("Item", {}))


def test_a_new_inquiry_is_assigned_with_its_reason_on_the_inquiry_and_the_timeline(dynamodb: Any) -> None:
    config = routing_config(rep("ana"), rep("bob"))
    inquiry = store_inquiry(dynamodb, "li@shenzhen-trading.cn")

    result = make_router(dynamodb, lambda: config).route_new_inquiry(Inquiry.from_item(inquiry))

    stored = get_inquiry(dynamodb, TABLE_NAME, inquiry["id"])
    assert stored is not None
    assert stored["status"] == "assigned"
    assert stored["owner_email"] == result.owner_email
    assert stored["team"] == "sales"
    assert stored["assignment_reason"].startswith("round robin in team sales")
    contact = get_contact(dynamodb, TABLE_NAME, "li@shenzhen-trading.cn")
    assert contact is not None
    assert contact["owner_email"] == result.owner_email
    events = contact_timeline(dynamodb, TABLE_NAME, "li@shenzhen-trading.cn")
    assert [(e["kind"], e["owner_email"]) for e in events] == [("assigned", result.owner_email)]
    listed = dynamodb.query(
        TableName=TABLE_NAME,
        IndexName=keys.OWNER_INDEX,
        KeyConditionExpression="GSI2PK = :owner",
        ExpressionAttributeValues=to_attributes({":owner": f"OWNER#{result.owner_email}"}),
    )
    assert [i["id"]["S"] for i in listed["Items"]] == [inquiry["id"]]


def test_a_redelivered_record_neither_assigns_twice_nor_moves_the_rotation(dynamodb: Any) -> None:
    config = routing_config(rep("ana"), rep("bob"))
    router = make_router(dynamodb, lambda: config)
    inquiry = store_inquiry(dynamodb)

    first = router.route_new_inquiry(Inquiry.from_item(inquiry))
    version = rotation(dynamodb)["version"]
    again = router.route_new_inquiry(Inquiry.from_item(inquiry))  # the same stream record, delivered again

    assert again.replayed
    assert again.owner_email == first.owner_email
    assert rotation(dynamodb)["version"] == version
    events = contact_timeline(dynamodb, TABLE_NAME, inquiry["contact_key"])
    assert [e["kind"] for e in events] == ["assigned"]


def test_a_returning_customer_and_their_colleague_keep_the_first_rep(dynamodb: Any) -> None:
    config = routing_config(rep("ana"), rep("bob"), rep("cai"))
    router = make_router(dynamodb, lambda: config)

    first = router.route_new_inquiry(
        Inquiry.from_item(store_inquiry(dynamodb, "ana.garcia@importadora-sol.es"))
    )
    again = router.route_new_inquiry(
        Inquiry.from_item(store_inquiry(dynamodb, "ana.garcia@importadora-sol.es"))
    )
    colleague = router.route_new_inquiry(
        Inquiry.from_item(store_inquiry(dynamodb, "pedro@importadora-sol.es"))
    )

    assert again.owner_email == colleague.owner_email == first.owner_email
    assert again.reason == "returning customer"
    assert colleague.reason == "returning customer (same company)"


def test_no_eligible_rep_sends_it_to_the_fallback_and_never_leaves_it_unassigned(dynamodb: Any) -> None:
    away = {"from": date(2026, 11, 1), "until": date(2026, 12, 31)}
    config = routing_config(rep("ana", active=False), rep("bob", out_of_office=[away]))
    inquiry = store_inquiry(dynamodb)

    result = make_router(dynamodb, lambda: config).route_new_inquiry(Inquiry.from_item(inquiry))

    stored = get_inquiry(dynamodb, TABLE_NAME, inquiry["id"])
    assert stored is not None
    assert result.owner_email == stored["owner_email"] == f"manager@{DOMAIN}"
    assert stored["assignment_kind"] == "fallback"
    assert "1 inactive, 1 away" in stored["assignment_reason"]


def test_capacity_counts_open_inquiries_and_overflows_to_the_colleague(dynamodb: Any) -> None:
    config = routing_config(rep("ana", capacity=1), rep("bob", capacity=1))
    router = make_router(dynamodb, lambda: config)

    owners = [
        router.route_new_inquiry(Inquiry.from_item(store_inquiry(dynamodb))).owner_email for _ in range(3)
    ]

    assert sorted(owners[:2]) == [f"ana@{DOMAIN}", f"bob@{DOMAIN}"]
    assert owners[2] == f"manager@{DOMAIN}"


# -- fairness under concurrency -------------------------------------------------------------------


def route_concurrently(
    inquiries: list[dict[str, Any]], config: Callable[[], RoutingConfig], workers: int = 16
) -> Counter[str]:
    """`workers` routers, each with its own client, taking inquiries off one shared list."""
    owners: Counter[str] = Counter()
    lock = threading.Lock()
    pending = list(inquiries)
    errors: list[BaseException] = []

    def work() -> None:
        # The router's own backoff between attempts, as in Lambda: without it they spin and collide.
        router = Router(AssignmentStore(boto3.client("dynamodb"), TABLE_NAME), config, clock=lambda: NOW)
        while True:
            with lock:
                if not pending:
                    return
                inquiry = pending.pop()
            try:
                owner = router.route_new_inquiry(Inquiry.from_item(inquiry)).owner_email
            except BaseException as error:  # surfaced below, in the test's thread
                errors.append(error)
                return
            with lock:
                owners[owner] += 1

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[0]
    return owners


@pytest.mark.slow
def test_16_routers_share_1000_inquiries_among_5_equal_reps_200_each(dynamodb: Any) -> None:
    config = routing_config(*(rep(name, capacity=10_000) for name in ("ana", "bob", "cai", "dan", "eva")))
    inquiries = [store_inquiry(dynamodb) for _ in range(1000)]

    owners = route_concurrently(inquiries, lambda: config)

    assert sum(owners.values()) == 1000
    # The promise: no rep ever more than one inquiry ahead of another.
    assert len(owners) == 5
    assert max(owners.values()) - min(owners.values()) <= 1, owners
    assert rotation(dynamodb)["version"] == 1000


@pytest.mark.slow
def test_weights_3_to_1_give_75_and_25_percent(dynamodb: Any) -> None:
    config = routing_config(rep("ana", weight=3, capacity=10_000), rep("bob", capacity=10_000))
    inquiries = [store_inquiry(dynamodb) for _ in range(400)]

    owners = route_concurrently(inquiries, lambda: config)

    assert abs(owners[f"ana@{DOMAIN}"] / 400 - 0.75) <= 0.01, owners
    assert abs(owners[f"bob@{DOMAIN}"] / 400 - 0.25) <= 0.01, owners


@pytest.mark.slow
def test_pool_changes_never_reset_the_rotation_and_a_returning_rep_gets_no_burst(dynamodb: Any) -> None:
    names = ("ana", "bob", "cai", "dan")
    base = [rep(name, capacity=10_000) for name in names]
    away = {"from": date(2026, 11, 1), "until": date(2026, 11, 30)}
    with_dan_away = routing_config(*base[:3], rep("dan", capacity=10_000, out_of_office=[away]))
    with_eva = routing_config(*base, rep("eva", capacity=10_000))
    current = {"config": routing_config(*base)}

    def config() -> RoutingConfig:
        return current["config"]

    def run(count: int) -> Counter[str]:
        return route_concurrently([store_inquiry(dynamodb) for _ in range(count)], config)

    # Given 4 reps sharing 100 inquiries
    first = run(100)
    # When dan is away for the next 75, then back for 100, and eva joins for the last 125
    current["config"] = with_dan_away
    during_absence = run(75)
    current["config"] = routing_config(*base)
    after_return = run(100)
    current["config"] = with_eva
    with_newcomer = run(125)

    # Then every phase is shared evenly among whoever was there: no reset, no catch-up burst
    assert all(count == 25 for count in first.values()), first
    assert f"dan@{DOMAIN}" not in during_absence
    assert all(count == 25 for count in during_absence.values()), during_absence
    assert max(after_return.values()) - min(after_return.values()) <= 1, after_return
    assert max(with_newcomer.values()) - min(with_newcomer.values()) <= 1, with_newcomer
    assert rotation(dynamodb)["version"] == 400
