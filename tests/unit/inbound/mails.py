"""The hand-written .eml fixtures under tests/fixtures/mail, and small ways to vary them."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "mail"
COMPANY_DOMAINS = ("example.com",)
LOG_ADDRESS = "log@example.com"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def with_headers(raw: bytes, *headers: str) -> bytes:
    """`raw` with header lines put on top, as a relay (or SES) adds them."""
    return "".join(f"{header}\r\n" for header in headers).encode() + raw


def replacing(raw: bytes, old: str, new: str) -> bytes:
    assert old.encode() in raw, f"{old!r} is not in the fixture"
    return raw.replace(old.encode(), new.encode(), 1)
