"""Every decision screening can take, from the fixtures and from headers a relay or SES adds."""

from __future__ import annotations

import pytest

from inquiry_router.inbound.parse import parse_message
from inquiry_router.inbound.triage import Decision, SesVerdicts, screen
from tests.unit.inbound.mails import COMPANY_DOMAINS, LOG_ADDRESS, fixture, replacing, with_headers

AUTHENTIC = SesVerdicts(dmarc="PASS")  # what SES says of a company mailbox's mail


def decide(raw: bytes, verdicts: SesVerdicts | None = None, recipients: tuple[str, ...] = ()) -> Decision:
    return screen(
        parse_message(raw),
        company_domains=COMPANY_DOMAINS,
        log_address=LOG_ADDRESS,
        verdicts=verdicts,
        envelope_recipients=recipients,
    )


def test_a_buyers_first_mail_is_a_new_inquiry() -> None:
    for name in ("outlook_html.eml", "gmail_alternative.eml", "apple_mail.eml", "chinese_gbk.eml"):
        assert decide(fixture(name)).decision == "new_inquiry", name


def test_virus_verdict_quarantines_before_anything_else() -> None:
    raw = with_headers(fixture("dsn_bounce.eml"), "X-SES-Virus-Verdict: FAIL", "X-SES-Spam-Verdict: FAIL")
    assert decide(raw).decision == "quarantine"
    assert decide(fixture("apple_mail.eml"), SesVerdicts(virus="FAIL")).decision == "quarantine"


def test_spam_verdict_header_or_argument_is_spam() -> None:
    assert decide(with_headers(fixture("apple_mail.eml"), "X-SES-Spam-Verdict: FAIL")) == Decision(
        "spam", "the spam scan failed (SES spam verdict FAIL)"
    )
    assert decide(fixture("apple_mail.eml"), SesVerdicts(spam="FAIL")).decision == "spam"
    assert decide(fixture("outlook_html.eml")).decision == "new_inquiry"  # carries PASS verdicts


def test_dmarc_failure_with_reject_policy_is_spoofed() -> None:
    header = (
        "Authentication-Results: amazonses.com; dmarc=fail (p=reject sp=reject) header.from=lumiere-pro.fr"
    )
    decision = decide(with_headers(fixture("apple_mail.eml"), header))
    assert decision.decision == "spoofed"
    assert "lumiere-pro.fr" in decision.reason
    verdicts = SesVerdicts(dmarc="FAIL", dmarc_policy="REJECT")
    assert decide(fixture("apple_mail.eml"), verdicts).decision == "spoofed"


@pytest.mark.parametrize("policy", ["none", "quarantine", None])
def test_dmarc_failure_short_of_reject_is_read_but_marked_unverified(policy: str | None) -> None:
    decision = decide(fixture("apple_mail.eml"), SesVerdicts(dmarc="FAIL", dmarc_policy=policy))
    assert decision.decision == "new_inquiry"
    assert decision.unverified is not None
    assert "DMARC failed for lumiere-pro.fr" in decision.unverified
    assert decision.unverified in decision.reason
    header = "Authentication-Results: amazonses.com; dmarc=fail (p=none) header.from=lumiere-pro.fr"
    assert decide(with_headers(fixture("apple_mail.eml"), header)).unverified is not None


def test_a_dmarc_failure_written_below_ses_results_is_not_believed() -> None:
    # Only SES's own (topmost) Authentication-Results counts: a sender cannot get mail discarded
    # (or accepted) by writing one of their own.
    top = "Authentication-Results: amazonses.com; dmarc=pass header.from=lumiere-pro.fr"
    forged = "Authentication-Results: amazonses.com; dmarc=fail (p=reject) header.from=lumiere-pro.fr"
    decision = decide(with_headers(fixture("apple_mail.eml"), top, forged))
    assert (decision.decision, decision.unverified) == ("new_inquiry", None)


def test_delivery_report_is_a_bounce_naming_only_the_failed_recipient() -> None:
    decision = decide(fixture("dsn_bounce.eml"))
    assert decision == Decision(
        "bounce",
        "delivery failed for no.such.buyer@gmail.com",
        recipients=("no.such.buyer@gmail.com",),
        reported_message_ids=("<171234.acknowledgement@example.com>",),
    )


def test_arf_complaint_is_a_bounce_naming_the_complainer() -> None:
    decision = decide(fixture("arf_complaint.eml"))
    assert decision.decision == "bounce"
    assert decision.recipients == ("annoyed.buyer@yahoo.com",)
    assert "complaint" in decision.reason


def test_auto_replies_are_automated() -> None:
    assert decide(fixture("outlook_autoreply.eml")) == Decision("automated", "Auto-Submitted: auto-generated")
    assert decide(fixture("gmail_vacation.eml")) == Decision("automated", "Auto-Submitted: auto-replied")


def test_robot_signs_are_each_enough_for_automated() -> None:
    plain = fixture("apple_mail.eml")
    for header in (
        "Precedence: bulk",
        "Precedence: auto_reply",
        "List-Id: <news.lumiere-pro.fr>",
        "List-Unsubscribe: <mailto:unsubscribe@lumiere-pro.fr>",
        "X-Autorespond: yes",
        "X-Auto-Response-Suppress: OOF",
        "Return-Path: <>",
        "X-Inquiry-Router-Loop: example.com",
    ):
        assert decide(with_headers(plain, header)).decision == "automated", header
    assert decide(with_headers(plain, "Auto-Submitted: no")).decision == "new_inquiry"
    no_reply = replacing(plain, "rene.dubois@lumiere-pro.fr", "no-reply@lumiere-pro.fr")
    assert decide(no_reply) == Decision(
        "automated", "sent by no-reply@lumiere-pro.fr (a mail system, not a person)"
    )


def test_read_receipt_report_is_automated_not_a_bounce() -> None:
    raw = replacing(fixture("dsn_bounce.eml"), "=delivery-status", "=disposition-notification")
    raw = replacing(raw, "Return-Path: <>", "Return-Path: <x@lumiere-pro.fr>")
    raw = replacing(raw, "MAILER-DAEMON@amazonses.com", "x@lumiere-pro.fr")
    assert decide(raw).decision == "automated"
    assert "disposition-notification" in decide(raw).reason


def test_rep_bcc_to_the_log_address_is_a_rep_log() -> None:
    rep_mail = replacing(fixture("apple_mail.eml"), "rene.dubois@lumiere-pro.fr", "tom@example.com")
    decision = decide(rep_mail, AUTHENTIC, recipients=(LOG_ADDRESS,))
    assert decision == Decision(
        "rep_log", "a rep (tom@example.com) copied the logging address", sender_authenticated=True
    )
    assert decide(rep_mail, AUTHENTIC).decision == "new_inquiry"  # not sent to the logging address


def test_mail_from_the_company_domain_that_is_not_aligned_authenticated_is_spoofed() -> None:
    # The company's DMARC may still be p=none: "From: tom@example.com" alone proves nothing, nor do
    # SPF or DKIM passing for some other domain.
    rep_mail = replacing(fixture("apple_mail.eml"), "rene.dubois@lumiere-pro.fr", "tom@example.com")
    colleague_thread = replacing(
        fixture("reply_with_reference.eml"), "ahmed@gulf-electrics.ae", "tom@example.com"
    )
    for verdicts in (
        SesVerdicts(spf="FAIL", dkim="FAIL"),
        SesVerdicts(spf="PASS", dkim="PASS", dmarc="GRAY", mail_from="bounce@evil.com"),
        SesVerdicts(),
    ):
        for raw, recipients in ((rep_mail, (LOG_ADDRESS,)), (rep_mail, ()), (colleague_thread, ())):
            decision = decide(raw, verdicts, recipients=recipients)
            assert decision.decision == "spoofed", (verdicts, recipients)
            assert "not authenticated as example.com" in decision.reason
    aligned = SesVerdicts(spf="PASS", dmarc="GRAY", mail_from="bounce@mail.example.com")
    assert decide(rep_mail, aligned, recipients=(LOG_ADDRESS,)).decision == "rep_log"
    assert decide(colleague_thread, AUTHENTIC).decision == "thread_reply"
    assert decide(colleague_thread, AUTHENTIC).sender_authenticated


def test_a_stranger_writing_to_the_log_address_is_ignored() -> None:
    decision = decide(fixture("apple_mail.eml"), recipients=(LOG_ADDRESS,))
    assert decision == Decision("spam", "mail to the logging address from outside the company is ignored")


def test_a_buyer_replying_all_to_a_cced_log_address_is_still_a_thread_reply() -> None:
    raw = with_headers(fixture("reply_with_reference.eml"), f"Cc: {LOG_ADDRESS}")
    assert decide(raw).decision == "thread_reply"


def test_subject_reference_makes_a_thread_reply() -> None:
    decision = decide(fixture("reply_with_reference.eml"))
    assert decision == Decision(
        "thread_reply", "the subject names inquiry INQ-7K3M9Q", reference="INQ-7K3M9Q"
    )


def test_reply_to_our_message_id_makes_a_thread_reply() -> None:
    raw = with_headers(fixture("apple_mail.eml"), "In-Reply-To: <171234.acknowledgement@example.com>")
    assert decide(raw) == Decision(
        "thread_reply", "In-Reply-To names our message <171234.acknowledgement@example.com>"
    )
    raw = with_headers(fixture("apple_mail.eml"), "References: <a@gmail.com>\r\n <b@mail.example.com>")
    assert decide(raw).reason == "References names our message <b@mail.example.com>"
    other = with_headers(fixture("apple_mail.eml"), "In-Reply-To: <x@notexample.com>")
    assert decide(other).decision == "new_inquiry"


def test_forward_from_a_colleague_is_a_new_inquiry_with_the_forwarded_text() -> None:
    raw = fixture("google_forward.eml")
    assert decide(raw, AUTHENTIC).decision == "new_inquiry"
    assert "400 UFO high bay lights" in parse_message(raw).text


def test_broken_or_senderless_mail_is_unparseable() -> None:
    assert decide(b"") == Decision("unparseable", "the message is empty")
    assert decide(b"Subject: hello\r\n\r\nno sender\r\n") == Decision(
        "unparseable", "no sender address to answer"
    )


def test_our_own_mail_coming_back_in_is_never_answered() -> None:
    """A rep's mailbox forwarding to sales@ sends our notification back in: it carries our loop header."""
    from inquiry_router.inbound.parse import parse_message
    from inquiry_router.inbound.triage import screen
    from inquiry_router.mail.compose import compose_message
    from inquiry_router.mail.render import render_notification
    from tests.unit.mail import samples

    sent = compose_message(
        render_notification(samples.notification()),
        sender=("Sunrise Lighting Co. inquiries", "sales@sunrise-lighting.com"),
        to=("Li Wei", "li.wei@sunrise-lighting.com"),
        reply_to=("Ana García", "ana@importadora-sol.es"),
        message_id_domain="sunrise-lighting.com",
        auto_reply=False,
    )

    decision = screen(parse_message(sent.raw), company_domains=["sunrise-lighting.com"], log_address=None)

    assert (decision.decision, decision.reason) == ("automated", "has a X-Inquiry-Router-Loop header")
