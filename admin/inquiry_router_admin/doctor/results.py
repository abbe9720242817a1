"""What a check says: its verdict, a sentence, and the exact record or command that fixes it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Status = Literal["ok", "warning", "problem"]


@dataclass(frozen=True)
class Record:
    """A DNS record to publish at `name`; `remove` lists values of that name and type to delete."""

    name: str
    type: str
    value: str
    remove: tuple[str, ...] = ()

    def zone_line(self) -> str:
        """The record as DNS hosts and the stack's outputs write it: TXT values in quotes."""
        return f"{self.name} {self.type} {_presented(self.type, self.value)}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "record",
            "name": self.name,
            "type": self.type,
            "value": self.value,
            "remove": list(self.remove),
        }


@dataclass(frozen=True)
class Command:
    """A command to run (the AWS CLI, SAM)."""

    command: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "command", "command": self.command}


@dataclass(frozen=True)
class Action:
    """Something a person does that no single record or command expresses."""

    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "action", "text": self.text}


Fix = Record | Command | Action


@dataclass(frozen=True)
class CheckResult:
    check: str
    status: Status
    detail: str
    fix: Fix | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "status": self.status,
            "detail": self.detail,
            "fix": None if self.fix is None else self.fix.to_dict(),
        }


@dataclass(frozen=True)
class Unanswered:
    """An AWS question the doctor could not ask (no permission, an API the endpoint lacks): the
    check reports this instead of a verdict."""

    detail: str
    fix: Fix | None = None
    status: Status = "problem"

    def result(self, check: str) -> CheckResult:
        return CheckResult(check, self.status, self.detail, self.fix)


@dataclass
class Tally:
    problems: int = 0
    warnings: int = 0


def tally(results: list[CheckResult]) -> Tally:
    counted = Tally()
    for result in results:
        if result.status == "problem":
            counted.problems += 1
        elif result.status == "warning":
            counted.warnings += 1
    return counted


def _presented(record_type: str, value: str) -> str:
    if record_type == "TXT":
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value
