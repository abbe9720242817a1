"""Our attribute mapping (written to keep boto3 out of the cold start) agrees with boto3's own
`TypeSerializer`/`TypeDeserializer` on every value either accepts, and refuses what boto3 refuses."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from hypothesis import given, settings
from hypothesis import strategies as st

from inquiry_router.adapters.serialization import _deserialize, _serialize, from_attributes, to_attributes

boto3_serializer, boto3_deserializer = TypeSerializer(), TypeDeserializer()

leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**39), max_value=10**39),  # past DynamoDB's 38 digits too
    st.text(max_size=5),
    st.binary(max_size=4),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-(10**10), max_value=10**10),
)
values = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.text(max_size=3), children, max_size=3),
        st.frozensets(st.text(max_size=3), min_size=1, max_size=3),
        st.frozensets(st.integers(-999, 999), min_size=1, max_size=3),
        st.frozensets(st.binary(max_size=2), min_size=1, max_size=3),
    ),
    max_leaves=8,
)


def _canonical(attribute: Any) -> Any:
    """Sets come out in any order."""
    if isinstance(attribute, dict):
        return {k: sorted(v) if k in ("SS", "NS", "BS") else _canonical(v) for k, v in attribute.items()}
    if isinstance(attribute, list):
        return [_canonical(v) for v in attribute]
    return attribute


@settings(max_examples=500, deadline=None)
@given(values)
def test_the_mapping_is_boto3s(value: Any) -> None:
    try:
        theirs = boto3_serializer.serialize(value)
    except (TypeError, ArithmeticError) as refused:
        with pytest.raises(type(refused)):
            _serialize(value)
        return
    ours = _serialize(value)
    assert _canonical(ours) == _canonical(theirs)
    assert _deserialize(ours) == boto3_deserializer.deserialize(theirs)


@pytest.mark.parametrize(
    "value", [10**40, Decimal("1.23456789012345678901234567890123456789012"), 1.5, {1, "a"}, object()]
)
def test_what_boto3_refuses_is_refused(value: Any) -> None:
    with pytest.raises((TypeError, ArithmeticError)):
        boto3_serializer.serialize(value)
    with pytest.raises((TypeError, ArithmeticError)):
        _serialize(value)


def test_items_round_trip_as_plain_values() -> None:
    item = {"PK": "INQUIRY#1", "n": 3, "ratio": Decimal("0.5"), "tags": {"b", "a"}, "gone": None}
    assert from_attributes(to_attributes(item)) == {
        "PK": "INQUIRY#1",
        "n": 3,
        "ratio": 0.5,
        "tags": ["a", "b"],
    }
