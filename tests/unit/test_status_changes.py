"""adapters/status_changes.py on moto: a change lands on the inquiry and the timeline together, the
first response is recorded once with how it was shown, the owner's load drops once when the
inquiry stops waiting, and a change made under a stale read writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from inquiry_router.adapters import keys
from inquiry_router.adapters.queries import contact_timeline, get_inquiry
from inquiry_router.adapters.serialization import from_attributes, to_attributes
from inquiry_router.adapters.status_changes import StatusChanges
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.lifecycle import Channel, Status, TransitionRefused
from inquiry_router.models.settings import Retention
from tests.conftest import TABLE_NAME

RECEIVED = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
OWNER = "anna@sunrise-lighting.com"


def _stored(dynamodb: Any, *, status: str = "assigned", kind: str = "rotation", load: int = 3) -> Inquiry:
    inquiry = Inquiry(
        id="0193a1b2c3d4",
        reference="INQ-7K3M9Q",
        status=status,
        received_at="2026-12-01T08:00:00.000Z",
        contact_key="ana@importadora-sol.es",
        email="ana@importadora-sol.es",
        owner_email=OWNER if status != "new" else None,
        assignment_kind=kind if status != "new" else None,
        team="export",
    )
    item = {
        **keys.inquiry_key(inquiry.id),
        **keys.status_index_key(status, inquiry.received_at, inquiry.id),
        **inquiry.to_item(),
    }
    dynamodb.put_item(TableName=TABLE_NAME, Item=to_attributes(item))
    dynamodb.put_item(
        TableName=TABLE_NAME,
        Item=to_attributes({**keys.rep_load_key(OWNER), "entity": "rep_load", "open": load}),
    )
    return inquiry


def _load(dynamodb: Any) -> int:
    item = dynamodb.get_item(TableName=TABLE_NAME, Key=to_attributes(keys.rep_load_key(OWNER)))["Item"]
    return int(from_attributes(item)["open"])


def _reread(dynamodb: Any, inquiry_id: str) -> Inquiry:
    stored = get_inquiry(dynamodb, TABLE_NAME, inquiry_id, consistent=True)
    assert stored is not None
    return stored


def _now(hours: float) -> datetime:
    return RECEIVED + timedelta(hours=hours)


def test_a_quote_is_the_first_response_and_lands_on_the_inquiry_and_the_timeline(dynamodb: Any) -> None:
    inquiry = _stored(dynamodb)
    changes = StatusChanges(dynamodb, TABLE_NAME, retention=Retention())

    outcome = changes.change(
        inquiry, Status.QUOTED, by=OWNER, channel=Channel.CLI, now=_now(5), note="FOB Ningbo 2.10 USD"
    )

    assert outcome.kind == "changed"
    assert outcome.first_response
    stored = _reread(dynamodb, inquiry.id)
    assert stored.status == "quoted"
    assert stored.responded_at == "2026-12-01T13:00:00.000Z"
    assert (stored.responded_by, stored.first_response_seconds, stored.first_response_via) == (
        OWNER,
        5 * 3600,
        "cli",
    )
    assert [(c.from_status, c.to_status, c.note) for c in stored.transitions] == [
        (Status.ASSIGNED, Status.QUOTED, "FOB Ningbo 2.10 USD")
    ]
    raw = from_attributes(
        dynamodb.get_item(TableName=TABLE_NAME, Key=to_attributes(keys.inquiry_key(inquiry.id)))["Item"]
    )
    assert raw["GSI1PK"] == "STATUS#quoted"  # found by `inquiries list --status quoted`
    (event,) = [e for e in contact_timeline(dynamodb, TABLE_NAME, inquiry.contact_key) if e.inquiry_id]
    assert (event.kind, event.by, event.channel, event.reference) == (
        "status_changed",
        OWNER,
        "cli",
        "INQ-7K3M9Q",
    )
    assert "quote sent" in (event.summary or "")
    assert "FOB Ningbo" in (event.summary or "")
    assert _load(dynamodb) == 2


def test_the_first_response_is_recorded_once_and_the_load_drops_once(dynamodb: Any) -> None:
    changes = StatusChanges(dynamodb, TABLE_NAME, retention=Retention())
    inquiry = _stored(dynamodb)
    for step, (status, hours) in enumerate(
        [
            (Status.RESPONDED, 2),
            (Status.QUOTED, 30),
            (Status.SNOOZED, 40),
            (Status.QUOTED, 64),
            (Status.WON, 90),
        ]
    ):
        current = _reread(dynamodb, inquiry.id)
        outcome = changes.change(current, status, by=OWNER, channel=Channel.MAIL_ACTION, now=_now(hours))
        assert outcome.kind == "changed"
        assert outcome.first_response == (step == 0)
    stored = _reread(dynamodb, inquiry.id)
    assert (stored.status, stored.first_response_seconds, stored.snoozed_from) == ("won", 2 * 3600, None)
    assert len(stored.transitions) == 5
    assert _load(dynamodb) == 2
    events = [
        e for e in contact_timeline(dynamodb, TABLE_NAME, inquiry.contact_key) if e.kind == "status_changed"
    ]
    assert len(events) == 5


def test_a_snooze_remembers_where_it_left_and_the_load_keeps_counting_it(dynamodb: Any) -> None:
    changes = StatusChanges(dynamodb, TABLE_NAME, retention=Retention())
    inquiry = _stored(dynamodb)
    changes.change(inquiry, Status.SNOOZED, by=OWNER, channel=Channel.MAIL_COMMAND, now=_now(1))
    snoozed = _reread(dynamodb, inquiry.id)
    assert (snoozed.status, snoozed.snoozed_from) == ("snoozed", "assigned")
    assert _load(dynamodb) == 3  # still waiting for an answer
    changes.change(snoozed, Status.LOST, by=OWNER, channel=Channel.MAIL_COMMAND, now=_now(2), note="price")
    lost = _reread(dynamodb, inquiry.id)
    assert (lost.status, lost.responded_at, lost.snoozed_from) == ("lost", None, None)
    assert _load(dynamodb) == 2  # no longer waiting, and not answered either


def test_a_team_address_has_no_load_to_change(dynamodb: Any) -> None:
    inquiry = _stored(dynamodb, kind="fallback")
    outcome = StatusChanges(dynamodb, TABLE_NAME, retention=Retention()).change(
        inquiry, Status.CLOSED, by="admin", channel=Channel.CLI, now=_now(1)
    )
    assert outcome.kind == "changed"
    assert _load(dynamodb) == 3


def test_a_load_already_at_zero_does_not_go_below_and_the_change_still_lands(dynamodb: Any) -> None:
    inquiry = _stored(dynamodb, load=0)
    outcome = StatusChanges(dynamodb, TABLE_NAME, retention=Retention()).change(
        inquiry, Status.RESPONDED, by=OWNER, channel=Channel.CLI, now=_now(1)
    )
    assert outcome.kind == "changed"
    assert _load(dynamodb) == 0
    stored = _reread(dynamodb, inquiry.id)
    assert stored.status == "responded"


def test_a_change_on_a_stale_read_writes_nothing_and_says_what_it_is_now(dynamodb: Any) -> None:
    changes = StatusChanges(dynamodb, TABLE_NAME, retention=Retention())
    stale = _stored(dynamodb)
    changes.change(stale, Status.SNOOZED, by=OWNER, channel=Channel.CLI, now=_now(1))
    woken = _reread(dynamodb, stale.id)
    changes.change(woken, Status.ASSIGNED, by=OWNER, channel=Channel.AUTOMATIC, now=_now(2))
    # back to "assigned", as the stale read said, but two changes later

    outcome = changes.change(stale, Status.WON, by="someone else", channel=Channel.CLI, now=_now(3))

    assert outcome.kind == "moved"
    assert outcome.inquiry.status == "assigned"
    stored = _reread(dynamodb, stale.id)
    assert stored.status == "assigned"
    assert len(stored.transitions) == 2
    assert _load(dynamodb) == 3


def test_the_same_status_again_writes_nothing(dynamodb: Any) -> None:
    inquiry = _stored(dynamodb, status="quoted")
    outcome = StatusChanges(dynamodb, TABLE_NAME, retention=Retention()).change(
        inquiry, Status.QUOTED, by=OWNER, channel=Channel.MAIL_ACTION, now=_now(1)
    )
    assert outcome.kind == "already"
    assert contact_timeline(dynamodb, TABLE_NAME, inquiry.contact_key) == []


@pytest.mark.parametrize(
    ("status", "wanted", "says"),
    [
        ("won", "lost", "final"),
        ("new", "quoted", "can move to"),
        ("new", "assigned", "the router"),
    ],
)
def test_a_refused_move_writes_nothing(dynamodb: Any, status: str, wanted: str, says: str) -> None:
    inquiry = _stored(dynamodb, status=status)
    with pytest.raises(TransitionRefused, match=says):
        StatusChanges(dynamodb, TABLE_NAME, retention=Retention()).change(
            inquiry, Status(wanted), by="admin", channel=Channel.CLI, now=_now(1)
        )
    assert contact_timeline(dynamodb, TABLE_NAME, inquiry.contact_key) == []
