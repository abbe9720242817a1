"""Routing the inquiries still waiting for an owner (the table's `status = new` index): after a
routing config was first applied. What the router gave up on is finished by routing/redrive.py.

Safe to run any time: routing is idempotent on the inquiry id, and the router's own stream
consumer queues the mails once the assignment is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from inquiry_router.adapters.assignment_write import AssignmentStore
from inquiry_router.adapters.config_store import load_routing_config
from inquiry_router.adapters.queries import inquiries_by_status
from inquiry_router.routing.service import Router

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


@dataclass(frozen=True, slots=True)
class RerouteResult:
    reference: str
    owner_email: str | None
    reason: str


def reroute_waiting_inquiries(client: DynamoDBClient, table: str, limit: int) -> list[RerouteResult]:
    """Assign up to `limit` inquiries with status `new`, newest first.
    One failure does not stop the others: it is reported in its result."""
    config = load_routing_config(client, table)
    router = Router(AssignmentStore(client, table), lambda: config)
    results = []
    for inquiry in list(inquiries_by_status(client, table, "new", limit)):
        reference = inquiry.reference
        try:
            routed = router.route_new_inquiry(inquiry)
        except RuntimeError as error:  # not configured, contention: reported, the rest go on
            results.append(RerouteResult(reference, None, str(error)))
            continue
        results.append(RerouteResult(reference, routed.owner_email, routed.reason))
    return results
