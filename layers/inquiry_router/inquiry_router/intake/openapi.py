"""The OpenAPI document of the HTTP API, generated from the same models that validate requests."""

from __future__ import annotations

import json
import os
from typing import Any

import inquiry_router

FORM_MEDIA_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def openapi_document() -> str:
    from inquiry_router.intake.api import http_app

    os.environ.setdefault("TABLE_NAME", "documentation")
    schema: dict[str, Any] = json.loads(
        http_app().get_openapi_json_schema(
            title="Inquiry router",
            version=inquiry_router.__version__,
            summary="Website contact forms into stored, screened and routed inquiries.",
        )
    )
    # One model validates JSON and form posts alike; document both encodings.
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                for media_type in FORM_MEDIA_TYPES:
                    content.setdefault(media_type, content["application/json"])
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
