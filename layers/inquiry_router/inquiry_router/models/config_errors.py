"""Pydantic's validation errors as lines an admin can act on: where in the file, what, how to fix."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pydantic import ValidationError
from pydantic_core import ErrorDetails

Location = tuple[int | str, ...]
_SCALARS = (str, int, float, bool, type(None))


def config_problems(error: ValidationError, where: Callable[[Location], str] | None = None) -> list[str]:
    """One line per problem, e.g. `reps[2].email: rep address 'x@gmail.com' is on a free-mail …`."""
    name = where or yaml_path
    return [f"{name(tuple(e['loc'])) or 'routing config'}: {_message(e)}" for e in error.errors()]


def yaml_path(location: Sequence[int | str]) -> str:
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


def _message(error: ErrorDetails) -> str:
    kind, value = error["type"], error.get("input")
    if kind == "value_error":
        return error["msg"].removeprefix("Value error, ")
    if kind == "extra_forbidden":
        return "unknown field: check its spelling (routing.example.yaml documents every field)"
    if kind == "missing":
        return "required, but missing"
    message = error["msg"]
    if isinstance(value, bool):
        # YAML 1.1 turns unquoted yes/no/on/off into booleans: Norway's code NO becomes false.
        return f"{message} (got {str(value).lower()}: YAML reads unquoted yes/no/on/off as that, quote it)"
    if isinstance(value, _SCALARS):
        return f"{message} (got {value!r})"
    return message
