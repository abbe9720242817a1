"""A report may suppress only the addresses a message of ours that it names went to."""

from __future__ import annotations

from inquiry_router.inbound.bounce_trust import BounceTrust, judge_bounce
from inquiry_router.models.mail_record import SentMessage

OURS = "<171815416071.9.15584123467012935004@example.com>"


def sent(recipient: str | None, kind: str = "acknowledgement") -> SentMessage:
    return SentMessage(message_id=OURS.strip("<>"), kind=kind, recipient=recipient, inquiry_id="i-1")


def test_a_report_naming_our_message_to_that_address_is_trusted() -> None:
    assert judge_bounce(["Li.Wei@Gmail.com "], [OURS], [sent("li.wei@gmail.com")]) == BounceTrust(
        ("li.wei@gmail.com",)
    )


def test_a_report_naming_no_message_id_is_not_trusted() -> None:
    trust = judge_bounce(["li.wei@gmail.com"], [], [])
    assert trust.trusted == ()
    assert trust.distrusted == "not trusted: it names no original Message-ID, so nothing is suppressed"


def test_a_report_naming_only_messages_we_never_sent_is_not_trusted() -> None:
    trust = judge_bounce(["li.wei@gmail.com"], ["<forged@example.com>"], [])
    assert trust.trusted == ()
    assert trust.distrusted == (
        "not trusted: it names no message we sent (<forged@example.com>), so nothing is suppressed"
    )


def test_our_message_to_someone_else_suppresses_nobody_else() -> None:
    trust = judge_bounce(
        ["li.wei@gmail.com", "ana@importadora-sol.es"], [OURS], [sent("ana@importadora-sol.es")]
    )
    assert trust.trusted == ("ana@importadora-sol.es",)
    assert trust.distrusted == (
        f"not trusted for li.wei@gmail.com: the message it names ({OURS}) was not sent to them"
    )
    only_other = judge_bounce(["li.wei@gmail.com"], [OURS], [sent("ana@importadora-sol.es")])
    assert only_other.trusted == ()
    assert only_other.distrusted is not None
    assert only_other.distrusted.endswith("so nothing is suppressed")


def test_a_delay_names_nobody_and_needs_no_verdict() -> None:
    assert judge_bounce([], [OURS], []) == BounceTrust(())


def test_an_index_item_from_before_recipients_were_recorded_still_names_the_acknowledged_contact() -> None:
    item = {"PK": "MSGID#171@example.com", "SK": "MSGID", "kind": "acknowledgement", "contact_key": "li@x.cn"}
    assert SentMessage.from_item(item, "171@example.com").delivered_to == "li@x.cn"
    # A rep's notification went to the rep: without a recorded recipient it names nobody.
    assert SentMessage.from_item({**item, "kind": "notification"}, "171@example.com").delivered_to is None
    assert SentMessage.from_item(
        {**item, "kind": "notification", "recipient": "Tom@Example.com"}, "171@example.com"
    ).delivered_to == ("tom@example.com")
