"""The OpenAPI document of the HTTP API, generated from the same models that validate requests.

Powertools writes the document from a route's typed signature, which needs its resolver and its
validation machinery (`enable_validation=True`). The intake pays for neither (its edge and its
validation are its own, entry/intake_api.py): the document comes from a resolver of its own here,
whose one route has the intake's documentation and the signature the intake validates, and is
never called. tests/unit/test_intake_validation.py holds the two to the same answers.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel

import inquiry_router
from inquiry_router.entry.intake_api import IDEMPOTENCY_KEY_MAX_CHARS
from inquiry_router.intake.request_body import MAX_BODY_BYTES
from inquiry_router.models.answers import ErrorAnswer, FieldErrorsAnswer, InquiryAccepted, RateLimitedAnswer
from inquiry_router.models.submission import InquirySubmission

FORM_MEDIA_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
BODILESS_STATUSES = ("303",)


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


INQUIRY_ROUTE: dict[str, Any] = {
    "summary": "Submit an inquiry from a website's contact form",
    "description": (
        "Accepts `application/json` (answers 202 with the id and reference) and HTML form posts "
        "(`application/x-www-form-urlencoded` or `multipart/form-data`; answers 303 to the "
        "thank-you URL, or a thank-you page). Form-backend conventions `_replyto`, `_subject`, "
        "`_gotcha` and `_next` are understood; unknown fields are kept on the inquiry (up to 20 "
        "text values). A form in a legacy charset is read in the charset its `_charset_` field or "
        f"Content-Type names, else detected. Bodies up to {MAX_BODY_BYTES:,} bytes."
    ),
    "responses": _RESPONSES,
    "tags": ["inquiries"],
}
SUBMISSION_DESCRIPTION = "The form's fields."
IDEMPOTENCY_KEY_DESCRIPTION = "Retries with the same key return the first answer."


def documented_resolver() -> APIGatewayHttpResolver:
    """The intake's route as the document describes it (tests/unit/test_openapi.py checks that the
    intake answers alike)."""
    app = APIGatewayHttpResolver(enable_validation=True)

    @app.post("/inquiries", **INQUIRY_ROUTE)
    def create_inquiry(
        submission: Annotated[InquirySubmission, Body(description=SUBMISSION_DESCRIPTION)],
        idempotency_key: Annotated[
            str | None, Header(max_length=IDEMPOTENCY_KEY_MAX_CHARS, description=IDEMPOTENCY_KEY_DESCRIPTION)
        ] = None,
    ) -> Response[Any]:
        raise NotImplementedError("documentation only: the intake's route is in entry/intake_api.py")

    return app


def openapi_document() -> str:
    schema: dict[str, Any] = json.loads(
        documented_resolver().get_openapi_json_schema(
            title="Inquiry router",
            version=inquiry_router.__version__,
            summary="Website contact forms into stored, screened and routed inquiries.",
        )
    )
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            _describe_operation(operation)
    _drop_unused_components(schema)
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _describe_operation(operation: dict[str, Any]) -> None:
    # One model validates JSON and form posts alike; document both encodings.
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        for media_type in FORM_MEDIA_TYPES:
            content.setdefault(media_type, content["application/json"])
    for status, response in operation.get("responses", {}).items():
        if status in BODILESS_STATUSES:
            # Powertools documents the handler's return type on every answer it has no content
            # for; a redirect has no body (and so no Content-Type).
            response.pop("content", None)
        for header in response.get("headers", {}).values():
            header["required"] = True  # every header we document is always sent


def _drop_unused_components(schema: dict[str, Any]) -> None:
    """Powertools adds its own validation-error schemas; our answers use ours."""
    text = json.dumps(schema.get("paths", {}))
    schemas = schema.get("components", {}).get("schemas", {})
    used = {name for name in schemas if f'"#/components/schemas/{name}"' in text}
    while True:  # and whatever the used ones refer to
        referenced = {
            name
            for name in schemas
            if any(f'"#/components/schemas/{name}"' in json.dumps(schemas[u]) for u in used)
        }
        if referenced <= used:
            break
        used |= referenced
    for name in set(schemas) - used:
        del schemas[name]
