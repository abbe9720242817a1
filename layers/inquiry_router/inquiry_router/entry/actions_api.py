"""`GET /actions/{token}` and `POST /actions/{token}`: a one-click action from a rep's notification.

Mail security scanners (Safe Links, Mimecast, Proofpoint) open every link of a mail, so the GET
never changes anything: it answers with a confirmation page whose button POSTs. The POST is
accepted only with the form MAC that page carried (models/action_key.py), and not from another
site (`Sec-Fetch-Site`, `Origin`); there are no cookies to ride on. Repeating it is harmless
(actions/service.py). An unknown, malformed or expired token gets the same page, in the reader's
language, saying what to do instead; the answer never says whether a token ever existed.

The actions function's composition root (entry/actions_function.py) builds the handler at init.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from inquiry_router.actions.pages import (
    SNOOZE_CHOICES,
    confirm_page,
    gone_page,
    notice_page,
    page_translations,
    result_page,
)
from inquiry_router.actions.service import RepActions
from inquiry_router.adapters.action_keys import read_action_key
from inquiry_router.adapters.queries import get_inquiry
from inquiry_router.base.language import choose_language
from inquiry_router.base.observability import Handler, logger
from inquiry_router.models.action_key import ActionKey
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.lifecycle import Channel
from inquiry_router.models.rep_actions import ActionRequest, RepAction
from inquiry_router.models.settings import PipelineSettings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

HTML = "text/html; charset=utf-8"
MAX_FORM_BYTES = 8192
_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}
# Requests a page of ours sends: its own form, or the rep's click (no Sec-Fetch-Site: older clients).
_SAME_SITE = frozenset({"same-origin", "none"})

Clock = Callable[[], datetime]


def actions_http_handler(
    settings: PipelineSettings,
    *,
    dynamodb: DynamoDBClient,
    actions: RepActions,
    clock: Clock = lambda: datetime.now(UTC),
) -> Handler:
    """The actions function's entry point: a resolver for the two routes around these clients."""
    return http_app(settings, dynamodb=dynamodb, actions=actions, clock=clock).resolve


def http_app(
    settings: PipelineSettings, *, dynamodb: DynamoDBClient, actions: RepActions, clock: Clock
) -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver()
    table = settings.table_name
    company = settings.company_name

    def opened(token: str) -> tuple[ActionKey, RepAction, Inquiry] | None:
        key = read_action_key(dynamodb, table, token)
        action = key.action_of(token) if key is not None and not key.expired(clock()) else None
        if key is None or action is None:
            return None
        inquiry = get_inquiry(dynamodb, table, key.inquiry_id, consistent=True)
        return (key, action, inquiry) if inquiry is not None else None

    def gone() -> Response[str]:
        language = choose_language(
            None, app.current_event.headers.get("accept-language"), None, page_translations().languages
        )
        page = gone_page(
            language=language, days=settings.action_link_days, command_address=settings.reply_bcc_address
        )
        return _html(410, page)

    @app.get("/actions/<token>")
    def confirm(token: str) -> Response[str]:
        found = opened(token)
        if found is None:
            logger.info("action link refused")
            return gone()
        key, action, inquiry = found
        settled = actions.preview(inquiry, key.rep_email, action)
        if settled is not None:  # nothing left to confirm: say how it stands
            return _html(200, result_page(settled, language=key.language, company=company))
        page = confirm_page(inquiry, action, key.form_mac(action), language=key.language, company=company)
        return _html(200, page)

    @app.post("/actions/<token>")
    def act(token: str) -> Response[str]:
        found = opened(token)
        if found is None:
            logger.info("action refused: unknown or expired token")
            return gone()
        key, action, inquiry = found
        event = app.current_event
        if _cross_site(event.headers):
            logger.warning("action refused: posted from another site")
            return _html(403, notice_page("forbidden", language=key.language))
        form = _form(event.decoded_body or "")
        if not key.accepts_form(action, form.get("form", "")):
            logger.info("action refused: the form's MAC is missing or wrong")
            return _html(400, notice_page("invalid", language=key.language))
        now = clock()
        days = SNOOZE_CHOICES.get(form.get("snooze", ""), 1)
        request = ActionRequest(action, form.get("note"), timedelta(days=days))
        outcome = actions.perform(inquiry, key.rep_email, request, Channel.MAIL_ACTION, now)
        logger.info(
            "action", extra={"action": str(action), "outcome": outcome.kind, "reference": outcome.reference}
        )
        until = now + request.snooze_for if action is RepAction.SNOOZE else None
        page = result_page(outcome, language=key.language, company=company, snoozed_until=until)
        return _html(200, page)

    return app


def _html(status: int, page: str) -> Response[str]:
    return Response(status, HTML, page, headers=_HEADERS)


def _cross_site(headers: Mapping[str, str]) -> bool:
    """A browser's POST from a page not of this origin (another site, or a sibling subdomain)."""
    site = headers.get("sec-fetch-site")
    if site and site not in _SAME_SITE:
        return True
    origin = headers.get("origin")
    if not origin or origin == "null":  # no-referrer policies and privacy tools send "null"
        return False
    return urlsplit(origin).netloc.lower() != (headers.get("host") or "").lower()


def _form(body: str) -> dict[str, str]:
    """The first value of each field of a urlencoded form (a body too large is no form)."""
    if len(body) > MAX_FORM_BYTES:
        return {}
    return {name: values[0] for name, values in parse_qs(body, keep_blank_values=True).items()}
