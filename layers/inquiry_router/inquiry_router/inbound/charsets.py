"""Bytes to text for mail in any charset, including the ones senders get wrong.

Never raises: a label Python does not know, or bytes that do not match their label, fall back to
UTF-8, then to GB18030 (when the bytes read as Chinese), then to CP1252 with replacement characters.
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass

# Mail clients declare the standard name but write the vendor's superset; decoding with the
# superset reads the same text and the extra characters too (WHATWG does the same for the web).
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "gb_2312-80": "gb18030",
    "big5": "big5hkscs",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "x-sjis": "cp932",
    "sjis": "cp932",
    "iso-2022-jp": "iso2022_jp_ext",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-8-i": "iso-8859-8",
    "windows-874": "cp874",
    "utf8": "utf-8",
}
_NOT_CHARSETS = frozenset({"undefined", "unicode-escape", "raw-unicode-escape", "idna", "punycode"})
_CJK_SHARE_NEEDED = 0.8
_SINGLE_BYTE_CODECS = ("ascii", "cp125", "iso8859", "koi8", "latin", "mac-", "cp874")


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str
    problem: str | None = None  # why the declared charset was not used as is, for the parse's report


def python_codec(label: str | None) -> str | None:
    """The codec to read `label` with, or None when Python knows no such charset."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    name = _SUPERSETS.get(name, name)
    try:
        codec = codecs.lookup(name)
    except (LookupError, ValueError):  # a NUL or 8-bit bytes in the label (UnicodeError is a ValueError)
        return None
    # Python also names transforms (base64, zlib, rot13) and pseudo-codecs that are no charset.
    if not getattr(codec, "_is_text_encoding", True) or codec.name in _NOT_CHARSETS:
        return None
    return codec.name


def decode_text(data: bytes, label: str | None, *, where: str = "text") -> DecodedText:
    """`data` as text: the declared charset, else UTF-8, else GB18030 or CP1252."""
    codec = python_codec(label)
    if codec and codec.startswith(_SINGLE_BYTE_CODECS) and not data.isascii() and _is_utf8(data):
        # A single-byte charset reads anything, so UTF-8 sent under a Latin label would come out
        # as mojibake without an error; valid UTF-8 by accident is vanishingly rare in real text.
        return DecodedText(data.decode("utf-8"), f"{where}: labelled {label!r} but written in UTF-8")
    if codec:
        try:
            return DecodedText(data.decode(codec))
        except UnicodeError:
            pass  # mislabelled: the fallback below says so in the problem it reports
    text, codec_used = _guess(data)
    if not label:
        return DecodedText(text)
    if not codec:
        return DecodedText(text, f"{where}: unknown charset {label!r}; read as {codec_used}")
    return DecodedText(text, f"{where}: labelled {label!r} but not valid {label}; read as {codec_used}")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _guess(data: bytes) -> tuple[str, str]:
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass  # not UTF-8: try the next likely charset
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = ""
    if text and _mostly_cjk(text):
        return text, "gb18030"
    return data.decode("cp1252", errors="replace"), "cp1252"


def _mostly_cjk(text: str) -> bool:
    """GB18030 accepts many byte sequences; only trust it when the result reads as Chinese."""
    non_ascii = [char for char in text if ord(char) > 0x7F]
    if not non_ascii:
        return True
    cjk = sum(1 for char in non_ascii if unicodedata.name(char, "").startswith(("CJK", "FULLWIDTH")))
    return cjk >= len(non_ascii) * _CJK_SHARE_NEEDED
