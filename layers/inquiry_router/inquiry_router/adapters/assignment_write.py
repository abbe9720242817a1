"""The router's reads and its one write per assignment.

Read: one BatchGetItem for everything a decision depends on (contact and account owners, the
team's rotation state, its reps' loads). Write: one TransactWriteItems that sets the owner on the
inquiry only if it has none, moves the rotation only from the version that was read, adds to the
rep's load only while under capacity, and records the decision on the contact and its timeline.
A redelivered record therefore never assigns twice, and concurrent routers serialise on the
rotation item, so the counts stay exact.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from botocore.exceptions import ClientError

from inquiry_router.adapters import keys
from inquiry_router.adapters.open_load import load_change
from inquiry_router.adapters.serialization import to_attributes
from inquiry_router.adapters.sla_schedule import SCHEDULE_REMOVE, backlog_set, schedule_set
from inquiry_router.adapters.table import batch_get, get_item
from inquiry_router.base.timestamps import iso_timestamp
from inquiry_router.models.assignment import InquiryFacts, OwnerDecision, RotationState
from inquiry_router.models.contact import Account, Contact, TimelineEvent
from inquiry_router.models.inquiry import Inquiry

if TYPE_CHECKING:
    from datetime import datetime

    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

Outcome = Literal["assigned", "already_assigned", "conflict"]


@dataclass(frozen=True, slots=True)
class OwnershipState:
    contact_owner: str | None
    account_owner: str | None
    account_exists: bool
    rotation: RotationState
    loads: dict[str, int]


class AssignmentStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def read_state(self, facts: InquiryFacts, team_key: str, rep_emails: Iterable[str]) -> OwnershipState:
        wanted = [keys.contact_key(facts.contact_key), keys.rotation_key(team_key)]
        if facts.account_domain:
            wanted.append(keys.account_key(facts.account_domain))
        wanted += [keys.rep_load_key(email) for email in sorted(set(rep_emails))]
        items = self._batch_get(wanted)
        contact = items.get(_pk_sk(keys.contact_key(facts.contact_key)))
        account = (
            items.get(_pk_sk(keys.account_key(facts.account_domain)), None) if facts.account_domain else None
        )
        rotation = items.get(_pk_sk(keys.rotation_key(team_key)))
        loads = {
            str(item["PK"]).removeprefix("REP#"): int(item.get("open", 0))
            for item in items.values()
            if item.get("SK") == "LOAD"
        }
        return OwnershipState(
            contact_owner=Contact.from_item(contact).owner_email if contact else None,
            account_owner=Account.from_item(account).owner_email if account else None,
            account_exists=account is not None,
            rotation=RotationState.from_item(rotation),
            loads=loads,
        )

    def _batch_get(self, wanted: list[dict[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        return {(item["PK"], item["SK"]): item for item in batch_get(self._client, self._table, wanted)}

    def get_inquiry(self, inquiry_id: str) -> Inquiry | None:
        item = get_item(self._client, self._table, keys.inquiry_key(inquiry_id), consistent=True)
        return Inquiry.from_item(item) if item is not None else None

    def commit(
        self,
        facts: InquiryFacts,
        decision: OwnerDecision,
        state: OwnershipState,
        now: datetime,
        *,
        previous_owner: str | None = None,
        first_response_due_at: datetime | None = None,
        sla_look_at: datetime | None = None,
    ) -> Outcome:
        """Write the decision; `previous_owner` set means a hand-over from that owner, `sla_look_at`
        when the SLA sweep first looks at it (None: off the schedule)."""
        planned = self._assignment_items(
            facts,
            decision,
            state,
            now,
            previous_owner,
            first_response_due_at=first_response_due_at,
            sla_look_at=sla_look_at,
        )
        roles, items = zip(*planned, strict=True)
        try:
            self._client.transact_write_items(TransactItems=list(items))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            reasons: list[Any] = list(error.response.get("CancellationReasons", []))
            failed = {
                role for role, reason in zip(roles, reasons, strict=False) if reason.get("Code") != "None"
            }
            if "inquiry" in failed:
                return "already_assigned"
            if failed <= {"rotation", "load"}:  # moved under us (incl. TransactionConflict): decide again
                return "conflict"
            raise
        return "assigned"

    def _assignment_items(
        self,
        facts: InquiryFacts,
        decision: OwnerDecision,
        state: OwnershipState,
        now: datetime,
        previous_owner: str | None,
        *,
        first_response_due_at: datetime | None = None,
        sla_look_at: datetime | None = None,
    ) -> list[tuple[str, TransactWriteItemTypeDef]]:
        at = iso_timestamp(now)
        table = self._table
        owner = decision.owner_email
        # An answered inquiry handed over keeps its status, and counts in nobody's load.
        counted = facts.awaits_answer
        status = "SET #status = :assigned, GSI1PK = :status_pk, " if counted else "SET "
        removes = ["snoozed_from", "snoozed_until"] if counted and previous_owner else []
        # On the SLA schedule while it waits for its owner's answer (adapters/sla_schedule.py); one
        # waiting with the fallback address is the backlog drain's, not the sweep's.
        schedule, schedule_values = schedule_set(sla_look_at if counted else None, facts.inquiry_id)
        if counted and decision.kind == "fallback":
            schedule, schedule_values = backlog_set(decision.team.key, facts.received_at, facts.inquiry_id)
        if counted and not schedule:
            removes.append(SCHEDULE_REMOVE)
        inquiry_update: Any = {
            "TableName": table,
            "Key": to_attributes(keys.inquiry_key(facts.inquiry_id)),
            # assignment_seq numbers the assignments: each one's notification is a job of its own.
            "UpdateExpression": status + "owner_email = :owner, owner_name = :name, "
            "team = :team, assignment_kind = :kind, assignment_reason = :reason, assigned_at = :at, "
            "GSI2PK = :owner_pk, GSI2SK = :owner_sk, "
            "assignment_seq = if_not_exists(assignment_seq, :zero) + :one"
            + (", first_response_due_at = :due" if first_response_due_at else "")
            + (f", {schedule}" if schedule else "")
            + (f" REMOVE {', '.join(removes)}" if removes else ""),
            "ExpressionAttributeValues": to_attributes(
                {
                    **({":assigned": "assigned", ":status_pk": "STATUS#assigned"} if counted else {}),
                    **({":due": iso_timestamp(first_response_due_at)} if first_response_due_at else {}),
                    **schedule_values,
                    ":owner": owner,
                    ":name": decision.owner_name or decision.team.name,
                    ":team": decision.team.key,
                    ":kind": decision.kind,
                    ":reason": decision.reason,
                    ":at": at,
                    ":owner_pk": f"OWNER#{owner}",
                    ":owner_sk": f"{facts.received_at}#{facts.inquiry_id}",
                    ":zero": 0,
                    ":one": 1,
                    **({":previous": previous_owner} if previous_owner else {":new": "new"}),
                }
            ),
            # A first assignment only from "new"; a hand-over only from the owner it was read with.
            "ConditionExpression": "owner_email = :previous"
            if previous_owner
            else "attribute_not_exists(owner_email) AND #status = :new",
        }
        if counted or not previous_owner:  # DynamoDB refuses a name the expressions do not use
            inquiry_update["ExpressionAttributeNames"] = {"#status": "status"}
        items: list[tuple[str, Any]] = [("inquiry", {"Update": inquiry_update})]
        if decision.rotation is not None:
            rotation = self._rotation_put(decision.team.key, state.rotation, decision.rotation)
            items.append(("rotation", {"Put": rotation}))
        if decision.is_rep and counted:
            items.append(("load", {"Update": load_change(table, owner, +1, at, decision.capacity)}))
        had_load = facts.assignment_kind != "fallback"  # a team address has none
        if previous_owner and previous_owner != owner and counted and had_load:
            items.append(("previous_load", {"Update": load_change(table, previous_owner, -1, at)}))
        if decision.is_rep:
            contact = self._owner_update(keys.contact_key(facts.contact_key), owner, at)
            items.append(("contact", {"Update": contact}))
            if state.account_exists and facts.account_domain:
                account = self._owner_update(keys.account_key(facts.account_domain), owner, at)
                items.append(("account", {"Update": account}))
        event = {
            **keys.timeline_event_key(facts.contact_key, at, uuid.uuid4().hex[:12]),
            # Assignments by date: what a router dead letter whose records expired is found by.
            **keys.assignment_index_key(at, facts.inquiry_id),
            **TimelineEvent(
                kind="reassigned" if previous_owner else "assigned",
                at=at,
                inquiry_id=facts.inquiry_id,
                reference=facts.reference,
                owner_email=owner,
                team=decision.team.key,
                summary=decision.reason,
            ).to_item(),
        }
        items.append(("timeline", {"Put": {"TableName": table, "Item": to_attributes(event)}}))
        return items

    def _rotation_put(self, team_key: str, read: RotationState, written: RotationState) -> Any:
        item = {**keys.rotation_key(team_key), **written.to_item()}
        put: dict[str, Any] = {"TableName": self._table, "Item": to_attributes(item)}
        if read.version == 0:
            put["ConditionExpression"] = "attribute_not_exists(PK)"
        else:
            put["ConditionExpression"] = "version = :read"
            put["ExpressionAttributeValues"] = to_attributes({":read": read.version})
        return put

    def _owner_update(self, key: dict[str, str], owner: str, at: str) -> Any:
        return {
            "TableName": self._table,
            "Key": to_attributes(key),
            "UpdateExpression": "SET owner_email = :owner, owner_since = :at",
            "ConditionExpression": "attribute_exists(PK)",
            "ExpressionAttributeValues": to_attributes({":owner": owner, ":at": at}),
        }


def _pk_sk(key: dict[str, str]) -> tuple[str, str]:
    return key["PK"], key["SK"]
