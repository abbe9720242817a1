"""The sender's own words: quoted history and signature removed from a reply's text.

Only the first marker matters: everything after "On … wrote:" or an Outlook header block is
history. Lines quoted with ">" are dropped wherever they are, so inline answers keep their text.
A forwarded message ("---------- Forwarded message ---------") is content, not history, and stays.
"""

from __future__ import annotations

import re

_ATTRIBUTION = re.compile(
    r"^\s*(?:On\b.{0,300}\bwrote"
    r"|El\b.{0,300}\bescribió"
    r"|Le\b.{0,300}\ba\s+écrit"
    r"|Am\b.{0,300}\bschrieb\b.{0,200}"
    r"|在.{0,300}写道)\s*[:：]\s*$",
    re.IGNORECASE,
)
_ORIGINAL_MESSAGE = re.compile(
    r"^\s*-{2,}\s*(?:original message|原始邮件|ursprüngliche nachricht|mensaje original|message d'origine)"
    r"\s*-{2,}\s*$",
    re.IGNORECASE,
)
_CHINESE_HEADER = re.compile(r"^\s*\*?发件人\*?\s*[:：]")
_OUTLOOK_FROM = re.compile(r"^\s*\*?(?:From|De|Von)\*?\s*:", re.IGNORECASE)
OUTLOOK_SENT = re.compile(
    r"^\s*\*?(?:Sent|Date|Enviado|Envoyé|Gesendet|Fecha|发送时间|日期)\*?\s*[:：]", re.IGNORECASE
)
FORWARD_MARKER = re.compile(
    r"^\s*(?:-{3,}\s*(?:forwarded message|转发邮件信息|mensaje reenviado|message transféré)"
    r"|begin forwarded message:)",
    re.IGNORECASE,
)
_SEPARATOR_LINE = re.compile(r"^\s*[_—–-]{5,}\s*$")
_SIGNATURE = ("-- ", "--")
_OUTLOOK_BLOCK_LINES = 5
# An attribution is one short line, or two when Gmail wraps it. The pattern's bounded runs still
# overlap ("schrieb" + up to 200 characters, then spaces), so longer lines are never matched:
# each costs at most this much, whatever the body.
ATTRIBUTION_MAX_CHARS = 700


def strip_quoted(text: str) -> str:
    """`text` up to its quoted history or signature, without ">" lines; all of it if nothing is left."""
    lines = text.replace("\r\n", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        if FORWARD_MARKER.match(line):
            # What follows is the forwarded mail itself, its header block included: keep it all.
            kept.extend(lines[index:])
            break
        if _starts_history(lines, index):
            break
        if not line.lstrip().startswith(">"):
            kept.append(line)
    while kept and (not kept[-1].strip() or _SEPARATOR_LINE.match(kept[-1])):
        kept.pop()
    own_words = "\n".join(kept).strip()
    # A mail that is nothing but a quote (a bare forward) is still what the sender sent us.
    return own_words or text.strip()


def _starts_history(lines: list[str], index: int) -> bool:
    line = lines[index]
    if line in _SIGNATURE or _ORIGINAL_MESSAGE.match(line) or _CHINESE_HEADER.match(line):
        return True
    # Gmail wraps a long attribution over two lines.
    next_line = lines[index + 1] if index + 1 < len(lines) else ""
    if _is_attribution(line) or (next_line and _is_attribution(f"{line} {next_line}")):
        return True
    if _OUTLOOK_FROM.match(line):
        following = lines[index + 1 : index + 1 + _OUTLOOK_BLOCK_LINES]
        return any(OUTLOOK_SENT.match(candidate) for candidate in following)
    return False


def _is_attribution(text: str) -> bool:
    return len(text) <= ATTRIBUTION_MAX_CHARS and bool(_ATTRIBUTION.match(text))
