"""Python values <-> DynamoDB attribute values for the low-level client.

The low-level client (not the resource API) is what TransactWriteItems needs, and it keeps
cold starts small. The mapping is written here rather than taken from `boto3.dynamodb.types`:
importing that loads all of boto3 and s3transfer (about 20 ms of a buyer's cold start) for a
dozen lines. It follows boto3's rules exactly: numbers within DynamoDB's 38 digits or refused,
floats refused (as boto3 does: use int or Decimal), sets by element type, None as NULL.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from decimal import Clamped, Context, Decimal, Inexact, Overflow, Rounded, Underflow
from typing import TYPE_CHECKING, Any

from inquiry_router.base.safe_text import without_surrogates

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

# DynamoDB's number type: 38 significant digits, exponents from -130 to 125.
DYNAMODB_CONTEXT = Context(
    Emin=-128, Emax=126, prec=38, traps=[Clamped, Overflow, Inexact, Rounded, Underflow]
)


def _number(value: int | Decimal) -> str:
    return str(DYNAMODB_CONTEXT.create_decimal(value))


def _serialize(value: Any) -> Any:
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):  # before int: True is an int
        return {"BOOL": value}
    if isinstance(value, (int, Decimal)):
        return {"N": _number(value)}
    if isinstance(value, float):
        raise TypeError("Float types are not supported. Use Decimal types instead.")
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, (bytes, bytearray)):
        return {"B": bytes(value)}
    if isinstance(value, Set):
        if all(isinstance(v, str) for v in value):
            return {"SS": list(value)}
        if all(isinstance(v, (int, Decimal)) and not isinstance(v, bool) for v in value):
            return {"NS": [_number(v) for v in value]}
        if all(isinstance(v, (bytes, bytearray)) for v in value):
            return {"BS": [bytes(v) for v in value]}
        raise TypeError(f"a set must hold only strings, only numbers or only bytes, not {value!r}")
    if isinstance(value, Mapping):
        return {"M": {str(k): _serialize(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"L": [_serialize(v) for v in value]}
    raise TypeError(f"Unsupported type {type(value)!r} for value {value!r}")


def _deserialize(attribute: Mapping[str, Any]) -> Any:
    ((kind, value),) = attribute.items()
    match kind:
        case "S" | "B" | "BOOL":
            return value
        case "N":
            return DYNAMODB_CONTEXT.create_decimal(value)
        case "NULL":
            return None
        case "SS" | "BS":
            return set(value)
        case "NS":
            return {DYNAMODB_CONTEXT.create_decimal(v) for v in value}
        case "L":
            return [_deserialize(v) for v in value]
        case "M":
            return {k: _deserialize(v) for k, v in value.items()}
    raise TypeError(f"Unknown DynamoDB type {kind!r}")


def to_attributes(item: dict[str, Any]) -> dict[str, AttributeValueTypeDef]:
    """Serialise an item, leaving out None values (DynamoDB has no use for absent attributes)."""
    return {
        without_surrogates(key): _serialize(_encodable(value))
        for key, value in item.items()
        if value is not None
    }


def to_attribute(value: Any) -> AttributeValueTypeDef:
    return _serialize(_encodable(value))  # type: ignore[no-any-return]


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
    return {key: _plain(_deserialize(value)) for key, value in item.items()}


def _plain(value: Any) -> Any:
    """Decimals back to int where whole, sets to sorted lists: values ready for JSON and templates."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set):
        return sorted(_plain(v) for v in value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
