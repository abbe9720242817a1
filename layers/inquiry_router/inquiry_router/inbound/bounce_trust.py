"""Which addresses a bounce or complaint may suppress: only those a message of ours went to.

Anyone can write a delivery report, so a report naming a buyer proves nothing by itself. It
counts for an address only when it returns (attached, as headers, or quoted) the Message-ID of a
mail we sent, and our MSGID index says that mail went to that very address. A Message-ID is
random and known only to whoever received the mail, so a stranger cannot name one; and a mail
sent to one buyer cannot be used to suppress another.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from inquiry_router.base.addresses import normalise_email
from inquiry_router.models.mail_record import SentMessage


@dataclass(frozen=True, slots=True)
class BounceTrust:
    trusted: tuple[str, ...]  # contact keys the report may suppress
    distrusted: str | None = None  # why the others may not, for the record's reason


def judge_bounce(
    recipients: Sequence[str], message_ids: Sequence[str], sent: Sequence[SentMessage]
) -> BounceTrust:
    """Trust the reported `recipients` that one of the `sent` messages the report names went to."""
    wanted = [normalise_email(address) for address in dict.fromkeys(recipients)]
    if not wanted:
        return BounceTrust(())
    if not message_ids:
        return BounceTrust((), "not trusted: it names no original Message-ID, so nothing is suppressed")
    if not sent:
        named = ", ".join(message_ids[:3])
        return BounceTrust(
            (), f"not trusted: it names no message we sent ({named}), so nothing is suppressed"
        )
    sent_to = {message.delivered_to for message in sent if message.delivered_to}
    trusted = tuple(address for address in wanted if address in sent_to)
    others = [address for address in wanted if address not in sent_to]
    if not others:
        return BounceTrust(trusted)
    named = ", ".join(f"<{message.message_id}>" for message in sent[:3])
    why = f"not trusted for {', '.join(others)}: the message it names ({named}) was not sent to them"
    return BounceTrust(trusted, why + ("" if trusted else ", so nothing is suppressed"))
