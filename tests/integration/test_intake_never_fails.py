"""Whatever a client sends, the intake answers with a 2xx/3xx/4xx it can act on — never a 500."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.events import http_event

Invoke = Callable[[dict[str, Any]], dict[str, Any]]
FIELDS = [
    "name",
    "email",
    "_replyto",
    "message",
    "phone",
    "country",
    "locale",
    "consent",
    "rendered_at",
    "_next",
    "x",
]
CONTENT_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "multipart/form-data; boundary=xyz",
    "text/plain",
    "",
]
values = st.one_of(
    st.text(max_size=60), st.integers(), st.booleans(), st.none(), st.lists(st.text(max_size=5))
)
payloads = st.dictionaries(st.sampled_from(FIELDS), values, max_size=8)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=payloads, content_type=st.sampled_from(CONTENT_TYPES), raw=st.binary(max_size=80))
def test_no_body_makes_the_intake_fail(
    intake: Invoke, payload: dict[str, Any], content_type: str, raw: bytes
) -> None:
    if content_type.startswith("application/json"):
        body: str | bytes = json.dumps(payload) if raw[:1] != b"!" else raw
    elif content_type.endswith("urlencoded"):
        body = urlencode({k: str(v) for k, v in payload.items()}) if raw[:1] != b"!" else raw
    else:
        body = raw
    response = intake(http_event(body, content_type or None, base64_body=isinstance(body, bytes)))
    assert response["statusCode"] in {200, 202, 303, 400, 409, 413, 415, 422, 429}, response
