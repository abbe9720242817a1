"""The intake validates with the submission model itself, not through Powertools' OpenAPI machinery
(cheaper on every cold start and every post). The OpenAPI document still comes from that machinery
(entry/intake_openapi.py), so the two must agree: whatever Powertools would accept, refuse or name as
the field to correct, the intake does too. Checked here on generated bodies and headers."""

from __future__ import annotations

import json
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Body, Header
from hypothesis import given, settings
from hypothesis import strategies as st

from inquiry_router.entry.intake_api import (
    IDEMPOTENCY_KEY_MAX_CHARS,
    InvalidRequest,
    field_errors,
    validated_request,
)
from inquiry_router.intake.request_body import ReadBody
from inquiry_router.models.submission import InquirySubmission
from tests.conftest import FakeLambdaContext
from tests.support.events import http_event

FIELDS = [
    *("name", "email", "_replyto", "company", "country", "phone", "website", "subject", "_subject"),
    *("product", "quantity", "message", "locale", "consent", "marketing_opt_in", "rendered_at"),
    *("_rendered_at", "redirect", "_next", "honeypot", "_gotcha", "captcha_token", "utm_source"),
    "extra_field",
]


def powertools_resolver() -> APIGatewayHttpResolver:
    """What the intake did before: Powertools validates the typed signature."""
    app = APIGatewayHttpResolver(enable_validation=True)

    @app.post("/inquiries")
    def create(
        submission: Annotated[InquirySubmission, Body()],
        idempotency_key: Annotated[str | None, Header(max_length=IDEMPOTENCY_KEY_MAX_CHARS)] = None,
    ) -> Response[Any]:
        return Response(202, "application/json", json.dumps(outcome(submission, idempotency_key)))

    def refused(error: RequestValidationError) -> Response[Any]:
        return Response(422, "application/json", json.dumps(field_errors(error.errors())))

    app.exception_handler(RequestValidationError)(refused)
    return app


RESOLVER = powertools_resolver()


def outcome(submission: InquirySubmission, idempotency_key: str | None) -> dict[str, Any]:
    return {"fields": submission.model_dump(mode="json"), "key": idempotency_key}


def by_powertools(body: Any, key: str | None) -> tuple[int, Any]:
    headers = {} if key is None else {"idempotency-key": key}
    event = http_event(json.dumps(body), "application/json", headers=headers)
    answer = RESOLVER.resolve(event, FakeLambdaContext(aws_request_id="validation"))
    return answer["statusCode"], json.loads(answer["body"])


def by_intake(body: Any, key: str | None) -> tuple[int, Any]:
    headers = {} if key is None else {"idempotency-key": key}
    try:
        submission, idempotency_key = validated_request(ReadBody("application/json", body), headers)
    except InvalidRequest as invalid:
        return 422, invalid.fields
    return 202, outcome(submission, idempotency_key)


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(["ana@importadora.es", "not-an-address", "on", "yes", "", " ", "2026-01-01T00:00:00Z"]),
    st.text(min_size=195, max_size=320),
)
values = st.one_of(
    scalars, st.lists(scalars, max_size=3), st.dictionaries(st.text(max_size=5), scalars, max_size=2)
)
bodies = st.one_of(
    st.dictionaries(st.sampled_from(FIELDS), values, max_size=8),
    st.fixed_dictionaries(
        {
            "email": st.sampled_from(["ana@importadora.es", "b@c.de"]),
            "message": st.text(min_size=1, max_size=20),
        },
        optional={name: values for name in FIELDS[:12] if name not in ("email", "message")},
    ),
    scalars,
    st.lists(scalars, max_size=2),
)
keys = st.one_of(st.none(), st.text(max_size=5), st.text(min_size=250, max_size=260))


@settings(max_examples=400, deadline=None)
@given(body=bodies, key=keys)
def test_the_intake_validates_as_powertools_would(body: Any, key: str | None) -> None:
    assert by_intake(body, key) == by_powertools(body, key)


def test_a_json_null_body_is_a_missing_body_for_both() -> None:
    assert by_intake(None, None) == by_powertools(None, None) == (422, {"body": "This field is required."})


def test_a_long_idempotency_key_and_a_bad_field_are_named_together() -> None:
    body = {"email": "nope", "message": "hello"}
    status, fields = by_intake(body, "k" * (IDEMPOTENCY_KEY_MAX_CHARS + 1))
    assert status == 422
    assert list(fields) == ["idempotency-key", "email"]
    assert (status, fields) == by_powertools(body, "k" * (IDEMPOTENCY_KEY_MAX_CHARS + 1))
