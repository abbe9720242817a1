"""Handing a leaving (or deactivated) rep's open inquiries to their team or to a named rep."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from inquiry_router.adapters.assignment_write import AssignmentStore
from inquiry_router.adapters.config_store import load_routing_config
from inquiry_router.adapters.queries import inquiries_by_owner
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.lifecycle import awaits_answer
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
    return [i for i in owned if awaits_answer(i.status, answered=i.responded_at is not None)]


def hand_over_open_inquiries(
    client: DynamoDBClient, table: str, rep_email: str, to: str | None, now: datetime
) -> list[HandoverResult]:
    """Reassign every open inquiry of `rep_email`; `to=None` means round robin in each team.

    The rep's history (timeline, past inquiries) is untouched; the new owner is notified by the
    router when it sees the stored change. One failure does not stop the others: it is reported.
    """
    router = Router(
        AssignmentStore(client, table), lambda: load_routing_config(client, table), clock=lambda: now
    )
    results = []
    for inquiry in open_inquiries_of(client, table, rep_email):
        reference = inquiry.reference
        try:
            result = router.hand_over(inquiry, rep_email, to)
        except (ValueError, RuntimeError) as error:
            results.append(HandoverResult(reference, rep_email, None, str(error)))
            continue
        results.append(HandoverResult(reference, rep_email, result.owner_email))
    return results
