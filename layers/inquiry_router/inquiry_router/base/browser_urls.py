"""http(s) URLs read the way a browser reads them, or refused: the one check before we emit a URL.

Python's `urlsplit` and a browser disagree on inputs like `https://evil.test\\@www.example.com/`
(urlsplit: host www.example.com; a browser: host evil.test). So a URL that came from a request is
never compared or emitted as typed. It is parsed here by the WHATWG URL rules for the subset an
honest form produces, and anything outside that subset is refused rather than guessed at:
userinfo (`@`), backslashes, control characters anywhere (tabs and newlines included, which
browsers silently drop), `%` in the host, anything but exactly `//` after the scheme, numeric hosts
other than plain dotted IPv4, IPv6 literals, a trailing-dot host, ports out of range. The host goes
through IDNA (UTS 46, as browsers do), so fullwidth letters and ideographic dots map like a
browser maps them, and look-alike letters become their own punycode host. Default ports are
dropped. What is emitted is `BrowserUrl.href`, re-serialised from the parsed parts, never the input.

tests/unit/test_browser_urls.py checks every accepted URL against ada-url (a WHATWG parser).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import idna

DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_URL_CHARS = 8_192
# WHATWG strips leading and trailing "C0 control or space" before parsing.
_C0_OR_SPACE = "".join(chr(code) for code in range(0x21))
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_PORT = re.compile(r"[0-9]*")
_DOTTED_QUAD = re.compile(
    r"(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
)
_NUMERIC_LABEL = re.compile(r"[0-9]+|0[xX][0-9A-Fa-f]*")
_ASCII_HOST = re.compile(r"[a-z0-9.-]+")
# Kept as they are in path, query and fragment; everything else (space, quotes, <, >, non-ASCII...)
# is percent-encoded, as a browser would before sending the request.
_SAFE_IN_TAIL = "/?#[]@!$&'()*+,;=:%~"


@dataclass(frozen=True, slots=True)
class BrowserUrl:
    scheme: str  # http | https
    host: str  # lower case ASCII (punycode for IDN)
    port: int | None  # None when it is the scheme's default
    path: str  # percent-encoded, starts with "/"
    query: str  # percent-encoded, without "?"; "" when absent
    fragment: str | None  # percent-encoded, without "#"

    @property
    def origin(self) -> str:
        port = f":{self.port}" if self.port is not None else ""
        return f"{self.scheme}://{self.host}{port}"

    @property
    def href(self) -> str:
        query = f"?{self.query}" if self.query else ""
        fragment = f"#{self.fragment}" if self.fragment is not None else ""
        return f"{self.origin}{self.path}{query}{fragment}"

    def with_query(self, **params: str) -> str:
        """`href` with `params` appended to the query, before any fragment."""
        query = "&".join(q for q in (self.query, urlencode(params)) if q)
        fragment = f"#{self.fragment}" if self.fragment is not None else ""
        return f"{self.origin}{self.path}{'?' + query if query else ''}{fragment}"


def parse_browser_url(text: str | None) -> BrowserUrl | None:
    """The absolute http(s) URL a browser would navigate to for `text`, or None when refused."""
    if not text or len(text) > MAX_URL_CHARS:
        return None
    text = text.strip(_C0_OR_SPACE)
    if _CONTROL.search(text) or "\\" in text:
        return None
    scheme_match = _SCHEME.match(text)
    if scheme_match is None:
        return None
    scheme = scheme_match[1].lower()
    if scheme not in DEFAULT_PORTS:
        return None
    rest = text[scheme_match.end() :]
    # Exactly two slashes: `https:x`, `https:/x` and `https:///x` resolve differently with and
    # without a base URL, so they are refused rather than interpreted.
    if not rest.startswith("//") or rest.startswith("///"):
        return None
    rest = rest[2:]
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority, tail = rest[:end], rest[end:]
    if "@" in authority or "%" in authority:
        return None
    host_text, colon, port_text = authority.rpartition(":") if ":" in authority else (authority, "", "")
    host = _host(host_text)
    port = _port(port_text, scheme) if colon else None
    if host is None or port == -1:
        return None
    return _with_tail(scheme, host, port, tail)


def browser_origin(text: str | None) -> str | None:
    """`scheme://host[:port]` of `text` as a browser reads it, or None when refused."""
    url = parse_browser_url(text)
    return url.origin if url else None


def _host(text: str) -> str | None:
    if not text or text.endswith("."):
        return None
    try:
        # UTS 46 without transitional mapping, as the WHATWG URL standard asks; stricter IDNA 2008
        # rules on top (no "_", no leading hyphen, labels of at most 63), which only refuse more.
        host = idna.encode(text, uts46=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        return None
    # A trailing dot is refused in every spelling: "。", "．" and "｡" map to "." above.
    if host.endswith(".") or not _ASCII_HOST.fullmatch(host):
        return None
    last_label = host.rsplit(".", 1)[-1]
    # A browser reads a host ending in a number as IPv4 (0x7f.1, 127.1, 0177.0.0.1): only the
    # plain dotted form is accepted, so what we compare is what the browser connects to.
    if _NUMERIC_LABEL.fullmatch(last_label) and not _DOTTED_QUAD.fullmatch(host):
        return None
    return host


def _port(text: str, scheme: str) -> int | None:
    """The port, None for the default or an empty port, -1 when a browser would refuse it."""
    if not _PORT.fullmatch(text):
        return -1
    if not text:
        return None
    digits = text.lstrip("0") or "0"
    if len(digits) > 5 or int(digits) > 65_535:
        return -1
    port = int(digits)
    return None if port == DEFAULT_PORTS[scheme] else port


def _with_tail(scheme: str, host: str, port: int | None, tail: str) -> BrowserUrl | None:
    try:
        encoded = quote(tail, safe=_SAFE_IN_TAIL, encoding="utf-8", errors="strict")
    except UnicodeEncodeError:
        return None  # a lone surrogate: no browser sends one
    before_fragment, hash_sign, fragment = encoded.partition("#")
    path, _, query = before_fragment.partition("?")
    return BrowserUrl(
        scheme=scheme,
        host=host,
        port=port,
        path=path or "/",
        query=query,
        fragment=fragment if hash_sign else None,
    )
