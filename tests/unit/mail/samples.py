"""One realistic inquiry, as the views both mails are rendered from (shared by the mail tests)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from inquiry_router.mail.digests import MorningDigestView, OpenInquiryRow, WeeklyDigestView
from inquiry_router.mail.promise import response_promise
from inquiry_router.mail.views import (
    AcknowledgementView,
    AttachmentLink,
    CompanyView,
    NotificationView,
    OriginalMail,
    PreviousInquiry,
    ReplyForwardView,
    RepView,
    UnreadableMailView,
)
from inquiry_router.models.rep_actions import RepAction
from inquiry_router.models.report_figures import InquiryFigures, RepFigures, Report, SourceFigures
from inquiry_router.models.routing_config import Team

COMPANY = CompanyView(
    name="Sunrise Lighting Co.", domain="sunrise-lighting.com", website="https://www.sunrise-lighting.com"
)
REP = RepView(
    name="Li Wei", email="li.wei@sunrise-lighting.com", phone="+86 21 5555 0100", title="Export Sales Manager"
)
TEAM = Team(
    key="export",
    name="Export Sales",
    sending_address="sales@sunrise-lighting.com",
    fallback_address="manager@sunrise-lighting.com",
    timezone="Asia/Shanghai",
)
# Friday 20:00 in Shanghai: the team has left for the weekend.
RECEIVED_AT = datetime(2026, 11, 20, 12, 0, 12, tzinfo=UTC)
BUYER_EMAIL = "ana.garcia@importadora-sol.es"
MESSAGE = (
    "Hello,\n\n"
    "we are a lighting distributor in Madrid and need 2,000 LED panels 600x600 mm, 40 W, 4000 K,\n"
    "with CE and RoHS certificates. Please quote FOB Shanghai and CIF Valencia.\n\n"
    "Best regards,\nAna"
)


def acknowledgement(language: str = "en", **changes: Any) -> AcknowledgementView:
    view = AcknowledgementView(
        reference="INQ-7K3M9Q",
        language=language,
        buyer_name="Ana García",
        topic="LED panels",
        quantity="2,000 pcs",
        promise=response_promise(RECEIVED_AT, TEAM, language),
        rep=REP,
        team_name=TEAM.name,
        company=COMPANY,
    )
    return replace(view, **changes)


ACTIONS = {
    action: f"https://abc123.execute-api.eu-west-1.amazonaws.com/actions/q3Zb8kVtY2xN0cW7mJ4pRg.{action}"
    for action in RepAction
}


def notification(language: str = "en", **changes: Any) -> NotificationView:
    view = NotificationView(
        reference="INQ-7K3M9Q",
        language=language,
        received_at=RECEIVED_AT,
        channel="form",
        buyer_name="Ana García",
        buyer_email=BUYER_EMAIL,
        buyer_company="Importadora Sol S.L.",
        country="ES",
        phone="+34912345678",
        website="https://importadora-sol.es",
        subject="LED panels",
        product="LED panel 600x600",
        quantity="2,000 pcs",
        message=MESSAGE,
        page_url="https://www.sunrise-lighting.com/products/led-panels?utm_source=google",
        utm={"source": "google", "medium": "cpc", "campaign": "eu-panels"},
        extra={"incoterm": "FOB", "destination_port": "Valencia"},
        free_mail=False,
        disposable=False,
        detected_language="es",
        assignment_reason="returning customer",
        team_name=TEAM.name,
        rep=REP,
        previous_inquiries=[
            PreviousInquiry("INQ-4H8D2K", datetime(2026, 3, 2, 9, 30, tzinfo=UTC), "LED high bay lights"),
            PreviousInquiry("INQ-9P3X7T", datetime(2025, 10, 14, 16, 5, tzinfo=UTC), None),
        ],
        reply_bcc="log@in.sunrise-lighting.com",
        company=COMPANY,
        actions=ACTIONS,
        command_address="log@in.sunrise-lighting.com",
    )
    return replace(view, **changes)


ORIGINAL = OriginalMail(
    attachments=[
        AttachmentLink(
            "Specification 规格书.pdf",
            482_113,
            "application/pdf",
            "https://raw-mail.s3.amazonaws.com/attachments/m1/1-Specification.pdf?X-Amz-Expires=259200",
        ),
        AttachmentLink("image001.png", 7_204, "image/png", None),
    ],
    original_url="https://raw-mail.s3.amazonaws.com/raw/m1?X-Amz-Expires=259200",
    link_hours=72,
)


def mailed_notification(language: str = "en", **changes: Any) -> NotificationView:
    """The rep's forward of an inquiry that came by mail: attachments and the original linked."""
    view = notification(
        language,
        channel="mail",
        page_url=None,
        utm={},
        extra={},
        previous_inquiries=[],
        original=ORIGINAL,
    )
    return replace(view, **changes)


def reply_forward(language: str = "en", **changes: Any) -> ReplyForwardView:
    view = ReplyForwardView(
        reference="INQ-7K3M9Q",
        language=language,
        received_at=RECEIVED_AT,
        sender_name="Ana García",
        sender_email=BUYER_EMAIL,
        buyer_email=BUYER_EMAIL,
        subject="RE: [INQ-7K3M9Q] LED panels",
        message="Dear Li Wei,\n\nthe price is fine. Please send the proforma invoice for 2,000 pcs.\n\nAna",
        original=replace(ORIGINAL, attachments=ORIGINAL.attachments[:1]),
        topic="LED panels",
        rep=REP,
        reply_bcc="log@in.sunrise-lighting.com",
        company=COMPANY,
    )
    return replace(view, **changes)


def unreadable_notice(language: str = "en", **changes: Any) -> UnreadableMailView:
    view = UnreadableMailView(
        language=language,
        received_at=RECEIVED_AT,
        sender="buyer@importer.example",
        recipients=["sales@in.sunrise-lighting.com"],
        subject="Order",
        problem="the mail parser failed: HeaderParseError: expected atom",
        original=replace(ORIGINAL, attachments=[]),
        company=COMPANY,
    )
    return replace(view, **changes)


def weekly_digest(language: str = "en") -> WeeklyDigestView:
    reps = [
        RepFigures("li.wei@sunrise-lighting.com", 14, 13, 2.5, 6.0, 92.3, 3, 4, 2),
        RepFigures("ana.lopez@sunrise-lighting.com", 9, 7, 5.1, 11.5, 71.4, 4, 1, 1),
        RepFigures("chen.jie@sunrise-lighting.com", 3, 3, 1.2, 1.9, 100.0, 0, 1, 0),
    ]
    sources = [SourceFigures("country", "ES", 8, 2), SourceFigures("country", "DE", 5, 1)]
    rows = [
        InquiryFigures(
            reference=f"INQ-{n:06d}",
            received_at="2026-11-17T02:00:00.000000Z",
            channel="form",
            country="ES",
            topic="LED panels",
            team="export",
            owner_email=reps[n % 3].owner_email,
            status="responded",
            responded_at="2026-11-17T05:00:00.000000Z",
            first_response_via="mail_action",
            first_response_hours=1.0 + n % 7,
            sla="met" if n % 9 else "missed",
        )
        for n in range(26)
    ]
    report = Report("2026-11-16T00:00:00+08:00", "2026-11-23T00:00:00+08:00", "export", rows, reps, sources)
    return WeeklyDigestView(
        language=language,
        team_key=TEAM.key,
        team_name=TEAM.name,
        since=date(2026, 11, 16),
        until=date(2026, 11, 22),
        report=report,
        names={
            "li.wei@sunrise-lighting.com": "Li Wei",
            "ana.lopez@sunrise-lighting.com": "Ana López",
            "chen.jie@sunrise-lighting.com": "陈杰",
        },
        company=COMPANY,
    )


def morning_digest(language: str = "en") -> MorningDigestView:
    rows = [
        OpenInquiryRow(
            reference=f"INQ-7K3M9{n}",
            buyer=buyer,
            topic=topic,
            country=country,
            status=status,
            received_at=RECEIVED_AT,
            waited_hours=hours,
            due_at=RECEIVED_AT if hours is not None else None,
            actions=ACTIONS,
        )
        for n, (buyer, topic, country, status, hours) in enumerate(
            [
                (
                    "Ana García, Importadora Sol S.L.",
                    "2,000 LED panels 600x600 mm, CE and RoHS",
                    "ES",
                    "assigned",
                    6.5,
                ),
                (
                    "Klaus Becker, Licht & Raum GmbH",
                    "Street lights for a municipal tender",
                    "DE",
                    "quoted",
                    None,
                ),
                ("王芳, 深圳明光照明有限公司", "LED 面板报价", "CN", "snoozed", 1.0),
            ]
        )
    ]
    return MorningDigestView(language=language, rep=REP, rows=rows, more=2, company=COMPANY)
