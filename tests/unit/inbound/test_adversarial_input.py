"""Attacker-sized input of the worst shape for each pattern and parser on the inbound path runs in
linear time: ~400 KB of it must be read well within a second or two (the function has 120 s; the
code before this test took from several seconds to hours on each of these)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from inquiry_router.inbound.forwards import forwarded_sender
from inquiry_router.inbound.html_text import html_to_text
from inquiry_router.inbound.parse import MAX_HEADER_CHARS, MAX_PARTS, parse_message
from inquiry_router.inbound.quotes import strip_quoted

SIZE = 400_000
LIMIT_SECONDS = 2.0  # generous for a loaded CI machine; the quadratic code needs minutes
SPACES = " " * SIZE
MARKER = "---------- Forwarded message ---------\n"


def seconds(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def header_mail(name: str, value: str, body: str = "hello") -> bytes:
    sender = "" if name == "From" else "From: Ana <ana@importadora-sol.es>\r\n"
    return f"{sender}{name}: {value}\r\nSubject: s\r\n\r\n{body}\r\n".encode()


TEXT_CASES = {
    # forwards.py: a lazy value then optional spaces to the end of the line.
    "forwarded From line with spaces inside its value": lambda: forwarded_sender(
        MARKER + "From: a" + SPACES + "b"
    ),
    # forwards.py: a header-line test whose leading and inner space runs overlap.
    "forwarded block line of spaces": lambda: forwarded_sender(MARKER + SPACES + "x"),
    # quotes.py: "Am … schrieb" followed by a bounded run and spaces.
    "attribution with many 'schrieb' and spaces": lambda: strip_quoted(
        "Am " + "schrieb " * 37 + SPACES + "x"
    ),
    # html_text.py: the stdlib HTMLParser rescans an unclosed tag from every "<".
    "html unclosed tags with attributes": lambda: html_to_text("<a b" * (SIZE // 4)),
    "html unclosed quoted attributes": lambda: html_to_text('<a b="' * (SIZE // 6)),
    "html unclosed comments": lambda: html_to_text("<!--" * (SIZE // 4)),
    "html unclosed end tags": lambda: html_to_text("</" * (SIZE // 2)),
}

MESSAGE_CASES = {
    # headers.py: the fallback address search started inside every run of letters.
    # (Values the address parser rejects, so that the fallback search runs over all of them.)
    "From header of one long word": header_mail("From", "a" * SIZE + ", <<ana@importadora-sol.es>"),
    "To header of one long domain": header_mail("To", "x@" + "a" * SIZE + ", <<y@z.example>"),
    # The stdlib's default-policy header parser, and its parameter parser.
    "Content-Type of quotes": header_mail("Content-Type", '"' * SIZE),
    "Content-Type of semicolons in a quoted value": header_mail(
        "Content-Type", 'text/plain; a="' + ";" * SIZE
    ),
    "Content-Disposition of semicolons": header_mail(
        "Content-Disposition", 'attachment; filename="' + ";" * SIZE
    ),
    "HTML body of unclosed tags": (
        b"From: a@b.example\r\nContent-Type: text/html\r\n\r\n" + b"<a b" * (SIZE // 4)
    ),
}


@pytest.mark.parametrize("case", TEXT_CASES)
def test_body_text_patterns_are_linear(case: str) -> None:
    assert seconds(TEXT_CASES[case]) < LIMIT_SECONDS, case


@pytest.mark.parametrize("case", MESSAGE_CASES)
def test_header_shapes_are_read_in_linear_time(case: str) -> None:
    raw = MESSAGE_CASES[case]
    assert seconds(lambda: parse_message(raw)) < LIMIT_SECONDS, case
    parsed = parse_message(raw)
    assert parsed.unparseable_reason is None
    assert all(len(value) <= MAX_HEADER_CHARS for _, value in parsed.headers)


def test_many_parts_of_hostile_headers_are_bounded() -> None:
    semicolons = ";" * 3_000
    part = (
        f'--b\r\nContent-Type: text/plain; a="{semicolons}"\r\n'
        f'Content-Disposition: attachment; filename="{semicolons}"\r\n\r\nx\r\n'
    )
    raw = (
        "From: a@b.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        + part * 2 * MAX_PARTS
        + "--b--\r\n"
    ).encode()

    assert seconds(lambda: parse_message(raw)) < 3 * LIMIT_SECONDS
    parsed = parse_message(raw)
    assert f"TooManyParts({MAX_PARTS})" in parsed.defects
    assert parsed.from_address is not None


def test_the_readable_text_survives_the_linear_scanner() -> None:
    html = (
        "<html><head><title>T</title><style>p{color:red}</style></head><body>"
        "<p>Hello&nbsp;<b>World</b> &amp; co</p><ul><li>one</li><li>two</li></ul>"
        "<table><tr><td>x</td><td>y</td></tr></table>"
        '<a href="a>b" title=it\'s>link</a><script>if (a<b) alert(1)</script><!-- hidden -->'
        ' 1 < 2 <br/>end<img src="data:image/png;base64,AAAA"></body></html>'
    )
    assert html_to_text(html) == "Hello World & co\n\n- one\n\n- two\n\nx y\n\nlink 1 < 2\nend"
