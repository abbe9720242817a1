"""Who a forwarded mail is really from: when a rep forwards a buyer's mail to sales@ so that it is
filed, the buyer is in the forwarded header block ("From: Ana García <ana@importadora-sol.es>"),
not in the envelope.

Gmail ("---------- Forwarded message ---------"), Apple Mail ("Begin forwarded message:") and
Outlook ("From: … / Sent: …", also as "From: Name [mailto:ana@…]") are read, in English, Spanish,
French, German and Chinese. The first such block wins: it is the most recent forward.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parseaddr

from inquiry_router.inbound.quotes import FORWARD_MARKER, OUTLOOK_SENT

_FROM = re.compile(r"^\s*\*?(?:From|De|Von|发件人)\*?\s*[:：]\s*(?P<value>.+?)\s*$", re.IGNORECASE)
_MAILTO = re.compile(r"\[mailto:(?P<address>[^\]\s]+)\]", re.IGNORECASE)
_HEADER_LINE = re.compile(r"^\s*\*?[\w\u4e00-\u9fff -]{1,30}\*?\s*[:：]")
_BLOCK_LINES = 8


@dataclass(frozen=True, slots=True)
class ForwardedMail:
    name: str
    address: str  # lower case
    text: str  # what follows the forwarded header block: the buyer's own message


def forwarded_sender(text: str) -> ForwardedMail | None:
    lines = text.replace("\r\n", "\n").split("\n")
    for index, line in enumerate(lines):
        marker = bool(FORWARD_MARKER.match(line))
        start = index + 1 if marker else index
        found = _from_line(lines, start)
        if found is None:
            continue
        from_index, name, address = found
        outlook_block = any(OUTLOOK_SENT.match(c) for c in lines[from_index + 1 : from_index + _BLOCK_LINES])
        if not (marker or outlook_block):
            continue
        return ForwardedMail(name, address, _after_header_block(lines, from_index))
    return None


def _from_line(lines: list[str], start: int) -> tuple[int, str, str] | None:
    """The block's From line at `start` (or within the few header lines after a marker)."""
    for index in range(start, min(start + _BLOCK_LINES, len(lines))):
        match = _FROM.match(lines[index])
        if match:
            value = match.group("value")
            mailto = _MAILTO.search(value)
            if mailto:  # Outlook: "Ahmed Karim [mailto:ahmed@gulf-electrics.ae]"
                name, address = _MAILTO.sub("", value).strip(), mailto.group("address")
            else:
                name, address = parseaddr(value)
            address = address.strip().lower()
            if "@" not in address:
                return None
            return index, name.strip().strip('"'), address
        if lines[index].strip() and not _HEADER_LINE.match(lines[index]):
            return None  # body text before any From: line: not a header block
    return None


def _after_header_block(lines: list[str], from_index: int) -> str:
    index = from_index
    while index < len(lines) and lines[index].strip() and _HEADER_LINE.match(lines[index]):
        index += 1
    return "\n".join(lines[index:]).strip()
