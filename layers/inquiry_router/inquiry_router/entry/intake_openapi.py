"""The OpenAPI document of the HTTP API, generated from the same models that validate requests.

Powertools writes the document from a route's typed signature, which needs its validation
machinery (`enable_validation=True`). The intake does not pay for that machinery (it validates with
the models itself, entry/intake_api.py): the document comes from a resolver of its own, whose one
route has the intake's documentation and the signature the intake validates, and is never called.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header

import inquiry_router
from inquiry_router.entry.intake_api import (
    IDEMPOTENCY_KEY_DESCRIPTION,
    IDEMPOTENCY_KEY_MAX_CHARS,
    INQUIRY_ROUTE,
    SUBMISSION_DESCRIPTION,
)
from inquiry_router.models.submission import InquirySubmission

FORM_MEDIA_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
BODILESS_STATUSES = ("303",)


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
