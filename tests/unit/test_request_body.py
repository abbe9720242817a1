"""The body of POST /inquiries read into fields, or refused with a 4xx: never an exception."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote, urlencode

import pytest

from inquiry_router.intake.request_body import (
    MAX_BODY_BYTES,
    MAX_JSON_DEPTH,
    ReadBody,
    UnreadableBody,
    read_body,
)
from inquiry_router.models.submission import (
    MAX_EXTRA_FIELDS,
    MAX_EXTRA_KEY_CHARS,
    MAX_EXTRA_VALUE_CHARS,
    InquirySubmission,
)

BOUNDARY = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
CHINESE = [("name", "李明"), ("email", "li@shenzhen-trading.cn"), ("message", "请报价 500 套太阳能路灯。")]
JAPANESE = [
    ("name", "山田太郎"),
    ("email", "yamada@example.jp"),
    ("message", "見積もりをお願いします。LEDパネル 2000個"),
]


def event(body: bytes, content_type: str | None, *, base64_body: bool = True) -> dict[str, Any]:
    headers = {"content-type": content_type} if content_type else {}
    if base64_body:
        return {"headers": headers, "body": base64.b64encode(body).decode(), "isBase64Encoded": True}
    return {"headers": headers, "body": body.decode(), "isBase64Encoded": False}


def multipart(fields: list[tuple[str, str]], charset: str) -> bytes:
    parts = b"".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'.encode(charset)
        + v.encode(charset)
        + b"\r\n"
        for k, v in fields
    )
    return parts + f"--{BOUNDARY}--\r\n".encode()


def refusal(body: bytes, content_type: str | None, **kwargs: Any) -> UnreadableBody:
    with pytest.raises(UnreadableBody) as refused:
        read_body(event(body, content_type, **kwargs))
    return refused.value


def values(read: ReadBody) -> dict[str, str]:
    return dict(read.fields)


# -- what used to be a 500 ---------------------------------------------------------------------


def test_json_nested_thirty_thousand_deep_is_a_400() -> None:
    refused = refusal(b'{"x":' * 30_000 + b"1" + b"}" * 30_000, "application/json", base64_body=False)
    assert refused.status == 400
    assert f"{MAX_JSON_DEPTH} levels" in refused.message


def test_nesting_inside_strings_does_not_count() -> None:
    read = read_body(event(json.dumps({"message": "[[[{{{" * 100}).encode(), "application/json"))
    assert read.fields == {"message": "[[[{{{" * 100}


def test_an_integer_of_five_thousand_digits_is_a_400_naming_the_limit() -> None:
    refused = refusal(
        b'{"email": "a@b.co", "message": "x", "qty": ' + b"9" * 5_000 + b"}", "application/json"
    )
    assert refused.status == 400
    assert "5,000 digits" in refused.message


def test_an_empty_multipart_boundary_is_a_400() -> None:
    assert refusal(b"--\r\n", "multipart/form-data; boundary=").status == 400
    assert refusal(b"--\r\n", "multipart/form-data").status == 400
    assert refusal(b"--\r\n", "multipart/form-data; boundary=" + "x" * 71).status == 400


def test_invalid_base64_is_a_400() -> None:
    refused_event = {
        "headers": {"content-type": "application/json"},
        "body": "not base64!",
        "isBase64Encoded": True,
    }
    with pytest.raises(UnreadableBody) as refused:
        read_body(refused_event)
    assert refused.value.status == 400


def test_json_that_is_not_utf8_is_a_400() -> None:
    assert refusal('{"name": "李明"}'.encode("gbk"), "application/json").status == 400


def test_other_content_types_are_415() -> None:
    assert refusal(b"<inquiry/>", "application/xml").status == 415
    assert refusal(b"hello", "text/plain").status == 415


def test_a_body_over_the_limit_is_413() -> None:
    assert refusal(b"x" * (MAX_BODY_BYTES + 1), "application/x-www-form-urlencoded").status == 413


def test_a_lone_surrogate_survives_reading_and_the_model_replaces_it() -> None:
    read = read_body(
        event(b'{"email": "a@b.co", "message": "ok \\ud800", "note\\udfff": "x"}', "application/json")
    )
    submission = InquirySubmission.model_validate(json.loads(read.as_json()))
    assert submission.message == "ok \ufffd"
    assert submission.model_extra == {"note\ufffd": "x"}


# -- legacy charsets: read and kept ----------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "charset"), [(CHINESE, "gbk"), (CHINESE, "gb18030"), (JAPANESE, "shift_jis")]
)
def test_an_unlabelled_multipart_post_in_a_legacy_charset_is_read(
    fields: list[tuple[str, str]], charset: str
) -> None:
    read = read_body(event(multipart(fields, charset), f"multipart/form-data; boundary={BOUNDARY}"))
    assert values(read) == dict(fields)
    assert read.charset is not None
    assert read.charset.endswith("(detected)")


@pytest.mark.parametrize(
    ("fields", "charset"), [(CHINESE, "gbk"), (JAPANESE, "shift_jis"), (JAPANESE, "euc-jp")]
)
def test_an_unlabelled_urlencoded_post_in_a_legacy_charset_is_read(
    fields: list[tuple[str, str]], charset: str
) -> None:
    read = read_body(event(urlencode(fields, encoding=charset).encode(), "application/x-www-form-urlencoded"))
    assert values(read) == dict(fields)


def test_the_charset_field_says_which_charset_and_is_not_kept() -> None:
    fields = [("_charset_", "Shift_JIS"), *JAPANESE, ("お名前", "テスト")]
    read = read_body(event(multipart(fields, "shift_jis"), f"multipart/form-data; boundary={BOUNDARY}"))
    assert values(read) == {**dict(JAPANESE), "お名前": "テスト"}
    assert read.charset == "cp932"


def test_a_content_type_charset_parameter_says_which_charset() -> None:
    body = b"name=Jos%E9+M%FCller&email=jose%40example.com&message=Bonjour"
    read = read_body(event(body, "application/x-www-form-urlencoded; charset=ISO-8859-1"))
    assert values(read)["name"] == "José Müller"


def test_utf8_forms_are_read_as_utf8_whatever_the_label_claims() -> None:
    read = read_body(
        event(urlencode(CHINESE).encode(), "application/x-www-form-urlencoded; charset=shift_jis")
    )
    assert values(read) == dict(CHINESE)
    assert read.charset is None


def test_raw_unescaped_utf8_in_a_urlencoded_body_is_read() -> None:
    read = read_body(event("name=李明&message=你好".encode(), "application/x-www-form-urlencoded"))
    assert values(read) == {"name": "李明", "message": "你好"}


def test_file_parts_are_named_not_kept() -> None:
    body = (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="drawing"; filename="plan.dwg"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + bytes(range(256))
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    read = read_body(event(body, f'multipart/form-data; boundary="{BOUNDARY}"'))
    assert read.fields == {"drawing": {"filename": "plan.dwg"}}


def test_the_largest_honest_form_fits_in_the_body_limit() -> None:
    # Every known field at its maxLength in 4-byte characters, percent-encoded as a browser does
    # (12 bytes each), plus the kept extra fields at their limits.
    properties = InquirySubmission.model_json_schema(mode="validation")["properties"]
    longest = {}
    for name, schema in properties.items():
        limit = schema.get("maxLength") or max(
            (s.get("maxLength", 0) for s in schema.get("anyOf", [])), default=0
        )
        longest[name] = "😀" * (limit or 20)
    for n in range(MAX_EXTRA_FIELDS):
        longest[f"{n:02d}".ljust(MAX_EXTRA_KEY_CHARS, "k")] = "😀" * MAX_EXTRA_VALUE_CHARS
    body = "&".join(f"{quote(k)}={quote(v)}" for k, v in longest.items()).encode()
    assert len(body) < MAX_BODY_BYTES
    read = read_body(event(body, "application/x-www-form-urlencoded"))
    assert read.fields["message"] == longest["message"]


def test_repeated_form_fields_are_joined_and_blank_ones_dropped() -> None:
    read = read_body(
        event(b"product=LED&product=Solar&company=&company=Sol", "application/x-www-form-urlencoded")
    )
    assert read.fields == {"product": "LED, Solar", "company": "Sol"}
