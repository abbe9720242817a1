"""The SES receipt event the rule's Lambda action sends (`Records[0].ses`), read into plain facts.

Only what the function needs: the message id (the raw object's name and the idempotency key), when
SES received it, the envelope recipients (a BCC shows only there) and the scan verdicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from inquiry_router.base.timestamps import iso_timestamp, parse_timestamp
from inquiry_router.inbound.authentication import SesVerdicts


class InvalidReceiptEvent(ValueError):
    """Not an SES receipt event: retrying cannot help, so the event goes to the dead-letter queue."""


@dataclass(frozen=True, slots=True)
class SesReceipt:
    message_id: str
    received_at: datetime
    recipients: tuple[str, ...] = ()
    verdicts: SesVerdicts = field(default_factory=SesVerdicts)

    @classmethod
    def from_event(cls, event: Any) -> SesReceipt:
        try:
            ses = event["Records"][0]["ses"]
            mail, receipt = ses["mail"], ses.get("receipt") or {}
            message_id = str(mail["messageId"])
        except (KeyError, IndexError, TypeError):
            raise InvalidReceiptEvent(
                "expected an SES receipt event (Records[0].ses.mail.messageId): the function is "
                "invoked by the receipt rule's Lambda action, see events/inbound-ses-receipt.json"
            ) from None
        if not message_id or "/" in message_id or len(message_id) > 200:
            raise InvalidReceiptEvent(f"not an SES message id: {message_id[:80]!r}")
        return cls(
            message_id=message_id,
            received_at=_timestamp(receipt.get("timestamp") or mail.get("timestamp")),
            recipients=tuple(
                str(r).lower() for r in receipt.get("recipients") or mail.get("destination") or []
            ),
            verdicts=SesVerdicts(
                spam=_status(receipt, "spamVerdict"),
                virus=_status(receipt, "virusVerdict"),
                dmarc=_status(receipt, "dmarcVerdict"),
                dmarc_policy=receipt.get("dmarcPolicy"),
                spf=_status(receipt, "spfVerdict"),
                dkim=_status(receipt, "dkimVerdict"),
                mail_from=str(mail["source"]) if mail.get("source") else None,
            ),
        )


def _status(receipt: dict[str, Any], name: str) -> str | None:
    verdict = receipt.get(name)
    return str(verdict.get("status")) if isinstance(verdict, dict) and verdict.get("status") else None


def _timestamp(value: Any) -> datetime:
    try:
        return parse_timestamp(str(value))
    except ValueError:
        return datetime.now(UTC)  # SES always sends one; a hand-made event may not


def receipt_event(
    message_id: str,
    *,
    recipients: list[str],
    received_at: datetime,
    function_arn: str = "arn:aws:lambda:us-east-1:000000000000:function:inbound",
    verdicts: SesVerdicts | None = None,
) -> dict[str, Any]:
    """The event SES's Lambda action sends for a message already stored by its S3 action: what the
    local stack's `mail replay` hands the function. Headers are left out; the function reads S3."""
    verdicts = verdicts or SesVerdicts(spam="PASS", virus="PASS", dmarc="PASS", spf="PASS", dkim="PASS")
    at = iso_timestamp(received_at)

    def verdict(status: str | None) -> dict[str, str]:
        return {"status": status or "GRAY"}

    receipt: dict[str, Any] = {
        "timestamp": at,
        "processingTimeMillis": 1,
        "recipients": recipients,
        "spamVerdict": verdict(verdicts.spam),
        "virusVerdict": verdict(verdicts.virus),
        "spfVerdict": verdict(verdicts.spf),
        "dkimVerdict": verdict(verdicts.dkim),
        "dmarcVerdict": verdict(verdicts.dmarc),
        "action": {"type": "Lambda", "functionArn": function_arn, "invocationType": "Event"},
    }
    if verdicts.dmarc_policy:
        receipt["dmarcPolicy"] = verdicts.dmarc_policy
    mail = {"timestamp": at, "messageId": message_id, "destination": recipients, "headersTruncated": False}
    if verdicts.mail_from:
        mail["source"] = verdicts.mail_from
    return {
        "Records": [
            {"eventSource": "aws:ses", "eventVersion": "1.0", "ses": {"mail": mail, "receipt": receipt}}
        ]
    }
