"""`POST /inquiries` on an API Gateway HTTP API (payload v2), with Powertools validation.

JSON callers get JSON; plain HTML form posts get a 303 to the thank-you page (or a small page
of our own), so a site switches from a form backend by changing the form's `action` only.
Every domain error is translated to an HTTP answer here and nowhere else.
"""

import base64
from functools import cache
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from aws_lambda_powertools.event_handler import (
    APIGatewayHttpResolver,
    CORSConfig,
    Response,
    content_types,
)
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.params import Body, Header
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from aws_lambda_powertools.utilities.typing import LambdaContext

from inquiry_router.intake import pages, wiring
from inquiry_router.intake.errors import CaptchaRejected, IdempotencyKeyReused, RateLimited, StoreBusy
from inquiry_router.intake.records import RequestFacts
from inquiry_router.intake.service import submit_inquiry
from inquiry_router.models.submission import InquirySubmission
from inquiry_router.observability import count_rejection, logger
from inquiry_router.settings import IntakeSettings, intake_settings

MAX_BODY_BYTES = 64 * 1024
HTML = "text/html; charset=utf-8"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


_RESPONSES: dict[int, OpenAPIResponse] = {
    202: {
        "description": "Stored. JSON callers get the id and the human-friendly reference.",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string", "format": "uuid"},
                        "reference": {"type": "string", "example": "INQ-7K3M9Q"},
                    },
                    "required": ["id", "reference"],
                }
            }
        },
    },
    303: {"description": "Form posts: redirect to the thank-you URL (`reference` added to its query)."},
    400: {"description": "The body is not valid JSON."},
    409: {"description": "The Idempotency-Key was used before for a different submission."},
    413: {"description": f"The body is larger than {MAX_BODY_BYTES // 1024} KB."},
    415: {"description": "Content type other than JSON, urlencoded or multipart form."},
    422: {"description": "Field-level errors (JSON), or a readable page for form posts."},
    429: {"description": "Rate-limited; see the Retry-After header."},
    503: {"description": "The store is busy; retry after Retry-After seconds. Nothing was stored."},
}


def resolve_http_event(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Entry point of the intake function."""
    refusal = _refuse_unreadable_body(event)
    if refusal is not None:
        return refusal
    return http_app().resolve(event, context)


@cache
def http_app() -> APIGatewayHttpResolver:
    settings = intake_settings()
    app = APIGatewayHttpResolver(enable_validation=True, cors=_cors(settings))

    @app.post(
        "/inquiries",
        summary="Submit an inquiry from a website's contact form",
        description=(
            "Accepts `application/json` (answers 202 with the id and reference) and HTML form posts "
            "(`application/x-www-form-urlencoded` or `multipart/form-data`; answers 303 to the "
            "thank-you URL). Form-backend conventions `_replyto`, `_subject`, `_gotcha` and `_next` "
            "are understood; unknown fields are kept on the inquiry."
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
        event = app.current_event
        receipt = submit_inquiry(
            submission,
            _request_facts(event, idempotency_key),
            writer=wiring.intake_writer(),
            settings=settings,
            captcha=wiring.captcha_verifier(),
        )
        if not _wants_html(event):
            return Response(
                status_code=202,
                content_type=content_types.APPLICATION_JSON,
                body={"id": receipt.inquiry_id, "reference": receipt.reference},
            )
        target = _thank_you_target(submission.redirect, settings)
        if target:
            return _see_other(_with_query(target, reference=receipt.reference))
        return Response(200, HTML, pages.thank_you_page(settings.company_name, receipt.reference))

    def invalid_request(error: RequestValidationError) -> Response[Any]:
        errors = error.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            count_rejection("malformed_json")
            detail = (
                next(e for e in errors if e.get("type") == "json_invalid").get("ctx", {}).get("error", "")
            )
            return _json(400, {"message": f"The request body is not valid JSON ({detail})."})
        fields = field_errors(errors)
        count_rejection("validation")
        return _refuse_fields(app.current_event, settings, fields)

    def unsupported_type(_: RequestUnsupportedContentType) -> Response[Any]:
        count_rejection("unsupported_content_type")
        return _json(
            415,
            {
                "message": "Send the form as application/json, application/x-www-form-urlencoded "
                "or multipart/form-data."
            },
        )

    def captcha_rejected(error: CaptchaRejected) -> Response[Any]:
        count_rejection("captcha")
        return _refuse_fields(app.current_event, settings, {"captcha": str(error)})

    def rate_limited(error: RateLimited) -> Response[Any]:
        count_rejection(f"rate_limited_{error.scope}")
        headers = {"Retry-After": str(error.retry_after_seconds)}
        message = (
            "You have sent several inquiries in a short time. "
            f"Please wait {error.retry_after_seconds} seconds and send it again."
        )
        if _wants_html(app.current_event):
            page = pages.message_page("Please wait a moment", message, _back_url(app.current_event, settings))
            return Response(429, HTML, page, headers=headers)
        return _json(429, {"message": message, "retry_after": error.retry_after_seconds}, headers)

    def key_reused(error: IdempotencyKeyReused) -> Response[Any]:
        count_rejection("idempotency_key_reused")
        return _json(409, {"message": str(error)})

    def store_busy(error: StoreBusy) -> Response[Any]:
        logger.warning("table busy; asked the client to retry")
        if _wants_html(app.current_event):
            page = pages.message_page("Please try again", str(error), _back_url(app.current_event, settings))
            return Response(503, HTML, page, headers={"Retry-After": "2"})
        return _json(503, {"message": str(error)}, {"Retry-After": "2"})

    # Registered by call, not decorator: the decorator is untyped for mypy --strict.
    app.exception_handler(RequestValidationError)(invalid_request)
    app.exception_handler(RequestUnsupportedContentType)(unsupported_type)
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


def _refuse_unreadable_body(event: dict[str, Any]) -> dict[str, Any] | None:
    """Answers what must be refused before Powertools parses the body: too large, or unparseable."""
    body = event.get("body") or ""
    raw = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
    size = len(raw)
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    content_type = headers.get("content-type", "").lower()
    if size > MAX_BODY_BYTES:
        count_rejection("too_large")
        message = f"The submission is {size:,} bytes; the limit is {MAX_BODY_BYTES:,} bytes."
        return _raw_json_response(413, message, headers.get("origin"))
    if content_type.startswith("multipart/form-data") and "boundary=" not in content_type:
        count_rejection("malformed_multipart")
        return _raw_json_response(
            400, "A multipart/form-data body needs a boundary in its Content-Type.", None
        )
    if not content_type.startswith("multipart/form-data"):
        try:
            raw.decode()
        except UnicodeDecodeError:
            count_rejection("not_utf8")
            return _raw_json_response(400, "The body must be UTF-8 text.", headers.get("origin"))
    return None


def _raw_json_response(status: int, message: str, origin: str | None) -> dict[str, Any]:
    """A response built outside the resolver, with the CORS headers the resolver would add."""
    import json

    headers = {"Content-Type": "application/json"}
    cors = _cors(intake_settings())
    if cors and origin:
        headers |= cors.to_dict(origin)
    return {"statusCode": status, "headers": headers, "body": json.dumps({"message": message})}


def _request_facts(event: APIGatewayProxyEventV2, idempotency_key: str | None) -> RequestFacts:
    from datetime import UTC, datetime

    headers = event.headers
    return RequestFacts(
        received_at=datetime.now(UTC),
        source_ip=event.request_context.http.source_ip,
        user_agent=(headers.get("user-agent") or "")[:512] or None,
        origin=headers.get("origin"),
        accept_language=(headers.get("accept-language") or "")[:200] or None,
        idempotency_key=idempotency_key or None,
        request_id=event.request_context.request_id,
    )


def _wants_html(event: APIGatewayProxyEventV2) -> bool:
    """A browser's own form post (no script) wants pages and redirects; scripts want JSON."""
    content_type = (event.headers.get("content-type") or "").lower()
    accept = (event.headers.get("accept") or "").lower()
    return content_type.startswith(FORM_TYPES) and "application/json" not in accept


def _thank_you_target(requested: str | None, settings: IntakeSettings) -> str | None:
    if requested:
        if settings.is_allowed_origin(requested):
            return requested
        logger.warning("ignored a redirect to an origin that is not allowed")
    return settings.thank_you_url


def _back_url(event: APIGatewayProxyEventV2, settings: IntakeSettings) -> str | None:
    referer = event.headers.get("referer")
    return referer if referer and settings.is_allowed_origin(referer) else None


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return urlunsplit(parts._replace(query=query))


def _see_other(location: str) -> Response[Any]:
    return Response(303, HTML, "", headers={"Location": location})


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(status, content_types.APPLICATION_JSON, body, headers=headers)


def _refuse_fields(
    event: APIGatewayProxyEventV2, settings: IntakeSettings, fields: dict[str, str]
) -> Response[Any]:
    if not _wants_html(event):
        return _json(
            422,
            {
                "message": "Please correct the highlighted fields.",
                "errors": fields,
            },
        )
    if settings.error_url:
        return _see_other(_with_query(settings.error_url, error="invalid", fields=",".join(fields)))
    return Response(422, HTML, pages.errors_page(fields, _back_url(event, settings)))


_FRIENDLY = {
    "missing": "This field is required.",
    "string_too_long": "This is too long: at most {max_length} characters.",
    "string_type": "This must be text.",
    "bool_parsing": "This must be checked or left empty.",
    "model_attributes_type": "The body must be a JSON object with the form's fields.",
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
        message = template.format(**error.get("ctx", {})) if template else error.get("msg", "Invalid value.")
        result.setdefault(field, message)
    return result
