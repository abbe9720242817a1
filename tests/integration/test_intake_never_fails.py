"""Whatever a client sends, the intake answers with a 2xx/3xx/4xx it can act on, never a 500; and
an answer of success means the inquiry is stored, an answer of refusal means nothing was.

Runs the real handler on moto. `pytest -m fuzz_long` runs the property test with many more examples.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SITE, TABLE_NAME, intake_function
from tests.support.events import form_post, http_event, json_post

Invoke = Callable[[dict[str, Any]], dict[str, Any]]
BUYER = {"name": "Ana García", "email": "ana@importadora-sol.es", "message": "Please quote 2,000 LED panels."}
BOUNDARY = "----form7MA4YWxkTrZu0gW"


@pytest.fixture
def unlimited_intake(dynamodb: Any) -> Invoke:
    """The intake with rate limits out of the way: each example must be judged on its content."""
    return intake_function(RATE_LIMIT_PER_IP="1000000", RATE_LIMIT_PER_EMAIL="1000000")


def inquiry_count(dynamodb: Any) -> int:
    items = dynamodb.scan(TableName=TABLE_NAME, ProjectionExpression="entity")["Items"]
    return sum(1 for i in items if i.get("entity") == {"S": "inquiry"})


def stored_inquiry(dynamodb: Any, response: dict[str, Any]) -> dict[str, Any] | None:
    """The inquiry a success answer speaks of: by id (JSON) or by reference (page, redirect)."""
    text = json.dumps(response)
    if response["statusCode"] == 202:
        key = {"PK": {"S": f"INQUIRY#{json.loads(response['body'])['id']}"}, "SK": {"S": "INQUIRY"}}
        return dynamodb.get_item(TableName=TABLE_NAME, Key=key).get("Item")
    reference = re.search(r"INQ-[2-9A-Z]{6}", text)
    if reference is None:
        return None
    ref = dynamodb.get_item(
        TableName=TABLE_NAME, Key={"PK": {"S": f"REF#{reference.group()}"}, "SK": {"S": "REF"}}
    ).get("Item")
    if ref is None:
        return None
    key = {"PK": {"S": f"INQUIRY#{ref['inquiry_id']['S']}"}, "SK": {"S": "INQUIRY"}}
    return dynamodb.get_item(TableName=TABLE_NAME, Key=key).get("Item")


def multipart(fields: list[tuple[str, str]], charset: str = "utf-8") -> bytes:
    parts = b"".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'.encode(charset)
        + v.encode(charset)
        + b"\r\n"
        for k, v in fields
    )
    return parts + f"--{BOUNDARY}--\r\n".encode()


# -- the 500s of issue 9, one by one -------------------------------------------------------------


def test_an_iso_render_time_without_offset_is_stored_not_a_500(intake: Invoke, dynamodb: Any) -> None:
    response = intake(json_post({**BUYER, "rendered_at": "2026-11-22T06:00:00"}))
    assert response["statusCode"] == 202
    stored = stored_inquiry(dynamodb, response)
    assert stored is not None
    assert stored["status"] == {"S": "new"}  # an unknown local time is no spam signal


@pytest.mark.parametrize(
    ("charset", "fields"),
    [
        (
            "gbk",
            [("name", "李明"), ("email", "li@shenzhen-trading.cn"), ("message", "请报价 500 套太阳能路灯。")],
        ),
        (
            "shift_jis",
            [("name", "山田太郎"), ("email", "yamada@example.jp"), ("message", "見積もりをお願いします。")],
        ),
    ],
)
def test_a_multipart_post_from_a_legacy_charset_page_is_stored_in_its_own_words(
    intake: Invoke, dynamodb: Any, charset: str, fields: list[tuple[str, str]]
) -> None:
    event = http_event(
        multipart(fields, charset), f"multipart/form-data; boundary={BOUNDARY}", base64_body=True
    )
    response = intake(event)
    assert response["statusCode"] == 200  # our thank-you page
    stored = stored_inquiry(dynamodb, response)
    assert stored is not None
    assert {k: stored[k]["S"] for k, _ in fields} == dict(fields)
    assert stored["form_charset"]["S"].endswith("(detected)")


def test_an_urlencoded_post_from_a_gbk_page_with_a_charset_field_is_stored(
    intake: Invoke, dynamodb: Any
) -> None:
    body = "&".join(
        f"{k}={quote(v, encoding='gbk')}"
        for k, v in [
            ("_charset_", "GBK"),
            ("name", "李明"),
            ("email", "li@x-trading.cn"),
            ("message", "请报价"),
        ]
    )
    response = intake(http_event(body, "application/x-www-form-urlencoded", base64_body=True))
    stored = stored_inquiry(dynamodb, response)
    assert stored is not None
    assert (stored["name"]["S"], stored["message"]["S"]) == ("李明", "请报价")
    assert "_charset_" not in stored.get("extra", {}).get("M", {})


def test_an_empty_multipart_boundary_is_a_400(intake: Invoke, dynamodb: Any) -> None:
    event = http_event(
        b"--\r\n\r\n--",
        "multipart/form-data; boundary=",
        base64_body=True,
        headers={"accept": "application/json"},
    )
    response = intake(event)
    assert response["statusCode"] == 400
    assert "boundary" in json.loads(response["body"])["message"]
    assert inquiry_count(dynamodb) == 0


def test_json_nested_thirty_thousand_deep_is_a_400(intake: Invoke, dynamodb: Any) -> None:
    body = '{"email": "ana@importadora-sol.es", "message": "hi", "x": ' + "[" * 30_000 + "]" * 30_000 + "}"
    response = intake(http_event(body, "application/json"))
    assert response["statusCode"] == 400
    assert inquiry_count(dynamodb) == 0


def test_an_integer_of_five_thousand_digits_is_a_400(intake: Invoke, dynamodb: Any) -> None:
    body = '{"email": "ana@importadora-sol.es", "message": "hi", "quantity_n": ' + "7" * 5_000 + "}"
    response = intake(http_event(body, "application/json"))
    assert response["statusCode"] == 400
    assert "digits" in json.loads(response["body"])["message"]


def test_a_lone_surrogate_in_an_extra_field_is_stored_as_a_replacement_character(
    intake: Invoke, dynamodb: Any
) -> None:
    body = json.dumps({**BUYER, "incoterm": "FOB \ud800 Shenzhen"})  # ASCII escapes: "\\ud800"
    response = intake(http_event(body, "application/json"))
    assert response["statusCode"] == 202
    stored = stored_inquiry(dynamodb, response)
    assert stored is not None
    assert stored["extra"]["M"]["incoterm"] == {"S": "FOB \ufffd Shenzhen"}


@pytest.mark.parametrize("next_url", [f"{SITE}:99999/thanks", "https://[::1/thanks", f"{SITE}:abc/"])
def test_an_invalid_port_in_the_redirect_is_decided_before_the_write(
    intake: Invoke, dynamodb: Any, next_url: str
) -> None:
    response = intake(form_post({**BUYER, "_next": next_url}))
    assert response["statusCode"] == 200  # not followed: our own thank-you page
    assert stored_inquiry(dynamodb, response) is not None


def test_an_invalid_port_in_the_referer_of_an_error_page_is_a_422(intake: Invoke, dynamodb: Any) -> None:
    response = intake(
        form_post({"email": "nope", "message": ""}, headers={"referer": f"{SITE}:99999/contact"})
    )
    assert response["statusCode"] == 422
    assert "Back to the form" not in response["body"]
    assert inquiry_count(dynamodb) == 0


def test_an_open_redirect_through_a_backslash_is_not_followed(intake: Invoke, dynamodb: Any) -> None:
    response = intake(form_post({**BUYER, "_next": "https://evil.test\\@www.example.com/"}))
    assert response["statusCode"] == 200
    assert "evil.test" not in json.dumps(response)


def test_an_allowed_redirect_is_emitted_as_a_browser_reads_it_with_no_body(intake: Invoke) -> None:
    response = intake(form_post({**BUYER, "_next": "HTTPS://WWW.EXAMPLE.COM:443/merci"}))
    assert response["statusCode"] == 303
    assert response["headers"]["Location"].startswith(f"{SITE}/merci?reference=INQ-")
    assert "Content-Type" not in response["headers"]
    assert not response.get("body")


def test_a_referer_back_link_is_emitted_re_serialised(intake: Invoke) -> None:
    response = intake(
        form_post({"email": "nope", "message": "hi"}, headers={"referer": f'{SITE}/contact?q="<x>'})
    )
    assert f'href="{SITE}/contact?q=%22%3Cx%3E"' in response["body"]


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE", "HEAD", "TRACE", "PROPFIND"])
def test_other_methods_are_405_with_allow(intake: Invoke, dynamodb: Any, method: str) -> None:
    response = intake(json_post(BUYER, method=method))
    assert response["statusCode"] == 405
    assert response["headers"]["Allow"] == "OPTIONS, POST"
    assert inquiry_count(dynamodb) == 0


def test_a_form_post_too_large_gets_a_page_a_person_can_read(intake: Invoke) -> None:
    from inquiry_router.intake.request_body import MAX_BODY_BYTES

    response = intake(form_post({**BUYER, "message": "x" * MAX_BODY_BYTES}))
    assert response["statusCode"] == 413
    assert response["headers"]["Content-Type"].startswith("text/html")
    assert "not sent" in response["body"]


# -- the property: over the whole HTTP API v2 event --------------------------------------------

FIELDS = [
    "name",
    "email",
    "_replyto",
    "message",
    "phone",
    "country",
    "locale",
    "consent",
    "marketing_opt_in",
    "rendered_at",
    "_next",
    "redirect",
    "_gotcha",
    "subject",
    "_charset_",
    "quantity",
]
SURROGATES = st.sampled_from(["\ud800", "\udbff", "\udc00", "\udfff", "a\ud83d", "\ude00b"])
texts = st.one_of(
    st.text(st.characters(codec=None, exclude_categories=()), max_size=40),
    st.lists(st.one_of(st.text(max_size=8), SURROGATES), max_size=4).map("".join),
    st.sampled_from(
        [
            "ana@importadora-sol.es",
            "李明",
            "Please quote",
            "2026-11-22T06:00:00",
            "2026-11-22T06:00:00+14:00",
            "0001-01-01T00:00:00+14:00",
            "1795327200000",
            "1e309",
            "nan",
            f"{SITE}:99999/",
            "https://evil.test\\@www.example.com/",
            f"{SITE}/thanks",
            "https://[::1",
            "GBK",
            "Shift_JIS",
            "x-unknown-charset",
            "",
            " ",
        ]
    ),
)
scalars = st.one_of(
    texts,
    st.integers(),
    st.floats(),
    st.booleans(),
    st.none(),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
field_names = st.one_of(st.sampled_from(FIELDS), texts)
payloads = st.dictionaries(field_names, json_values, max_size=10)
form_pairs = st.lists(st.tuples(field_names, texts), max_size=10)
CHARSETS = ["utf-8", "gbk", "shift_jis", "euc-kr", "latin-1", "utf-16"]


def _deep(depth: int) -> str:
    return '{"email": "ana@importadora-sol.es", "message": "m", "x": ' + "[" * depth + "]" * depth + "}"


@st.composite
def bodies(draw: st.DrawFn) -> tuple[str | None, bytes]:
    kind = draw(
        st.sampled_from(
            [
                "json",
                "json",
                "urlencoded",
                "urlencoded",
                "multipart",
                "multipart",
                "garbage",
                "deep",
                "huge_number",
            ]
        )
    )
    if kind == "json":
        value = draw(st.one_of(payloads, json_values, st.just({**BUYER})))
        content_type = draw(
            st.sampled_from(
                ["application/json", "application/json; charset=utf-8", None, "application/problem+json"]
            )
        )
        return content_type, json.dumps(value, allow_nan=True).encode()
    if kind == "deep":
        return "application/json", _deep(draw(st.sampled_from([19, 21, 1000, 30_000]))).encode()
    if kind == "huge_number":
        digits = "9" * draw(st.sampled_from([4_300, 4_301, 5_000, 50_000]))
        return (
            "application/json",
            f'{{"email": "ana@importadora-sol.es", "message": "m", "n": {digits}}}'.encode(),
        )
    pairs = draw(form_pairs) + draw(st.sampled_from([[], list(BUYER.items())]))
    charset = draw(st.sampled_from(CHARSETS))
    if kind == "urlencoded":
        body = "&".join(
            f"{quote(k, encoding=charset, errors='replace')}={quote(v, encoding=charset, errors='replace')}"
            for k, v in pairs
        )
        label = draw(st.sampled_from(["", f"; charset={charset}", "; charset=", "; charset=nonsense"]))
        return f"application/x-www-form-urlencoded{label}", body.encode()
    if kind == "multipart":
        raw = (
            b"".join(
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'.encode(
                    charset, "replace"
                )
                + v.encode(charset, "replace")
                + b"\r\n"
                for k, v in pairs
            )
            + f"--{BOUNDARY}--\r\n".encode()
        )
        boundary = draw(
            st.sampled_from(
                [f"boundary={BOUNDARY}", f'boundary="{BOUNDARY}"', "boundary=", "", "boundary=other"]
            )
        )
        return f"multipart/form-data; {boundary}", raw
    content_type = draw(
        st.sampled_from(
            [
                "application/json",
                "multipart/form-data; boundary=x",
                "text/plain",
                "application/x-www-form-urlencoded",
                "",
                "garbage/;;;",
            ]
        )
    )
    return content_type or None, draw(st.binary(max_size=200))


header_values = st.one_of(
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=60),
    st.sampled_from(
        [
            f"{SITE}/contact",
            f"{SITE}:99999/contact",
            "https://[::1",
            "https://evil.test\\@www.example.com/",
            SITE,
            "null",
        ]
    ),
)


@st.composite
def http_api_events(draw: st.DrawFn) -> dict[str, Any]:
    content_type, body = draw(bodies())
    method = draw(st.sampled_from(["POST"] * 12 + ["GET", "OPTIONS", "PUT", "HEAD", "TRACE"]))
    headers = {
        name: draw(header_values)
        for name in draw(
            st.lists(
                st.sampled_from(
                    ["referer", "origin", "accept", "idempotency-key", "accept-language", "user-agent"]
                ),
                unique=True,
            )
        )
    }
    if draw(st.booleans()):
        headers["accept"] = draw(st.sampled_from(["application/json", "text/html", "*/*"]))
    base64_flag = draw(st.booleans())
    event = http_event(None, content_type, method=method, headers=headers)
    if base64_flag:
        event["body"] = base64.b64encode(body).decode()
    else:
        event["body"] = body.decode("utf-8", errors="surrogateescape")  # text bodies as a hand-made event may
    event["isBase64Encoded"] = base64_flag
    if draw(st.booleans()) and base64_flag:
        event["body"] = draw(st.sampled_from(["not base64!", "YQ", "=="]))
    return event


def check_the_promise(intake: Invoke, dynamodb: Any, event: dict[str, Any]) -> None:
    before = inquiry_count(dynamodb)
    response = intake(event)
    status = response["statusCode"]
    assert status < 500, response  # 503 only when the table is busy, which nothing here makes it
    if event["requestContext"]["http"]["method"] == "POST" and status < 400:
        assert stored_inquiry(dynamodb, response) is not None, response  # said yes: it is stored
        if status == 303:
            location = urlsplit(response["headers"]["Location"])
            assert f"{location.scheme}://{location.netloc}" in (
                "https://www.example.com",
                "https://example.com",
            )
    else:
        assert inquiry_count(dynamodb) == before, response  # said no: nothing stored


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(event=http_api_events())
def test_no_request_makes_the_intake_fail_and_success_means_stored(
    unlimited_intake: Invoke, dynamodb: Any, event: dict[str, Any]
) -> None:
    check_the_promise(unlimited_intake, dynamodb, event)


@pytest.mark.fuzz_long
@settings(max_examples=2_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(event=http_api_events())
def test_no_request_makes_the_intake_fail_long_run(
    unlimited_intake: Invoke, dynamodb: Any, event: dict[str, Any]
) -> None:
    check_the_promise(unlimited_intake, dynamodb, event)
