"""Reading real-world messages: charsets, transfer encodings, HTML-only bodies, attachments."""

from __future__ import annotations

import pytest

from inquiry_router.inbound.parse import Attachment, parse_chunks, parse_message
from tests.unit.inbound.mails import fixture


def test_gbk_mail_decodes_subject_name_and_body_including_characters_outside_gb2312() -> None:
    parsed = parse_message(fixture("chinese_gbk.eml"))
    assert parsed.subject == "询价：LED路灯 镕"  # 镕 exists in GBK only; the label says gb2312
    assert parsed.from_address is not None
    assert parsed.from_address.name == "王伟"
    assert "需要采购5000个LED灯泡" in parsed.text
    assert parsed.language == "zh"
    assert parsed.charset_problems == ()


def test_chinese_quoted_original_is_stripped_but_kept_in_full_text() -> None:
    parsed = parse_message(fixture("chinese_gbk.eml"))
    assert "原始邮件" not in parsed.text
    assert "请查收附件" not in parsed.text
    assert "请查收附件" in parsed.full_text


def test_iso_2022_jp_mail_decodes_to_japanese() -> None:
    parsed = parse_message(fixture("japanese_iso2022jp.eml"))
    assert parsed.subject == "見積もりのお願い"
    assert parsed.from_address is not None
    assert parsed.from_address.name == "山田太郎"
    assert "LEDダウンライトを1000台購入したいです。" in parsed.text
    assert parsed.language == "ja"


def test_utf8_sent_under_a_latin_label_is_read_as_utf8_and_reported() -> None:
    parsed = parse_message(fixture("mislabelled_utf8.eml"))
    assert "Grüße aus München" in parsed.text
    assert parsed.from_address is not None
    assert parsed.from_address.name == "Jürgen Müller"
    assert parsed.charset_problems == ("text/plain: labelled 'iso-8859-1' but written in UTF-8",)


def test_gbk_bytes_labelled_utf8_fall_back_to_gb18030() -> None:
    parsed = parse_message(fixture("gbk_labelled_utf8.eml"))
    assert parsed.text == "您好，请报价一万个灯泡。"
    assert "read as gb18030" in parsed.charset_problems[0]


def test_html_only_outlook_mail_becomes_readable_text() -> None:
    parsed = parse_message(fixture("outlook_html.eml"))
    assert parsed.html_only
    assert "2 000 LED panels 600×600, 40 W" in parsed.text  # entities decoded, nbsp collapsed
    assert "trackOpen" not in parsed.full_text
    assert "margin-top" not in parsed.full_text
    assert "<div" not in parsed.full_text
    assert "Dear Sir or Madam,\n\nWe would like" in parsed.text
    assert parsed.from_address is not None
    assert parsed.from_address.name == "Ana Martínez"
    assert parsed.from_address.address == "ana.martinez@importadora-sol.es"


def test_multipart_alternative_prefers_plain_text_and_strips_gmail_quote() -> None:
    parsed = parse_message(fixture("gmail_alternative.eml"))
    assert not parsed.html_only
    assert parsed.text.endswith("Please quote FOB Shenzhen.")
    assert "booth" not in parsed.text
    assert "> Thank you for visiting our booth." in parsed.full_text
    assert parsed.message_id == "<CAF3x9ZkR2p+7Ab=q8Q@mail.gmail.com>"


def test_apple_mail_quoted_printable_and_signature() -> None:
    parsed = parse_message(fixture("apple_mail.eml"))
    assert parsed.subject == "Demande de prix – projecteurs"
    assert "livrés à Lyon ?" in parsed.text  # the soft line break is joined
    assert "Lumière Pro" not in parsed.text
    assert "Lumière Pro" in parsed.full_text
    assert parsed.date is not None
    assert parsed.date.isoformat() == "2024-06-05T14:22:10+02:00"


def test_winmail_dat_is_listed_not_parsed_and_inline_image_is_marked_inline() -> None:
    parsed = parse_message(fixture("winmail_inline_image.eml"))
    assert parsed.attachments == (
        Attachment("logo.png", 70, "image/png", inline=True),
        Attachment("winmail.dat", 1028, "application/ms-tnef", inline=False),
    )
    assert "Må leveres før 1. juli." in parsed.text  # windows-1252, quoted-printable, nested parts


def test_references_and_in_reply_to_are_lists_of_message_ids() -> None:
    parsed = parse_message(fixture("reply_with_reference.eml"))
    assert parsed.in_reply_to == ("<CAGmailTom123@mail.gmail.com>",)
    assert parsed.references == ("<CAGmailTom123@mail.gmail.com>",)
    assert parsed.to[0].address == "tom@example.com"


def test_delivery_report_lists_each_recipient_with_its_action() -> None:
    parsed = parse_message(fixture("dsn_bounce.eml"))
    assert parsed.report_type == "delivery-status"
    assert [(r.address, r.action) for r in parsed.reported_recipients] == [
        ("no.such.buyer@gmail.com", "failed"),
        ("slow.buyer@example.org", "delayed"),
    ]


def test_empty_and_headerless_input_is_unparseable_not_an_error() -> None:
    assert parse_message(b"").unparseable_reason == "the message is empty"
    assert parse_message(b"\x00\xff garbage without any header\r\n").unparseable_reason is not None


def test_unknown_charset_is_reported_and_read_anyway() -> None:
    raw = b"From: a@b.example\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\nhello\r\n"
    parsed = parse_message(raw)
    assert parsed.text == "hello"
    assert parsed.charset_problems == ("text/plain: unknown charset 'x-klingon'; read as utf-8",)


def test_raw_8bit_gbk_header_is_decoded() -> None:
    raw = b"From: a@b.example\r\nSubject: " + "询价单".encode("gbk") + b"\r\n\r\nhi\r\n"
    assert parse_message(raw).subject == "询价单"


@pytest.mark.parametrize("chunk", [1, 7, 1024])
def test_a_message_read_in_pieces_is_read_as_the_whole(chunk: int) -> None:
    """The receipt function feeds S3's stream piece by piece; boundaries may fall anywhere."""
    raw = fixture("chinese_gbk.eml")

    pieces = parse_chunks(raw[start : start + chunk] for start in range(0, len(raw), chunk))

    assert pieces == parse_message(raw)


def test_no_pieces_at_all_is_an_empty_message() -> None:
    assert parse_chunks(iter([b"", b"  \r\n"])).unparseable_reason == "the message is empty"
