"""Header values as people read them: encoded words (RFC 2047) and raw 8-bit bytes in any charset.

The stdlib's bytes parser hands raw 8-bit header bytes (RFC 6532 UTF-8, or a sender's local
charset) over as surrogate escapes. `raw_header_text` turns them into text once, UTF-8 first and
then the same guesses as a body without a label; every reader below goes through it, so no
address, name or Message-ID keeps a surrogate.
"""

from __future__ import annotations

import re
from email.errors import HeaderParseError
from email.header import decode_header
from email.utils import getaddresses

from inquiry_router.inbound.charsets import decode_text

_FOLD = re.compile(r"\r?\n(?=[ \t])")
# A match starts only where a run of address characters starts (the lookbehind), and possessive
# runs give nothing back: linear. (Starting inside every run was quadratic on a long word.)
_ADDRESS = re.compile(r"(?<![\w.!#$%&'*+/=?^`{|}~-])[\w.!#$%&'*+/=?^`{|}~-]++@[\w-]++(?:\.[\w-]++)+")
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


def raw_header_text(raw: str, *, name: str = "header") -> str:
    """A header value as the parser gave it, its raw 8-bit bytes (surrogate escapes) decoded."""
    if raw.isascii():
        return raw
    # Text already decoded comes back unchanged: it re-encodes to the UTF-8 it is read as.
    return decode_text(raw.encode("utf-8", "surrogateescape"), None, where=name).text


def header_text(raw: str, problems: list[str], *, name: str = "header") -> str:
    """The readable value of a header as the parser gave it (undecoded, maybe with 8-bit bytes)."""
    value = raw_header_text(_FOLD.sub("", raw), name=name)
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
    unfolded = [raw_header_text(_FOLD.sub("", value), name=name) for value in raw_values]
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
    return _MESSAGE_ID.findall(raw_header_text(raw or "", name="Message-ID"))
