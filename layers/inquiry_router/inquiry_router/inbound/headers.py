"""Header values as people read them: encoded words (RFC 2047) and raw 8-bit bytes in any charset."""

from __future__ import annotations

import re
from email.errors import HeaderParseError
from email.header import decode_header
from email.utils import getaddresses

from inquiry_router.inbound.charsets import decode_text

_FOLD = re.compile(r"\r?\n(?=[ \t])")
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


def header_text(raw: str, problems: list[str], *, name: str = "header") -> str:
    """The readable value of a header as the parser gave it (undecoded, maybe with 8-bit bytes)."""
    value = _FOLD.sub("", raw)
    if not value.isascii():
        # 8-bit bytes arrive as surrogates; senders write them in their local charset.
        decoded = decode_text(value.encode("utf-8", "surrogateescape"), None, where=name)
        value = decoded.text
    try:
        chunks = decode_header(value)
    except (HeaderParseError, ValueError, LookupError) as error:
        problems.append(f"{name}: cannot decode encoded words ({error})")
        return value.strip()
    pieces: list[str] = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            pieces.append(chunk)
        elif charset is None:
            pieces.append(chunk.decode("raw-unicode-escape", errors="replace"))
        else:
            decoded = decode_text(chunk, charset, where=name)
            if decoded.problem:
                problems.append(decoded.problem)
            pieces.append(decoded.text)
    return "".join(pieces).strip()


def address_pairs(raw_values: list[str], problems: list[str], *, name: str) -> list[tuple[str, str]]:
    """(display name, lower-cased address) for every mailbox in the header values."""
    unfolded = [_FOLD.sub("", value) for value in raw_values]
    pairs: list[tuple[str, str]] = []
    for display, address in getaddresses(unfolded):
        if "@" in address:
            pairs.append((header_text(display, problems, name=name), address.strip().lower()))
    if not pairs:
        # A header strict parsing rejects can still name the sender plainly; take the addresses.
        for value in unfolded:
            pairs.extend(("", found.lower()) for found in _ADDRESS.findall(value))
    return pairs


def message_ids(raw: str | None) -> list[str]:
    """Message-IDs as written, angle brackets included: `<abc@mail.example.com>`."""
    return _MESSAGE_ID.findall(raw or "")
