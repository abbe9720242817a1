"""The one batch read: unprocessed keys are asked again after a growing pause, and a remainder the
table never reads raises instead of being silently left out."""

from __future__ import annotations

from typing import Any

import pytest

from inquiry_router.adapters.serialization import to_attributes
from inquiry_router.adapters.table import MAX_ATTEMPTS, UnprocessedKeysLeft, batch_get


class ThrottledTable:
    """Answers each BatchGetItem with its first key only, the rest as UnprocessedKeys."""

    def __init__(self, items: dict[tuple[str, str], dict[str, Any]], *, stuck: bool = False) -> None:
        self.items, self.stuck, self.requests = items, stuck, []

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        ((table, spec),) = RequestItems.items()
        self.requests.append(len(spec["Keys"]))
        keys = spec["Keys"]
        if self.stuck:
            return {"Responses": {table: []}, "UnprocessedKeys": RequestItems}
        first, rest = keys[0], keys[1:]
        key = (first["PK"]["S"], first["SK"]["S"])
        found = [to_attributes(self.items[key])] if key in self.items else []
        answer: dict[str, Any] = {"Responses": {table: found}}
        if rest:
            answer["UnprocessedKeys"] = {table: {**spec, "Keys": rest}}
        return answer


def test_unprocessed_keys_are_read_after_a_growing_pause() -> None:
    items = {(f"P#{n}", "S"): {"PK": f"P#{n}", "SK": "S", "n": n} for n in range(4)}
    table = ThrottledTable(items)
    pauses: list[float] = []

    found = batch_get(table, "t", [{"PK": f"P#{n}", "SK": "S"} for n in (0, 1, 2, 3, 3)], sleep=pauses.append)  # type: ignore[arg-type]

    assert sorted(item["n"] for item in found) == [0, 1, 2, 3]  # the duplicate asked once
    assert table.requests == [4, 3, 2, 1]
    assert len(pauses) == 3  # no pause before the first request, one before each retry


def test_keys_the_table_never_reads_raise() -> None:
    table = ThrottledTable({}, stuck=True)
    with pytest.raises(UnprocessedKeysLeft):
        batch_get(table, "t", [{"PK": "P#1", "SK": "S"}], sleep=lambda _: None)  # type: ignore[arg-type]
    assert len(table.requests) == MAX_ATTEMPTS


def test_more_than_a_hundred_keys_go_in_requests_of_a_hundred() -> None:
    items = {(f"P#{n}", "S"): {"PK": f"P#{n}", "SK": "S"} for n in range(250)}

    class Whole(ThrottledTable):
        def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
            ((table, spec),) = RequestItems.items()
            self.requests.append(len(spec["Keys"]))
            return {
                "Responses": {
                    table: [to_attributes(self.items[(k["PK"]["S"], k["SK"]["S"])]) for k in spec["Keys"]]
                }
            }

    table = Whole(items)
    assert len(batch_get(table, "t", [{"PK": f"P#{n}", "SK": "S"} for n in range(250)])) == 250  # type: ignore[arg-type]
    assert table.requests == [100, 100, 50]
