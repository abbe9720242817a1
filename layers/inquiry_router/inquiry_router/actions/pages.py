"""The actions pages a rep meets after clicking in their notification: the confirmation (whose
button POSTs), the result, and the pages for a link that does not work any more.

In the notification's language (kept on the action key), without JavaScript, one column that fits
a phone. Everything shown that came from an inquiry is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from html import escape
from importlib.resources import files

from inquiry_router.base.translations import Translations
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.lifecycle import Status
from inquiry_router.models.rep_actions import ActionOutcome, RepAction

# The snooze lengths the page offers (the form sends the key; commands take any length).
SNOOZE_CHOICES = {"1d": 1, "2d": 2, "1w": 7}
_NOTE_ACTIONS = frozenset(RepAction) - {RepAction.GIVE_TO_TEAM}
_RIGHT_TO_LEFT = frozenset({"ar", "fa", "he", "ur"})
_FINAL_ACTIONS = frozenset({RepAction.WON, RepAction.LOST, RepAction.CLOSED, RepAction.NOT_AN_INQUIRY})

_PAGE = """<!doctype html>
<html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{title}</title>
<style>
*{{box-sizing:border-box}}
body{{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"PingFang SC","Microsoft YaHei","Noto Sans",
sans-serif;color:#1f2933;background:#f3f4f6;margin:0;padding:24px 12px}}
main{{background:#fff;max-width:34rem;margin:0 auto;padding:24px;border-radius:10px;
box-shadow:0 2px 16px rgba(15,23,42,.08)}}
.company{{margin:0 0 4px;font-size:13px;color:#6b7280}}
h1{{font-size:1.35rem;line-height:1.3;margin:0 0 16px;overflow-wrap:anywhere}}
dl{{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px;margin:0 0 18px;font-size:15px}}
dt{{color:#6b7280}} dd{{margin:0;overflow-wrap:anywhere}}
label{{display:block;font-weight:600;margin:14px 0 6px}}
textarea,select{{width:100%;font:inherit;padding:10px;border:1px solid #cbd5e1;border-radius:6px}}
textarea{{min-height:5.5rem}}
button{{display:block;width:100%;margin:20px 0 12px;padding:14px 18px;font:inherit;font-weight:700;
color:#fff;background:#1d4ed8;border:0;border-radius:8px;cursor:pointer}}
button.final{{background:#0f766e}}
.hint{{font-size:14px;color:#4b5563;margin:0}}
.ok{{color:#15803d}} .warn{{color:#b45309}}
</style></head>
<body><main>{body}</main></body></html>
"""


@cache
def page_translations() -> Translations:
    return Translations.load(files("inquiry_router.actions") / "translations")


@dataclass(frozen=True, slots=True)
class _Say:
    language: str

    def __call__(self, key: str, **values: object) -> str:
        return page_translations().phrase(self.language, key).format(**values)

    def status(self, status: str) -> str:
        return self(f"status.{status}")


def confirm_page(inquiry: Inquiry, action: RepAction, form_mac: str, *, language: str, company: str) -> str:
    """The question, what it is about, and a form whose button POSTs the action (a GET of this page,
    a mail scanner's included, changes nothing)."""
    say = _Say(language)
    buyer = inquiry.buyer_line
    facts = [
        (say("label.buyer"), buyer),
        (say("label.topic"), inquiry.subject or inquiry.product or ""),
        (say("label.received"), _moment(inquiry.received_moment)),
        (say("label.status"), say.status(inquiry.status)),
    ]
    explain = f"explain.{action}"
    explanation = say(explain) if explain in page_translations().catalogs["en"] else say("explain.default")
    fields = [f'<input type="hidden" name="form" value="{escape(form_mac, quote=True)}">']
    if action is RepAction.SNOOZE:
        options = "".join(
            f'<option value="{key}"{" selected" if key == "1d" else ""}>'
            f"{escape(say(f'snooze.{key}'))}</option>"
            for key in SNOOZE_CHOICES
        )
        fields.append(
            f'<label for="snooze">{escape(say("field.snooze_for"))}</label>'
            f'<select id="snooze" name="snooze">{options}</select>'
        )
    if action in _NOTE_ACTIONS:
        label = say("field.lost_reason") if action is RepAction.LOST else say("field.note")
        fields.append(
            f'<label for="note">{escape(label)}</label>'
            '<textarea id="note" name="note" maxlength="500"></textarea>'
        )
    css = ' class="final"' if action in _FINAL_ACTIONS else ""
    button = f"{say('button.confirm')}: {say(f'action.{action}')}"
    body = (
        f'<p class="company">{escape(company)}</p>'
        f"<h1>{escape(say(f'question.{action}', reference=inquiry.reference))}</h1>"
        f"<dl>{''.join(f'<dt>{escape(k)}</dt><dd>{escape(v)}</dd>' for k, v in facts if v)}</dl>"
        f'<p class="hint">{escape(explanation)}</p>'
        f'<form method="post">{"".join(fields)}<button type="submit"{css}>{escape(button)}</button></form>'
        f'<p class="hint">{escape(say("page.cancel"))}</p>'
    )
    return _page(language, say(f"question.{action}", reference=inquiry.reference), body)


def result_page(
    outcome: ActionOutcome, *, language: str, company: str, snoozed_until: datetime | None = None
) -> str:
    """What the action did, or why it did nothing."""
    say = _Say(language)
    values = {
        "reference": outcome.reference,
        "status": say.status(outcome.status),
        "owner": outcome.owner_email or "",
    }
    if outcome.kind == "done":
        if outcome.action is RepAction.GIVE_TO_TEAM:
            message = say("done.give_to_team", **values)
        elif outcome.status is Status.SNOOZED and snoozed_until is not None:
            message = say("done.snooze", until=_moment(snoozed_until), **values)
        else:
            message = say("done.status", **values)
    else:
        message = say(f"{outcome.kind}.body", **values)
    tone = "ok" if outcome.kind in ("done", "already") else "warn"
    title = say(f"{outcome.kind}.title")
    body = (
        f'<p class="company">{escape(company)}</p>'
        f'<h1 class="{tone}">{escape(title)}</h1>'
        f"<p>{escape(message)}</p>"
        f'<p class="hint">{escape(say("result.close"))}</p>'
    )
    return _page(language, title, body)


def gone_page(*, language: str, days: int, command_address: str | None) -> str:
    """For an unknown, expired or foreign token alike: the page never says which."""
    say = _Say(language)
    lines = [say("gone.body", days=days)]
    if command_address:
        lines.append(say("gone.by_mail", address=command_address))
    lines.append(say("gone.ask_admin"))
    body = f"<h1>{escape(say('gone.title'))}</h1>" + "".join(f"<p>{escape(line)}</p>" for line in lines)
    return _page(language, say("gone.title"), body)


def notice_page(kind: str, *, language: str) -> str:
    """`forbidden` (a POST from another site) or `invalid` (a POST without its form)."""
    say = _Say(language)
    body = f"<h1>{escape(say(f'{kind}.title'))}</h1><p>{escape(say(f'{kind}.body'))}</p>"
    return _page(language, say(f"{kind}.title"), body)


def _page(language: str, title: str, body: str) -> str:
    direction = "rtl" if language in _RIGHT_TO_LEFT else "ltr"
    return _PAGE.format(lang=escape(language), direction=direction, title=escape(title), body=body)


def _moment(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
