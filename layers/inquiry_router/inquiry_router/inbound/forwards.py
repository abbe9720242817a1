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

# Only the field name is matched; its value is the rest of the line, stripped in Python. (A lazy
# `(?P<value>.+?)\s*$` was quadratic: 40,000 spaces inside the value took 4 s.)
_FROM = re.compile(r"\s*\*?(?:From|De|Von|发件人)\*?\s*[:：]", re.IGNORECASE)
_MAILTO = re.compile(r"\[mailto:(?P<address>[^\]\s]+)\]", re.IGNORECASE)
# A header line of a forwarded block: a short field name, then a colon. Matched on the first
# `_NAME_CHARS` characters of the line only: its overlapping runs cost at most that squared.
_HEADER_LINE = re.compile(r"\*?[\w\u4e00-\u9fff -]{1,30}\*?\s*[:：]")
_NAME_CHARS = 40  # what a field name and its colon can take
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
        value = lines[index][match.end() :].strip() if match else ""
        if value:
            mailto = _MAILTO.search(value)
            if mailto:  # Outlook: "Ahmed Karim [mailto:ahmed@gulf-electrics.ae]"
                name, address = _MAILTO.sub("", value).strip(), mailto.group("address")
            else:
                name, address = parseaddr(value)
            address = address.strip().lower()
            if "@" not in address:
                return None
            return index, name.strip().strip('"'), address
        if lines[index].strip() and not _is_header_line(lines[index]):
            return None  # body text before any From: line: not a header block
    return None


def _after_header_block(lines: list[str], from_index: int) -> str:
    index = from_index
    while index < len(lines) and lines[index].strip() and _is_header_line(lines[index]):
        index += 1
    return "\n".join(lines[index:]).strip()


def _is_header_line(line: str) -> bool:
    return bool(_HEADER_LINE.match(line.lstrip()[:_NAME_CHARS]))
