"""An inquiry's status changes (models/lifecycle.py), written as one transaction: the inquiry's
new status with the change appended to its `transitions`, the same change as an event on the
contact's timeline, the first response when the change shows one, and the owner's open load when
the inquiry stops waiting for an answer.

An inquiry that ends (won, lost, closed, or spam) gets its expiry (`expires_at`, the table's TTL;
models/settings.py Retention) in the same transaction, on the inquiry and on its reference item;
one that moves to an open status loses any it had.

The transaction is conditioned on what the inquiry was read with (its status and how many changes
it had), so two people acting at once cannot both move it: the second is told what happened. The
timeline event is keyed by the inquiry and the change's number, so a retried write rewrites it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from botocore.exceptions import ClientError

from inquiry_router.adapters import keys
from inquiry_router.adapters.open_load import load_decrement, write_with_load
from inquiry_router.adapters.queries import get_inquiry
from inquiry_router.adapters.serialization import to_attributes
from inquiry_router.adapters.sla_schedule import SCHEDULE_REMOVE, schedule_set
from inquiry_router.base.timestamps import iso_timestamp, parse_timestamp
from inquiry_router.models.contact import TimelineEvent
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.lifecycle import (
    Channel,
    Status,
    StatusChange,
    TransitionRefused,
    awaits_answer,
    check_move,
    first_response_in,
)
from inquiry_router.models.rep_actions import DEFAULT_SNOOZE
from inquiry_router.models.settings import Retention

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

TIMELINE_KIND = "status_changed"


@dataclass(frozen=True, slots=True)
class StatusChangeOutcome:
    """`changed`; `already` (the inquiry had that status: nothing written); or `moved` (it changed
    under us since it was read: nothing written, `inquiry` is what it is now)."""

    kind: Literal["changed", "already", "moved"]
    inquiry: Inquiry
    change: StatusChange | None = None
    first_response: bool = False


class StatusChanges:
    def __init__(self, client: DynamoDBClient, table_name: str, *, retention: Retention) -> None:
        self._client = client
        self._table = table_name
        self._retention = retention

    def change(
        self,
        inquiry: Inquiry,
        wanted: Status,
        *,
        by: str,
        channel: Channel,
        now: datetime,
        note: str | None = None,
        snoozed_until: datetime | None = None,
    ) -> StatusChangeOutcome:
        """Move `inquiry` (as read) to `wanted`; TransitionRefused when the lifecycle forbids it.
        A snooze lasts until `snoozed_until` (a day when not given)."""
        current = Status(inquiry.status)
        if current is wanted:
            return StatusChangeOutcome("already", inquiry)
        snoozed_from = Status(inquiry.snoozed_from) if inquiry.snoozed_from else None
        check_move(current, wanted, snoozed_from)
        if wanted is Status.ASSIGNED and not inquiry.owner_email:
            raise TransitionRefused(
                "an inquiry gets its owner from the router: `inquiry-router inquiries reroute` assigns "
                "the ones waiting"
            )
        change = StatusChange(current, wanted, iso_timestamp(now), by, channel, note or None)
        until = None
        if wanted is Status.SNOOZED:
            until = iso_timestamp(snoozed_until or now + DEFAULT_SNOOZE)
        first = first_response_in(current, wanted, answered=inquiry.responded_at is not None)
        expires_at = self._retention.expires_at(wanted, now)
        items: list[Any] = [
            {"Update": self._inquiry_update(inquiry, change, now if first else None, until, expires_at)},
            {"Put": self._timeline_event(inquiry, change)},
        ]
        if expires_at is not None or inquiry.expires_at is not None:
            items.append({"Update": self._reference_expiry(inquiry, expires_at)})
        owner = inquiry.owner_email
        load = None
        if owner and inquiry.assignment_kind != "fallback" and _stops_waiting(inquiry, wanted, first):
            load = load_decrement(self._table, owner, change.at)  # a team address has no load
        try:
            write_with_load(self._client, items, load)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            # The inquiry is not as it was read (the timeline event's put cannot be refused).
            now_stored = get_inquiry(self._client, self._table, inquiry.id, consistent=True) or inquiry
            return StatusChangeOutcome("moved", now_stored)
        return StatusChangeOutcome("changed", inquiry, change, first)

    def _inquiry_update(
        self,
        inquiry: Inquiry,
        change: StatusChange,
        answered_at: datetime | None,
        until: str | None,
        expires_at: int | None,
    ) -> dict[str, Any]:
        sets = [
            "#status = :to",
            "GSI1PK = :status_pk",
            "status_changed_at = :at",
            "transitions = list_append(if_not_exists(transitions, :none), :change)",
        ]
        values: dict[str, Any] = {
            ":to": str(change.to_status),
            ":from": str(change.from_status),
            ":status_pk": keys.status_index_key(change.to_status, inquiry.received_at, inquiry.id)["GSI1PK"],
            ":at": change.at,
            ":none": [],
            ":change": [change.to_item()],
        }
        removes = []
        if until is not None:
            sets += ["snoozed_from = :from", "snoozed_until = :until"]
            values[":until"] = until
        else:
            removes += ["snoozed_from", "snoozed_until"]
        # The SLA schedule (adapters/sla_schedule.py): a snoozed inquiry is looked at when it wakes,
        # one waiting for its answer again at once (the sweep plans its next step), others never.
        answered = answered_at is not None or inquiry.responded_at is not None
        look_at = until or (change.at if awaits_answer(change.to_status, answered) else None)
        if look_at is not None:
            schedule, schedule_values = schedule_set(parse_timestamp(look_at), inquiry.id)
            sets.append(schedule)
            values |= schedule_values
        else:
            removes.append(SCHEDULE_REMOVE)
        if expires_at is not None:
            sets.append("expires_at = :expires_at")
            values[":expires_at"] = expires_at
        elif inquiry.expires_at is not None:
            removes.append("expires_at")
        if answered_at is not None:
            sets += [
                "responded_at = :at",
                "responded_by = :by",
                "first_response_seconds = :seconds",
                "first_response_via = :via",
            ]
            values |= {
                ":by": change.by,
                ":seconds": max(0, int((answered_at - inquiry.received_moment).total_seconds())),
                ":via": str(change.channel),
            }
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        # As read: its status, and its count of changes (a snooze and a wake leave the status as
        # it was, not the count).
        counted = "attribute_not_exists(transitions)"
        if inquiry.transitions:
            counted, values[":count"] = "size(transitions) = :count", len(inquiry.transitions)
        return {
            "TableName": self._table,
            "Key": to_attributes(keys.inquiry_key(inquiry.id)),
            "UpdateExpression": expression,
            "ConditionExpression": f"#status = :from AND {counted}",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": to_attributes(values),
        }

    def _reference_expiry(self, inquiry: Inquiry, expires_at: int | None) -> dict[str, Any]:
        """The reference item expires with its inquiry (it says the inquiry id again, so a
        reference item that went missing is whole again)."""
        values: dict[str, Any] = {":id": inquiry.id}
        expression = "SET inquiry_id = :id REMOVE expires_at"
        if expires_at is not None:
            expression, values[":expires_at"] = "SET inquiry_id = :id, expires_at = :expires_at", expires_at
        return {
            "TableName": self._table,
            "Key": to_attributes(keys.reference_key(inquiry.reference)),
            "UpdateExpression": expression,
            "ExpressionAttributeValues": to_attributes(values),
        }

    def _timeline_event(self, inquiry: Inquiry, change: StatusChange) -> dict[str, Any]:
        event = TimelineEvent(
            kind=TIMELINE_KIND,
            at=change.at,
            inquiry_id=inquiry.id,
            reference=inquiry.reference,
            summary=change.summary,
            channel=str(change.channel),
            by=change.by,
            owner_email=inquiry.owner_email,
            team=inquiry.team,
        )
        number = len(inquiry.transitions) + 1
        key = keys.timeline_event_key(inquiry.contact_key, change.at, f"status-{inquiry.id}-{number}")
        return {"TableName": self._table, "Item": to_attributes({**key, **event.to_item()})}


def _stops_waiting(inquiry: Inquiry, wanted: Status, first_response: bool) -> bool:
    """Whether the inquiry leaves its owner's open load (it counts inquiries awaiting an answer)."""
    return inquiry.awaits_answer and not awaits_answer(wanted, answered=first_response)
