"""`inquiry-router config apply FILE [--yes] [--dry-run]` and `inquiry-router config export`.

The YAML file is the source of truth for teams, reps and rules; `apply` shows what it would change
and writes only that, `export` prints what is applied in a form `apply` takes back unchanged.
"""

from __future__ import annotations

import argparse
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from inquiry_router.adapters.config_store import apply_config, preview_config, read_config_snapshot
from inquiry_router.base.timestamps import iso_timestamp
from inquiry_router.models.config_errors import config_problems
from inquiry_router.models.routing_config import RoutingConfig, Team
from inquiry_router_admin.cli.config_edits import invalid, store_conflicts_exit_1, validation_context
from inquiry_router_admin.cli.prompts import confirm
from inquiry_router_admin.cli.target import Target, TargetError, resolve_target

_TIME = re.compile(r"^\d\d:\d\d(:\d\d)?$")


def register(groups: Any) -> None:
    group = groups.add_parser("config", help="apply and export the routing configuration: teams, reps, rules")
    commands = group.add_subparsers(dest="command", metavar="COMMAND", required=True)
    apply = commands.add_parser(
        "apply",
        help="apply a routing YAML file: show what changes, ask, write",
        description="Validate FILE, print what would change (+ added, ~ changed, - removed) and, once "
        "confirmed, write only that. Teams and reps missing from FILE are removed from routing; their "
        "inquiries, contacts and timelines stay.",
    )
    apply.add_argument("file", type=Path, metavar="FILE", help="e.g. routing.yaml (see routing.example.yaml)")
    apply.add_argument("--yes", action="store_true", help="apply without asking (scripts, CI)")
    apply.add_argument("--dry-run", action="store_true", help="only show what would change")
    apply.set_defaults(run=apply_config_file)
    export = commands.add_parser(
        "export", help="print the applied configuration as YAML that `config apply` takes back unchanged"
    )
    export.set_defaults(run=export_config)


@store_conflicts_exit_1
def apply_config_file(args: argparse.Namespace) -> int:
    target = resolve_target(args)
    desired = read_config_file(args.file, target)
    client = target.dynamodb()
    shown = preview_config(client, target.table_name, desired)
    if shown.empty:
        print(f"Nothing to change: table {target.table_name} already holds this configuration.")
        return 0
    print(f"Changes to table {target.table_name}:")
    print("\n".join(f"  {line}" for line in shown.lines()))
    if args.dry_run:
        print("Dry run: nothing written.")
        return 0
    refusal = "not applied: pass --yes to apply without a terminal, or --dry-run to only see the changes"
    if not args.yes and not confirm("Apply?", without_terminal=refusal):
        print("Nothing applied.")
        return 1
    applied = apply_config(client, target.table_name, desired, datetime.now(UTC))
    if applied.lines() != shown.lines():
        # Someone applied in between: say what this run really wrote.
        print("The configuration changed while you decided; applied instead:")
        print("\n".join(f"  {line}" for line in applied.lines()))
    print(f"Applied {len(applied.lines())} change(s); the router picks them up within a minute.")
    return 0


def read_config_file(path: Path, target: Target) -> RoutingConfig:
    """The file as a validated config for `target` (its company domains); TargetError otherwise."""
    document = read_yaml_mapping(path)
    try:
        return RoutingConfig.model_validate(document, context=validation_context(target))
    except ValidationError as error:
        raise invalid(f"{path} is not a valid routing configuration", config_problems(error)) from None


def export_config(args: argparse.Namespace) -> int:
    target = resolve_target(args)
    snapshot = read_config_snapshot(target.dynamodb(), target.table_name)
    config = snapshot.as_config()
    if config is None:
        raise TargetError(
            f"no routing configuration applied to table {target.table_name} yet: "
            "start from routing.example.yaml and run `inquiry-router config apply FILE`"
        )
    for sk, problem in snapshot.unreadable.items():
        print(f"# left out: config item {sk} is unreadable ({problem})")
    exported = iso_timestamp(datetime.now(UTC))
    print(f"# Routing configuration of table {target.table_name}, exported {exported}.")
    print("# Edit, then `inquiry-router config apply FILE`; routing.example.yaml documents every field.")
    print(export_yaml(export_document(config)), end="")
    return 0


def export_yaml(document: dict[str, Any]) -> str:
    """Laid out like routing.example.yaml: short lists on one line, times in quotes."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def short_list(dumper: yaml.SafeDumper, values: list[Any]) -> yaml.Node:
        flat = all(isinstance(v, str | int | bool) for v in values)
        return dumper.represent_sequence("tag:yaml.org,2002:seq", values, flow_style=flat)

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
        # Quoted, a time stays a time when edited: unquoted 18:00 would be read as a number.
        style = '"' if _TIME.match(value) else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(list, short_list)
    Dumper.add_representer(str, text)
    dumped: str = yaml.dump(document, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100)
    return dumped


def export_document(config: RoutingConfig) -> dict[str, Any]:
    """Only what differs from the defaults, so the file stays as short as one written by hand."""
    # The default team first: it is the one a reader needs to know about.
    teams = sorted(config.teams, key=lambda t: (t.key != config.default_team, t.key))
    return {
        "teams": [_team_yaml(team) for team in teams],
        "reps": [_yaml(rep) for rep in sorted(config.reps, key=lambda r: r.email)],
        "rules": [_yaml(rule) for rule in config.rules],
        "default_team": config.default_team,
        **({"labels": [_yaml(label) for label in config.labels]} if config.labels else {}),
    }


# A routing file of hundreds of reps has some ten thousand values; aliases (*name) can make a tiny
# file expand to billions ("billion laughs"), which validation would never finish walking.
MAX_YAML_VALUES = 200_000


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """The file as a mapping; anything wrong with it is a TargetError naming the line."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise TargetError(f"cannot read {path}: {error}") from None
    try:
        document = yaml.load(text, Loader=_config_loader())  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise TargetError(f"{path} is not valid YAML{where}: {problem}") from None
    except RecursionError:
        raise TargetError(f"{path} is nested too deeply to be a routing configuration") from None
    if not _within_size(document):
        raise TargetError(
            f"{path} holds more than {MAX_YAML_VALUES:,} values once its aliases (*name) are expanded"
        )
    if not isinstance(document, dict):
        raise TargetError(
            f"{path} must be a YAML mapping with teams, reps, rules and default_team "
            "(see routing.example.yaml)"
        )
    return document


def _config_loader() -> type[Any]:
    """PyYAML's SafeLoader, with every value it cannot build reported as a YAML error at its line.

    SafeLoader raises plain ValueError for a date that does not exist (2026-02-30) or an integer
    past Python's digit limit, without a position; here those become errors that name the line.
    """
    import yaml

    class ConfigLoader(yaml.SafeLoader):
        def construct_object(self, node: Any, deep: bool = False) -> Any:
            try:
                return super().construct_object(node, deep)
            except (ValueError, OverflowError, TypeError) as error:
                if isinstance(error, yaml.YAMLError):
                    raise
                shown = str(node.value)
                shown = shown if len(shown) <= 40 else shown[:37] + "..."
                why = str(error).split(";", 1)[0]  # not Python's advice to raise its own digit limit
                raise yaml.constructor.ConstructorError(
                    None, None, f"cannot read the value {shown!r} ({why})", node.start_mark
                ) from None

    return ConfigLoader


def _within_size(document: Any, limit: int = MAX_YAML_VALUES) -> bool:
    """Whether the document, with every alias expanded, holds at most `limit` values (walks at most
    `limit` of them, however large the expansion)."""
    pending, seen = [document], 0
    while pending:
        value = pending.pop()
        seen += 1
        if seen > limit:
            return False
        if isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return True


def _yaml(model: BaseModel) -> dict[str, Any]:
    dumped: dict[str, Any] = model.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    return dumped


def _team_yaml(team: Team) -> dict[str, Any]:
    dumped = _yaml(team)
    hours = dumped.get("business_hours", {})
    for name in ("start", "end"):
        if name in hours:
            hours[name] = getattr(team.business_hours, name).strftime("%H:%M")  # as people write it
    return dumped
