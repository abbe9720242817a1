"""Build API Gateway HTTP API (v2) events from the samples in events/, so tests and docs share them."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

EVENTS_DIR = Path(__file__).resolve().parents[2] / "events"


def load_event(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS_DIR / name).read_text())
    return event


def http_event(
    body: str | bytes | None,
    content_type: str | None,
    *,
    method: str = "POST",
    headers: dict[str, str] | None = None,
    source_ip: str = "203.0.113.7",
    base64_body: bool = False,
) -> dict[str, Any]:
    event = copy.deepcopy(load_event("intake-post-json.json"))
    event["headers"] = {"origin": "https://www.example.com", "user-agent": "pytest"}
    if content_type:
        event["headers"]["content-type"] = content_type
    event["headers"].update({k.lower(): v for k, v in (headers or {}).items()})
    event["requestContext"]["http"]["method"] = method
    event["requestContext"]["http"]["sourceIp"] = source_ip
    event["routeKey"] = event["requestContext"]["routeKey"] = f"{method} /inquiries"
    if base64_body:
        import base64

        raw = body if isinstance(body, bytes) else (body or "").encode()
        event["body"] = base64.b64encode(raw).decode()
        event["isBase64Encoded"] = True
    else:
        event["body"] = body.decode() if isinstance(body, bytes) else body
        event["isBase64Encoded"] = False
    if body is None:
        event.pop("body")
    return event


def json_post(fields: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    return http_event(json.dumps(fields, ensure_ascii=False), "application/json", **kwargs)


def form_post(fields: dict[str, Any] | list[tuple[str, str]], **kwargs: Any) -> dict[str, Any]:
    return http_event(urlencode(fields, doseq=True), "application/x-www-form-urlencoded", **kwargs)
