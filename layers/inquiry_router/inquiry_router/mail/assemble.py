"""From stored items to a ready-to-send message: who it is from and to, in which language, with
which content. Rendering (templates, translations) and MIME composition live in their own modules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from inquiry_router.base.language import choose_language, detect_language
from inquiry_router.mail.compose import Party, can_send_to, compose_message, sendable_address
from inquiry_router.mail.echo import echoable
from inquiry_router.mail.links import ActionLinkIssuer, MailLinks
from inquiry_router.mail.promise import response_promise
from inquiry_router.mail.render import (
    RenderedMail,
    render_acknowledgement,
    render_command_reply,
    render_notification,
    render_reply_forward,
    render_unreadable_notice,
    supported_languages,
)
from inquiry_router.mail.views import (
    AcknowledgementView,
    CommandReplyView,
    CompanyView,
    NotificationPurpose,
    NotificationView,
    PreviousInquiry,
    ReplyForwardView,
    RepView,
    UnreadableMailView,
)
from inquiry_router.models.contact import TimelineEvent
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.received_mail import ReceivedMail
from inquiry_router.models.routing_config import RoutingConfig, Team
from inquiry_router.models.settings import PipelineSettings
from inquiry_router.models.sla import waited


@dataclass(frozen=True, slots=True)
class MailParts:
    raw: bytes
    html: str
    message_id: str
    sender_address: str
    recipient_address: str


def _team(config: RoutingConfig, inquiry: Inquiry) -> Team:
    return config.team_or_default(inquiry.team)


def _owner(config: RoutingConfig, team: Team, inquiry: Inquiry) -> RepView:
    owner = inquiry.owner_email or team.fallback_address
    rep = config.rep(owner)
    if rep is None:  # the fallback address: the team answers as a team
        return RepView(name=team.name, email=owner)
    return RepView(name=rep.name, email=rep.email, phone=rep.phone, title=rep.title)


def company_view(settings: PipelineSettings, team: Team) -> CompanyView:
    domain = team.sending_address.rsplit("@", 1)[1]
    return CompanyView(name=settings.company_name, domain=domain, website=settings.company_website)


def assemble_acknowledgement(
    inquiry: Inquiry,
    config: RoutingConfig,
    settings: PipelineSettings,
    *,
    message_key: str | None = None,
) -> MailParts:
    team = _team(config, inquiry)
    rep = _owner(config, team, inquiry)
    company = company_view(settings, team)
    language = choose_language(
        inquiry.locale, inquiry.accept_language, inquiry.message, supported_languages()
    )
    view = AcknowledgementView(
        reference=inquiry.reference,
        language=language,
        buyer_name=inquiry.name,
        topic=inquiry.topic,
        quantity=inquiry.quantity,
        promise=response_promise(inquiry.received_moment, team, language),
        rep=rep,
        team_name=team.name,
        company=company,
    )
    rendered = render_acknowledgement(view)
    buyer = inquiry.email
    composed = compose_message(
        rendered,
        sender=(settings.company_name, team.sending_address),
        # The name in To is buyer text in the victim's inbox like any other: the same allow-list.
        to=(echoable(inquiry.name, "name") or None, buyer),
        reply_to=(rep.name, rep.email),
        # The buyer's reply reaches the rep directly and, through the thread address, the timeline.
        also_reply_to=[settings.thread_reply_address] if settings.thread_reply_address else [],
        message_id_domain=company.domain,
        message_key=message_key,
        auto_reply=True,
    )
    return MailParts(
        composed.raw, rendered.html, composed.message_id, team.sending_address, sendable_address(buyer)
    )


def team_language(team: Team) -> str:
    supported = supported_languages()
    return next((lang for lang in team.languages if lang in supported), "en")


def _reply_to(name: str | None, address: str) -> Party | None:
    """Reply-To a buyer-derived address only when SES can carry it; else none (the mail says why)."""
    return (name, address) if can_send_to(address) else None


def _via(name: str | None, address: str, company: str) -> str:
    """ "Ana García via Sunrise Lighting": who wrote, on our own sending address (DMARC-safe)."""
    return f"{name or address} via {company}"


def assemble_notification(
    inquiry: Inquiry,
    config: RoutingConfig,
    settings: PipelineSettings,
    previous: Sequence[TimelineEvent],
    links: MailLinks | None = None,
    *,
    message_key: str | None = None,
    action_links: ActionLinkIssuer | None = None,
    now: datetime | None = None,
    purpose: NotificationPurpose = "assignment",
    bounce_reason: str | None = None,
) -> MailParts:
    """The owner's notification of an assignment, or (`purpose`) the SLA's reminder to the owner,
    its escalation to the team's manager, or the owner told that the buyer's address bounced
    (`bounce_reason`): the same inquiry, another headline and recipient."""
    team = _team(config, inquiry)
    owner = _owner(config, team, inquiry)
    rep = RepView(name=team.name, email=team.manager) if purpose == "escalation" else owner
    company = company_view(settings, team)
    language = team_language(team)
    now = now or datetime.now(UTC)
    # Action links act for the owner only: the manager's escalation carries none.
    actions = (
        action_links.issue(inquiry.id, rep.email, language, now)
        if action_links is not None and purpose != "escalation"
        else {}
    )
    waited_hours = None
    if purpose in ("reminder", "escalation"):
        waited_hours = waited(inquiry, team, config.rep(inquiry.owner_email), now).total_seconds() / 3600
    by_mail = inquiry.by_mail
    original = (
        (links or MailLinks(None, "")).original(
            inquiry.raw_mail_key,
            inquiry.attachments,
            truncated=inquiry.message_truncated,
            reference=inquiry.reference,
        )
        if by_mail
        else None
    )
    view = NotificationView(
        reference=inquiry.reference,
        language=language,
        received_at=inquiry.received_moment,
        channel=inquiry.channel or "form",
        buyer_name=inquiry.name,
        buyer_email=inquiry.email,
        buyer_company=inquiry.company,
        country=inquiry.country,
        phone=inquiry.phone,
        website=inquiry.website,
        subject=inquiry.subject,
        product=inquiry.product,
        quantity=inquiry.quantity,
        message=inquiry.message or "",
        page_url=inquiry.page_url,
        utm=dict(inquiry.utm),
        extra=dict(inquiry.extra),
        free_mail=inquiry.free_mail,
        disposable=inquiry.disposable,
        detected_language=detect_language(inquiry.locale, inquiry.accept_language, inquiry.message),
        assignment_reason=inquiry.assignment_reason or "",
        team_name=team.name,
        rep=rep,
        previous_inquiries=[
            PreviousInquiry(reference=str(p.reference), received_at=p.moment, topic=p.summary)
            for p in previous
        ],
        reply_bcc=settings.reply_bcc_address,
        company=company,
        original=original,
        can_reply_directly=can_send_to(inquiry.email),
        sender_unverified=inquiry.sender_unverified,
        actions=actions,
        command_address=settings.reply_bcc_address if actions else None,
        purpose=purpose,
        bounce_reason=bounce_reason,
        waited_hours=waited_hours,
        target_hours=team.response_time_hours,
        owner=owner,
    )
    rendered = render_notification(view)
    # A mailed inquiry reaches the rep as a forward: the buyer's name on our address, Reply-To them.
    sender_name = (
        _via(inquiry.name, inquiry.email, settings.company_name)
        if by_mail
        else f"{settings.company_name} inquiries"
    )
    composed = compose_message(
        rendered,
        sender=(sender_name, team.sending_address),
        to=(rep.name, rep.email),
        reply_to=_reply_to(inquiry.name, inquiry.email),
        message_id_domain=company.domain,
        message_key=message_key,
        auto_reply=False,
    )
    return MailParts(composed.raw, rendered.html, composed.message_id, team.sending_address, rep.email)


def assemble_reply_forward(
    inquiry: Inquiry,
    mail: ReceivedMail,
    config: RoutingConfig,
    settings: PipelineSettings,
    links: MailLinks,
    *,
    message_key: str | None = None,
) -> MailParts:
    """A new message on an inquiry (the buyer's reply), forwarded to its owner, in the thread of
    the rep's first notification."""
    team = _team(config, inquiry)
    rep = _owner(config, team, inquiry)
    company = company_view(settings, team)
    sender_name = mail.sender.name if mail.sender else None
    sender_email = (mail.sender.address if mail.sender else "") or inquiry.email
    view = ReplyForwardView(
        reference=inquiry.reference,
        language=team_language(team),
        received_at=mail.received_moment,
        sender_name=sender_name or None,
        sender_email=sender_email,
        buyer_email=inquiry.email,
        subject=mail.subject,
        message=mail.text,
        original=links.original(
            mail.raw_mail_key,
            mail.attachments,
            truncated=mail.text_truncated,
            reference=inquiry.reference,
        ),
        topic=inquiry.topic,
        rep=rep,
        reply_bcc=settings.reply_bcc_address,
        company=company,
        can_reply_directly=can_send_to(sender_email),
    )
    rendered = render_reply_forward(view)
    composed = compose_message(
        rendered,
        sender=(_via(sender_name, sender_email, settings.company_name), team.sending_address),
        to=(rep.name, rep.email),
        reply_to=_reply_to(sender_name, sender_email),
        message_id_domain=company.domain,
        message_key=message_key,
        auto_reply=False,
        in_reply_to=inquiry.notification_message_id,
    )
    return MailParts(composed.raw, rendered.html, composed.message_id, team.sending_address, rep.email)


def assemble_command_reply(
    mail: ReceivedMail, config: RoutingConfig, settings: PipelineSettings, *, message_key: str | None = None
) -> MailParts:
    """The rep told what came of their command mail: from their team's address, in its language,
    as an automatic reply in the thread of what they wrote."""
    if mail.command is None or mail.sender is None:
        raise ValueError(f"received mail {mail.id} is not a rep's command")
    rep_email = mail.sender.address
    rep = config.rep(rep_email.lower())
    team = config.team_or_default(rep.teams[0] if rep else None)
    company = company_view(settings, team)
    view = CommandReplyView(
        language=team_language(team),
        subject=mail.subject,
        command=mail.command,
        reference=mail.reference,
        command_address=settings.reply_bcc_address,
        company=company,
    )
    rendered = render_command_reply(view)
    to = (rep.name if rep else None, rep_email)
    return automatic_mail(rendered, settings, team, to, message_key, in_reply_to=mail.message_id)


def automatic_mail(
    rendered: RenderedMail,
    settings: PipelineSettings,
    team: Team,
    to: Party,
    message_key: str | None,
    *,
    in_reply_to: str | None = None,
) -> MailParts:
    """From the team's address to one of the company (a rep, the manager), marked as automatic so
    no mail client answers it: a command's reply, a digest."""
    composed = compose_message(
        rendered,
        sender=(f"{settings.company_name} inquiries", team.sending_address),
        to=to,
        reply_to=None,
        message_id_domain=company_view(settings, team).domain,
        in_reply_to=in_reply_to,
        message_key=message_key,
        auto_reply=True,
    )
    return MailParts(composed.raw, rendered.html, composed.message_id, team.sending_address, to[1])


def assemble_unreadable_notice(
    mail: ReceivedMail,
    config: RoutingConfig,
    settings: PipelineSettings,
    links: MailLinks,
    *,
    message_key: str | None = None,
) -> MailParts:
    """The default team's fallback address told about a message nobody could be assigned."""
    team = next(t for t in config.teams if t.key == config.default_team)
    company = company_view(settings, team)
    view = UnreadableMailView(
        language=team_language(team),
        received_at=mail.received_moment,
        sender=mail.sender.address if mail.sender else None,
        recipients=list(mail.recipients),
        subject=mail.subject or None,
        problem=mail.reason,
        original=links.original(mail.raw_mail_key, None, reference=f"unreadable-{mail.id}"),
        company=company,
    )
    rendered = render_unreadable_notice(view)
    composed = compose_message(
        rendered,
        sender=(f"{settings.company_name} inquiries", team.sending_address),
        to=(team.name, team.fallback_address),
        reply_to=(team.name, team.fallback_address),
        message_id_domain=company.domain,
        message_key=message_key,
        auto_reply=False,
    )
    return MailParts(
        composed.raw, rendered.html, composed.message_id, team.sending_address, team.fallback_address
    )
