"""An HTTP request as an API Gateway HTTP API (payload format 2.0) event, and a handler's result as
the HTTP response API Gateway would send.

Bodies follow what AWS does, checked against real HTTP APIs: text (`isBase64Encoded: false`) only
for text/*, application/json, application/xml and application/javascript; everything else,
HTML form posts included, arrives base64-encoded.
"""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from inquiry_router_admin.local.aws_clients import ACCOUNT_ID
from inquiry_router_admin.local.http_routes import Route

TEXT_CONTENT_TYPES = ("application/json", "application/xml", "application/javascript")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Set by the server from the body we send, never taken from a handler.
_FRAMING_HEADERS = ("content-length", "transfer-encoding", "connection")


@dataclass(frozen=True)
class HttpRequest:
    method: str
    target: str  # path and query exactly as the client sent them
    protocol: str  # e.g. HTTP/1.1
    headers: Sequence[tuple[str, str]]
    body: bytes
    source_ip: str
    server_port: int

    @property
    def raw_path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def raw_query(self) -> str:
        return self.target.split("?", 1)[1] if "?" in self.target else ""


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


class InvalidLambdaResponse(ValueError):
    """The handler returned something API Gateway cannot turn into a response (it answers 500)."""


def http_api_event(
    request: HttpRequest, route: Route, path_parameters: Mapping[str, str], now: datetime | None = None
) -> dict[str, Any]:
    moment = now or datetime.now(UTC)
    headers, cookies = _event_headers(request)
    host = headers.get("host", f"127.0.0.1:{request.server_port}")
    request_id = base64.b64encode(os.urandom(11)).decode()
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": request.raw_path,
        "rawQueryString": request.raw_query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    if request.raw_query:
        event["queryStringParameters"] = _query_parameters(request.raw_query)
    event["requestContext"] = {
        "accountId": ACCOUNT_ID,
        "apiId": route.api_id,
        "domainName": host,
        # domainName keeps the port, so URLs built from it work locally; the prefix is the first label.
        "domainPrefix": host.split(":", 1)[0].split(".", 1)[0],
        "http": {
            "method": request.method,
            "path": request.raw_path,
            "protocol": request.protocol,
            "sourceIp": request.source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": request_id,
        "routeKey": route.route_key,
        "stage": "$default",
        "time": _clf_time(moment),
        "timeEpoch": int(moment.timestamp() * 1000),
    }
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    if request.body:
        text = _as_text(request.body, headers.get("content-type", ""))
        event["body"] = text if text is not None else base64.b64encode(request.body).decode()
        event["isBase64Encoded"] = text is None
    else:
        event["isBase64Encoded"] = False
    return event


def _event_headers(request: HttpRequest) -> tuple[dict[str, str], list[str]]:
    """Lower-cased headers, repeats joined by commas; cookies moved to their own list, as AWS does."""
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        key = name.lower()
        if key == "cookie":
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
            continue
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    forwarded = headers.get("x-forwarded-for")
    headers["x-forwarded-for"] = f"{forwarded}, {request.source_ip}" if forwarded else request.source_ip
    headers["x-forwarded-port"] = str(request.server_port)
    headers["x-forwarded-proto"] = "http"
    headers.setdefault("x-amzn-trace-id", f"Root=1-{int(time.time()):08x}-{os.urandom(12).hex()}")
    return headers, cookies


def _query_parameters(raw_query: str) -> dict[str, str]:
    parameters: dict[str, str] = {}
    for key, value in parse_qsl(raw_query, keep_blank_values=True):
        parameters[key] = f"{parameters[key]},{value}" if key in parameters else value
    return parameters


def _as_text(body: bytes, content_type: str) -> str | None:
    media_type = content_type.split(";", 1)[0].strip().lower()
    if not (media_type.startswith("text/") or media_type in TEXT_CONTENT_TYPES):
        return None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _clf_time(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    return f"{utc:%d}/{_MONTHS[utc.month - 1]}/{utc:%Y:%H:%M:%S} +0000"


# -- the response ------------------------------------------------------------------------------------


def http_response(result: Any) -> HttpResponse:
    """The handler's result as API Gateway (payload 2.0) turns it into an HTTP response."""
    if not (isinstance(result, Mapping) and "statusCode" in result):
        # A result without statusCode is taken as a JSON body with status 200.
        return HttpResponse(200, [("Content-Type", "application/json")], json.dumps(result).encode())
    try:
        status = int(result["statusCode"])
    except (TypeError, ValueError):
        raise InvalidLambdaResponse(f"statusCode {result['statusCode']!r} is not a number") from None
    multi = {str(k).lower(): v for k, v in (result.get("multiValueHeaders") or {}).items()}
    headers = [
        (str(k), _header_text(v))
        for k, v in (result.get("headers") or {}).items()
        if str(k).lower() not in multi and str(k).lower() not in _FRAMING_HEADERS
    ]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        if str(name).lower() not in _FRAMING_HEADERS:
            headers.extend((str(name), _header_text(v)) for v in values)
    headers.extend(("Set-Cookie", str(cookie)) for cookie in result.get("cookies") or [])
    body = result.get("body")
    if body is None:
        return HttpResponse(status, headers)
    if not isinstance(body, str):
        raise InvalidLambdaResponse(f"body must be a string, not {type(body).__name__}")
    if result.get("isBase64Encoded"):
        try:
            return HttpResponse(status, headers, base64.b64decode(body, validate=True))
        except ValueError:
            raise InvalidLambdaResponse("isBase64Encoded is true but the body is not base64") from None
    return HttpResponse(status, headers, body.encode("utf-8"))


def _header_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def json_response(status: int, message: str) -> HttpResponse:
    """API Gateway's own answers: {"message": "Not Found"} and the like."""
    return HttpResponse(
        status, [("Content-Type", "application/json")], json.dumps({"message": message}).encode()
    )
