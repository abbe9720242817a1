"""Handing a leaving (or deactivated) rep's open inquiries to their team or to a named rep."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from inquiry_router.adapters.assignment_write import AssignmentStore
from inquiry_router.adapters.config_store import load_routing_config
from inquiry_router.adapters.queries import inquiries_by_owner
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.routing.service import Router

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


@dataclass(frozen=True, slots=True)
class HandoverResult:
    reference: str
    from_owner: str
    to_owner: str | None
    error: str | None = None


def open_inquiries_of(client: DynamoDBClient, table: str, rep_email: str) -> list[Inquiry]:
    """What a leaving rep hands over: the inquiries awaiting their first answer. Those they answered
    stay theirs, as their history does."""
    owned = inquiries_by_owner(client, table, rep_email, limit=10_000)
    return [inquiry for inquiry in owned if inquiry.awaits_answer]


def hand_over_open_inquiries(
    client: DynamoDBClient, table: str, rep_email: str, to: str | None, now: datetime
) -> list[HandoverResult]:
    """Reassign every open inquiry of `rep_email`; `to=None` means round robin in each team.

    The rep's history (timeline, past inquiries) is untouched; the new owner is notified by the
    router when it sees the stored change. One failure does not stop the others: it is reported.
    """
    router = _router(client, table, now)
    return [
        _hand_over(router, inquiry, rep_email, to) for inquiry in open_inquiries_of(client, table, rep_email)
    ]


def reassign_inquiry(
    client: DynamoDBClient, table: str, inquiry: Inquiry, to: str | None, now: datetime
) -> HandoverResult:
    """Give one inquiry, in whatever open status, to the named rep or (`to=None`) to the next one
    in its team's rotation. One awaiting its first answer moves between the owners' loads and
    reaches the new owner as `assigned`; one already answered keeps its status and counts in
    neither load. The new owner is notified like any assignment."""
    if not inquiry.owner_email:
        return HandoverResult(inquiry.reference, "", None, "it has no owner yet: `inquiries reroute`")
    return _hand_over(_router(client, table, now), inquiry, inquiry.owner_email, to)


def _router(client: DynamoDBClient, table: str, now: datetime) -> Router:
    return Router(
        AssignmentStore(client, table), lambda: load_routing_config(client, table), clock=lambda: now
    )


def _hand_over(router: Router, inquiry: Inquiry, from_owner: str, to: str | None) -> HandoverResult:
    try:
        result = router.hand_over(inquiry, from_owner, to)
    except (ValueError, RuntimeError) as error:
        return HandoverResult(inquiry.reference, from_owner, None, str(error))
    return HandoverResult(inquiry.reference, from_owner, result.owner_email)
