"""The OpenAPI document of the HTTP API, generated from the same models that validate requests."""

from __future__ import annotations

import json
from typing import Any, cast

import inquiry_router

FORM_MEDIA_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
BODILESS_STATUSES = ("303",)


def openapi_document() -> str:
    from inquiry_router.adapters.intake_write import IntakeWriter
    from inquiry_router.entry.intake_api import http_app
    from inquiry_router.models.settings import IntakeSettings

    # The document describes the route; nothing calls it, so its writer needs no client.
    writer = IntakeWriter(cast(Any, None), "documentation")
    app = http_app(IntakeSettings(table_name="documentation"), writer=writer, captcha=None)
    schema: dict[str, Any] = json.loads(
        app.get_openapi_json_schema(
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
