"""DynamoDB's 400 KB item limit, kept by construction for items whose attributes come from input.

DynamoDB refuses a write whose item would pass 400 KB (the UTF-8 bytes of every attribute name and
value), and refuses it again on every retry: an inquiry or a received mail with a huge subject or
thousands of addresses would be lost for good. `fit_item` shortens the largest attributes until the
item fits a budget below the limit (leaving room for what later writes add, such as assignment and
send fields), marks each shortened string with a visible "…" and lists the shortened attributes
in `truncated_fields`, so nobody mistakes a cut value for the whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from inquiry_router.models.stored import KEY_ATTRIBUTES

MAX_ITEM_BYTES = 400 * 1024
# What an item written from input may take; the rest is for the attributes later updates add.
ITEM_BUDGET = 300 * 1024
ELLIPSIS = "…"


def value_size(value: Any) -> int:
    """Bytes DynamoDB counts for a value: UTF-8 for strings, about one byte per two digits for
    numbers, 1 for booleans and null, 3 bytes plus one per element for lists and maps."""
    if value is None or isinstance(value, bool):
        return 1
    if isinstance(value, str):
        return len(value.encode("utf-8"))
    if isinstance(value, bytes | bytearray):
        return len(value)
    if isinstance(value, int | float | Decimal):
        digits = len(str(value).lstrip("-").replace(".", "").lstrip("0")) or 1
        return (digits + 1) // 2 + 1
    if isinstance(value, Mapping):
        return 3 + sum(len(str(k).encode("utf-8")) + value_size(v) + 1 for k, v in value.items())
    if isinstance(value, set | frozenset):
        return sum(value_size(v) for v in value)
    if isinstance(value, list | tuple):
        return 3 + sum(value_size(v) + 1 for v in value)
    return len(str(value).encode("utf-8"))


def item_size(item: Mapping[str, Any]) -> int:
    return sum(len(name.encode("utf-8")) + value_size(value) for name, value in item.items())


def fit_item(item: dict[str, Any], budget: int = ITEM_BUDGET) -> dict[str, Any]:
    """`item` itself when it fits `budget`; else a copy with its largest attributes shortened."""
    if item_size(item) <= budget:
        return item
    fitted = dict(item)
    shortened: list[str] = []
    candidates = sorted((n for n in fitted if n not in KEY_ATTRIBUTES), key=lambda n: -value_size(fitted[n]))
    for name in candidates:
        excess = item_size(fitted) + 200 - budget  # 200: room for the `truncated_fields` list
        if excess <= 0:
            break
        fitted[name] = shrink(fitted[name], max(0, value_size(fitted[name]) - excess))
        shortened.append(name)
    fitted["truncated_fields"] = sorted(shortened)[:20]
    return fitted


def shrink(value: Any, target: int) -> Any:
    """`value` cut to at most about `target` bytes: strings end in "…", lists and maps keep their
    first entries (each shortened as needed); other values are left as they are."""
    if value_size(value) <= target:
        return value
    if isinstance(value, str):
        return truncate_utf8(value, max(0, target - len(ELLIPSIS.encode()))) + ELLIPSIS
    if isinstance(value, list | tuple):
        kept: list[Any] = []
        room = target - 3
        for element in value:
            size = value_size(element) + 1
            if size > room:
                if room > 8:
                    kept.append(shrink(element, room - 1))
                break
            kept.append(element)
            room -= size
        return kept
    if isinstance(value, Mapping):
        result = dict(value)
        for key in sorted(result, key=lambda k: -value_size(result[k])):
            excess = value_size(result) - target
            if excess <= 0:
                break
            result[key] = shrink(result[key], max(0, value_size(result[key]) - excess))
        return result
    return value


def truncate_utf8(text: str, limit: int) -> str:
    """The longest prefix of `text` whose UTF-8 encoding takes at most `limit` bytes."""
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", errors="ignore")
