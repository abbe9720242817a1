"""What delivery reports (RFC 3464), complaints (ARF, RFC 5965) and bounces of no standard shape
say: the recipients that failed or complained, and the original message they send back.

Bounces that are no DSN (qmail, old Exim and Postfix, Exchange, Notes, webmail vendors) are read by
Mailman's bounce detectors, `flufl.bounce`. They are heuristics made for mail known to be a bounce,
so they only run on mail that looks like one (`may_be_bounce`), and on a bounded copy of it: every
detector reads every line of every part, and one of them (LLNL) backtracks quadratically on a long
line of commas (40 KB took a second). The copy keeps the first 500 characters of each line and the
first 128 KB of text, which is where every bounce says what failed; attachments are left out.
"""

from __future__ import annotations

import copy
import logging
import re
from dataclasses import dataclass
from email.message import Message
from email.utils import parseaddr

from inquiry_router.base.observability import logger

# `Final-Recipient: rfc822; buyer@example.cn` — the address type is optional in the wild.
# Possessive quantifiers: the old `\s*(?:…;)?\s*` backtracked quadratically on a field of spaces
# (20,000 took 4 s); with nothing to give back, every shape is linear.
_RECIPIENT_FIELD = re.compile(
    r"^(final-recipient|original-recipient|original-rcpt-to)\s*+:\s*+(?:[\w.-]++\s*+;\s*+)?+"
    r"<?([^<>\s;@]++@[^<>\s;]++)>?",
    re.IGNORECASE | re.MULTILINE,
)
_ACTION_FIELD = re.compile(r"^action\s*:\s*([\w-]+)", re.IGNORECASE | re.MULTILINE)
_BLOCK_SEPARATOR = re.compile(r"\n\s*\n")
# The mailboxes bounces come from, written without dots, dashes and underscores and lower-cased:
# MAILER-DAEMON, post_master, Mail.Delivery.System, no-reply…
DAEMON_MAILBOXES = frozenset(
    {
        "mailerdaemon",
        "maildaemon",
        "postmaster",
        "maildeliverysystem",
        "maildeliverysubsystem",
        "noreply",
        "donotreply",
    }
)
_MAILBOX_PUNCTUATION = str.maketrans("", "", ".-_ ")
_BATV_TAG = re.compile(r"^(?:prvs|btv1|msprvs1)=[^=]{1,64}=", re.IGNORECASE)
# How bounces start their subject, in the MTAs and languages seen in the wild; anchored.
BOUNCE_SUBJECT = re.compile(
    r"^\s*(?:\[postmaster\]\s*)?(?:"
    r"undeliver(?:able|ed)|returned mail|mail (?:delivery|system error|could not be delivered|failed)"
    r"|(?:email |permanent )?delivery (?:status|notification|failure|has failed|report)|failure notice"
    r"|failure delivery|non-?delivery|nondeliverable|message (?:not delivered|delivery)"
    r"|delayed mail|warning: (?:could not send|message \S{1,100} delayed)|postmaster notify"
    r"|sorry, your message could not be delivered|there was an error sending your mail"
    r"|unzustellbar|nicht zustellbar|non remis|non recapitabile|no se (?:pudo|puede) entregar"
    r"|n[aã]o (?:foi )?entregue|配信(?:不能|エラー|失敗)|系统退信|退信|投递失败|전송 실패|반송)",
    re.IGNORECASE,
)
# Looser: anywhere in the subject. Only decides whether the bounce detectors are worth running.
_BOUNCE_WORDS = re.compile(
    r"deliver|return|fail|bounce|error|rejected|zustell|remis|recapit|entreg|配信|退信|投递|반송",
    re.IGNORECASE,
)
SCAN_LIMIT = 5_000_000  # bytes of raw mail: beyond this it is not scanned at all
SCANNED_LINE_LIMIT = 500  # characters of each line the detectors see
SCANNED_TEXT_LIMIT = 128_000  # bytes of text (all parts together) the detectors see
MAX_SCANNED_ADDRESSES = 50
_PLAIN_ADDRESS = re.compile(r"[^@\s\"<>()\[\],;:\\]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,10}")


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


@dataclass(frozen=True, slots=True)
class ScannedFailures:
    """What the bounce detectors found: addresses that failed for good, and ones only delayed."""

    permanent: tuple[str, ...] = ()
    temporary: tuple[str, ...] = ()
    problem: str | None = None  # why the scan did not run to the end, for the parse's defects


NOT_SCANNED = ScannedFailures()  # mail that does not look like a bounce: the detectors never ran


def is_daemon_mailbox(mailbox: str) -> bool:
    """`mailbox` (an address, or a bare name such as "MAILER-DAEMON") is one bounces come from."""
    local = _BATV_TAG.sub("", mailbox.strip().strip("<>").rpartition("@")[0] or mailbox.strip().strip("<>"))
    return local.lower().translate(_MAILBOX_PUNCTUATION) in DAEMON_MAILBOXES


def sender_is_daemon(from_header: str | None) -> bool:
    """From names a daemon, by address or by name ("Mail Delivery System"), or is empty ("Postmaster <>")."""
    if from_header is None:
        return False
    if "<>" in from_header.replace(" ", ""):
        return True
    name, address = parseaddr(from_header)
    return any(is_daemon_mailbox(value) for value in (address, name) if value)


def may_be_bounce(*, subject: str, from_header: str | None, return_path: str | None) -> bool:
    """Worth running the bounce detectors on: a null or daemon sender, or a subject about delivery."""
    if return_path is not None and return_path.strip() in ("", "<>"):
        return True
    if return_path is not None and is_daemon_mailbox(return_path):
        return True
    return sender_is_daemon(from_header) or bool(_BOUNCE_WORDS.search(subject[:300]))


def scan_failures(message: Message, size: int) -> ScannedFailures:
    """The recipients Mailman's bounce detectors (flufl.bounce) find in `message`, a likely bounce."""
    if size > SCAN_LIMIT:
        return ScannedFailures(problem=f"BounceScanSkipped(over {SCAN_LIMIT} bytes)")
    # Imported here: only mail that looks like a bounce pays for it (about 5 ms, bench/robot_corpus.py).
    from flufl.bounce import all_failures

    # Its detectors log each step at INFO, and a failing one with a traceback: the problem is kept.
    logging.getLogger("flufl.bounce").setLevel(logging.CRITICAL)
    try:
        temporary, permanent = all_failures(_scannable_copy(message))
    except Exception as error:  # a detector's bug must not cost the message its screening
        logger.warning("bounce detectors failed", extra={"error": type(error).__name__})
        return ScannedFailures(problem=f"BounceScanFailed({type(error).__name__})")
    failed = _scanned_addresses(permanent)
    return ScannedFailures(failed, tuple(a for a in _scanned_addresses(temporary) if a not in failed))


def _scanned_addresses(found: frozenset[bytes]) -> tuple[str, ...]:
    # The heuristics sometimes catch a line's debris along with the address: keep plain addresses.
    addresses = {raw.decode("ascii", "replace").strip().strip("<>").lower() for raw in found}
    return tuple(sorted(a for a in addresses if _PLAIN_ADDRESS.fullmatch(a)))[:MAX_SCANNED_ADDRESSES]


def _scannable_copy(message: Message) -> Message:
    """`message` with short lines, a bounded amount of text, and no attachments (see the module doc)."""
    bounded = copy.deepcopy(message)
    budget = SCANNED_TEXT_LIMIT
    for part in bounded.walk():
        if part.is_multipart():
            continue
        # Text, and what only claims to be multipart (no boundary found): attachments are never text.
        readable = part.get_content_maintype() in ("text", "multipart", "message")
        data = part.get_payload(decode=True) if readable else b""
        if not isinstance(data, bytes):
            data = b""
        kept = b"\n".join(line[:SCANNED_LINE_LIMIT] for line in data.splitlines())[: max(budget, 0)]
        budget -= len(kept)
        del part["Content-Transfer-Encoding"]
        # As the parser keeps 8-bit text: decoding it again gives back exactly these bytes.
        part.set_payload(kept.decode("ascii", "surrogateescape"))
    return bounded
