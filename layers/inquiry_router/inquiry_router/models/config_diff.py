"""What applying a routing config would change, in lines an admin reads before saying yes.

Pure: compares two configs (the one in the table, the one in the YAML) entity by entity. Field
names are the YAML's, so a line points at the place in the file that caused it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from inquiry_router.models.routing_config import Label, Rep, RoutingConfig, Rule, Team

_SECONDS = re.compile(r"^(\d\d:\d\d):00$")


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str  # dotted YAML path inside the entity, e.g. "weight" or "business_hours.start"
    old: Any
    new: Any

    def describe(self) -> str:
        return f"{self.field} {show(self.old)} → {show(self.new)}"


@dataclass(frozen=True, slots=True)
class EntityChange:
    key: str  # team key or rep address
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True, slots=True)
class RulesChange:
    old_rules: tuple[Rule, ...]
    new_rules: tuple[Rule, ...]
    old_default_team: str | None
    new_default_team: str
    old_labels: tuple[Label, ...] = ()
    new_labels: tuple[Label, ...] = ()


@dataclass(frozen=True, slots=True)
class ConfigDiff:
    teams_added: tuple[Team, ...] = ()
    teams_changed: tuple[EntityChange, ...] = ()
    teams_removed: tuple[str, ...] = ()
    reps_added: tuple[Rep, ...] = ()
    reps_changed: tuple[EntityChange, ...] = ()
    reps_removed: tuple[str, ...] = ()
    rules: RulesChange | None = None
    # Items in the table that no longer parse (another version wrote them): the file replaces them.
    unreadable: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.lines()

    def lines(self) -> list[str]:
        lines = [f"+ team {t.key} ({t.name}, {t.sending_address}, {t.timezone})" for t in self.teams_added]
        lines += [f"~ team {c.key}: {f.describe()}" for c in self.teams_changed for f in c.fields]
        lines += [f"- team {key}" for key in self.teams_removed]
        lines += [f"+ rep {r.email} ({_rep_summary(r)})" for r in self.reps_added]
        lines += [f"~ rep {c.key}: {f.describe()}" for c in self.reps_changed for f in c.fields]
        lines += [f"- rep {email}" for email in self.reps_removed]
        lines += _rules_lines(self.rules) if self.rules else []
        lines += [f"! replace unreadable item {sk} (written by another version?)" for sk in self.unreadable]
        return lines


def diff_config(current: RoutingConfig | None, desired: RoutingConfig) -> ConfigDiff:
    old_teams = {t.key: t for t in current.teams} if current else {}
    old_reps = {r.email: r for r in current.reps} if current else {}
    new_teams = {t.key: t for t in desired.teams}
    new_reps = {r.email: r for r in desired.reps}
    old_rules = tuple(current.rules) if current else ()
    old_default = current.default_team if current else None
    old_labels = tuple(current.labels) if current else ()
    rules_changed = (
        old_default != desired.default_team
        or _dumped(old_rules) != _dumped(desired.rules)
        or _dumped(old_labels) != _dumped(desired.labels)
    )
    return ConfigDiff(
        teams_added=tuple(t for key, t in new_teams.items() if key not in old_teams),
        teams_changed=_changed(old_teams, new_teams),
        teams_removed=tuple(sorted(key for key in old_teams if key not in new_teams)),
        reps_added=tuple(r for email, r in new_reps.items() if email not in old_reps),
        reps_changed=_changed(old_reps, new_reps),
        reps_removed=tuple(sorted(email for email in old_reps if email not in new_reps)),
        rules=(
            RulesChange(
                old_rules,
                tuple(desired.rules),
                old_default,
                desired.default_team,
                old_labels,
                tuple(desired.labels),
            )
            if rules_changed
            else None
        ),
    )


def field_changes(old: Team | Rep, new: Team | Rep) -> tuple[FieldChange, ...]:
    return tuple(_flat_changes("", _as_yaml(old), _as_yaml(new)))


def show(value: Any) -> str:
    """A YAML value on one line: lists joined, absences as ranges, times without seconds."""
    if value is None or value in ("", []):
        return "none"
    if isinstance(value, list):
        return ", ".join(show(v) for v in value)
    if isinstance(value, dict):
        if set(value) == {"from", "until"}:
            return f"{value['from']}..{value['until']}"
        return "{" + ", ".join(f"{k}: {show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    seconds = _SECONDS.match(text)
    return seconds.group(1) if seconds else text


def describe_rule(rule: Rule) -> str:
    match = rule.match.model_dump(mode="json")
    criteria = [f"{name} {show(values)}" for name, values in match.items() if values]
    return f"{'; '.join(criteria) or 'anything'} → {rule.team}"


def _changed(old: Mapping[str, Team | Rep], new: Mapping[str, Team | Rep]) -> tuple[EntityChange, ...]:
    changes = []
    for key, entity in new.items():
        if key in old:
            fields = field_changes(old[key], entity)
            if fields:
                changes.append(EntityChange(key, fields))
    return tuple(changes)


def _flat_changes(prefix: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[FieldChange]:
    changes: list[FieldChange] = []
    for name in dict.fromkeys([*old, *new]):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        if isinstance(before, dict) and isinstance(after, dict):
            # Nested settings (business hours) change one line per setting, not as a blob.
            changes += _flat_changes(f"{prefix}{name}.", before, after)
        else:
            changes.append(FieldChange(f"{prefix}{name}", before, after))
    return changes


def _as_yaml(entity: Team | Rep) -> dict[str, Any]:
    return entity.model_dump(mode="json", by_alias=True)


def _dumped(rules: Sequence[Rule] | Sequence[Label]) -> list[dict[str, Any]]:
    return [rule.model_dump(mode="json") for rule in rules]


def _rep_summary(rep: Rep) -> str:
    parts = [*rep.teams, f"weight {rep.weight}"]
    if not rep.active:
        parts.append("inactive")
    return ", ".join(parts)


def _rules_lines(change: RulesChange) -> list[str]:
    lines = []
    if change.old_default_team != change.new_default_team:
        lines.append(f"~ default_team: {show(change.old_default_team)} → {change.new_default_team}")
    old_labels = {label.key: label.name for label in change.old_labels}
    new_labels = {label.key: label.name for label in change.new_labels}
    for key in sorted(old_labels.keys() | new_labels.keys()):
        if key not in new_labels:
            lines.append(f"- label {key} ({old_labels[key]})")
        elif key not in old_labels:
            lines.append(f"+ label {key} ({new_labels[key]})")
        elif old_labels[key] != new_labels[key]:
            lines.append(f"~ label {key}: {old_labels[key]} → {new_labels[key]}")
    # Rules are tried in order, so they are compared by position: a moved rule shows as changed.
    for number in range(max(len(change.old_rules), len(change.new_rules))):
        old = change.old_rules[number] if number < len(change.old_rules) else None
        new = change.new_rules[number] if number < len(change.new_rules) else None
        if old is not None and new is not None and old.model_dump() == new.model_dump():
            continue
        if old is not None:
            lines.append(f"- rule {number + 1}: {describe_rule(old)}")
        if new is not None:
            lines.append(f"+ rule {number + 1}: {describe_rule(new)}")
    return lines
