"""The body of `POST /inquiries` read into fields, or refused with a status and words a person can act on.

Read here, before Powertools sees the request, because every way a parser can fail on attacker
input must end as a 4xx, never as a 500: JSON nested thousands deep (RecursionError), integers
past Python's digit limit, invalid base64, multipart without a usable boundary, bytes that are not
UTF-8. And an honest form in a legacy charset must be read, not refused: a browser posts a form in
its page's charset (GBK, Shift_JIS...), says so only through a `_charset_` field when the form has
one, and rarely in a Content-Type charset parameter. Without a label, and when the bytes are not
UTF-8, the charset is detected (chardet) and the inquiry records which charset was assumed.

The result is handed on as plain JSON, so Powertools' validation sees one shape for every encoding:
a JSON body as sent, a form as {name: value} (repeated names joined, models/submission.py).
"""

from __future__ import annotations

import base64
import binascii
import codecs
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from inquiry_router.models.submission import form_fields

if TYPE_CHECKING:
    from email.message import Message

# The largest honest form: every field at its maxLength in 4-byte characters, percent-encoded
# (12 bytes each), plus the kept extra fields, is about 0.6 MB (tests/unit/test_request_body.py).
MAX_BODY_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 20  # a form is flat; nesting only ever reaches extra fields, which keep scalars
MAX_NUMBER_DIGITS = 4_300  # Python's own limit for int(), which json.loads would hit with a ValueError
JSON = "application/json"
URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
FORM_TYPES = (URLENCODED, MULTIPART)
CHARSET_FIELD = "_charset_"

_PARAMETER = re.compile(r';\s*([!#$%&\'*+.^_`|~0-9A-Za-z-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')
_BOUNDARY = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]")  # RFC 2046
_JSON_NESTING = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
# WHATWG encoding labels a browser sends, mapped to the Python codec that decodes what browsers
# actually write under them (the vendor supersets); any other label goes to codecs.lookup.
_SUPERSETS = {
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "x-gbk": "gb18030",
    "chinese": "gb18030",
    "csgb2312": "gb18030",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "ms_kanji": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "big5": "big5hkscs",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-2022-jp": "iso2022_jp_ext",
}


class UnreadableBody(Exception):
    """The body cannot be read as a submission; `status` is the HTTP answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class ReadBody:
    media_type: str  # application/json, or one of FORM_TYPES
    fields: Any  # a JSON value as sent, or {name: value} for a form
    charset: str | None = None  # how a form's bytes were read, when not UTF-8 ("cp932 (detected)")

    @property
    def is_form(self) -> bool:
        return self.media_type in FORM_TYPES

    def as_json(self) -> str:
        # ASCII escapes, so a lone surrogate travels as text; the model replaces it.
        return json.dumps(self.fields)


def media_type_of(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def read_body(event: Mapping[str, Any]) -> ReadBody:
    """The event's body as fields; raises UnreadableBody with the answer to give."""
    raw = _raw_bytes(event)
    content_type = _header(event, "content-type")
    media_type = media_type_of(content_type)
    if len(raw) > MAX_BODY_BYTES:
        raise UnreadableBody(
            413, f"The submission is {len(raw):,} bytes; the limit is {MAX_BODY_BYTES:,} bytes."
        )
    parameters = _parameters(content_type or "")
    if media_type in ("", JSON) or media_type.endswith("+json"):
        return ReadBody(JSON, _json_value(raw, parameters.get("charset")))
    if media_type == URLENCODED:
        pairs = [
            (k.encode("latin-1"), v.encode("latin-1"))
            for k, v in parse_qsl(raw.decode("latin-1"), keep_blank_values=True, encoding="latin-1")
        ]
        return _form(URLENCODED, pairs, parameters.get("charset"))
    if media_type == MULTIPART:
        boundary = parameters.get("boundary", "")
        if not _BOUNDARY.fullmatch(boundary):
            raise UnreadableBody(
                400,
                "A multipart/form-data body needs a boundary of 1 to 70 letters, digits or "
                "'()+_,-./:=? in its Content-Type.",
            )
        return _form(MULTIPART, _multipart_pairs(raw, boundary), parameters.get("charset"))
    raise UnreadableBody(
        415, "Send the form as application/json, application/x-www-form-urlencoded or multipart/form-data."
    )


# -- the bytes ---------------------------------------------------------------------------------


def _header(event: Mapping[str, Any], name: str) -> str | None:
    headers = event.get("headers") or {}
    return next((str(v) for k, v in headers.items() if str(k).lower() == name), None)


def _raw_bytes(event: Mapping[str, Any]) -> bytes:
    body = event.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise UnreadableBody(400, "The request body could not be read.")
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise UnreadableBody(400, "The request body is marked base64 but is not valid base64.") from None
    # API Gateway hands text bodies over as valid UTF-8; a lone surrogate in a hand-made event is
    # kept as the bytes UTF-8 would give it, and refused below as invalid UTF-8.
    return body.encode("utf-8", errors="surrogatepass")


def _parameters(content_type: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in _PARAMETER.findall(content_type):
        text = value.strip()
        if len(text) >= 2 and text[0] == text[-1] == '"':
            text = re.sub(r"\\(.)", r"\1", text[1:-1])
        found.setdefault(name.lower(), text)
    return found


def python_codec(label: str | None) -> str | None:
    """The codec to read a WHATWG encoding label with, or None when Python knows no such charset."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    try:
        return codecs.lookup(_SUPERSETS.get(name, name)).name
    except LookupError:
        return None


# -- JSON --------------------------------------------------------------------------------------


def _json_value(raw: bytes, charset: str | None) -> Any:
    codec = python_codec(charset) or "utf-8"
    try:
        text = raw.decode("utf-8-sig" if codec == "utf-8" else codec)
    except UnicodeDecodeError:
        raise UnreadableBody(400, f"The JSON body is not valid {charset or 'UTF-8'} text.") from None
    if not text.strip():
        raise UnreadableBody(400, "The request body is empty; send the form's fields as a JSON object.")
    if _json_depth(text) > MAX_JSON_DEPTH:
        raise UnreadableBody(400, f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep.")
    try:
        return json.loads(text, parse_int=_bounded_int)
    except _NumberTooLong as long_number:
        raise UnreadableBody(
            400,
            f"A number in the JSON body has {long_number.digits:,} digits; numbers may have at most "
            f"{MAX_NUMBER_DIGITS:,} (send longer ones as text).",
        ) from None
    except json.JSONDecodeError as error:
        raise UnreadableBody(400, f"The request body is not valid JSON ({error.msg}).") from None


def _json_depth(text: str) -> int:
    """How deep brackets nest outside strings (never less than json.loads would recurse)."""
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return 0
    depth = deepest = 0
    for token in _JSON_NESTING.finditer(text):
        mark = token.group()
        if mark in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif mark in "]}":
            depth -= 1
    return deepest


class _NumberTooLong(ValueError):
    def __init__(self, digits: int) -> None:
        super().__init__(digits)
        self.digits = digits


def _bounded_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_NUMBER_DIGITS:
        raise _NumberTooLong(digits)
    return int(text)


# -- forms -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _File:
    """A file input's part: only its name is kept (uploads are not part of an inquiry)."""

    filename: bytes


def _multipart_pairs(raw: bytes, boundary: str) -> list[tuple[bytes, bytes | _File]]:
    # The stdlib mail parser reads MIME as it comes from the wild (LF-only lines, preambles,
    # quoted parameters) and never raises on malformed input. Loaded on the first multipart post
    # only (~10 ms): scripts send JSON and plain forms urlencoded.
    from email.parser import BytesParser
    from email.policy import HTTP

    head = f'Content-Type: multipart/form-data; boundary="{boundary}"\r\n\r\n'.encode()
    message = BytesParser(policy=HTTP).parsebytes(head + raw)
    pairs: list[tuple[bytes, bytes | _File]] = []
    for part in message.iter_parts() if message.is_multipart() else ():
        name = _parameter_bytes(part, "name")
        if name is None or part.is_multipart():
            continue
        filename = _parameter_bytes(part, "filename")
        payload = part.get_payload(decode=True)
        value = payload if isinstance(payload, bytes) else b""
        pairs.append((name, _File(filename) if filename is not None else value))
    return pairs


def _parameter_bytes(part: Message, name: str) -> bytes | None:
    """A Content-Disposition parameter as the bytes the browser sent (in its page's charset)."""
    disposition = next((v for k, v in part.raw_items() if k.lower() == "content-disposition"), None)
    if disposition is None:
        return None
    value = _parameters(";" + str(disposition).split(";", 1)[-1]).get(name)
    # The parser keeps 8-bit header bytes as surrogate escapes: give back the bytes themselves.
    return None if value is None else value.encode("utf-8", errors="surrogateescape")


def _form(
    media_type: str, pairs: Sequence[tuple[bytes, bytes | _File]], charset_parameter: str | None
) -> ReadBody:
    label = next((v for k, v in pairs if k == CHARSET_FIELD.encode() and isinstance(v, bytes)), None)
    declared = label.decode("latin-1") if label else charset_parameter
    texts = [
        p for pair in pairs for p in (pair[0], pair[1] if isinstance(pair[1], bytes) else pair[1].filename)
    ]
    codec, charset = _form_codec(texts, declared)
    fields: dict[str, list[Any]] = {}
    for key, value in pairs:
        name = _decoded(key, codec)
        if name == CHARSET_FIELD:
            continue
        item: Any = (
            {"filename": _decoded(value.filename, codec)}
            if isinstance(value, _File)
            else _decoded(value, codec)
        )
        fields.setdefault(name, []).append(item)
    return ReadBody(media_type, form_fields(fields), charset)


def _form_codec(texts: Iterable[bytes], declared: str | None) -> tuple[str, str | None]:
    """The codec to read the form with, and how it was chosen (None for plain UTF-8)."""
    non_ascii = [t for t in texts if not t.isascii()]
    if not non_ascii:
        return "utf-8", None
    declared_codec = python_codec(declared)
    if declared_codec and _reads(non_ascii, declared_codec):
        return declared_codec, None if declared_codec == "utf-8" else declared_codec
    if _reads(non_ascii, "utf-8"):
        return "utf-8", None
    detected = _detect(b"\n".join(non_ascii))
    if detected and _reads(non_ascii, detected):
        return detected, f"{detected} (detected)"
    return "cp1252", "cp1252 (unreadable bytes replaced)"


def _reads(texts: Iterable[bytes], codec: str) -> bool:
    try:
        for text in texts:
            text.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def _detect(data: bytes) -> str | None:
    import chardet  # loaded only for the rare unlabelled legacy-charset form (~30 ms)

    guess = chardet.detect(data, prefer_superset=True)
    return python_codec(guess.get("encoding"))


def _decoded(data: bytes, codec: str) -> str:
    return data.decode(codec, errors="replace")
