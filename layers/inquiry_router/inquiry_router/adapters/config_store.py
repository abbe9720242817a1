"""The routing config as items in the table: read in one Query, applied as a diff.

All config items share the partition `CONFIG` (adapters/keys.py), so the router reads the whole
config with one paginated Query: `TEAM#<key>` and `REP#<email>` items hold one team or rep,
`RULES` holds the rules and the default team. Each item keeps its model as the YAML spells it
(`config`), its `entity`, and `updated_at`, the version that every write is conditioned on: two
admins (or `config apply` and a `reps` command) never overwrite each other's edits unseen.

Config items are all this module deletes: inquiries, contacts, timelines and loads of a removed
rep stay, because they are the company's history.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, ValidationError

from inquiry_router.adapters import keys
from inquiry_router.adapters.serialization import from_attributes, to_attributes
from inquiry_router.base.timestamps import iso_timestamp
from inquiry_router.models.config_diff import ConfigDiff, diff_config
from inquiry_router.models.config_errors import config_problems
from inquiry_router.models.routing_config import Label, Rep, RoutingConfig, Rule, Team

if TYPE_CHECKING:
    from datetime import datetime

    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

__all__ = [
    "ConfigChangedMeanwhile",
    "ConfigDiff",
    "ConfigSnapshot",
    "StoredConfigError",
    "StoredRep",
    "apply_config",
    "delete_rep",
    "diff_config",
    "load_routing_config",
    "preview_config",
    "put_rep",
    "read_config_snapshot",
]

TEAM, REP, RULES = "team", "rep", "rules"
MAX_TRANSACTION_ITEMS = 100
APPLY_HINT = "apply a valid one with `inquiry-router config apply routing.yaml`"


class StoredConfigError(RuntimeError):
    """The config in the table does not validate (hand-edited, or written by another version)."""


class ConfigChangedMeanwhile(RuntimeError):
    """Someone else changed the config between our read and our write; nothing of ours was lost."""


class RulesItem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: list[Rule] = []
    default_team: str
    labels: list[Label] = []


@dataclass(frozen=True, slots=True)
class StoredRep:
    rep: Rep
    updated_at: str | None


@dataclass(frozen=True, slots=True)
class ConfigSnapshot:
    """The config items as read, each parsed on its own, so one bad item does not hide the rest."""

    teams: dict[str, Team]
    reps: dict[str, Rep]
    rules: RulesItem | None
    versions: dict[str, str | None]  # SK -> updated_at, for every config item read
    unreadable: dict[str, str]  # SK -> what is wrong with it

    @property
    def empty(self) -> bool:
        return not self.versions

    def as_config(self) -> RoutingConfig | None:
        """For diffs and edits: assembled without cross-checks, which a half-applied config may fail."""
        if self.empty:
            return None
        return RoutingConfig.model_construct(
            teams=list(self.teams.values()),
            reps=list(self.reps.values()),
            rules=list(self.rules.rules) if self.rules else [],
            default_team=self.rules.default_team if self.rules else "",
            labels=list(self.rules.labels) if self.rules else [],
        )

    def stored_rep(self, email: str) -> StoredRep | None:
        rep = self.reps.get(email)
        return StoredRep(rep, self.versions[_sk(keys.rep_config_key(email))]) if rep else None


def load_routing_config(client: DynamoDBClient, table: str) -> RoutingConfig | None:
    """The applied config (one Query), or None when none was applied yet.

    Validated without the company domains: they were checked on apply, and a domain dropped from
    the stack since must not stop routing to the reps already declared.
    """
    items = list(_config_items(client, table, consistent=False))
    if not items:
        return None
    document: dict[str, Any] = {"teams": [], "reps": []}
    for item in items:
        if item.get("entity") == TEAM:
            document["teams"].append(item.get("config"))
        elif item.get("entity") == REP:
            document["reps"].append(item.get("config"))
        elif item.get("entity") == RULES:
            document.update(item.get("config") or {})
    try:
        return RoutingConfig.model_validate(document)
    except ValidationError as error:
        problems = "; ".join(config_problems(error))
        message = f"the routing config in table {table} is not valid ({problems}): {APPLY_HINT}"
        raise StoredConfigError(message) from None


def read_config_snapshot(client: DynamoDBClient, table: str, *, consistent: bool = True) -> ConfigSnapshot:
    teams: dict[str, Team] = {}
    reps: dict[str, Rep] = {}
    rules: RulesItem | None = None
    versions: dict[str, str | None] = {}
    unreadable: dict[str, str] = {}
    for item in _config_items(client, table, consistent=consistent):
        sk, entity, config = str(item["SK"]), item.get("entity"), item.get("config")
        versions[sk] = item.get("updated_at")
        try:
            if entity == TEAM:
                team = Team.model_validate(config)
                teams[team.key] = team
            elif entity == REP:
                rep = Rep.model_validate(config)
                reps[rep.email] = rep
            elif entity == RULES:
                rules = RulesItem.model_validate(config)
        except ValidationError as error:
            unreadable[sk] = "; ".join(config_problems(error))
    return ConfigSnapshot(teams, reps, rules, versions, unreadable)


def apply_config(client: DynamoDBClient, table: str, desired: RoutingConfig, now: datetime) -> ConfigDiff:
    """Write what differs from the table, in transactions of at most 100 items; returns the diff.

    Writes go teams, reps, rules, then removals: were a large apply interrupted between two
    transactions, nothing written so far would name a team that does not exist yet.
    """
    snapshot = read_config_snapshot(client, table)
    diff = _diff(snapshot, desired)
    at = iso_timestamp(now)
    touched_teams = {t.key for t in diff.teams_added} | {c.key for c in diff.teams_changed}
    touched_reps = {r.email for r in diff.reps_added} | {c.key for c in diff.reps_changed}
    declared = {_sk(keys.team_config_key(t.key)) for t in desired.teams}
    declared |= {_sk(keys.rep_config_key(r.email)) for r in desired.reps} | {_sk(keys.rules_config_key())}

    writes = [_put(table, _team_item(t, at), snapshot) for t in desired.teams if t.key in touched_teams]
    writes += [_put(table, _rep_item(r, at), snapshot) for r in desired.reps if r.email in touched_reps]
    if diff.rules or _sk(keys.rules_config_key()) in snapshot.unreadable:
        writes.append(_put(table, _rules_item(desired, at), snapshot))
    writes += [_delete(table, keys.rep_config_key(email), snapshot) for email in diff.reps_removed]
    writes += [_delete(table, keys.team_config_key(key), snapshot) for key in diff.teams_removed]
    writes += [
        _delete(table, {"PK": keys.CONFIG_PARTITION, "SK": sk}, snapshot)
        for sk in diff.unreadable
        if sk not in declared
    ]
    _write_in_transactions(client, writes)
    return diff


def preview_config(client: DynamoDBClient, table: str, desired: RoutingConfig) -> ConfigDiff:
    """What `apply_config` would write now, for the admin to read before saying yes."""
    return _diff(read_config_snapshot(client, table), desired)


def put_rep(client: DynamoDBClient, table: str, rep: Rep, now: datetime, previous: StoredRep | None) -> None:
    """Create (previous=None) or replace one rep, only if nobody changed it since `previous` was read."""
    item = _rep_item(rep, iso_timestamp(now))
    try:
        client.put_item(TableName=table, Item=to_attributes(item), **_condition(previous, "PK"))
    except ClientError as error:
        if _code(error) != "ConditionalCheckFailedException":
            raise
        what = "was added" if previous is None else "was changed"
        message = f"rep {rep.email} {what} by someone else meanwhile: run the command again"
        raise ConfigChangedMeanwhile(message) from None


def delete_rep(client: DynamoDBClient, table: str, previous: StoredRep) -> None:
    """Remove one rep's config item; their inquiries, contacts and timelines stay."""
    key = keys.rep_config_key(previous.rep.email)
    try:
        client.delete_item(TableName=table, Key=to_attributes(key), **_condition(previous, "PK"))
    except ClientError as error:
        if _code(error) != "ConditionalCheckFailedException":
            raise
        message = f"rep {previous.rep.email} was changed by someone else meanwhile: run the command again"
        raise ConfigChangedMeanwhile(message) from None


def _diff(snapshot: ConfigSnapshot, desired: RoutingConfig) -> ConfigDiff:
    diff = diff_config(snapshot.as_config(), desired)
    return replace(diff, unreadable=tuple(sorted(snapshot.unreadable)))


def _config_items(client: DynamoDBClient, table: str, *, consistent: bool) -> Iterator[dict[str, Any]]:
    params: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "PK = :config",
        "ExpressionAttributeValues": to_attributes({":config": keys.CONFIG_PARTITION}),
        "ConsistentRead": consistent,
    }
    while True:
        answer = client.query(**params)
        for item in answer.get("Items", []):
            plain = from_attributes(item)
            # Only our entities: anything else in the partition belongs to a newer version.
            if plain.get("entity") in (TEAM, REP, RULES):
                yield plain
        if "LastEvaluatedKey" not in answer:
            return
        params["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


def _team_item(team: Team, at: str) -> dict[str, Any]:
    return _item(keys.team_config_key(team.key), TEAM, team.model_dump(mode="json", by_alias=True), at)


def _rep_item(rep: Rep, at: str) -> dict[str, Any]:
    return _item(keys.rep_config_key(rep.email), REP, rep.model_dump(mode="json", by_alias=True), at)


def _rules_item(config: RoutingConfig, at: str) -> dict[str, Any]:
    rules = RulesItem(rules=config.rules, default_team=config.default_team, labels=config.labels)
    # Without labels the item is written as before labels existed (older readers forbid the field).
    dumped = rules.model_dump(mode="json", by_alias=True, exclude={"labels"} if not config.labels else None)
    return _item(keys.rules_config_key(), RULES, dumped, at)


def _item(key: Mapping[str, str], entity: str, config: dict[str, Any], at: str) -> dict[str, Any]:
    return {**key, "entity": entity, "config": config, "updated_at": at}


def _put(table: str, item: dict[str, Any], snapshot: ConfigSnapshot) -> TransactWriteItemTypeDef:
    condition = _unchanged_since_read(str(item["SK"]), snapshot)
    return {"Put": {"TableName": table, "Item": to_attributes(item), **condition}}  # type: ignore[typeddict-item]


def _delete(table: str, key: Mapping[str, str], snapshot: ConfigSnapshot) -> TransactWriteItemTypeDef:
    condition = _unchanged_since_read(key["SK"], snapshot)
    return {"Delete": {"TableName": table, "Key": to_attributes(dict(key)), **condition}}  # type: ignore[typeddict-item]


def _unchanged_since_read(sk: str, snapshot: ConfigSnapshot) -> dict[str, Any]:
    if sk not in snapshot.versions:
        return {"ConditionExpression": "attribute_not_exists(PK)"}
    return _version_condition(snapshot.versions[sk])


def _condition(previous: StoredRep | None, key_attribute: str) -> dict[str, Any]:
    if previous is None:
        return {"ConditionExpression": f"attribute_not_exists({key_attribute})"}
    return _version_condition(previous.updated_at)


def _version_condition(updated_at: str | None) -> dict[str, Any]:
    if updated_at is None:
        return {"ConditionExpression": "attribute_exists(PK) AND attribute_not_exists(updated_at)"}
    return {
        "ConditionExpression": "updated_at = :read",
        "ExpressionAttributeValues": to_attributes({":read": updated_at}),
    }


def _write_in_transactions(client: DynamoDBClient, writes: Sequence[TransactWriteItemTypeDef]) -> None:
    for start in range(0, len(writes), MAX_TRANSACTION_ITEMS):
        try:
            client.transact_write_items(TransactItems=list(writes[start : start + MAX_TRANSACTION_ITEMS]))
        except ClientError as error:
            reasons = error.response.get("CancellationReasons", [])
            if _code(error) != "TransactionCanceledException" or not any(
                r.get("Code") == "ConditionalCheckFailed" for r in reasons
            ):
                raise
            done = f" ({start} of {len(writes)} changes were written)" if start else ""
            raise ConfigChangedMeanwhile(
                f"the routing config changed while it was being applied{done}: run the command again "
                "to see the new diff"
            ) from None


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _sk(key: Mapping[str, str]) -> str:
    return key["SK"]
