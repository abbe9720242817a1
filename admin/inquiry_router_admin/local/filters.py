"""Lambda event filtering (`FilterCriteria`): which records an event source mapping delivers.

The subset of EventBridge patterns Lambda accepts: exact values (strings, numbers, booleans,
null, ""), `prefix`, `suffix`, `equals-ignore-case`, `anything-but`, `exists` and `numeric`.
A record matches when any filter's pattern matches it; no filters means every record matches.
Patterns are checked when the stack starts, so a typo fails loudly instead of dropping records.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_ABSENT = object()
_COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "=": operator.eq,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_STRING_OPERATORS = ("prefix", "suffix", "equals-ignore-case")


class FilterError(ValueError):
    """A FilterCriteria pattern Lambda would reject."""


@dataclass(frozen=True)
class EventFilter:
    patterns: tuple[Mapping[str, Any], ...] = ()

    @classmethod
    def from_criteria(cls, criteria: Any) -> EventFilter:
        """From SAM's `FilterCriteria: {Filters: [{Pattern: '<json>'}]}` (a pattern may also be a mapping)."""
        if not criteria:
            return cls()
        filters = criteria.get("Filters") if isinstance(criteria, Mapping) else None
        if not isinstance(filters, list):
            raise FilterError("FilterCriteria needs a list of Filters")
        patterns = []
        for entry in filters:
            raw = entry.get("Pattern") if isinstance(entry, Mapping) else None
            if isinstance(raw, str):
                try:
                    raw = json.loads(raw)
                except json.JSONDecodeError as error:
                    raise FilterError(f"a filter Pattern is not valid JSON: {error}") from None
            if not isinstance(raw, Mapping):
                raise FilterError("a filter Pattern must be a JSON object")
            _check_pattern(raw, "Pattern")
            patterns.append(raw)
        return cls(tuple(patterns))

    def matches(self, event: Mapping[str, Any]) -> bool:
        return not self.patterns or any(pattern_matches(p, event) for p in self.patterns)


def pattern_matches(pattern: Mapping[str, Any], event: Any) -> bool:
    """True when every key of the pattern matches the event."""
    for key, rule in pattern.items():
        value = event.get(key, _ABSENT) if isinstance(event, Mapping) else _ABSENT
        if isinstance(rule, Mapping):
            # A nested pattern; a missing parent still lets `exists: false` below it match.
            if not pattern_matches(rule, value if isinstance(value, Mapping) else {}):
                return False
        elif not _any_rule_matches(rule, value):
            return False
    return True


def _any_rule_matches(rules: Sequence[Any], value: Any) -> bool:
    if value is _ABSENT:
        return any(_is_exists(rule, False) for rule in rules)
    values = value if isinstance(value, list) else [value]
    return any(_rule_matches(rule, item) for rule in rules for item in values)


def _is_exists(rule: Any, expected: bool) -> bool:
    return isinstance(rule, Mapping) and rule.get("exists") is expected


def _rule_matches(rule: Any, value: Any) -> bool:
    if not isinstance(rule, Mapping):
        return _equal(rule, value)
    (name, argument) = next(iter(rule.items()))
    if name == "exists":
        return argument is True  # the value is present
    if name == "anything-but":
        return not _anything_but_excludes(argument, value)
    if name == "numeric":
        return _numeric_matches(argument, value)
    return _string_matches(name, argument, value)


def _equal(expected: Any, value: Any) -> bool:
    if isinstance(expected, bool) or isinstance(value, bool):
        return type(expected) is type(value) and expected == value
    if _is_number(expected) and _is_number(value):
        return float(expected) == float(value)
    return type(expected) is type(value) and expected == value


def _string_matches(name: str, argument: Any, value: Any) -> bool:
    if not isinstance(value, str):
        return False
    text, expected = value, str(argument)
    if isinstance(argument, Mapping):  # {"prefix": {"equals-ignore-case": "x"}}
        text, expected = value.lower(), str(argument["equals-ignore-case"]).lower()
    if name == "prefix":
        return text.startswith(expected)
    if name == "suffix":
        return text.endswith(expected)
    return text.lower() == expected.lower()  # equals-ignore-case


def _anything_but_excludes(argument: Any, value: Any) -> bool:
    if isinstance(argument, Mapping):
        (name, inner) = next(iter(argument.items()))
        return _string_matches(name, inner, value)
    excluded = argument if isinstance(argument, list) else [argument]
    return any(_equal(item, value) for item in excluded)


def _numeric_matches(argument: Sequence[Any], value: Any) -> bool:
    if not _is_number(value):
        return False
    pairs = zip(argument[0::2], argument[1::2], strict=True)
    return all(_COMPARISONS[op](float(value), float(limit)) for op, limit in pairs)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# -- validation --------------------------------------------------------------------------------


def _check_pattern(pattern: Mapping[str, Any], where: str) -> None:
    if not pattern:
        raise FilterError(f"{where} is empty")
    for key, rule in pattern.items():
        place = f"{where}.{key}"
        if isinstance(rule, Mapping):
            _check_pattern(rule, place)
        elif isinstance(rule, list) and rule:
            for item in rule:
                _check_rule(item, place)
        else:
            raise FilterError(f"{place} must be a non-empty list of values or a nested object")


def _check_rule(rule: Any, where: str) -> None:
    if rule is None or isinstance(rule, (str, int, float, bool)):
        return
    if not isinstance(rule, Mapping) or len(rule) != 1:
        raise FilterError(f"{where}: {rule!r} is not a value or a single-operator object")
    (name, argument) = next(iter(rule.items()))
    if name == "exists":
        if not isinstance(argument, bool):
            raise FilterError(f"{where}: exists takes true or false")
    elif name in _STRING_OPERATORS:
        _check_string_argument(name, argument, where)
    elif name == "anything-but":
        _check_anything_but(argument, where)
    elif name == "numeric":
        _check_numeric(argument, where)
    else:
        raise FilterError(f"{where}: Lambda event filtering has no operator {name!r}")


def _check_string_argument(name: str, argument: Any, where: str) -> None:
    nested_ok = name != "equals-ignore-case" and isinstance(argument, Mapping)
    if (
        nested_ok
        and set(argument) == {"equals-ignore-case"}
        and isinstance(argument["equals-ignore-case"], str)
    ):
        return
    if not isinstance(argument, str):
        raise FilterError(f"{where}: {name} takes a string")


def _check_anything_but(argument: Any, where: str) -> None:
    if isinstance(argument, Mapping):
        if len(argument) != 1 or next(iter(argument)) not in _STRING_OPERATORS:
            raise FilterError(f"{where}: anything-but takes values, or one of {', '.join(_STRING_OPERATORS)}")
        (name, inner) = next(iter(argument.items()))
        _check_string_argument(name, inner, where)
        return
    values = argument if isinstance(argument, list) else [argument]
    if not values or not all(v is None or isinstance(v, (str, int, float, bool)) for v in values):
        raise FilterError(f"{where}: anything-but takes a value or a list of values")


def _check_numeric(argument: Any, where: str) -> None:
    valid = isinstance(argument, list) and len(argument) in (2, 4)
    if valid:
        operators, limits = argument[0::2], argument[1::2]
        valid = all(op in _COMPARISONS for op in operators) and all(_is_number(n) for n in limits)
    if not valid:
        raise FilterError(f"{where}: numeric takes [op, number] or [op, number, op, number]")
