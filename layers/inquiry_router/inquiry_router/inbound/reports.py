"""The machine-readable part of delivery reports (RFC 3464) and complaints (ARF, RFC 5965)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message

# `Final-Recipient: rfc822; buyer@example.cn` — the address type is optional in the wild.
_RECIPIENT_FIELD = re.compile(
    r"^(final-recipient|original-recipient|original-rcpt-to)\s*:\s*(?:[\w.-]+\s*;)?\s*<?([^<>\s;]+@[^<>\s;]+)>?",
    re.IGNORECASE | re.MULTILINE,
)
_ACTION_FIELD = re.compile(r"^action\s*:\s*([\w-]+)", re.IGNORECASE | re.MULTILINE)
_BLOCK_SEPARATOR = re.compile(r"\n\s*\n")


@dataclass(frozen=True, slots=True)
class ReportedRecipient:
    address: str
    action: str | None  # DSN action: failed, delayed, delivered, relayed, expanded; None for ARF


def report_fields_text(part: Message) -> str:
    """The fields of a message/delivery-status or message/feedback-report part as plain text.

    The parser splits a delivery-status body into one header block per recipient; other report
    parts arrive as a string.
    """
    payload = part.get_payload()
    if isinstance(payload, list):
        return "\n\n".join(
            "\n".join(f"{name}: {value}" for name, value in block.raw_items())
            for block in payload
            if isinstance(block, Message)
        )
    raw = part.get_payload(decode=True)
    if isinstance(raw, bytes):
        return raw.decode("utf-8", errors="replace")
    return str(payload)


def reported_recipients(fields_text: str) -> list[ReportedRecipient]:
    """One entry per recipient block: Final-Recipient preferred over Original-Recipient."""
    found: dict[str, ReportedRecipient] = {}
    for block in _BLOCK_SEPARATOR.split(fields_text.replace("\r\n", "\n")):
        fields = {name.lower(): address for name, address in _RECIPIENT_FIELD.findall(block)}
        address = fields.get("final-recipient") or fields.get("original-recipient")
        address = address or fields.get("original-rcpt-to")
        if not address:
            continue
        action = _ACTION_FIELD.search(block)
        address = address.lower()
        found.setdefault(address, ReportedRecipient(address, action.group(1).lower() if action else None))
    return list(found.values())
