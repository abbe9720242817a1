"""The two digests: the manager's weekly figures of their team, and each rep's morning list of
their open inquiries with each one's actions one click away.

Both are built from stored inquiries when the mailer sends them (the timer queues the jobs at
08:00 where the team works), in the team's language, through digest.mjml. The weekly chart is a
table of cells with a background colour and a percentage width: no image, no CSS a mail client
may drop, so it reads the same in Gmail, Outlook and Apple Mail.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from html import escape
from typing import Protocol
from zoneinfo import ZoneInfo

from inquiry_router.base.timestamps import parse_timestamp
from inquiry_router.mail.assemble import MailParts, automatic_mail, company_view, team_language
from inquiry_router.mail.links import ActionLinkIssuer
from inquiry_router.mail.render import Phrases, RenderedMail, fill_template, one_line
from inquiry_router.mail.views import CompanyView, RepView
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.rep_actions import RepAction
from inquiry_router.models.report_figures import RepFigures, Report, build_report
from inquiry_router.models.routing_config import RoutingConfig
from inquiry_router.models.settings import PipelineSettings
from inquiry_router.models.sla import waited

MORNING_ACTIONS = (
    RepAction.RESPONDED,
    RepAction.QUOTED,
    RepAction.WON,
    RepAction.LOST,
    RepAction.SNOOZE,
    RepAction.GIVE_TO_TEAM,
)
MAX_MORNING_ROWS = 30  # the rest waits for the next morning (the oldest are listed first)
TOP_COUNTRIES = 5
_BAR = "#1d4ed8"
_BAR_ANSWERED = "#93c5fd"
_CELL = "padding:6px 8px;border-bottom:1px solid #e5e7eb;text-align:end;white-space:nowrap"
_NAME_CELL = "padding:6px 8px 6px 0;border-bottom:1px solid #e5e7eb;text-align:start;overflow-wrap:anywhere"
_HEAD_CELL = "padding:6px 8px;border-bottom:2px solid #d1d5db;text-align:end;font-size:12px;color:#6b7280"
_ACTION_LINK = (
    "display:inline-block;padding:5px 10px;margin:0 4px 6px 0;border:1px solid #cbd5e1;border-radius:6px;"
    "color:#1f2937;background:#f9fafb;text-decoration:none;font-size:13px;line-height:1.4;white-space:nowrap"
)


@dataclass(frozen=True, slots=True)
class WeeklyDigestView:
    language: str
    team_key: str
    team_name: str
    since: date
    until: date  # the last day of the week, included
    report: Report
    names: Mapping[str, str]  # rep address -> name
    company: CompanyView


@dataclass(frozen=True, slots=True)
class OpenInquiryRow:
    reference: str
    buyer: str
    topic: str | None
    country: str | None
    status: str
    received_at: datetime
    waited_hours: float | None
    due_at: datetime | None
    actions: Mapping[RepAction, str] = field(default_factory=dict)
    labels: Sequence[str] = ()  # the names of its labels


@dataclass(frozen=True, slots=True)
class MorningDigestView:
    language: str
    rep: RepView
    rows: Sequence[OpenInquiryRow]
    more: int  # open inquiries not listed
    company: CompanyView


def render_weekly_digest(view: WeeklyDigestView) -> RenderedMail:
    say = Phrases(view.language)
    values = {"team": view.team_name, "since": view.since.isoformat(), "until": view.until.isoformat()}
    subject = one_line(say("digest.weekly_subject", **values))
    heading = say("digest.weekly_heading", **values)
    reps = view.report.reps
    total = _total(view.report)
    summary = (
        say(
            "digest.weekly_summary",
            received=len(view.report.inquiries),
            answered=total.responded,
            median=_hours(total.first_response_median_hours, say),
            sla=_percent(total.sla_met_percent, say),
            won=total.won,
            lost=total.lost,
            open=total.open_now,
        )
        if view.report.inquiries
        else say("digest.none")
    )
    footer = say(
        "digest.weekly_footer", company=view.company.name, team_key=view.team_key, since=values["since"]
    )
    countries = [s for s in view.report.sources if s.dimension == "country"][:TOP_COUNTRIES]
    html_parts = [_rep_table(reps, total, view.names, say), _chart(reps, view.names, say)] if reps else []
    if countries:
        items = "".join(
            f"<li>{escape(s.value)}: {s.inquiries} ({say('digest.col.won')} {s.won})</li>" for s in countries
        )
        html_parts.append(f'<div style="{_SECTION}">{escape(say("digest.countries"))}</div><ul>{items}</ul>')
    text_rows = [f"{view.names.get(r.owner_email, r.owner_email)}: {_text_figures(r, say)}" for r in reps]
    text = "\n\n".join(
        part
        for part in (
            heading,
            summary,
            "\n".join(text_rows),
            "\n".join(f"{s.value}: {s.inquiries}" for s in countries),
            footer,
        )
        if part
    )
    html = fill_template(
        "digest",
        view.language,
        title=escape(subject),
        company=escape(view.company.name),
        heading=escape(heading),
        intro=escape(summary),
        content="".join(html_parts),
        footer=escape(footer),
    )
    return RenderedMail(subject=subject, html=html, text=text + "\n")


def render_morning_digest(view: MorningDigestView) -> RenderedMail:
    say = Phrases(view.language)
    count = len(view.rows) + view.more
    subject = one_line(say("digest.morning_subject", count=count))
    heading = say("digest.morning_heading", rep=view.rep.name, count=count)
    intro = say("digest.morning_intro")
    footer = say("digest.morning_footer", company=view.company.name)
    blocks, texts = [], []
    for row in view.rows:
        title = " — ".join(
            part for part in (f"[{row.reference}] {one_line(row.buyer)}", one_line(row.topic or "")) if part
        )
        meta = [say(f"status.{row.status}"), *row.labels]
        if row.country:
            meta.append(row.country)
        if row.waited_hours is not None:
            meta.append(say("digest.waiting", hours=f"{row.waited_hours:.1f}"))
        if row.due_at is not None:
            meta.append(say("digest.due", due=f"{row.due_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"))
        buttons = " ".join(
            f'<a href="{escape(row.actions[a], quote=True)}" style="{_ACTION_LINK}">'
            f"{escape(say(f'notify.action.{a}'))}</a>"
            for a in MORNING_ACTIONS
            if a in row.actions
        )
        blocks.append(
            f'<div style="padding:12px 0;border-bottom:1px solid #e5e7eb">'
            f'<div style="font-weight:700;overflow-wrap:anywhere">{escape(title)}</div>'
            f'<div style="font-size:13px;color:#4b5563;padding:2px 0 8px">{escape(" · ".join(meta))}</div>'
            f'<div style="line-height:2.4">{buttons}</div></div>'
        )
        links = "\n".join(
            f"  {say(f'notify.action.{a}')}: {row.actions[a]}" for a in MORNING_ACTIONS if a in row.actions
        )
        texts.append(f"{title}\n  {' · '.join(meta)}\n{links}")
    if view.more:
        more = say("digest.more", count=view.more)
        blocks.append(f'<p style="color:#4b5563">{escape(more)}</p>')
        texts.append(more)
    text = "\n\n".join([heading, intro, *texts, footer]) + "\n"
    html = fill_template(
        "digest",
        view.language,
        title=escape(subject),
        company=escape(view.company.name),
        heading=escape(heading),
        intro=escape(intro),
        content="".join(blocks),
        footer=escape(footer),
    )
    return RenderedMail(subject=subject, html=html, text=text)


_SECTION = (
    "font-size:12px;font-weight:700;color:#6b7280;text-transform:uppercase;letter-spacing:0.04em;"
    "padding:14px 0 6px"
)


def _rep_table(reps: Sequence[RepFigures], total: RepFigures, names: Mapping[str, str], say: Phrases) -> str:
    columns = ("assigned", "answered", "median", "sla", "open", "won", "lost")
    head = f'<th style="{_HEAD_CELL};text-align:start">{escape(say("digest.col.rep"))}</th>' + "".join(
        f'<th style="{_HEAD_CELL}">{escape(say(f"digest.col.{c}"))}</th>' for c in columns
    )

    def row(figures: RepFigures, name: str, bold: bool = False) -> str:
        cells = (
            figures.assigned,
            figures.responded,
            _hours(figures.first_response_median_hours, say),
            _percent(figures.sla_met_percent, say),
            figures.open_now,
            figures.won,
            figures.lost,
        )
        weight = ";font-weight:700" if bold else ""
        return (
            f'<tr><td style="{_NAME_CELL}{weight}">{escape(name)}</td>'
            + "".join(f'<td style="{_CELL}{weight}">{escape(str(c))}</td>' for c in cells)
            + "</tr>"
        )

    body = "".join(row(r, names.get(r.owner_email, r.owner_email)) for r in reps)
    body += row(total, say("digest.total"), bold=True)
    return (
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" '
        'style="border-collapse:collapse;font-size:14px;margin-bottom:8px">'
        f"<tr>{head}</tr>{body}</table>"
    )


def _chart(reps: Sequence[RepFigures], names: Mapping[str, str], say: Phrases) -> str:
    """Assigned (dark) and answered (light) per rep, as table cells: Gmail and Outlook draw these."""
    most = max((r.assigned for r in reps), default=0) or 1
    rows = []
    for r in reps:
        assigned = max(1, round(100 * r.assigned / most)) if r.assigned else 0
        answered = round(assigned * r.responded / r.assigned) if r.assigned else 0
        bar = (
            '<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr>'
            + (_bar_cell(answered, _BAR_ANSWERED) if answered else "")
            + (_bar_cell(assigned - answered, _BAR) if assigned - answered else "")
            + f'<td width="{100 - assigned}%" style="height:14px"></td>'
            + "</tr></table>"
        )
        rows.append(
            f'<tr><td width="32%" style="{_NAME_CELL};border:0">'
            f"{escape(names.get(r.owner_email, r.owner_email))}</td>"
            f'<td style="padding:4px 0">{bar}</td>'
            f'<td width="12%" style="{_CELL};border:0">{r.responded}/{r.assigned}</td></tr>'
        )
    legend = say("digest.chart")
    return (
        f'<div style="{_SECTION}">{escape(legend)}</div>'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="font-size:13px">'
        + "".join(rows)
        + "</table>"
    )


def _bar_cell(percent: int, colour: str) -> str:
    return f'<td width="{percent}%" bgcolor="{colour}" style="height:14px;background:{colour}"></td>'


def _text_figures(r: RepFigures, say: Phrases) -> str:
    figures = (
        ("assigned", r.assigned),
        ("answered", r.responded),
        ("median", _hours(r.first_response_median_hours, say)),
        ("sla", _percent(r.sla_met_percent, say)),
        ("open", r.open_now),
        ("won", r.won),
        ("lost", r.lost),
    )
    return ", ".join(f"{say(f'digest.col.{name}')} {value}" for name, value in figures)


def _total(report: Report) -> RepFigures:
    """The team's line, from its inquiries (not an average of the reps' figures)."""
    rows = report.inquiries
    times = [r.first_response_hours for r in rows if r.first_response_hours is not None]
    met = sum(1 for r in rows if r.sla == "met")
    decided = met + sum(1 for r in rows if r.sla == "missed")
    reps = report.reps
    return RepFigures(
        owner_email="",
        assigned=sum(r.assigned for r in reps),
        responded=sum(r.responded for r in reps),
        first_response_median_hours=statistics.median(times) if times else None,
        first_response_p90_hours=None,
        sla_met_percent=100 * met / decided if decided else None,
        open_now=sum(r.open_now for r in reps),
        won=sum(r.won for r in reps),
        lost=sum(r.lost for r in reps),
    )


def _hours(hours: float | None, say: Phrases) -> str:
    return say("digest.na") if hours is None else f"{hours:.1f}"


def _percent(percent: float | None, say: Phrases) -> str:
    return say("digest.na") if percent is None else f"{percent:.0f}%"


class DigestSource(Protocol):
    """The stored inquiries a digest reads (adapters/queries.py's InquiryQueries)."""

    def received_between(self, since: datetime, until: datetime) -> list[Inquiry]: ...

    def open_of(self, owner_email: str) -> list[Inquiry]: ...


def assemble_weekly_digest(
    team_key: str,
    week_start: date,
    *,
    source: DigestSource,
    config: RoutingConfig,
    settings: PipelineSettings,
    now: datetime,
    message_key: str | None = None,
) -> MailParts:
    """The team's week (Monday to Sunday where it works) to its manager."""
    teams = {team.key: team for team in config.teams}
    team = teams[team_key]
    zone = ZoneInfo(team.timezone)
    since = datetime.combine(week_start, time(0, 0), tzinfo=zone)
    until = since + timedelta(days=7)
    inquiries = source.received_between(since, until)
    reps = {rep.email: rep for rep in config.reps}
    report = build_report(inquiries, teams, since, min(until, now), team=team_key, reps=reps)
    names = {email: rep.name for email, rep in reps.items()}
    view = WeeklyDigestView(
        language=team_language(team),
        team_key=team.key,
        team_name=team.name,
        since=week_start,
        until=week_start + timedelta(days=6),
        report=report,
        names=names,
        company=company_view(settings, team),
    )
    rendered = render_weekly_digest(view)
    return automatic_mail(rendered, settings, team, (team.name, team.manager), message_key)


def assemble_morning_digest(
    rep_email: str,
    *,
    source: DigestSource,
    config: RoutingConfig,
    settings: PipelineSettings,
    now: datetime,
    action_links: ActionLinkIssuer | None,
    message_key: str | None = None,
) -> MailParts | None:
    """The rep's open inquiries, oldest first, each with its actions; None when they have none."""
    rep = config.rep(rep_email)
    if rep is None or not rep.active:
        return None
    teams = {team.key: team for team in config.teams}
    home = config.team_or_default(rep.teams[0])
    label_names = config.label_names()
    language = team_language(home)
    open_now = sorted(source.open_of(rep.email), key=lambda inquiry: inquiry.received_at)
    if not open_now:
        return None
    rows = []
    for inquiry in open_now[:MAX_MORNING_ROWS]:
        team = teams.get(str(inquiry.team)) or home
        waiting = inquiry.awaits_answer
        rows.append(
            OpenInquiryRow(
                reference=inquiry.reference,
                buyer=inquiry.buyer_line,
                topic=inquiry.topic,
                country=inquiry.country,
                status=inquiry.status,
                received_at=inquiry.received_moment,
                waited_hours=waited(inquiry, team, rep, now).total_seconds() / 3600 if waiting else None,
                due_at=parse_timestamp(inquiry.first_response_due_at)
                if waiting and inquiry.first_response_due_at
                else None,
                actions=action_links.issue(inquiry.id, rep.email, language, now) if action_links else {},
                labels=[label_names.get(key, key) for key in sorted(inquiry.labels)],
            )
        )
    view = MorningDigestView(
        language=language,
        rep=RepView(name=rep.name, email=rep.email),
        rows=rows,
        more=max(0, len(open_now) - MAX_MORNING_ROWS),
        company=company_view(settings, home),
    )
    rendered = render_morning_digest(view)
    return automatic_mail(rendered, settings, home, (rep.name, rep.email), message_key)
