"""A raw inbound message (as SES stores it in S3) read into what screening and intake need.

`parse_message` never raises: a message that cannot be read at all comes back with
`unparseable_reason` set (and screening answers `unparseable`), so one broken mail can never
block the others in a batch or send the receipt function into retries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.feedparser import BytesFeedParser
from email.message import Message
from email.parser import HeaderParser
from email.policy import Compat32
from email.utils import parsedate_to_datetime
from typing import Any

from inquiry_router.base.language import detect_language
from inquiry_router.inbound.charsets import decode_text
from inquiry_router.inbound.headers import address_pairs, header_text, message_ids
from inquiry_router.inbound.html_text import html_to_text
from inquiry_router.inbound.quotes import strip_quoted
from inquiry_router.inbound.reports import (
    NOT_SCANNED,
    ReportedRecipient,
    ScannedFailures,
    may_be_bounce,
    report_fields_text,
    reported_recipients,
    scan_failures,
)

# Deeper nesting is a mail bomb or a loop, never a buyer's message.
MAX_NESTING = 30
# Header values are cut to these sizes as they are read, before anything parses them: the MIME
# ones (Content-*) hold a type and a few parameters, and the stdlib's parameter parser is
# quadratic in the semicolons of a quoted value; any other (a long To, References) is read
# by linear code but still cut, for the record's sake. More parts than MAX_PARTS are not read.
MAX_HEADER_CHARS = 64_000
MAX_MIME_HEADER_CHARS = 2_000
MAX_PARTS = 500
CHUNK = 1 << 20  # what the parser is fed at a time
_WHITESPACE = str.maketrans("", "", " \t\r\n")
_REPORT_FIELD_TYPES = {
    "message/delivery-status": "delivery-status",
    "message/feedback-report": "feedback-report",
}
_REPORT_SIDE_TYPES = frozenset({"text/rfc822-headers", "message/disposition-notification"})
MAX_RETURNED = 5  # originals read from one message: a report returns one, a digest of complaints a few
RETURNED_HEADERS_LIMIT = 64_000  # a text/rfc822-headers part is a header block, never this long
QUOTED_ID_SCAN_LIMIT = 200_000  # characters of body text searched for an original's Message-ID line
# An original quoted as text (qmail, DragonFly, Exim bounces): "Message-Id: <…>", maybe "> "-quoted.
_QUOTED_MESSAGE_ID = re.compile(
    r"^[ \t>]{0,20}Message-ID[ \t]{0,10}:[ \t]{0,10}(<[^<>\s]{1,250}>)", re.I | re.M
)
# A MIME delimiter line (RFC 2046: a boundary has 1 to 70 characters, no quote in ours).
_DELIMITER = re.compile(r"^--([0-9A-Za-z'()+_,./:=?-]{1,70})[ \t]*\r?$", re.M)
BOUNDARY_SEARCH_LIMIT = 20_000  # characters of a boundary-less multipart searched for its delimiter
# Microsoft's complaint loop (JMRP) names the complainer in the returned original.
_COMPLAINT_RECIPIENT_HEADER = "x-hmxmroriginalrecipient"


@dataclass(frozen=True, slots=True)
class Address:
    name: str
    address: str  # lower case

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str
    size: int  # decoded bytes
    content_type: str
    inline: bool = False  # shown in the body (an embedded image), not a file the sender attached


@dataclass(frozen=True, slots=True)
class ReturnedMessage:
    """The original a bounce or complaint sends back, whole or as its headers: what it was and to whom."""

    message_id: str | None
    recipients: tuple[str, ...]  # its To, or the recipient a complaint loop recorded in it
    headers_only: bool = False  # a text/rfc822-headers part rather than the whole message


@dataclass(frozen=True, slots=True)
class ParsedMail:
    from_address: Address | None = None
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    subject: str = ""
    date: datetime | None = None
    message_id: str | None = None
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    # Every header field, decoded, in message order; screening reads the ones it needs.
    headers: tuple[tuple[str, str], ...] = ()
    content_type: str = "text/plain"
    report_type: str | None = None  # of a multipart/report: delivery-status, feedback-report…
    reported_recipients: tuple[ReportedRecipient, ...] = ()
    # The originals a bounce or complaint returns (attached, or as a headers part), and Message-ID
    # lines of originals quoted as text: what a report must name before we believe it.
    returned: tuple[ReturnedMessage, ...] = ()
    quoted_message_ids: tuple[str, ...] = ()
    # Recipients Mailman's bounce detectors found failing, in mail that looks like a bounce.
    scanned_failures: ScannedFailures = NOT_SCANNED
    text: str = ""  # the sender's own words: quoted history and signature removed
    full_text: str = ""  # the readable body as sent
    html_only: bool = False
    attachments: tuple[Attachment, ...] = ()
    language: str | None = None
    charset_problems: tuple[str, ...] = ()
    defects: tuple[str, ...] = ()
    headers_cut: tuple[str, ...] = ()  # header fields shortened as they were read (marked "…")
    unparseable_reason: str | None = None

    def header(self, name: str) -> str | None:
        """The first value of header `name` (any case), or None."""
        return next(iter(self.header_values(name)), None)

    def header_values(self, name: str) -> list[str]:
        wanted = name.lower()
        return [value for header_name, value in self.headers if header_name.lower() == wanted]

    def as_json(self) -> dict[str, Any]:
        def address(value: Address | None) -> dict[str, str] | None:
            return {"name": value.name, "address": value.address} if value else None

        return {
            "from": address(self.from_address),
            "to": [address(a) for a in self.to],
            "cc": [address(a) for a in self.cc],
            "subject": self.subject,
            "date": self.date.isoformat() if self.date else None,
            "message_id": self.message_id,
            "in_reply_to": list(self.in_reply_to),
            "references": list(self.references),
            "content_type": self.content_type,
            "report_type": self.report_type,
            "reported_recipients": [
                {"address": r.address, "action": r.action} for r in self.reported_recipients
            ],
            "returned": [
                {"message_id": r.message_id, "recipients": list(r.recipients), "headers_only": r.headers_only}
                for r in self.returned
            ],
            "quoted_message_ids": list(self.quoted_message_ids),
            "scanned_failures": {
                "permanent": list(self.scanned_failures.permanent),
                "temporary": list(self.scanned_failures.temporary),
            },
            "language": self.language,
            "text": self.text,
            "full_text": self.full_text,
            "html_only": self.html_only,
            "attachments": [
                {"name": a.name, "size": a.size, "content_type": a.content_type, "inline": a.inline}
                for a in self.attachments
            ],
            "charset_problems": list(self.charset_problems),
            "defects": list(self.defects),
            "headers_cut": list(self.headers_cut),
            "unparseable_reason": self.unparseable_reason,
        }


def parse_message(raw: bytes) -> ParsedMail:
    """Read a raw RFC 5322 message; never raises (see the module's docstring)."""
    view = memoryview(raw)
    return parse_chunks(bytes(view[start : start + CHUNK]) for start in range(0, len(raw), CHUNK))


def parse_chunks(chunks: Iterable[bytes]) -> ParsedMail:
    """Read a message arriving in pieces (e.g. an S3 body's `iter_chunks()`); never raises.

    Fed piece by piece, the parser never holds the whole message as one string next to its parsed
    parts: a 25 MB message peaks near 1.5 times its size instead of 6 (bench/parse_memory.py).
    """
    return read_chunks(chunks).parsed


@dataclass(frozen=True, slots=True)
class ReadMail:
    """The parse, and the MIME parts of its attachments (same order) for whoever stores them."""

    parsed: ParsedMail
    attachment_parts: tuple[Message, ...] = ()

    def attachment_payloads(self) -> Iterator[tuple[int, Attachment, bytes]]:
        """Each attachment's decoded bytes, one at a time: at most one is held in memory at once."""
        for index, (attachment, part) in enumerate(
            zip(self.parsed.attachments, self.attachment_parts, strict=True)
        ):
            yield index, attachment, _payload_bytes(part)


def read_chunks(chunks: Iterable[bytes]) -> ReadMail:
    """`parse_chunks`, keeping the attachments' parts; never raises."""
    try:
        parser = BytesFeedParser(policy=_BOUNDED_HEADERS)
        fed = 0
        for chunk in chunks:
            fed += len(chunk.strip()) if fed == 0 else len(chunk)
            parser.feed(chunk)
        if not fed:
            return ReadMail(ParsedMail(unparseable_reason="the message is empty"))
        message = parser.close()
        reader = _Reader(message, size=fed)
        return ReadMail(reader.parsed(), tuple(reader.attachment_parts))
    except (RecursionError, MemoryError) as error:
        reason = f"the message is nested too deeply or too large ({error!r})"
    except Exception as error:  # the stdlib's MIME code has many rare failure modes; none may escape
        reason = f"the mail parser failed: {type(error).__name__}: {error}"
    return ReadMail(ParsedMail(unparseable_reason=reason))


class _BoundedHeaders(Compat32):
    """Header values as plain strings, each cut to its size limit while the parser reads it.

    Not the default policy: its header classes parse every value they are asked for with a
    parser that took 0.26 s on a Content-Type of 1,000 quotes and minutes on 40,000.
    """

    def header_source_parse(self, sourcelines: list[str]) -> tuple[str, str]:
        name, value = super().header_source_parse(sourcelines)
        limit = header_limit(name)
        if len(value) <= limit:
            return name, value
        # Cut, with the marker the stored items use for a shortened value (adapters/item_size.py). A
        # one-mailbox header keeps its end, where the address is: a sender with a 450 KB display
        # name is still a sender to answer.
        if name.strip().lower() in _ONE_MAILBOX_HEADERS:
            half = (limit - 1) // 2
            return name, value[:half] + "…" + value[-(limit - 1 - half) :]
        return name, value[: limit - 1] + "…"


_ONE_MAILBOX_HEADERS = frozenset({"from", "sender", "reply-to", "return-path"})


def header_limit(name: str) -> int:
    return MAX_MIME_HEADER_CHARS if name.strip().lower().startswith("content-") else MAX_HEADER_CHARS


def _was_cut(name: str, value: str) -> bool:
    return len(value) == header_limit(name) and "…" in value


_BOUNDED_HEADERS = _BoundedHeaders()


@dataclass
class _Reader:
    message: Message
    size: int = 0  # bytes of the raw message
    problems: list[str] = field(default_factory=list)  # charset problems
    defects: list[str] = field(default_factory=list)
    attachment_parts: list[Message] = field(default_factory=list)
    returned: list[ReturnedMessage] = field(default_factory=list)

    def parsed(self) -> ParsedMail:
        raw_headers = list(self.message.raw_items())
        if not raw_headers:
            return ParsedMail(unparseable_reason="no header fields: not a mail message")
        headers = tuple((name, header_text(value, self.problems, name=name)) for name, value in raw_headers)
        raw_by_name: dict[str, list[str]] = {}
        for name, value in raw_headers:
            raw_by_name.setdefault(name.lower(), []).append(value)
        senders = address_pairs(raw_by_name.get("from", []), self.problems, name="From")
        plain, html, attachments, report_type, recipients = self._walk()
        full_text = plain if plain.strip() or not html.strip() else html_to_text(html)
        html_only = not plain.strip() and bool(html.strip())
        text = strip_quoted(full_text)
        subject = headers_first(headers, "subject") or ""
        scanned = NOT_SCANNED
        if may_be_bounce(
            subject=subject,
            from_header=headers_first(headers, "from"),
            return_path=headers_first(headers, "return-path"),
        ):
            scanned = scan_failures(self.message, self.size)
            if scanned.problem:
                self.defects.append(scanned.problem)
        own_id = headers_first(headers, "message-id")
        quoted_ids = [i for i in _QUOTED_MESSAGE_ID.findall(full_text[:QUOTED_ID_SCAN_LIMIT]) if i != own_id]
        return ParsedMail(
            from_address=Address(*senders[0]) if senders else None,
            to=self._addresses(raw_by_name, "to"),
            cc=self._addresses(raw_by_name, "cc"),
            subject=subject,
            date=_date(headers_first(headers, "date")),
            message_id=next(iter(message_ids(headers_first(headers, "message-id"))), None),
            in_reply_to=tuple(message_ids(headers_first(headers, "in-reply-to"))),
            references=tuple(message_ids(" ".join(raw_by_name.get("references", [])))),
            headers=headers,
            content_type=self.message.get_content_type(),
            report_type=report_type,
            reported_recipients=tuple(recipients),
            returned=tuple(self.returned),
            quoted_message_ids=tuple(dict.fromkeys(quoted_ids))[:MAX_RETURNED],
            scanned_failures=scanned,
            text=text,
            full_text=full_text,
            html_only=html_only,
            attachments=tuple(attachments),
            language=_language(subject, text, headers_first(headers, "content-language")),
            charset_problems=tuple(dict.fromkeys(self.problems)),
            defects=tuple(dict.fromkeys(self.defects)),
            headers_cut=tuple(dict.fromkeys(name for name, value in raw_headers if _was_cut(name, value))),
        )

    def _addresses(self, raw_by_name: dict[str, list[str]], name: str) -> tuple[Address, ...]:
        pairs = address_pairs(raw_by_name.get(name, []), self.problems, name=name.title())
        return tuple(Address(display, address) for display, address in pairs)

    def _walk(self) -> tuple[str, str, list[Attachment], str | None, list[ReportedRecipient]]:
        plain: list[str] = []
        html: list[str] = []
        attachments: list[Attachment] = []
        report_type: str | None = None
        recipients: list[ReportedRecipient] = []
        for count, (part, _) in enumerate(self._parts(self.message, 0)):
            if count == MAX_PARTS:
                self.defects.append(f"TooManyParts({MAX_PARTS})")
                break
            self.defects.extend(type(defect).__name__ for defect in part.defects)
            content_type = part.get_content_type()
            if content_type == "multipart/report" and report_type is None:
                report_type = str(part.get_param("report-type") or "").lower() or None
            if content_type.startswith("multipart/"):
                continue
            if content_type in _REPORT_FIELD_TYPES:
                # A report part outside multipart/report (a broken or missing Content-Type above it)
                # still says what it is.
                report_type = report_type or _REPORT_FIELD_TYPES[content_type]
                recipients.extend(reported_recipients(report_fields_text(part)))
            elif content_type == "text/rfc822-headers":
                self._keep_returned(_returned_headers(part))
            elif content_type in _REPORT_SIDE_TYPES:
                continue
            elif _is_body_text(part):
                decoded = self._part_text(part)
                (html if content_type == "text/html" else plain).append(decoded)
            else:
                if content_type == "message/rfc822":
                    self._keep_returned(_returned_message(part, self.problems))
                attachments.append(_attachment(part))
                self.attachment_parts.append(part)
        if report_type == "feedback-report" and not recipients and self.returned:
            # An ARF report without Original-Rcpt-To: the complainer is whom the returned mail was to.
            recipients.extend(ReportedRecipient(address, None) for address in self.returned[0].recipients)
        return "\n\n".join(plain), "\n".join(html), attachments, report_type, recipients

    def _parts(self, part: Message, depth: int) -> Iterator[tuple[Message, int]]:
        """Every part to look at; an attached message is one attachment, not more body text."""
        yield part, depth
        if not part.get_content_type().startswith("multipart/"):
            return
        if depth >= MAX_NESTING:
            self.defects.append(f"NestedTooDeeply({MAX_NESTING})")
            return
        payload = part.get_payload()
        if isinstance(payload, str):
            recovered = _with_boundary_found(part, payload)
            if recovered is None:
                return
            self.defects.append("BoundaryRecovered")
            payload = recovered.get_payload()
        for child in payload if isinstance(payload, list) else []:
            if isinstance(child, Message):
                yield from self._parts(child, depth + 1)

    def _part_text(self, part: Message) -> str:
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            return ""
        charset = part.get_param("charset")
        label = charset if isinstance(charset, str) else None
        decoded = decode_text(data, label, where=part.get_content_type())
        if decoded.problem:
            self.problems.append(decoded.problem)
        return decoded.text

    def _keep_returned(self, returned: ReturnedMessage | None) -> None:
        if returned and len(self.returned) < MAX_RETURNED:
            self.returned.append(returned)


def headers_first(headers: tuple[tuple[str, str], ...], name: str) -> str | None:
    return next((value for header_name, value in headers if header_name.lower() == name), None)


def _with_boundary_found(part: Message, body: str) -> Message | None:
    """A multipart whose boundary parameter a broken Content-Type swallowed (`charset="utf-8\\";`, an
    unclosed quote): its parts are still delimited in the body, so parse it again with the delimiter
    found there. Vendor DSNs do this; without it the whole report reads as an empty message."""
    found = _DELIMITER.search(body[:BOUNDARY_SEARCH_LIMIT])
    if not found or f"--{found.group(1)}--" not in body:
        return None
    header = f'Content-Type: {part.get_content_type()}; boundary="{found.group(1)}"\r\n\r\n'
    reparsed = BytesFeedParser(policy=_BOUNDED_HEADERS)
    reparsed.feed((header + body).encode("ascii", "surrogateescape"))
    recovered = reparsed.close()
    return recovered if recovered.is_multipart() else None


def _returned_message(part: Message, problems: list[str]) -> ReturnedMessage | None:
    payload = part.get_payload()
    if not (isinstance(payload, list) and payload and isinstance(payload[0], Message)):
        return None
    return _returned(list(payload[0].raw_items()), problems, headers_only=False)


def _returned_headers(part: Message) -> ReturnedMessage | None:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return None
    text = decode_text(data[:RETURNED_HEADERS_LIMIT], None, where="text/rfc822-headers").text
    block = HeaderParser(policy=_BOUNDED_HEADERS).parsestr(text.lstrip("\r\n"), headersonly=True)
    return _returned([(name, str(value)) for name, value in block.raw_items()], [], headers_only=True)


def _returned(raw: list[tuple[str, str]], problems: list[str], *, headers_only: bool) -> ReturnedMessage:
    def values(name: str) -> list[str]:
        return [str(value) for header, value in raw if header.lower() == name]

    ids = message_ids(" ".join(values("message-id")))
    complainer = address_pairs(values(_COMPLAINT_RECIPIENT_HEADER), problems, name="X-HmXmrOriginalRecipient")
    pairs = complainer or address_pairs(values("to"), problems, name="To")
    return ReturnedMessage(
        message_id=ids[0] if ids else None,
        recipients=tuple(dict.fromkeys(address for _, address in pairs)),
        headers_only=headers_only,
    )


def _is_body_text(part: Message) -> bool:
    if part.get_content_type() not in ("text/plain", "text/html"):
        return False
    return part.get_content_disposition() != "attachment" and not part.get_filename()


def _attachment(part: Message) -> Attachment:
    content_type = part.get_content_type()
    filename = part.get_filename()
    if not filename and content_type == "message/rfc822":
        filename = "attached message.eml"
    name = header_text(filename, [], name="filename") if isinstance(filename, str) else "unnamed"
    inline = content_type.startswith("image/") and (
        part.get_content_disposition() == "inline" or bool(str(part.get("Content-ID") or ""))
    )
    return Attachment(name=name, size=_decoded_size(part), content_type=content_type, inline=inline)


def _decoded_size(part: Message) -> int:
    payload = part.get_payload()
    if (
        isinstance(payload, str)
        and str(part.get("Content-Transfer-Encoding", "")).strip().lower() == "base64"
    ):
        # Counted, not decoded: learning a 25 MB attachment's size must not copy it twice more.
        compact = payload.translate(_WHITESPACE)
        return len(compact) * 3 // 4 - compact[-2:].count("=")
    data = part.get_payload(decode=True)
    if isinstance(data, bytes):
        return len(data)
    if isinstance(payload, list):  # an attached message
        return sum(len(str(child)) for child in payload)
    return len(str(payload or ""))


def _payload_bytes(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    if isinstance(data, bytes):
        return data
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        try:  # an attached message: stored as the .eml it is
            return payload[0].as_bytes()
        except Exception:
            return str(payload[0]).encode("utf-8", "replace")
    return str(payload or "").encode("utf-8", "replace")


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (ValueError, TypeError, IndexError, OverflowError):
        return None  # a missing or invented date is common and harmless


def _language(subject: str, text: str, content_language: str | None) -> str | None:
    # The script the buyer writes in beats Content-Language, which Outlook fills with the Office
    # UI's language rather than the message's.
    return detect_language(None, None, f"{subject}\n{text}") or detect_language(content_language, None, None)
