"""`POST /inquiries` on an API Gateway HTTP API (payload v2): the intake's HTTP edge.

JSON callers get JSON; plain HTML form posts get a 303 to the thank-you page (or a small page
of our own), so a site switches from a form backend by changing the form's `action` only.
Every domain error is translated to an HTTP answer here and nowhere else.

The edge is written out here rather than built on Powertools' APIGatewayHttpResolver, for a
buyer's cold start: the function serves one route, and importing the resolver (its package loads
the AppSync resolver, asyncio and every event data class) cost 75 ms of the intake's 634 ms
cold start plus first request, more than anything else it imports (bench/RESULTS.md, issue 10).
What the resolver did for us is here, with its answers kept byte for byte (the CORS headers of
an allowed origin, the 204 preflight, 404 off the route, 405 for other methods): the body is
read by intake/request_body.py (every parser failure a 4xx, legacy charsets decoded) and
validated with the submission model (`validated_request`). Powertools still writes the OpenAPI
document (entry/intake_openapi.py), from the same models. Everything the answer needs that could
fail (the redirect target) is decided before the inquiry is stored, so nothing is stored and
then refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from inquiry_router.adapters.intake_write import IntakeWriter
from inquiry_router.base import html_pages as pages
from inquiry_router.base.browser_urls import BrowserUrl, parse_browser_url
from inquiry_router.base.observability import Handler, count_rejection, logger
from inquiry_router.intake.captcha import CaptchaVerifier
from inquiry_router.intake.request_body import (
    FORM_TYPES,
    ReadBody,
    UnreadableBody,
    media_type_of,
    read_body,
)
from inquiry_router.intake.service import submit_inquiry
from inquiry_router.models.answers import ErrorAnswer, FieldErrorsAnswer, InquiryAccepted, RateLimitedAnswer
from inquiry_router.models.inquiry_record import RequestFacts
from inquiry_router.models.intake_errors import CaptchaRejected, IdempotencyKeyReused, RateLimited, StoreBusy
from inquiry_router.models.settings import IntakeSettings
from inquiry_router.models.submission import InquirySubmission, replace_lone_surrogates

JSON = "application/json"
HTML = "text/html; charset=utf-8"
ROUTE = "/inquiries"
ALLOWED_METHODS = ("OPTIONS", "POST")
RETRY_AFTER_BUSY_SECONDS = 2
IDEMPOTENCY_KEY_MAX_CHARS = 255
# The request headers a browser may send cross-origin (ours, and those API Gateway clients send),
# sorted as Powertools sent them before the edge was our own.
CORS_ALLOW_HEADERS = (
    "Accept,Authorization,Content-Type,Idempotency-Key,X-Amz-Date,X-Amz-Security-Token,X-Api-Key"
)
CORS_MAX_AGE_SECONDS = 3600
NOT_FOUND_BODY = '{"statusCode":404,"message":"Not found"}'


class InvalidRequest(Exception):
    """Fields (or the Idempotency-Key header) the buyer's browser or the site's script must correct."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(", ".join(fields))
        self.fields = fields


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """What the edge reads of an HTTP API event; header names lower-cased, as HTTP API sends them."""

    method: str
    path: str
    headers: dict[str, str]
    source_ip: str
    request_id: str

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> HttpRequest:
        context = _mapping(event.get("requestContext"))
        http = _mapping(context.get("http"))
        return cls(
            method=str(http.get("method", "")).upper(),
            path=str(event.get("rawPath") or http.get("path") or ""),
            headers={str(k).lower(): str(v) for k, v in _mapping(event.get("headers")).items()},
            source_ip=str(http.get("sourceIp") or ""),
            request_id=str(context.get("requestId") or ""),
        )

    def prefers_pages(self) -> bool:
        """A browser's own form post (no script) wants pages and redirects; scripts want JSON."""
        return "application/json" not in self.headers.get("accept", "").lower()

    def is_form_post(self) -> bool:
        return media_type_of(self.headers.get("content-type")) in FORM_TYPES


def _mapping(value: Any) -> Mapping[str, Any]:
    # A hand-made event may hold anything where API Gateway puts an object.
    return value if isinstance(value, Mapping) else {}


@dataclass(frozen=True, slots=True)
class HttpAnswer:
    status: int
    body: str | None = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CorsPolicy:
    """Cross-origin answers for the configured origins only (a browser's fetch() from any other
    site is refused); plain form posts need none."""

    origins: tuple[str, ...]

    def headers_for(self, origin: str | None) -> dict[str, str]:
        if not origin or origin not in self.origins:
            return {}
        return {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Headers": CORS_ALLOW_HEADERS,
            "Access-Control-Expose-Headers": "Retry-After",
            "Access-Control-Max-Age": str(CORS_MAX_AGE_SECONDS),
        }


def intake_http_handler(
    settings: IntakeSettings, *, writer: IntakeWriter, captcha: CaptchaVerifier | None
) -> Handler:
    """The intake function's entry point, around these collaborators."""
    edge = IntakeEdge(settings, writer=writer, captcha=captcha)

    def resolve_http_event(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return edge.answer(event)

    return resolve_http_event


class IntakeEdge:
    def __init__(
        self, settings: IntakeSettings, *, writer: IntakeWriter, captcha: CaptchaVerifier | None
    ) -> None:
        self.settings = settings
        self.writer = writer
        self.captcha = captcha
        self.cors = CorsPolicy(tuple(settings.allowed_origins)) if settings.allowed_origins else None

    def answer(self, event: dict[str, Any]) -> dict[str, Any]:
        request = HttpRequest.from_event(event)
        return self._lambda_answer(request, self._answer(request, event))

    def _answer(self, request: HttpRequest, event: dict[str, Any]) -> HttpAnswer:
        if request.method not in ALLOWED_METHODS:
            count_rejection("method_not_allowed")
            message = f"{request.method or 'This method'} is not served here; POST the form."
            return self._refusal(request, 405, message, {"Allow": ", ".join(ALLOWED_METHODS)})
        if request.method == "OPTIONS":
            if self.cors is None:  # nothing is served cross-origin
                return HttpAnswer(404, NOT_FOUND_BODY, JSON)
            return HttpAnswer(204, "", None, {"Access-Control-Allow-Methods": ",".join(ALLOWED_METHODS)})
        try:
            body = read_body(event)
        except UnreadableBody as unreadable:
            count_rejection(f"unreadable_body_{unreadable.status}")
            return self._refusal(request, unreadable.status, unreadable.message)
        if request.path != ROUTE:
            return HttpAnswer(404, NOT_FOUND_BODY, JSON)
        html = body.is_form and request.prefers_pages()
        try:
            return self._create_inquiry(request, body, html=html)
        except InvalidRequest as invalid:
            count_rejection("validation")
            return self._refuse_fields(request, invalid.fields, html=html)
        except CaptchaRejected as rejected:
            count_rejection("captcha")
            return self._refuse_fields(request, {"captcha": str(rejected)}, html=html)
        except RateLimited as limited:
            return self._rate_limited(request, limited, html=html)
        except IdempotencyKeyReused as reused:
            count_rejection("idempotency_key_reused")
            return _json(409, ErrorAnswer(message=str(reused)))
        except StoreBusy as busy:
            logger.warning("table busy; asked the client to retry")
            headers = {"Retry-After": str(RETRY_AFTER_BUSY_SECONDS)}
            if html:
                page = pages.message_page("Please try again", str(busy), self._back_url(request))
                return HttpAnswer(503, page, HTML, headers)
            return _json(503, ErrorAnswer(message=str(busy)), headers)

    def _create_inquiry(self, request: HttpRequest, body: ReadBody, *, html: bool) -> HttpAnswer:
        submission, idempotency_key = validated_request(body, request.headers)
        # Decided before the write: once the inquiry is stored, nothing may fail.
        redirect = _thank_you_target(submission.redirect, self.settings) if html else None
        receipt = submit_inquiry(
            submission,
            _request_facts(request, idempotency_key, body.charset),
            writer=self.writer,
            settings=self.settings,
            captcha=self.captcha,
        )
        if not html:
            return _json(202, InquiryAccepted(id=receipt.inquiry_id, reference=receipt.reference))
        if redirect is not None:
            return _see_other(redirect.with_query(reference=receipt.reference))
        return HttpAnswer(200, pages.thank_you_page(self.settings.company_name, receipt.reference), HTML)

    def _rate_limited(self, request: HttpRequest, error: RateLimited, *, html: bool) -> HttpAnswer:
        count_rejection(f"rate_limited_{error.scope}")
        headers = {"Retry-After": str(error.retry_after_seconds)}
        message = (
            "You have sent several inquiries in a short time. "
            f"Please wait {error.retry_after_seconds} seconds and send it again."
        )
        if html:
            page = pages.message_page("Please wait a moment", message, self._back_url(request))
            return HttpAnswer(429, page, HTML, headers)
        return _json(429, RateLimitedAnswer(message=message, retry_after=error.retry_after_seconds), headers)

    def _refuse_fields(self, request: HttpRequest, fields: dict[str, str], *, html: bool) -> HttpAnswer:
        if not html:
            return _json(
                422, FieldErrorsAnswer(message="Please correct the highlighted fields.", errors=fields)
            )
        error_url = parse_browser_url(self.settings.error_url)
        if error_url is not None:
            return _see_other(error_url.with_query(error="invalid", fields=",".join(fields)))
        return HttpAnswer(422, pages.errors_page(fields, self._back_url(request)), HTML)

    def _refusal(
        self, request: HttpRequest, status: int, message: str, headers: dict[str, str] | None = None
    ) -> HttpAnswer:
        """A request refused before its fields are read: a page for a browser's own form post,
        JSON for everyone else (and for a method we do not serve)."""
        if request.is_form_post() and request.prefers_pages() and status != 405:
            page = pages.message_page("Your inquiry was not sent", message, self._back_url(request))
            return HttpAnswer(status, page, HTML, dict(headers or {}))
        return HttpAnswer(status, ErrorAnswer(message=message).model_dump_json(), JSON, dict(headers or {}))

    def _back_url(self, request: HttpRequest) -> str | None:
        allowed = self.settings.allowed_url(request.headers.get("referer"))
        return allowed.href if allowed else None

    def _lambda_answer(self, request: HttpRequest, answer: HttpAnswer) -> dict[str, Any]:
        headers = dict(answer.headers)
        if answer.content_type:
            headers.setdefault("Content-Type", answer.content_type)
        if self.cors is not None:
            headers |= self.cors.headers_for(request.headers.get("origin"))
        return {
            "statusCode": answer.status,
            "body": answer.body,
            "isBase64Encoded": False,
            "headers": headers,
            "cookies": [],
        }


# -- helpers -------------------------------------------------------------------------------


def validated_request(read: ReadBody, headers: Mapping[str, str]) -> tuple[InquirySubmission, str | None]:
    """The submission and the Idempotency-Key, or InvalidRequest naming every field to correct
    (the header first, then the body's fields in the model's order)."""
    errors: dict[str, str] = {}
    idempotency_key = headers.get("idempotency-key")  # names lower-cased (HttpRequest)
    if idempotency_key is not None and len(idempotency_key) > IDEMPOTENCY_KEY_MAX_CHARS:
        errors["idempotency-key"] = _FRIENDLY["string_too_long"].format(max_length=IDEMPOTENCY_KEY_MAX_CHARS)
    submission: InquirySubmission | None = None
    if read.fields is None:  # a JSON `null`
        errors.setdefault("body", _FRIENDLY["missing"])
    else:
        try:
            submission = InquirySubmission.model_validate(read.fields)
        except ValidationError as invalid:
            for field, message in field_errors(invalid.errors()).items():
                errors.setdefault(field, message)
    if errors or submission is None:
        raise InvalidRequest(errors)
    return submission, idempotency_key


def _request_facts(
    request: HttpRequest, idempotency_key: str | None, form_charset: str | None
) -> RequestFacts:
    headers = request.headers

    def header(name: str, limit: int) -> str | None:
        # Header text is the client's too: a lone surrogate in a hand-made event must not reach
        # the digests or the table.
        value: str = replace_lone_surrogates((headers.get(name) or "")[:limit])
        return value or None

    return RequestFacts(
        received_at=datetime.now(UTC),
        source_ip=request.source_ip,
        user_agent=header("user-agent", 512),
        origin=header("origin", 512),
        accept_language=header("accept-language", 200),
        idempotency_key=replace_lone_surrogates(idempotency_key) or None,
        request_id=request.request_id,
        form_charset=form_charset,
    )


def _thank_you_target(requested: str | None, settings: IntakeSettings) -> BrowserUrl | None:
    if requested:
        allowed = settings.allowed_url(requested)
        if allowed is not None:
            return allowed
        logger.warning("ignored a redirect to an origin that is not allowed")
    return parse_browser_url(settings.thank_you_url)


def _see_other(location: str) -> HttpAnswer:
    # No body, so no Content-Type: the browser follows Location at once.
    return HttpAnswer(303, None, None, {"Location": location})


def _json(status: int, body: BaseModel, headers: dict[str, str] | None = None) -> HttpAnswer:
    return HttpAnswer(status, body.model_dump_json(), JSON, dict(headers or {}))


_FRIENDLY = {
    "missing": "This field is required.",
    "string_too_long": "This is too long: at most {max_length} characters.",
    "string_type": "This must be text.",
    "bool_parsing": "This must be checked or left empty.",
    "model_attributes_type": "The body must be a JSON object with the form's fields.",
    "model_type": "The body must be a JSON object with the form's fields.",
}


def field_errors(errors: Any) -> dict[str, str]:
    """Pydantic's error list as {field: message a person can act on}; the first error per field."""
    result: dict[str, str] = {}
    for error in errors:
        location = [str(part) for part in error.get("loc", ()) if part != "body"]
        field = location[-1] if location else "body"
        if field == "submission":
            field = "body"
        template = _FRIENDLY.get(error.get("type", ""))
        try:
            message = (
                template.format(**error.get("ctx", {})) if template else error.get("msg", "Invalid value.")
            )
        except (KeyError, IndexError):
            message = error.get("msg", "Invalid value.")
        result.setdefault(replace_lone_surrogates(field), str(message))
    return result
