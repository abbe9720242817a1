"""The SLA schedule: inquiries waiting on their owner's first answer, by when the sweep should look
at them next (a sparse index, GSI3: `GSI3PK = SLA`, `GSI3SK = <look at>#<id>`; keys only).

An inquiry joins the schedule when it is assigned (adapters/assignment_write.py), moves on it when
snoozed (to its wake-up) and after each step, and leaves it when it no longer waits for an answer
(adapters/status_changes.py, the BCC path) or when the sweep finds nothing left to do. One Query
a sweep finds what is due; each step is a write conditioned on the inquiry as read and on the
step not taken yet, so a redelivered or overlapping sweep cannot take a step twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from inquiry_router.adapters import keys
from inquiry_router.adapters.serialization import to_attributes
from inquiry_router.adapters.table import batch_get
from inquiry_router.base.timestamps import iso_timestamp
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.sla import SlaStep

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

MAX_DUE_PER_SWEEP = 500  # more waits for the next sweep, five minutes on


def schedule_set(look_at: datetime | None, inquiry_id: str) -> tuple[str, dict[str, str]]:
    """The update clause (and its values) that puts the inquiry on the schedule at `look_at`, or
    takes it off (None). For an UpdateExpression's SET part: returns `GSI3PK = …, GSI3SK = …`."""
    if look_at is None:
        return "", {}
    key = keys.sla_schedule_key(iso_timestamp(look_at), inquiry_id)
    return "GSI3PK = :sla_pk, GSI3SK = :sla_sk", {":sla_pk": key["GSI3PK"], ":sla_sk": key["GSI3SK"]}


SCHEDULE_REMOVE = "GSI3PK, GSI3SK"  # for an UpdateExpression's REMOVE part


def backlog_set(team_key: str, received_at: str, inquiry_id: str) -> tuple[str, dict[str, str]]:
    """The update clause that puts an inquiry waiting with the team's fallback address in the
    team's backlog, oldest first, for the drain (routing/backlog.py) instead of the SLA schedule."""
    key = keys.backlog_key(team_key, received_at, inquiry_id)
    return "GSI3PK = :sla_pk, GSI3SK = :sla_sk", {":sla_pk": key["GSI3PK"], ":sla_sk": key["GSI3SK"]}


class SlaSchedule:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def due(self, now: datetime) -> list[Inquiry]:
        """The inquiries to look at now, those due longest first (read consistently)."""
        ids: list[str] = []
        start: dict[str, Any] | None = None
        while len(ids) < MAX_DUE_PER_SWEEP:
            kwargs: dict[str, Any] = {
                "TableName": self._table,
                "IndexName": keys.SLA_INDEX,
                "KeyConditionExpression": "GSI3PK = :sla AND GSI3SK <= :now",
                # "~" sorts after "#" and every id character: everything due by `now`.
                "ExpressionAttributeValues": to_attributes(
                    {":sla": keys.SLA_PARTITION, ":now": f"{iso_timestamp(now)}~"}
                ),
                "Limit": MAX_DUE_PER_SWEEP - len(ids),
            }
            if start:
                kwargs["ExclusiveStartKey"] = start
            answer = self._client.query(**kwargs)
            ids += [item["PK"]["S"].removeprefix("INQUIRY#") for item in answer.get("Items", [])]
            start = answer.get("LastEvaluatedKey")
            if not start:
                break
        items = batch_get(self._client, self._table, [keys.inquiry_key(i) for i in ids], consistent=True)
        found = {
            str(item["id"]): Inquiry.from_item(item) for item in items if item.get("entity") == "inquiry"
        }
        return [found[i] for i in ids if i in found]

    def backlog(self, team_key: str, limit: int) -> list[Inquiry]:
        """The team's oldest inquiries waiting with its fallback address (read consistently)."""
        if limit <= 0:
            return []
        answer = self._client.query(
            TableName=self._table,
            IndexName=keys.SLA_INDEX,
            KeyConditionExpression="GSI3PK = :backlog",
            ExpressionAttributeValues=to_attributes({":backlog": f"BACKLOG#{team_key}"}),
            Limit=limit,
        )
        ids = [item["PK"]["S"].removeprefix("INQUIRY#") for item in answer.get("Items", [])]
        items = batch_get(self._client, self._table, [keys.inquiry_key(i) for i in ids], consistent=True)
        found = {
            str(item["id"]): Inquiry.from_item(item) for item in items if item.get("entity") == "inquiry"
        }
        return [found[i] for i in ids if i in found]

    def to_backlog(self, inquiry: Inquiry) -> bool:
        """Back in its team's backlog (a fallback-held inquiry woken from a snooze)."""
        assignment, values = backlog_set(str(inquiry.team), inquiry.received_at, inquiry.id)
        return self._update(inquiry, f"SET {assignment}", dict(values), "")

    def look_again(self, inquiry: Inquiry, at: datetime | None) -> bool:
        """Move the inquiry on the schedule (off it, for None), if it is still as read."""
        assignment, values = schedule_set(at, inquiry.id)
        expression = f"SET {assignment}" if at is not None else f"REMOVE {SCHEDULE_REMOVE}"
        return self._update(inquiry, expression, values, "")

    def take_step(self, inquiry: Inquiry, step: SlaStep, look_at: datetime | None) -> bool:
        """Record `step` on the inquiry (and when to look next); False when it was taken already or
        the inquiry changed since it was read (answered, reassigned, snoozed): take nothing then."""
        assignment, key_values = schedule_set(look_at, inquiry.id)
        values: dict[str, Any] = dict(key_values)
        sets = ["sla_steps = list_append(if_not_exists(sla_steps, :none), :step)"]
        values |= {":none": [], ":step": [str(step)], ":step_name": str(step)}
        if step is SlaStep.REASSIGN:
            sets.append("sla_reassign_from = :owner_now")
            values[":owner_now"] = inquiry.owner_email
        if assignment:
            sets.append(assignment)
        expression = "SET " + ", ".join(sets) + ("" if assignment else f" REMOVE {SCHEDULE_REMOVE}")
        not_taken = " AND (attribute_not_exists(sla_steps) OR NOT contains(sla_steps, :step_name))"
        return self._update(inquiry, expression, values, not_taken)

    def _update(self, inquiry: Inquiry, expression: str, values: dict[str, Any], extra: str) -> bool:
        values = {**values, ":status": inquiry.status}
        condition = "#status = :status"
        if inquiry.owner_email:
            condition += " AND owner_email = :owner"
            values[":owner"] = inquiry.owner_email
        try:
            self._client.update_item(
                TableName=self._table,
                Key=to_attributes(keys.inquiry_key(inquiry.id)),
                UpdateExpression=expression,
                ConditionExpression=condition + extra,
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=to_attributes(values),
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True
