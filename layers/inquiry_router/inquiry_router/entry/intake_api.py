"""`POST /inquiries` on an API Gateway HTTP API (payload v2), with Powertools validation.

JSON callers get JSON; plain HTML form posts get a 303 to the thank-you page (or a small page
of our own), so a site switches from a form backend by changing the form's `action` only.
Every domain error is translated to an HTTP answer here and nowhere else.

The body is read by intake/request_body.py before Powertools sees it (every parser failure a 4xx,
legacy charsets decoded) and handed on as JSON. Everything the answer needs that could fail (the
redirect target) is decided before the inquiry is stored, so nothing is stored and then refused.

The intake's composition root (entry/intake_function.py) builds the handler with `intake_http_handler`
at init, handing in the settings and collaborators; nothing here is cached between compositions.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import (
    APIGatewayHttpResolver,
    CORSConfig,
    Response,
    content_types,
)
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Body, Header
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from inquiry_router.adapters.intake_write import IntakeWriter
from inquiry_router.base import html_pages as pages
from inquiry_router.base.browser_urls import BrowserUrl, parse_browser_url
from inquiry_router.base.observability import Handler, count_rejection, logger
from inquiry_router.intake.captcha import CaptchaVerifier
from inquiry_router.intake.request_body import (
    FORM_TYPES,
    MAX_BODY_BYTES,
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

HTML = "text/html; charset=utf-8"
ALLOWED_METHODS = ("OPTIONS", "POST")
RETRY_AFTER_BUSY_SECONDS = 2
_BODY_CONTEXT = "read_body"


def _answer(description: str, model: type[BaseModel] | None = None, *, page: bool = False) -> OpenAPIResponse:
    content: dict[str, Any] = {}
    if model is not None:
        content["application/json"] = {"model": model}
    if page:
        content["text/html"] = {"schema": {"type": "string"}}
    return {"description": description, "content": content}


def _with_header(
    response: OpenAPIResponse, name: str, description: str, schema: dict[str, Any]
) -> OpenAPIResponse:
    # openapi.py marks every documented response header as required: we always send them.
    response["headers"] = {name: {"description": description, "schema": schema}}
    return response


_RETRY_AFTER = {"type": "string", "pattern": "^[0-9]+$"}
_RESPONSES: dict[int, OpenAPIResponse] = {
    200: _answer(
        "Stored (plain form posts, when no thank-you URL is configured): a thank-you page.", page=True
    ),
    202: _answer("Stored. JSON callers get the id and the human-friendly reference.", InquiryAccepted),
    303: _with_header(
        {
            "description": "Stored (plain form posts): see the thank-you URL, with `reference` added "
            "to its query. Also for form posts with invalid fields when an error URL is configured "
            "(`?error=invalid&fields=…`). No body."
        },
        "Location",
        "The thank-you (or error) URL.",
        {"type": "string", "format": "uri"},
    ),
    400: _answer(
        "The body cannot be read: not valid JSON, nested too deep, a number too long, invalid base64 "
        "or a multipart body without a usable boundary. Nothing was stored.",
        ErrorAnswer,
        page=True,
    ),
    409: _answer("The Idempotency-Key was used before for a different submission.", ErrorAnswer),
    413: _answer(
        f"The body is larger than {MAX_BODY_BYTES:,} bytes. Nothing was stored.", ErrorAnswer, page=True
    ),
    415: _answer("Content type other than JSON, urlencoded or multipart form.", ErrorAnswer),
    422: _answer(
        "Field-level errors: JSON for scripts, a readable page for plain form posts. Nothing was stored.",
        FieldErrorsAnswer,
        page=True,
    ),
    429: _with_header(
        _answer(
            "Too many submissions from this address or network. Nothing was stored.",
            RateLimitedAnswer,
            page=True,
        ),
        "Retry-After",
        "Seconds to wait before sending again.",
        _RETRY_AFTER,
    ),
    503: _with_header(
        _answer("The store is busy; nothing was stored: send it again.", ErrorAnswer, page=True),
        "Retry-After",
        "Seconds to wait before sending again.",
        _RETRY_AFTER,
    ),
}


def intake_http_handler(
    settings: IntakeSettings, *, writer: IntakeWriter, captcha: CaptchaVerifier | None
) -> Handler:
    """The intake function's entry point: the body reader in front of a resolver built around
    these collaborators."""
    app = http_app(settings, writer=writer, captcha=captcha)

    def resolve_http_event(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return _resolve(app, settings, event, context)

    return resolve_http_event


def _resolve(
    app: APIGatewayHttpResolver, settings: IntakeSettings, event: dict[str, Any], context: LambdaContext
) -> dict[str, Any]:
    method = str((event.get("requestContext") or {}).get("http", {}).get("method", "")).upper()
    if method not in ALLOWED_METHODS:
        count_rejection("method_not_allowed")
        return _raw_response(
            405,
            f"{method or 'This method'} is not served here; POST the form.",
            event,
            settings,
            {"Allow": ", ".join(ALLOWED_METHODS)},
        )
    if method == "POST":
        try:
            body = read_body(event)
        except UnreadableBody as unreadable:
            count_rejection(f"unreadable_body_{unreadable.status}")
            return _raw_response(unreadable.status, unreadable.message, event, settings)
        # Read back by the route and the error handlers; the resolver clears it after the answer.
        app.context[_BODY_CONTEXT] = body
        headers = {k: v for k, v in (event.get("headers") or {}).items() if str(k).lower() != "content-type"}
        event = {
            **event,
            "headers": {**headers, "content-type": content_types.APPLICATION_JSON},
            "body": body.as_json(),
            "isBase64Encoded": False,
        }
    return app.resolve(event, context)


def http_app(
    settings: IntakeSettings, *, writer: IntakeWriter, captcha: CaptchaVerifier | None
) -> APIGatewayHttpResolver:
    """`POST /inquiries` on a new resolver; also what the OpenAPI document is generated from."""
    app = APIGatewayHttpResolver(enable_validation=True, cors=_cors(settings))

    def wants_html() -> bool:
        body: ReadBody | None = app.context.get(_BODY_CONTEXT)
        return body is not None and body.is_form and _prefers_pages(app.current_event.headers)

    @app.post(
        "/inquiries",
        summary="Submit an inquiry from a website's contact form",
        description=(
            "Accepts `application/json` (answers 202 with the id and reference) and HTML form posts "
            "(`application/x-www-form-urlencoded` or `multipart/form-data`; answers 303 to the "
            "thank-you URL, or a thank-you page). Form-backend conventions `_replyto`, `_subject`, "
            "`_gotcha` and `_next` are understood; unknown fields are kept on the inquiry (up to 20 "
            "text values). A form in a legacy charset is read in the charset its `_charset_` field or "
            f"Content-Type names, else detected. Bodies up to {MAX_BODY_BYTES:,} bytes."
        ),
        responses=_RESPONSES,
        tags=["inquiries"],
    )
    def create_inquiry(
        submission: Annotated[InquirySubmission, Body(description="The form's fields.")],
        idempotency_key: Annotated[
            str | None,
            Header(max_length=255, description="Retries with the same key return the first answer."),
        ] = None,
    ) -> Response[Any]:
        html = wants_html()
        # Decided before the write: once the inquiry is stored, nothing may fail.
        redirect = _thank_you_target(submission.redirect, settings) if html else None
        read: ReadBody | None = app.context.get(_BODY_CONTEXT)
        receipt = submit_inquiry(
            submission,
            _request_facts(app.current_event, idempotency_key, read.charset if read else None),
            writer=writer,
            settings=settings,
            captcha=captcha,
        )
        if not html:
            accepted = InquiryAccepted(id=receipt.inquiry_id, reference=receipt.reference)
            return _json(202, accepted)
        if redirect is not None:
            return _see_other(redirect.with_query(reference=receipt.reference))
        return Response(200, HTML, pages.thank_you_page(settings.company_name, receipt.reference))

    def invalid_request(error: RequestValidationError) -> Response[Any]:
        count_rejection("validation")
        return _refuse_fields(app.current_event, settings, field_errors(error.errors()), html=wants_html())

    def captcha_rejected(error: CaptchaRejected) -> Response[Any]:
        count_rejection("captcha")
        return _refuse_fields(app.current_event, settings, {"captcha": str(error)}, html=wants_html())

    def rate_limited(error: RateLimited) -> Response[Any]:
        count_rejection(f"rate_limited_{error.scope}")
        headers = {"Retry-After": str(error.retry_after_seconds)}
        message = (
            "You have sent several inquiries in a short time. "
            f"Please wait {error.retry_after_seconds} seconds and send it again."
        )
        if wants_html():
            page = pages.message_page(
                "Please wait a moment", message, _back_url(app.current_event.headers, settings)
            )
            return Response(429, HTML, page, headers=headers)
        return _json(429, RateLimitedAnswer(message=message, retry_after=error.retry_after_seconds), headers)

    def key_reused(error: IdempotencyKeyReused) -> Response[Any]:
        count_rejection("idempotency_key_reused")
        return _json(409, ErrorAnswer(message=str(error)))

    def store_busy(error: StoreBusy) -> Response[Any]:
        logger.warning("table busy; asked the client to retry")
        headers = {"Retry-After": str(RETRY_AFTER_BUSY_SECONDS)}
        if wants_html():
            page = pages.message_page(
                "Please try again", str(error), _back_url(app.current_event.headers, settings)
            )
            return Response(503, HTML, page, headers=headers)
        return _json(503, ErrorAnswer(message=str(error)), headers)

    # Registered by call, not decorator: the decorator is untyped for mypy --strict.
    app.exception_handler(RequestValidationError)(invalid_request)
    app.exception_handler(CaptchaRejected)(captcha_rejected)
    app.exception_handler(RateLimited)(rate_limited)
    app.exception_handler(IdempotencyKeyReused)(key_reused)
    app.exception_handler(StoreBusy)(store_busy)
    return app


# -- helpers -------------------------------------------------------------------------------


def _cors(settings: IntakeSettings) -> CORSConfig | None:
    if not settings.allowed_origins:
        return None  # plain form posts need no CORS; fetch() from other sites is refused
    first, *rest = settings.allowed_origins
    return CORSConfig(
        allow_origin=first,
        extra_origins=rest,
        allow_headers=["Idempotency-Key", "Accept"],
        expose_headers=["Retry-After"],
        max_age=3600,
    )


def _lower_headers(event: dict[str, Any]) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}


def _prefers_pages(headers: Any) -> bool:
    """A browser's own form post (no script) wants pages and redirects; scripts want JSON."""
    return "application/json" not in (headers.get("accept") or "").lower()


def _raw_response(
    status: int,
    message: str,
    event: dict[str, Any],
    settings: IntakeSettings,
    extra_headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An answer given before the resolver runs, with the CORS headers the resolver would add:
    a page for a browser's own form post, JSON for everyone else."""
    headers = _lower_headers(event)
    answer: dict[str, str] = dict(extra_headers or {})
    cors = _cors(settings)
    origin = headers.get("origin")
    if cors and origin:
        answer |= cors.to_dict(origin)
    form_post = media_type_of(headers.get("content-type")) in FORM_TYPES
    if form_post and _prefers_pages(headers) and status != 405:
        page = pages.message_page("Your inquiry was not sent", message, _back_url(headers, settings))
        return {"statusCode": status, "headers": answer | {"Content-Type": HTML}, "body": page}
    body = ErrorAnswer(message=message).model_dump_json()
    return {"statusCode": status, "headers": answer | {"Content-Type": "application/json"}, "body": body}


def _request_facts(
    event: APIGatewayProxyEventV2, idempotency_key: str | None, form_charset: str | None
) -> RequestFacts:
    headers = event.headers

    def header(name: str, limit: int) -> str | None:
        # Header text is the client's too: a lone surrogate in a hand-made event must not reach
        # the digests or the table.
        value: str = replace_lone_surrogates((headers.get(name) or "")[:limit])
        return value or None

    return RequestFacts(
        received_at=datetime.now(UTC),
        source_ip=event.request_context.http.source_ip,
        user_agent=header("user-agent", 512),
        origin=header("origin", 512),
        accept_language=header("accept-language", 200),
        idempotency_key=replace_lone_surrogates(idempotency_key) or None,
        request_id=event.request_context.request_id,
        form_charset=form_charset,
    )


def _thank_you_target(requested: str | None, settings: IntakeSettings) -> BrowserUrl | None:
    if requested:
        allowed = settings.allowed_url(requested)
        if allowed is not None:
            return allowed
        logger.warning("ignored a redirect to an origin that is not allowed")
    return parse_browser_url(settings.thank_you_url)


def _back_url(headers: Any, settings: IntakeSettings) -> str | None:
    allowed = settings.allowed_url(headers.get("referer"))
    return allowed.href if allowed else None


def _see_other(location: str) -> Response[Any]:
    # No body, so no Content-Type: the browser follows Location at once.
    return Response(303, None, None, headers={"Location": location})


def _json(status: int, body: BaseModel, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(status, content_types.APPLICATION_JSON, body.model_dump_json(), headers=headers)


def _refuse_fields(
    event: APIGatewayProxyEventV2, settings: IntakeSettings, fields: dict[str, str], *, html: bool
) -> Response[Any]:
    if not html:
        return _json(422, FieldErrorsAnswer(message="Please correct the highlighted fields.", errors=fields))
    error_url = parse_browser_url(settings.error_url)
    if error_url is not None:
        return _see_other(error_url.with_query(error="invalid", fields=",".join(fields)))
    return Response(422, HTML, pages.errors_page(fields, _back_url(event.headers, settings)))


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
