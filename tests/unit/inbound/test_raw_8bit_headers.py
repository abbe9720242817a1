"""Raw 8-bit header bytes (RFC 6532 UTF-8, or a legacy charset): read as text everywhere a header
is read, never left as the surrogate escapes the stdlib parser hands over."""

from __future__ import annotations

import json
from typing import Any

import pytest

from inquiry_router.inbound.headers import address_pairs, message_ids
from inquiry_router.inbound.parse import ParsedMail, parse_message
from tests.unit.inbound.mails import fixture


def surrogates_in(value: Any) -> list[str]:
    """Every string anywhere in `value` that still holds a lone surrogate."""
    if isinstance(value, str):
        return [value] if any(0xD800 <= ord(c) <= 0xDFFF for c in value) else []
    if isinstance(value, dict):
        return [s for item in value.items() for s in surrogates_in(list(item))]
    if isinstance(value, (list, tuple)):
        return [s for item in value for s in surrogates_in(item)]
    return []


def everything(parsed: ParsedMail) -> list[Any]:
    return [parsed.as_json(), parsed.headers]


def test_raw_utf8_chinese_name_subject_and_recipient_name() -> None:
    parsed = parse_message(fixture("raw_utf8_chinese.eml"))

    assert parsed.from_address is not None
    assert (parsed.from_address.name, parsed.from_address.address) == ("李伟", "li.wei@shenzhen-trade.cn")
    assert parsed.subject == "询价：太阳能路灯 300 套"
    assert parsed.to[0].name == "销售部"
    assert parsed.message_id == "<20240610101105.询价.4711@shenzhen-trade.cn>"
    assert parsed.language == "zh"
    assert surrogates_in(everything(parsed)) == []


def test_raw_utf8_spanish_name_subject_cc_and_message_id() -> None:
    parsed = parse_message(fixture("raw_utf8_spanish.eml"))

    assert parsed.from_address is not None
    assert parsed.from_address.name == "José Pérez Núñez"
    assert parsed.subject == "Cotización de paneles LED — urgente"
    assert [(a.name, a.address) for a in parsed.cc] == [("Cotizaciones", "quotation@example.com")]
    assert parsed.message_id == "<CAF=ñandú.2024@mail.importadora-andina.com.co>"
    assert surrogates_in(everything(parsed)) == []


def test_raw_gbk_header_falls_back_to_the_legacy_charset_like_a_body() -> None:
    parsed = parse_message(fixture("raw_gbk_header.eml"))

    assert parsed.from_address is not None
    assert parsed.from_address.name == "王伟"
    assert parsed.subject == "询价：LED路灯 镕"  # 镕 is outside GB2312: read as GB18030
    assert parsed.to[0].name == "销售"
    assert "五千个LED灯泡" in parsed.text
    assert surrogates_in(everything(parsed)) == []


def test_raw_utf8_local_part_is_the_buyers_address() -> None:
    parsed = parse_message(fixture("raw_utf8_local_part.eml"))

    assert parsed.from_address is not None
    assert parsed.from_address.address == "josé@correos-sur.es"
    assert parsed.from_address.name == "José Gómez"
    assert surrogates_in(everything(parsed)) == []


@pytest.mark.parametrize(
    "header",
    ["From", "To", "Cc", "Reply-To", "Subject", "Message-ID", "In-Reply-To", "References", "X-Anything"],
)
def test_no_header_keeps_a_surrogate_whatever_bytes_it_holds(header: str) -> None:
    # Bytes that are neither UTF-8 nor GB18030 Chinese: the CP1252 fallback, never an escape.
    junk = b"\x81\x8d\x8f\x90\x9d \xe9\xff <x\xc3@y.example>"
    raw = b"From: a@b.example\r\n" + header.encode() + b": " + junk + b"\r\nSubject: s\r\n\r\nbody\r\n"

    parsed = parse_message(raw)

    assert parsed.unparseable_reason is None
    assert surrogates_in(everything(parsed)) == []
    assert json.dumps(parsed.as_json(), ensure_ascii=False).encode("utf-8")


def test_header_helpers_decode_what_the_parser_hands_over() -> None:
    escaped = "José <josé@correos-sur.es>".encode().decode("ascii", "surrogateescape")

    assert address_pairs([escaped], [], name="From") == [("José", "josé@correos-sur.es")]
    assert message_ids("<ñ@x.es>".encode().decode("ascii", "surrogateescape")) == ["<ñ@x.es>"]
