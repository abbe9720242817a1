"""The two mails an inquiry causes, as subject, HTML and plain text in the reader's language.

The MJML templates hold layout and style; they are compiled once and then filled with values that
are HTML-escaped here, so a buyer's text can never become markup. The plain-text part says the
same things from the same data. The acknowledgement never repeats what the buyer wrote: a contact
form that echoes free text to any address is a spam relay.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC
from functools import cache
from html import escape
from importlib.resources import files
from string import Template
from urllib.parse import quote, urlencode

import mjml

from inquiry_router.mail.echo import echoable
from inquiry_router.mail.translations import phrase, supported_languages
from inquiry_router.mail.views import (
    AcknowledgementView,
    CommandReplyView,
    NotificationView,
    OriginalMail,
    PreviousInquiry,
    ReplyForwardView,
    UnreadableMailView,
)
from inquiry_router.models.rep_actions import BUTTONS, RepAction

__all__ = [
    "RenderedMail",
    "one_line",
    "render_acknowledgement",
    "render_command_reply",
    "render_notification",
    "render_reply_forward",
    "render_unreadable_notice",
    "reply_link",
    "supported_languages",  # the assembler picks a language among these
]

SUBJECT_TOPIC_LIMIT = 60
_RIGHT_TO_LEFT = frozenset({"ar", "fa", "he", "ur"})
# Line breaks, tabs and other control characters (C0, DEL, C1) and Unicode line separators.
_NOT_ONE_LINE = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")
# Inline, because several mail clients drop <style> blocks; long values wrap instead of widening.
_LABEL_CELL = (
    "padding:5px 14px 5px 0;width:32%;vertical-align:top;text-align:start;font-weight:400;color:#6b7280"
)
_VALUE_CELL = "padding:5px 0;vertical-align:top;overflow-wrap:anywhere;word-break:break-word"
_QUOTED_BLOCK = (
    "border-left:3px solid #d1d5db;padding:2px 0 2px 14px;overflow-wrap:anywhere;word-break:break-word"
)
_ACTION_LINK = (
    "display:inline-block;padding:6px 12px;margin:0 4px 6px 0;border:1px solid #cbd5e1;border-radius:6px;"
    "color:#1f2937;background:#f9fafb;text-decoration:none;font-size:14px;line-height:1.4;white-space:nowrap"
)
_ACTIONS_HEADING = (
    "font-size:12px;font-weight:700;color:#6b7280;text-transform:uppercase;letter-spacing:0.04em;"
    "padding-bottom:6px"
)
_ACTIONS_NOTE = "font-size:13px;color:#4b5563"
# The reply prefixes mail clients write (English, German, Italian, Nordic, Dutch, Turkish, Chinese).
_ALREADY_A_REPLY = re.compile(r"(?i)^\s*(re|aw|r|rv|sv|vs|antw|ynt|回复|答复)\s*[:：]")
_TONES = {"good": "#15803d", "caution": "#b45309", "warning": "#b91c1c", "plain": "#1f2937"}

Row = tuple[str, str]


@dataclass(frozen=True, slots=True)
class RenderedMail:
    subject: str
    html: str
    text: str


@dataclass(frozen=True, slots=True)
class _Signal:
    text: str
    tone: str = "plain"
    details: Sequence[str] = ()


def one_line(text: str) -> str:
    """Any run of whitespace or control characters becomes one space, so text fits in a header."""
    return _NOT_ONE_LINE.sub(" ", text).strip()


def render_acknowledgement(view: AcknowledgementView) -> RenderedMail:
    say = Phrases(view.language)
    rep, company = view.rep, view.company
    # What the buyer typed is echoed only when it passes the allow-list (mail/echo.py): no room for
    # a spammer's payload sent to someone else's address.
    name = echoable(view.buyer_name, "name")
    topic = _shorten(echoable(view.topic, "topic"))
    quantity = echoable(view.quantity, "quantity")
    subject = _subject(view.reference, say("ack.subject"), topic)
    greeting = say("ack.greeting_named", name=name) if name else say("ack.greeting")
    thanks = say("ack.thanks", company=company.name, team=view.team_name)
    summary = _rows(
        (say("label.reference"), view.reference),
        (say("label.topic"), topic),
        (say("label.quantity"), quantity),
    )
    promise = say("ack.promise", promise=view.promise.text)
    contact = _rows((say("label.email"), rep.email), (say("label.phone"), rep.phone))
    reply_hint = say("ack.reply_hint", rep=rep.name, reference=view.reference)
    signature = [line for line in (rep.name, company.name, company.website) if line]
    footer = say("ack.footer", company=company.name)
    text = _paragraphs(
        greeting,
        thanks,
        _text_section(say("ack.summary"), _text_rows(summary, say)),
        promise,
        _text_section(say("ack.contact"), rep.name, rep.title or "", _text_rows(contact, say)),
        reply_hint,
        "\n".join([say("ack.regards"), *signature]),
        footer,
    )
    rep_card = "<br />".join(
        [f"<strong>{escape(rep.name)}</strong>"]
        + ([escape(rep.title)] if rep.title else [])
        + [say.html("format.label", label=escape(say("label.email")), value=_mail_link(rep.email))]
        + (
            [say.html("format.label", label=escape(say("label.phone")), value=_phone_link(rep.phone))]
            if rep.phone
            else []
        )
    )
    html = fill_template(
        "acknowledgement",
        view.language,
        title=escape(subject),
        company=escape(company.name),
        greeting=escape(greeting),
        thanks=escape(thanks),
        summary_heading=escape(say("ack.summary")),
        summary_rows=_html_rows(summary),
        promise=escape(promise),
        contact_heading=escape(say("ack.contact")),
        rep_card=rep_card,
        reply_hint=escape(reply_hint),
        regards=escape(say("ack.regards")),
        signature="<br />".join(
            _link(line, line) if line == company.website else escape(line) for line in signature
        ),
        footer=escape(footer),
    )
    return RenderedMail(subject=subject, html=html, text=text)


def render_notification(view: NotificationView) -> RenderedMail:
    say = Phrases(view.language)
    buyer = one_line(view.buyer_name or "") or view.buyer_email
    wanted = " ".join(one_line(part) for part in (view.quantity, view.topic) if part)
    headline_key = "notify.subject_mail" if view.channel == "mail" else "notify.subject"
    headline = say(headline_key, buyer=_shorten(buyer) + (f" ({view.country})" if view.country else ""))
    heading = say("notify.heading", reference=view.reference)
    assigned = say("notify.assigned", rep=view.rep.name)
    if view.purpose != "assignment":  # the SLA's reminder or escalation, or a bounced address
        owner = view.owner or view.rep
        values = {
            "buyer": _shorten(buyer),
            "reference": view.reference,
            "owner": f"{owner.name} <{owner.email}>",
            "hours": f"{view.waited_hours or 0:.1f}",
            "target": view.target_hours or 0,
            "address": view.buyer_email,
            "reason": one_line(view.bounce_reason or "") or "-",
        }
        headline = say(f"notify.{view.purpose}_subject", **values)
        heading = say(f"notify.{view.purpose}_heading", **values)
        assigned = say(f"notify.{view.purpose}_intro", **values)
    subject = _subject(view.reference, headline, wanted)
    reply_hint = _reply_hint(view.buyer_email, view.reply_bcc, view.can_reply_directly, say)
    signals = _lead_signals(view, say)
    buyer_rows = _rows(
        (say("label.name"), view.buyer_name),
        (say("label.email"), view.buyer_email),
        (say("label.company"), view.buyer_company),
        (say("label.country"), view.country),
        (say("label.phone"), view.phone),
        (say("label.website"), view.website),
    )
    inquiry_rows = _rows(
        (say("label.reference"), view.reference),
        (say("label.received"), f"{view.received_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"),
        (say("label.channel"), _channel(view.channel, say)),
        (say("label.subject"), view.subject),
        (say("label.product"), view.product),
        (say("label.quantity"), view.quantity),
        (say("label.page"), view.page_url),
        (say("label.campaign"), ", ".join(f"{key}: {value}" for key, value in view.utm.items())),
        *((_field_label(key), value) for key, value in view.extra.items()),
    )
    assignment_rows = _rows(
        (say("label.team"), view.team_name), (say("label.reason"), view.assignment_reason)
    )
    message_lines = view.message.splitlines()
    footer = say("notify.footer", company=view.company.name)
    text = _paragraphs(
        f"{heading}\n{assigned}",
        f"{say.label(say('notify.reply'), view.buyer_email)}\n{reply_hint}",
        _text_actions(view, say),
        _text_section(say("notify.signals"), _text_signals(signals)),
        _text_section(say("notify.message"), "\n".join(message_lines) or say("notify.no_message")),
        _text_original(view.original, say),
        _text_section(say("notify.buyer"), _text_rows(buyer_rows, say)),
        _text_section(say("notify.inquiry"), _text_rows(inquiry_rows, say)),
        _text_section(say("notify.assignment"), _text_rows(assignment_rows, say)),
        footer,
    )
    message_html = "<br />\n".join(escape(line) for line in message_lines) or (
        f'<em style="color:#6b7280">{escape(say("notify.no_message"))}</em>'
    )
    html = fill_template(
        "notification",
        view.language,
        title=escape(subject),
        company=escape(view.company.name),
        heading=escape(heading),
        assigned=escape(assigned),
        reply_href=escape(reply_link(view), quote=True),
        reply_label=escape(say("notify.reply")),
        reply_hint=escape(reply_hint),
        actions=_html_actions(view, say),
        signals_heading=escape(say("notify.signals")),
        signals=_html_signals(signals),
        message_heading=escape(say("notify.message")),
        message=message_html,
        attachments=_html_original(view.original, say),
        buyer_heading=escape(say("notify.buyer")),
        buyer_rows=_html_rows(buyer_rows),
        inquiry_heading=escape(say("notify.inquiry")),
        inquiry_rows=_html_rows(inquiry_rows),
        assignment_heading=escape(say("notify.assignment")),
        assignment_rows=_html_rows(assignment_rows),
        footer=escape(footer),
    )
    return RenderedMail(subject=subject, html=html, text=text)


def render_reply_forward(view: ReplyForwardView) -> RenderedMail:
    say = Phrases(view.language)
    sender = one_line(view.sender_name or "") or view.sender_email
    subject = _subject(view.reference, say("forward.subject", buyer=_shorten(sender)), view.topic)
    heading = say("forward.heading", reference=view.reference)
    intro = say("forward.intro", sender=sender, reference=view.reference, rep=view.rep.name)
    other = view.sender_email.lower() != view.buyer_email.lower()
    hint = _reply_hint(view.sender_email, view.reply_bcc, view.can_reply_directly, say)
    if other:
        hint = f"{say('forward.other_sender', sender=view.sender_email, buyer=view.buyer_email)} {hint}"
    details = _rows(
        (say("label.reference"), view.reference),
        (say("label.from"), f"{sender} <{view.sender_email}>" if view.sender_name else view.sender_email),
        (say("label.subject"), view.subject),
        (say("label.received"), f"{view.received_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"),
    )
    href = mailto_link(view.sender_email, view.reference, view.topic or view.subject, view.reply_bcc)
    return _forward_mail(
        view.language,
        subject=subject,
        company=view.company.name,
        heading=heading,
        intro=intro,
        button=(href, say("forward.reply")),
        hint=hint,
        message_heading=say("notify.message"),
        message=view.message or say("notify.no_message"),
        original=view.original,
        details=(say("forward.inquiry"), details),
        footer=say("forward.footer", company=view.company.name),
        say=say,
    )


def _reply_hint(address: str, bcc: str | None, can_reply_directly: bool, say: Phrases) -> str:
    if not can_reply_directly:  # the mail has no Reply-To: say why, and how to answer all the same
        return say("notify.no_reply_to", buyer=address)
    if bcc:
        return say("notify.reply_hint_bcc", buyer=address, bcc=bcc)
    return say("notify.reply_hint", buyer=address)


def render_command_reply(view: CommandReplyView) -> RenderedMail:
    """What came of a rep's command mail, in the forward layout, with a button to write another."""
    say = Phrases(view.language)
    command = view.command
    values = {
        "reference": view.reference or "",
        "status": say(f"status.{command.status}") if command.status else "",
        "owner": command.owner_email or "",
        "command": one_line(command.line),
    }
    outcome = command.outcome
    if outcome == "done" and command.action is RepAction.GIVE_TO_TEAM:
        message = say("command.done_team", **values)
    else:
        message = say(f"command.{outcome}", **values)
    subject = one_line(view.subject) or (f"[{view.reference}]" if view.reference else "#")
    if not _ALREADY_A_REPLY.match(subject):
        subject = say("command.subject", subject=subject)
    address = view.command_address
    again = command_link(address, view.reference or "") if address else None
    return _forward_mail(
        view.language,
        subject=subject,
        company=view.company.name,
        heading=say(f"command.title.{outcome}"),
        intro=message,
        button=(again, say("command.again")),
        hint=say("command.hint", address=address) if address else "",
        message_heading="",
        message="",
        original=None,
        details=(
            say("command.details"),
            _rows((say("label.reference"), view.reference), ("#", command.line)),
        ),
        footer=say("command.footer", company=view.company.name),
        say=say,
    )


def render_unreadable_notice(view: UnreadableMailView) -> RenderedMail:
    say = Phrases(view.language)
    recipients = ", ".join(view.recipients) or "sales@"
    subject = one_line(say("notice.subject", recipients=_shorten(recipients)))
    details = _rows(
        (say("label.from"), view.sender),
        (say("label.to"), recipients),
        (say("label.subject"), view.subject),
        (say("label.received"), f"{view.received_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"),
        (say("label.problem"), view.problem),
    )
    return _forward_mail(
        view.language,
        subject=subject,
        company=view.company.name,
        heading=say("notice.heading"),
        intro=say("notice.intro"),
        button=(view.original.original_url, say("notice.download")),
        hint=say("notify.links_expire", hours=view.original.link_hours),
        message_heading=say("notice.details"),
        message="",
        original=None,
        details=(say("notice.details"), details),
        footer=say("notice.footer", company=view.company.name),
        say=say,
    )


def _html_actions(view: NotificationView, say: Phrases) -> str:
    """The one-click actions: links that each open a confirmation page (never a change on a GET,
    so a mail scanner opening every link changes nothing), then how to do the same by mail."""
    if not view.actions:
        return ""
    buttons = " ".join(
        f'<a href="{escape(view.actions[action], quote=True)}" style="{_ACTION_LINK}">'
        f"{escape(say(f'notify.action.{action}'))}</a>"
        for action in BUTTONS
        if action in view.actions
    )
    parts = [
        f'<div style="{_ACTIONS_HEADING}">{escape(say("notify.actions"))}</div>',
        f'<div style="line-height:2.6">{buttons}</div>',
        f'<div style="{_ACTIONS_NOTE}">{escape(say("notify.actions_hint"))}</div>',
    ]
    if view.command_address:
        commands = say("notify.commands", address=view.command_address, reference=view.reference)
        link = _link(command_link(view.command_address, view.reference), say("notify.commands_link"))
        parts.append(f'<div style="{_ACTIONS_NOTE};padding-top:6px">{escape(commands)} {link}</div>')
    return f'<div style="padding-bottom:20px">{"".join(parts)}</div>'


def _text_actions(view: NotificationView, say: Phrases) -> str:
    if not view.actions:
        return ""
    lines = [f"{say(f'notify.action.{a}')}: {view.actions[a]}" for a in BUTTONS if a in view.actions]
    lines.append(say("notify.actions_hint"))
    if view.command_address:
        lines.append(say("notify.commands", address=view.command_address, reference=view.reference))
    return _text_section(say("notify.actions"), "\n".join(lines))


def command_link(address: str, reference: str) -> str:
    """mailto: to the command address with the reference in the subject and `#` to start the line."""
    fields = {"subject": f"[{reference}]", "body": "#"}
    return f"mailto:{quote(address, safe='@')}?{urlencode(fields, quote_via=quote)}"


def reply_link(view: NotificationView) -> str:
    """mailto: to the buyer with our reference in the subject; every part percent-encoded (RFC 6068)."""
    return mailto_link(view.buyer_email, view.reference, view.topic, view.reply_bcc)


def mailto_link(address: str, reference: str, topic: str | None, bcc: str | None) -> str:
    topic = _shorten(topic or "")
    fields = {"subject": f"Re: [{reference}] {topic}".rstrip()}
    if bcc:
        fields["bcc"] = bcc
    return f"mailto:{quote(address, safe='@')}?{urlencode(fields, quote_via=quote)}"


def _forward_mail(
    language: str,
    *,
    subject: str,
    company: str,
    heading: str,
    intro: str,
    button: tuple[str | None, str],
    hint: str,
    message_heading: str,
    message: str,
    original: OriginalMail | None,
    details: tuple[str, Sequence[Row]],
    footer: str,
    say: Phrases,
) -> RenderedMail:
    """The forward layout (forward.mjml): a reply to pass on, or a notice about a message."""
    href, label = button
    details_heading, rows = details
    message_lines = message.splitlines()
    text = _paragraphs(
        f"{heading}\n{intro}",
        f"{say.label(label, href)}\n{hint}" if href else hint,
        *([_text_section(message_heading, "\n".join(message_lines))] if message_lines else []),
        _text_original(original, say),
        _text_section(details_heading, _text_rows(rows, say)),
        footer,
    )
    html = fill_template(
        "forward",
        language,
        title=escape(subject),
        company=escape(company),
        heading=escape(heading),
        intro=escape(intro),
        button_href=escape(href or "#", quote=True),
        button_label=escape(label),
        hint=escape(hint),
        message_heading=escape(message_heading) if message_lines else "",
        message=(
            f'<div style="{_QUOTED_BLOCK}">'
            + "<br />\n".join(escape(line) for line in message_lines)
            + "</div>"
            if message_lines
            else ""
        ),
        attachments=_html_original(original, say),
        details_heading=escape(details_heading),
        details_rows=_html_rows(rows),
        footer=escape(footer),
    )
    return RenderedMail(subject=subject, html=html, text=text)


def _text_original(original: OriginalMail | None, say: Phrases) -> str:
    if original is None:
        return ""
    lines = [say("notify.truncated")] if original.truncated else []
    if original.attachments:
        lines.append(say("notify.attachments"))
        for attachment in original.attachments:
            where = attachment.url or say("notify.inline_image")
            lines.append(f"- {one_line(attachment.name)} ({_size(attachment.size)}): {where}")
    if original.original_url:
        lines.append(say.label(say("notify.original"), original.original_url))
    if original.attachments or original.original_url:
        lines.append(say("notify.links_expire", hours=original.link_hours))
    return "\n".join(lines)


def _html_original(original: OriginalMail | None, say: Phrases) -> str:
    if original is None:
        return ""
    parts: list[str] = []
    if original.truncated:
        parts.append(f'<p style="margin:10px 0 0;color:#b45309">{escape(say("notify.truncated"))}</p>')
    if original.attachments:
        items = "".join(
            "<li>"
            + (
                _link(attachment.url, attachment.name)
                if attachment.url
                else f"{escape(attachment.name)} ({escape(say('notify.inline_image'))})"
            )
            + f' <span style="color:#6b7280">{escape(_size(attachment.size))}</span></li>'
            for attachment in original.attachments
        )
        parts.append(
            f'<p style="margin:14px 0 4px;font-weight:700">{escape(say("notify.attachments"))}</p>'
            f'<ul style="margin:0;padding:0 0 0 18px">{items}</ul>'
        )
    if original.original_url:
        parts.append(f'<p style="margin:10px 0 0">{_link(original.original_url, say("notify.original"))}</p>')
    if original.attachments or original.original_url:
        hours = say("notify.links_expire", hours=original.link_hours)
        parts.append(f'<p style="margin:4px 0 0;font-size:12px;color:#6b7280">{escape(hours)}</p>')
    return "".join(parts)


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


class Phrases:
    """The language's phrases, filled in: `say("ack.promise", promise=...)`."""

    def __init__(self, language: str) -> None:
        self.language = language

    def __call__(self, key: str, **values: object) -> str:
        return phrase(self.language, key).format(**values)

    def html(self, key: str, **html_values: str) -> str:
        """The phrase as HTML around values that already are HTML (links, escaped text)."""
        return escape(phrase(self.language, key)).format(**html_values)

    def label(self, label: str, value: str) -> str:
        return self("format.label", label=label, value=value)


def _lead_signals(view: NotificationView, say: Phrases) -> list[_Signal]:
    domain = view.buyer_email.rpartition("@")[2]
    if view.disposable:
        address = _Signal(say("notify.signal.disposable", domain=domain), "warning")
    elif view.free_mail:
        address = _Signal(say("notify.signal.free_mail", domain=domain), "caution")
    else:
        address = _Signal(say("notify.signal.company_address", domain=domain), "good")
    website = (
        _Signal(say("notify.signal.website", website=one_line(view.website)))
        if view.website
        else _Signal(say("notify.signal.no_website"), "caution")
    )
    signals = [address, website]
    if view.sender_unverified:  # first and in red: the rep must read it before the message
        signals.insert(0, _Signal(say("notify.signal.unverified", domain=domain), "warning"))
    if view.country:
        signals.append(_Signal(say("notify.signal.country", country=view.country)))
    if view.detected_language:
        signals.append(_Signal(say("notify.signal.language", language=view.detected_language)))
    if view.previous_inquiries:
        earlier = [_previous(p) for p in view.previous_inquiries]
        signals.append(_Signal(say("notify.signal.returning"), "good", earlier))
    else:
        signals.append(_Signal(say("notify.signal.first")))
    return signals


def _channel(channel: str, say: Phrases) -> str:
    return say(f"channel.{channel}") if channel in ("form", "mail") else channel


def _field_label(key: str) -> str:
    """A form's own field name as a label: destination_port → Destination port."""
    label = one_line(key.replace("_", " "))
    return label[:1].upper() + label[1:]


def _previous(inquiry: PreviousInquiry) -> str:
    parts = [inquiry.reference, f"{inquiry.received_at.astimezone(UTC):%Y-%m-%d}"]
    return " · ".join([*parts, _shorten(inquiry.topic)] if inquiry.topic else parts)


@cache
def _compiled(template: str) -> Template:
    # Compiled once per process: only the ${placeholders} differ between mails and languages.
    # fonts={} keeps MJML from linking web fonts: the mails load nothing from outside.
    source = (files("inquiry_router.mail") / "templates" / f"{template}.mjml").read_text("utf-8")
    return Template(mjml.mjml2html(source, fonts={}))


def fill_template(template: str, language: str, **html_values: str) -> str:
    """The compiled template with every placeholder filled; each value must already be HTML."""
    direction = "rtl" if language in _RIGHT_TO_LEFT else "ltr"
    return _compiled(template).substitute(html_values, lang=escape(language), direction=direction)


def _subject(reference: str, headline: str, topic: str | None) -> str:
    subject = f"[{reference}] {one_line(headline)}"
    return f"{subject} — {_shorten(topic)}" if topic and one_line(topic) else subject


def _shorten(text: str | None, limit: int = SUBJECT_TOPIC_LIMIT) -> str:
    flat = one_line(text or "")
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _rows(*pairs: tuple[str, str | None]) -> list[Row]:
    return [(label, one_line(value)) for label, value in pairs if value and one_line(value)]


def _html_rows(rows: Iterable[Row]) -> str:
    return "".join(
        f'<tr><th scope="row" style="{_LABEL_CELL}">{escape(label)}</th>'
        f'<td style="{_VALUE_CELL}">{escape(value)}</td></tr>'
        for label, value in rows
    )


def _text_rows(rows: Iterable[Row], say: Phrases) -> str:
    return "\n".join(say.label(label, value) for label, value in rows)


def _html_signals(signals: Iterable[_Signal]) -> str:
    items = []
    for signal in signals:
        details = "".join(f'<li style="color:#1f2937">{escape(d)}</li>' for d in signal.details)
        nested = f'<ul style="margin:4px 0 0;padding:0 0 0 18px">{details}</ul>' if details else ""
        items.append(
            f'<li style="margin:0 0 4px;color:{_TONES[signal.tone]}">{escape(signal.text)}{nested}</li>'
        )
    return f'<ul style="margin:0;padding:0 0 0 18px">{"".join(items)}</ul>'


def _text_signals(signals: Iterable[_Signal]) -> str:
    return "\n".join(
        "\n".join([f"- {signal.text}", *(f"    {d}" for d in signal.details)]) for signal in signals
    )


def _link(href: str, label: str) -> str:
    return f'<a href="{escape(href, quote=True)}">{escape(label)}</a>'


def _mail_link(address: str) -> str:
    return _link("mailto:" + quote(address, safe="@"), address)


def _phone_link(phone: str) -> str:
    return _link("tel:" + quote("".join(phone.split()), safe="+"), phone)


def _text_section(heading: str, *bodies: str) -> str:
    return "\n".join([heading, *(body for body in bodies if body)])


def _paragraphs(*paragraphs: str) -> str:
    """Blank-line separated; an empty paragraph (a section with nothing to say) is left out."""
    return "\n\n".join(p for p in paragraphs if p) + "\n"
