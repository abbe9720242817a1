"""Inbound mail function: one SES receipt event in (the raw message is already in S3), one decision out.

Invoked asynchronously by the receipt rule's Lambda action; Lambda retries a raised error twice and
then parks the event on the inbound dead-letter queue. Processing is idempotent on the SES message id.
"""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from inquiry_router.base.observability import instrument
from inquiry_router.entry import inbound_wiring as wiring
from inquiry_router.entry.settings import pipeline_settings
from inquiry_router.inbound.receipt import SesReceipt


def receive(event: dict[str, Any], context: LambdaContext) -> dict[str, str | None]:
    outcome = wiring.inbound_processor().process(SesReceipt.from_event(event))
    return {
        "decision": outcome.decision,
        "reason": outcome.reason,
        "inquiry_id": outcome.inquiry_id,
        "reference": outcome.reference,
    }


# At init, not at the first request: a missing variable fails the start and names itself.
pipeline_settings()

handler = instrument(receive)
