"""What the typed stored items share: the key attributes no model holds, and the small coercions
each item's mapping is written with.

Each stored item (models/inquiry.py, models/contact.py, models/received_mail.py,
models/mail_record.py, RotationState in models/assignment.py) is a frozen dataclass with slots and
one explicit mapping: `from_item(item)` reads the plain values adapters/serialization.py decodes,
`to_item()` gives them back (the attribute-value encoding stays there; the keys, PK/SK/GSI, come
from adapters/keys.py and are added by the adapter that writes the item).

Why dataclasses and not pydantic models: the values come from our own writes, already typed by
the serializer, so validating them again buys nothing, and these modules are imported on every
function's cold path, where a pydantic model costs a validation schema built at import (several
times a dataclass's cost) and every read pays its validation. The mapping coerces what needs it
(lists to tuples, numbers to int) and nothing more.

Attributes a model does not name are kept in its `other` mapping and written back by
`to_item()`: an item written by a newer version, or by hand, loses nothing by being read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

# Keys and index keys: where an item lives, not what it says (adapters/keys.py builds them).
KEY_ATTRIBUTES = frozenset({"PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK"})


def attribute_names(model: type, renamed: Mapping[str, str] | None = None) -> frozenset[str]:
    """The attributes a model's mapping reads: its fields (under their stored names where
    `renamed` says), `entity`, and not `other`, which holds everything else."""
    names = {(renamed or {}).get(f.name, f.name) for f in fields(model) if f.name != "other"}
    return frozenset(names | {"entity"})


def unmapped(item: Mapping[str, Any], mapped: frozenset[str]) -> dict[str, Any]:
    """The attributes of `item` its model does not name (keys left out): kept as they are."""
    return {k: v for k, v in item.items() if k not in mapped and k not in KEY_ATTRIBUTES}


def present(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """Attributes without the absent ones: DynamoDB stores no None, and neither do we."""
    return {k: v for k, v in attributes.items() if v is not None}


def text(item: Mapping[str, Any], name: str) -> str | None:
    value = item.get(name)
    return None if value is None else str(value)


def number(item: Mapping[str, Any], name: str) -> int | None:
    value = item.get(name)
    return None if value is None else int(value)


def flag(item: Mapping[str, Any], name: str) -> bool:
    """A flag written as True or not at all (or, by older code, as False)."""
    return bool(item.get(name))


def optional_flag(item: Mapping[str, Any], name: str) -> bool | None:
    value = item.get(name)
    return None if value is None else bool(value)


def texts(item: Mapping[str, Any], name: str) -> tuple[str, ...]:
    """A list of strings (or a string set, which the serializer reads as a sorted list)."""
    return tuple(str(v) for v in item.get(name) or ())


def text_map(item: Mapping[str, Any], name: str) -> dict[str, str]:
    return {str(k): str(v) for k, v in (item.get(name) or {}).items()}


def true_or_absent(value: bool) -> bool | None:
    """How optional flags are written: True, or no attribute at all."""
    return True if value else None
