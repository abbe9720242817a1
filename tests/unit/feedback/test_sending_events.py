"""SES sending events as the feedback queue hands them over: every shape SES publishes is read, and
anything else, however malformed, is refused with `NotAnSesEvent` (never another exception), so a
broken message parks in the dead-letter queue instead of failing the whole batch."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inquiry_router.feedback.service import decide
from inquiry_router.models.mail_record import SesMessage
from inquiry_router.models.sending_event import NotAnSesEvent, SendingEvent, parse_sending_event
from inquiry_router_admin.local.ses_events import EVENT_KINDS, EventKind, ses_sending_event

BUYER = "ana@importadora-sol.es"
AT = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def body(kind: EventKind, **changes: Any) -> dict[str, Any]:
    event = ses_sending_event(kind, ses_message_id="0102-abc", recipient=BUYER, configuration_set="cs", at=AT)
    return {**event, **changes}


def acknowledgement(recipient: str = BUYER) -> SesMessage:
    return SesMessage(
        ses_message_id="0102-abc",
        job_id="ack:1",
        kind="acknowledgement",
        recipient=recipient,
        message_id="m@x",
        inquiry_id="1",
        reference="INQ-7K3M9Q",
        contact_key=recipient,
    )


@pytest.mark.parametrize("kind", EVENT_KINDS)
def test_every_kind_ses_publishes_is_read(kind: EventKind) -> None:
    event = parse_sending_event(json.dumps(body(kind)))

    assert event is not None
    assert event.ses_message_id == "0102-abc"
    assert event.at == "2026-12-04T09:00:00.000Z"
    # A rejection is about the message, not a recipient: SES names none.
    assert event.recipients == (() if kind == "reject" else (BUYER,))


def test_a_bounce_carries_its_type_subtype_and_diagnostic() -> None:
    event = parse_sending_event(json.dumps(body("bounce")))

    assert event is not None
    assert (event.kind, event.bounce_type, event.bounce_sub_type) == ("bounce", "Permanent", "General")
    assert event.detail == "5.1.1 smtp; 550 5.1.1 user unknown"
    assert event.permanent
    assert not event.suppressed_by_ses


def test_the_account_suppression_list_is_told_from_a_bounce() -> None:
    event = parse_sending_event(json.dumps(body("suppressed")))

    assert event is not None
    assert event.suppressed_by_ses
    assert decide(event, acknowledgement()).timeline_kind == "acknowledgement_suppressed_by_ses"


def test_two_publications_of_one_event_have_one_identity_and_two_events_two() -> None:
    first = body("bounce")
    republished = {**first, "id": "another-envelope", "time": "2026-12-04T09:05:00Z"}
    other = body("bounce")  # another feedback id: another bounce

    keys = [parse_sending_event(json.dumps(b)) for b in (first, republished, other)]

    assert keys[0] is not None
    assert keys[1] is not None
    assert keys[2] is not None
    assert keys[0].event_key == keys[1].event_key != keys[2].event_key


def test_events_we_do_not_subscribe_to_are_dropped_quietly() -> None:
    opened = body("delivery")
    opened["detail"] = {
        **opened["detail"],
        "eventType": "Open",
        "open": {"timestamp": "2026-12-04T09:00:00Z"},
    }

    assert parse_sending_event(json.dumps(opened)) is None


@pytest.mark.parametrize(
    "broken",
    [
        "",
        "not json",
        "[]",
        json.dumps({"source": "my.app", "detail-type": "Email Bounced", "time": "2026-12-04T09:00:00Z"}),
        json.dumps({**body("bounce"), "source": "aws.ses.forged"}),
        json.dumps({**body("bounce"), "detail": {"eventType": "Bounce"}}),  # no mail
        json.dumps({**body("bounce"), "detail": {**body("bounce")["detail"], "bounce": None}}),
        json.dumps({**body("bounce"), "time": "yesterday"}),
    ],
)
def test_what_is_not_an_ses_event_is_refused_plainly(broken: str) -> None:
    with pytest.raises(NotAnSesEvent):
        parse_sending_event(broken)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(EVENT_KINDS),
    path=st.lists(
        st.sampled_from(
            [
                "detail",
                "mail",
                "bounce",
                "complaint",
                "delivery",
                "messageId",
                "timestamp",
                "bouncedRecipients",
                "eventType",
                "time",
                "source",
            ]
        ),
        min_size=1,
        max_size=3,
    ),
    value=JSON,
)
def test_any_damage_to_an_event_is_read_or_refused_never_crashes(
    kind: EventKind, path: list[str], value: Any
) -> None:
    event = body(kind)
    here: Any = event
    for step in path[:-1]:
        if not isinstance(here, dict) or not isinstance(here.get(step), dict):
            break
        here = here[step]
    if isinstance(here, dict):
        here[path[-1]] = value
    try:
        parsed = parse_sending_event(json.dumps(event))
    except NotAnSesEvent:
        return
    if parsed is not None:
        assert isinstance(parsed, SendingEvent)
        effect = decide(parsed, acknowledgement())
        assert effect.timeline_kind.startswith("acknowledgement_")
        assert len(effect.summary) < 1000


@settings(max_examples=200, deadline=None)
@given(detail=st.text(max_size=2000), recipient=st.emails())
def test_a_summary_stays_one_bounded_line_whatever_the_remote_server_said(
    detail: str, recipient: str
) -> None:
    event = SendingEvent(
        kind="bounce",
        ses_message_id="x",
        at="2026-12-04T09:00:00Z",
        recipients=(recipient.lower(),),
        bounce_type="Permanent",
        detail=" ".join(detail.split())[:300],
    )
    effect = decide(event, acknowledgement(recipient.lower()))

    assert "\n" not in effect.summary
    assert "\r" not in effect.summary
    assert effect.suppress
    assert effect.tell_owner


def test_a_company_mailbox_bounce_never_suppresses_the_buyer() -> None:
    event = parse_sending_event(json.dumps(body("bounce")))
    assert event is not None
    notification = SesMessage(
        ses_message_id="0102-abc",
        job_id="notify:1:rep@x",
        kind="notification",
        recipient="rep@sunrise-lighting.com",
        message_id="m@x",
        inquiry_id="1",
        contact_key=BUYER,
    )

    effect = decide(event, notification)

    assert effect.contact_mark is None
    assert not effect.suppress
    assert not effect.tell_owner
    assert "rep@sunrise-lighting.com" in effect.summary
