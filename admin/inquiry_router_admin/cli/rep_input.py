"""A rep as the command line describes it: the options, and validation naming the option to fix."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from pydantic import ValidationError

from inquiry_router.adapters.config_store import ConfigSnapshot
from inquiry_router.models.config_errors import Location, config_problems, yaml_path
from inquiry_router.models.routing_config import Rep
from inquiry_router_admin.cli.config_edits import invalid, validation_context
from inquiry_router_admin.cli.target import Target, TargetError

# Rep fields as the command line spells them, so a validation problem names the option to fix.
OPTION_OF_FIELD = {
    "email": "EMAIL",
    "name": "--name",
    "teams": "--team",
    "weight": "--weight",
    "languages": "--language",
    "countries": "--country",
    "capacity": "--capacity",
    "phone": "--phone",
    "title": "--title",
    "out_of_office": "--from/--until",
}
CLEARABLE = ("phone", "title")


def add_rep_options(parser: argparse.ArgumentParser, *, adding: bool) -> None:
    parser.add_argument("--name", required=adding, help="as buyers see it, e.g. 'Li Wei'")
    parser.add_argument(
        "--team", action="append", required=adding, metavar="TEAM", help="team key; repeat for several teams"
    )
    parser.add_argument("--weight", type=int, help="share of new inquiries relative to others (1-20)")
    parser.add_argument(
        "--language", action="append", metavar="CODE", help="a language they answer in, e.g. es; repeatable"
    )
    parser.add_argument(
        "--country", action="append", metavar="CODE", help="a country they cover, e.g. MX; repeatable"
    )
    parser.add_argument("--capacity", type=int, help="most open inquiries at once (default 50)")
    parser.add_argument("--phone", help="shown to buyers, any format; '' clears it")
    parser.add_argument("--title", help="shown to buyers, e.g. 'Export Manager'; '' clears it")


def given_fields(args: argparse.Namespace) -> dict[str, Any]:
    """The rep fields the command line sets; an empty --phone or --title clears it."""
    given = {
        "name": args.name,
        "teams": args.team,
        "weight": args.weight,
        "languages": args.language,
        "countries": args.country,
        "capacity": args.capacity,
        "phone": args.phone,
        "title": args.title,
    }
    fields = {name: value for name, value in given.items() if value is not None}
    return {name: None if value == "" and name in CLEARABLE else value for name, value in fields.items()}


def validated_rep(fields: dict[str, Any], snapshot: ConfigSnapshot, target: Target) -> Rep:
    """The same Rep model and company domains as `config apply`; teams must be applied already."""
    unknown = [team for team in fields.get("teams", []) if team not in snapshot.teams]
    if unknown:
        teams = ", ".join(sorted(snapshot.teams))
        raise TargetError(f"--team {', '.join(unknown)}: no such team (teams: {teams})")
    try:
        return Rep.model_validate(fields, context=validation_context(target))
    except ValidationError as error:
        raise invalid("the rep is not valid", config_problems(error, where=_option)) from None


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-12-24") from None


def _option(location: Location) -> str:
    return OPTION_OF_FIELD.get(str(location[0]), yaml_path(location)) if location else "rep"
