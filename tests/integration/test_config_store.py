"""The routing config in the table (moto): one read for the router, diffs applied safely."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from inquiry_router.adapters import keys
from inquiry_router.adapters.config_store import (
    ConfigChangedMeanwhile,
    StoredConfigError,
    apply_config,
    load_routing_config,
    put_rep,
    read_config_snapshot,
)
from inquiry_router.adapters.serialization import to_attributes
from tests.conftest import TABLE_NAME
from tests.support.routing import DOMAIN, rep, routing_config

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


def queries(client: Any) -> list[str]:
    sent: list[str] = []
    client.meta.events.register("before-send.dynamodb.*", lambda request, **_: sent.append(request.url))
    return sent


def test_nothing_applied_reads_as_none(dynamodb: Any) -> None:
    assert load_routing_config(dynamodb, TABLE_NAME) is None


def test_the_router_reads_the_whole_config_with_one_query(dynamodb: Any) -> None:
    # Given a config with two teams, three reps and rules
    config = routing_config(rep("ana"), rep("bob", teams=["sales", "latam"]), rep("li", weight=3))
    apply_config(dynamodb, TABLE_NAME, config, NOW)
    sent = queries(dynamodb)

    # When the router loads it
    loaded = load_routing_config(dynamodb, TABLE_NAME)

    # Then it is the applied config, in one round trip
    assert loaded is not None
    assert len(sent) == 1
    assert {r.email: r for r in loaded.reps} == {r.email: r for r in config.reps}
    assert (loaded.rules, loaded.default_team) == (config.rules, config.default_team)


def test_a_large_config_is_written_in_transactions_of_at_most_100_and_reapplies_empty(dynamodb: Any) -> None:
    # 100 reps, 2 teams and the rules: 103 writes, more than one transaction takes
    config = routing_config(*(rep(f"rep{n:03}") for n in range(100)))
    assert len(apply_config(dynamodb, TABLE_NAME, config, NOW).reps_added) == 100
    assert apply_config(dynamodb, TABLE_NAME, config, LATER).empty
    loaded = load_routing_config(dynamodb, TABLE_NAME)
    assert loaded is not None
    assert len(loaded.reps) == 100


def test_removing_a_rep_deletes_only_their_config_item(dynamodb: Any) -> None:
    # Given Bob has an open load and the team a rotation
    apply_config(dynamodb, TABLE_NAME, routing_config(rep("ana"), rep("bob")), NOW)
    for key in (keys.rep_load_key(f"bob@{DOMAIN}"), keys.rotation_key("sales")):
        dynamodb.put_item(TableName=TABLE_NAME, Item=to_attributes({**key, "open": 2}))

    # When the config no longer declares him
    diff = apply_config(dynamodb, TABLE_NAME, routing_config(rep("ana")), LATER)

    # Then routing forgets him, and his load and the rotation stay as they were
    assert diff.lines() == [f"- rep bob@{DOMAIN}"]
    for key in (keys.rep_load_key(f"bob@{DOMAIN}"), keys.rotation_key("sales")):
        assert "Item" in dynamodb.get_item(TableName=TABLE_NAME, Key=to_attributes(key))


def test_an_edit_based_on_a_stale_read_is_refused(dynamodb: Any) -> None:
    # Given two admins read Ana's settings at the same time
    apply_config(dynamodb, TABLE_NAME, routing_config(rep("ana")), NOW)
    read = read_config_snapshot(dynamodb, TABLE_NAME).stored_rep(f"ana@{DOMAIN}")
    assert read is not None
    put_rep(dynamodb, TABLE_NAME, read.rep.model_copy(update={"weight": 2}), LATER, previous=read)

    # When the second one saves
    with pytest.raises(ConfigChangedMeanwhile, match="changed by someone else meanwhile"):
        put_rep(dynamodb, TABLE_NAME, read.rep.model_copy(update={"weight": 5}), LATER, previous=read)

    # Then the first edit stands
    loaded = load_routing_config(dynamodb, TABLE_NAME)
    assert loaded is not None
    assert loaded.reps[0].weight == 2


def test_an_item_this_version_cannot_read_stops_routing_with_a_clear_message_and_apply_repairs_it(
    dynamodb: Any,
) -> None:
    # Given a rep item with a field this version does not know (written by a newer one)
    apply_config(dynamodb, TABLE_NAME, routing_config(rep("ana")), NOW)
    odd = {**keys.rep_config_key(f"zoe@{DOMAIN}"), "entity": "rep", "config": {"email": f"zoe@{DOMAIN}"}}
    dynamodb.put_item(TableName=TABLE_NAME, Item=to_attributes({**odd, "updated_at": "x"}))

    # Then the router says what is wrong and how to fix it
    with pytest.raises(StoredConfigError, match=r"reps\[1\]\.name: required.*config apply"):
        load_routing_config(dynamodb, TABLE_NAME)

    # And applying the file replaces it
    diff = apply_config(dynamodb, TABLE_NAME, routing_config(rep("ana")), LATER)
    assert diff.lines() == [f"! replace unreadable item REP#zoe@{DOMAIN} (written by another version?)"]
    loaded = load_routing_config(dynamodb, TABLE_NAME)
    assert loaded is not None
    assert [r.email for r in loaded.reps] == [f"ana@{DOMAIN}"]
