"""From stored items to a ready-to-send message: who it is from and to, in which language, with
which content. Rendering (templates, translations) and MIME composition live in their own modules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from inquiry_router.i18n.language import choose_language, detect_language
from inquiry_router.mail.compose import compose_message
from inquiry_router.mail.promise import response_promise
from inquiry_router.mail.render import render_acknowledgement, render_notification, supported_languages
from inquiry_router.mail.views import (
    AcknowledgementView,
    CompanyView,
    NotificationView,
    PreviousInquiry,
    RepView,
)
from inquiry_router.models.routing_config import Rep, RoutingConfig, Team
from inquiry_router.settings import PipelineSettings


@dataclass(frozen=True, slots=True)
class MailParts:
    raw: bytes
    html: str
    message_id: str
    sender_address: str
    recipient_address: str


def _team(config: RoutingConfig, inquiry: Mapping[str, Any]) -> Team:
    teams = {team.key: team for team in config.teams}
    return teams.get(str(inquiry.get("team"))) or teams[config.default_team]


def _owner(config: RoutingConfig, team: Team, inquiry: Mapping[str, Any]) -> RepView:
    owner = str(inquiry.get("owner_email") or team.fallback_address)
    rep: Rep | None = next((r for r in config.reps if r.email == owner), None)
    if rep is None:  # the fallback address: the team answers as a team
        return RepView(name=team.name, email=owner)
    return RepView(name=rep.name, email=rep.email, phone=rep.phone, title=rep.title)


def _company(settings: PipelineSettings, team: Team) -> CompanyView:
    domain = team.sending_address.rsplit("@", 1)[1]
    return CompanyView(name=settings.company_name, domain=domain, website=settings.company_website)


def _received_at(inquiry: Mapping[str, Any]) -> datetime:
    return datetime.fromisoformat(str(inquiry["received_at"]).replace("Z", "+00:00"))


def assemble_acknowledgement(
    inquiry: Mapping[str, Any], config: RoutingConfig, settings: PipelineSettings
) -> MailParts:
    team = _team(config, inquiry)
    rep = _owner(config, team, inquiry)
    company = _company(settings, team)
    language = choose_language(
        inquiry.get("locale"), inquiry.get("accept_language"), inquiry.get("message"), supported_languages()
    )
    view = AcknowledgementView(
        reference=str(inquiry["reference"]),
        language=language,
        buyer_name=inquiry.get("name"),
        topic=inquiry.get("subject") or inquiry.get("product"),
        quantity=inquiry.get("quantity"),
        promise=response_promise(_received_at(inquiry), team, language),
        rep=rep,
        team_name=team.name,
        company=company,
    )
    rendered = render_acknowledgement(view)
    buyer = str(inquiry["email"])
    composed = compose_message(
        rendered,
        sender=(settings.company_name, team.sending_address),
        to=(inquiry.get("name"), buyer),
        reply_to=(rep.name, rep.email),
        message_id_domain=company.domain,
        auto_reply=True,
    )
    return MailParts(composed.raw, rendered.html, composed.message_id, team.sending_address, buyer)


def assemble_notification(
    inquiry: Mapping[str, Any],
    config: RoutingConfig,
    settings: PipelineSettings,
    previous: Sequence[Mapping[str, Any]],
) -> MailParts:
    team = _team(config, inquiry)
    rep = _owner(config, team, inquiry)
    company = _company(settings, team)
    supported = supported_languages()
    language = next((lang for lang in team.languages if lang in supported), "en")
    view = NotificationView(
        reference=str(inquiry["reference"]),
        language=language,
        received_at=_received_at(inquiry),
        channel=str(inquiry.get("channel") or "form"),
        buyer_name=inquiry.get("name"),
        buyer_email=str(inquiry["email"]),
        buyer_company=inquiry.get("company"),
        country=inquiry.get("country"),
        phone=inquiry.get("phone"),
        website=inquiry.get("website"),
        subject=inquiry.get("subject"),
        product=inquiry.get("product"),
        quantity=inquiry.get("quantity"),
        message=str(inquiry.get("message") or ""),
        page_url=inquiry.get("page_url"),
        utm=inquiry.get("utm") or {},
        extra=inquiry.get("extra") or {},
        free_mail=bool(inquiry.get("free_mail")),
        disposable=bool(inquiry.get("disposable")),
        detected_language=detect_language(
            inquiry.get("locale"), inquiry.get("accept_language"), inquiry.get("message")
        ),
        assignment_reason=str(inquiry.get("assignment_reason") or ""),
        team_name=team.name,
        rep=rep,
        previous_inquiries=[
            PreviousInquiry(
                reference=str(p.get("reference")),
                received_at=datetime.fromisoformat(str(p["at"]).replace("Z", "+00:00")),
                topic=p.get("summary"),
            )
            for p in previous
        ],
        reply_bcc=settings.reply_bcc_address,
        company=company,
    )
    rendered = render_notification(view)
    composed = compose_message(
        rendered,
        sender=(f"{settings.company_name} inquiries", team.sending_address),
        to=(rep.name, rep.email),
        reply_to=(inquiry.get("name"), str(inquiry["email"])),
        message_id_domain=company.domain,
        auto_reply=False,
    )
    return MailParts(composed.raw, rendered.html, composed.message_id, team.sending_address, rep.email)
