"""Readable text from an HTML mail body: what a person sees, not the markup.

A single forward scan, linear in the input whatever its shape. The stdlib's `html.parser` rescans
an unclosed tag from every `<` (an HTML body of `<a b<a b…` took minutes: quadratic), and an HTML5
tree builder is quadratic in nesting depth; a mail body is attacker-sized, so neither is used.
Only what text extraction needs is read: tag names (for line breaks and hidden content), comments,
declarations and entities; a tag still open at the end of the input is dropped, as HTML5 does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape

# Content a reader never sees: skipped up to its end tag (script and style hold no markup).
_RAW_TEXT = frozenset({"script", "style", "title", "xmp", "noembed", "noframes"})
# Hidden with everything nested in them.
_HIDDEN = frozenset({"head", "template", "noscript", "xml"})
_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "footer", "form",
        "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
        "section", "table", "tbody", "thead", "tfoot", "tr", "ul",
    }
)  # fmt: skip
_CELLS = frozenset({"td", "th"})
# A tag's name; bounded, so a run of letters costs no more than its length.
_TAG_OPEN = re.compile(r"</?([A-Za-z][^\s/>]{0,40})")
_TAG_SYNTAX = re.compile(r"[>\"']")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def html_to_text(html: str) -> str:
    """Script and style dropped, block elements on their own lines, whitespace collapsed."""
    scanner = _Scanner(html)
    position = 0
    while position < len(html):
        opening = html.find("<", position)
        if opening < 0:
            opening = len(html)
        scanner.text(html[position:opening])
        position = scanner.markup(opening) if opening < len(html) else opening
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(scanner.pieces).split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


@dataclass
class _Scanner:
    html: str
    pieces: list[str] = field(default_factory=list)
    hidden: int = 0  # open elements whose content is hidden

    def text(self, text: str) -> None:
        if text and not self.hidden:
            self.pieces.append(unescape(text).replace("\n", " "))

    def markup(self, opening: int) -> int:
        """Read the markup at `opening` (a `<`); returns where the text after it starts."""
        html, length = self.html, len(self.html)
        if html.startswith("<!--", opening):
            close = html.find("-->", opening + 4)
            return length if close < 0 else close + 3
        if html.startswith(("<!", "<?"), opening):  # doctype, CDATA, conditional comments, XML
            close = html.find(">", opening + 2)
            return length if close < 0 else close + 1
        tag = _TAG_OPEN.match(html, opening)
        if tag is None:  # a lone "<" is text
            self.text("<")
            return opening + 1
        end = _tag_end(html, tag.end())
        if end < 0:
            return length
        name = tag.group(1).lower()
        if html[opening + 1] == "/":
            self._end_tag(name)
        elif name in _RAW_TEXT:
            raw_end = re.compile(rf"</{re.escape(name)}[\s/>]", re.IGNORECASE).search(html, end)
            return length if raw_end is None else raw_end.start()
        else:
            self._start_tag(name, self_closing=html[end - 2] == "/")
        return end

    def _start_tag(self, name: str, *, self_closing: bool) -> None:
        if name in _HIDDEN:
            self.hidden += not self_closing
        elif self.hidden:
            return
        elif name in _BLOCKS:
            self.pieces.append("\n- " if name == "li" else "\n")
        elif name in _CELLS:
            self.pieces.append(" ")

    def _end_tag(self, name: str) -> None:
        if name in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif name in _BLOCKS and name != "br" and not self.hidden:
            self.pieces.append("\n")


def _tag_end(html: str, position: int) -> int:
    """Just past the `>` closing the tag whose attributes start at `position`, or -1 at the end.

    Only a quote that opens an attribute value (after `=`) hides a `>`; each character is looked
    at once, so the scan is linear.
    """
    while True:
        found = _TAG_SYNTAX.search(html, position)
        if found is None:
            return -1
        at = found.start()
        if html[at] == ">":
            return at + 1
        if html[position:at].rstrip().endswith("=") or (at > 0 and html[at - 1] == "="):
            close = html.find(html[at], at + 1)
            if close < 0:
                return -1
            position = close + 1
        else:
            position = at + 1
