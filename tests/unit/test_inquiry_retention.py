"""Retention (models/settings.py Retention, ClosedInquiryRetentionDays and SpamRetentionDays): an
inquiry that ends gets the table's TTL (`expires_at`) on itself and on its reference item, in the
status change's own transaction; one that is open again loses it; 0 days keeps closed inquiries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from inquiry_router.adapters import keys
from inquiry_router.adapters.serialization import from_attributes, to_attributes
from inquiry_router.adapters.status_changes import StatusChanges
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.lifecycle import Channel, Status
from inquiry_router.models.settings import Retention
from tests.conftest import TABLE_NAME

NOW = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
RETENTION = Retention(closed_inquiry_days=730, spam_days=14)


def _stored(dynamodb: Any, status: str = "responded", expires_at: int | None = None) -> Inquiry:
    inquiry = Inquiry(
        id="0193a1b2c3d4",
        reference="INQ-7K3M9Q",
        status=status,
        received_at="2026-12-01T08:00:00.000Z",
        contact_key="ana@importadora-sol.es",
        email="ana@importadora-sol.es",
        owner_email="anna@sunrise-lighting.com",
        assignment_kind="rotation",
        responded_at="2026-12-01T09:00:00.000Z",
        expires_at=expires_at,
    )
    item = {**keys.inquiry_key(inquiry.id), **inquiry.to_item()}
    reference = {**keys.reference_key(inquiry.reference), "inquiry_id": inquiry.id}
    if expires_at is not None:
        reference["expires_at"] = expires_at
    for stored in (item, reference):
        dynamodb.put_item(TableName=TABLE_NAME, Item=to_attributes(stored))
    return inquiry


def _expiry(dynamodb: Any, key: dict[str, str]) -> int | None:
    item = from_attributes(dynamodb.get_item(TableName=TABLE_NAME, Key=to_attributes(key))["Item"])
    return item.get("expires_at")


def _change(dynamodb: Any, inquiry: Inquiry, wanted: Status, retention: Retention = RETENTION) -> None:
    outcome = StatusChanges(dynamodb, TABLE_NAME, retention=retention).change(
        inquiry, wanted, by="anna@sunrise-lighting.com", channel=Channel.MAIL_ACTION, now=NOW
    )
    assert outcome.kind == "changed"


@pytest.mark.parametrize(
    ("wanted", "days"), [(Status.WON, 730), (Status.LOST, 730), (Status.CLOSED, 730), (Status.SPAM, 14)]
)
def test_an_ended_inquiry_and_its_reference_expire_after_their_retention(
    dynamodb: Any, wanted: Status, days: int
) -> None:
    inquiry = _stored(dynamodb)
    _change(dynamodb, inquiry, wanted)
    expected = int((NOW + timedelta(days=days)).timestamp())
    assert _expiry(dynamodb, keys.inquiry_key(inquiry.id)) == expected
    assert _expiry(dynamodb, keys.reference_key(inquiry.reference)) == expected
    # the reference still leads to its inquiry until then
    reference = dynamodb.get_item(
        TableName=TABLE_NAME, Key=to_attributes(keys.reference_key(inquiry.reference))
    )
    assert from_attributes(reference["Item"])["inquiry_id"] == inquiry.id


def test_zero_days_keeps_closed_inquiries_but_spam_still_expires(dynamodb: Any) -> None:
    keep = Retention(closed_inquiry_days=0, spam_days=30)
    inquiry = _stored(dynamodb)
    _change(dynamodb, inquiry, Status.WON, keep)
    assert _expiry(dynamodb, keys.inquiry_key(inquiry.id)) is None
    assert _expiry(dynamodb, keys.reference_key(inquiry.reference)) is None
    assert keep.expires_at("spam", NOW) == int((NOW + timedelta(days=30)).timestamp())


def test_an_inquiry_open_again_loses_its_expiry(dynamodb: Any) -> None:
    # The lifecycle has no way out of a final status today; an inquiry that carries an expiry while
    # open (a reopen, a hand edit) is kept again by its next move, on both items.
    inquiry = _stored(dynamodb, expires_at=int(NOW.timestamp()) + 86_400)
    _change(dynamodb, inquiry, Status.QUOTED)
    assert _expiry(dynamodb, keys.inquiry_key(inquiry.id)) is None
    assert _expiry(dynamodb, keys.reference_key(inquiry.reference)) is None


@pytest.mark.parametrize(
    "status", sorted(set(Status) - {Status.WON, Status.LOST, Status.CLOSED, Status.SPAM})
)
def test_open_statuses_never_expire(status: Status) -> None:
    assert RETENTION.expires_at(status, NOW) is None


def test_an_ordinary_move_writes_no_reference_item(dynamodb: Any) -> None:
    inquiry = _stored(dynamodb)
    sent: list[Any] = []
    dynamodb.meta.events.register(
        "provide-client-params.dynamodb.TransactWriteItems", lambda params, **_: sent.append(params)
    )
    _change(dynamodb, inquiry, Status.QUOTED)
    [request] = sent
    written = [
        next(iter(action.values()))["Key" if "Update" in action else "Item"]
        for action in request["TransactItems"]
    ]
    assert all(from_attributes(key)["PK"] != f"REF#{inquiry.reference}" for key in written)
