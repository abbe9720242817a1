"""Python values <-> DynamoDB attribute values for the low-level client.

The low-level client (not the resource API) is what TransactWriteItems needs, and it keeps
cold starts small.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from inquiry_router.base.safe_text import without_surrogates

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def to_attributes(item: dict[str, Any]) -> dict[str, AttributeValueTypeDef]:
    """Serialise an item, leaving out None values (DynamoDB has no use for absent attributes)."""
    return {
        without_surrogates(key): _serializer.serialize(_encodable(value))
        for key, value in item.items()
        if value is not None
    }


def to_attribute(value: Any) -> AttributeValueTypeDef:
    return _serializer.serialize(_encodable(value))


def _encodable(value: Any) -> Any:
    """`value` with no lone surrogate in any string: the request could not be sent as UTF-8."""
    if isinstance(value, str):
        return without_surrogates(value)
    if isinstance(value, dict):
        return {_encodable(k): _encodable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encodable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return {_encodable(v) for v in value}
    return value


def from_attributes(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _plain(_deserializer.deserialize(value)) for key, value in item.items()}


def _plain(value: Any) -> Any:
    """Decimals back to int where whole, sets to sorted lists: values ready for JSON and templates."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set):
        return sorted(_plain(v) for v in value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
