"""The inbound mail function's composition root: one SES receipt event in (the raw message is
already in S3), one decision out.

Invoked asynchronously by the receipt rule's Lambda action; Lambda retries a raised error twice and
then parks the event on the inbound dead-letter queue. Processing is idempotent on the SES message
id. functions/inbound/app.py calls `build_inbound(os.environ)` once, at init (see
entry/intake_function.py for what a composition root does).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from inquiry_router.adapters.cached_config import cached_routing_config
from inquiry_router.adapters.clients import aws_session, dynamodb_client, s3_client, sqs_client
from inquiry_router.adapters.inbound_records import InboundRecords
from inquiry_router.adapters.intake_write import IntakeWriter
from inquiry_router.adapters.queues import MailQueue
from inquiry_router.adapters.raw_mail import RawMailStore
from inquiry_router.base.observability import Handler, instrument
from inquiry_router.entry.actions_function import rep_actions
from inquiry_router.inbound.processing import InboundProcessor
from inquiry_router.inbound.receipt import SesReceipt
from inquiry_router.models.settings import PipelineSettings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient

    from inquiry_router.adapters.clients import AwsSession


@dataclass(frozen=True)
class InboundFunction:
    settings: PipelineSettings
    dynamodb: DynamoDBClient
    sqs: SQSClient
    s3: S3Client
    processor: InboundProcessor
    handler: Handler  # Lambda's `app.handler`


def build_inbound(environ: Mapping[str, str], session: AwsSession | None = None) -> InboundFunction:
    settings = PipelineSettings.from_environment(environ)
    if not settings.raw_mail_bucket:
        raise RuntimeError(
            "RAW_MAIL_BUCKET is not set: the inbound function cannot read mail (see template.yaml)"
        )
    session = aws_session() if session is None else session
    dynamodb, sqs, s3 = dynamodb_client(session), sqs_client(session), s3_client(session)
    processor = InboundProcessor(
        records=InboundRecords(dynamodb, settings.table_name),
        raw_mail=RawMailStore(
            s3, settings.raw_mail_bucket, settings.raw_mail_prefix, settings.attachment_prefix
        ),
        writer=IntakeWriter(dynamodb, settings.table_name),
        enqueue=MailQueue(sqs, settings.mail_queue_url).enqueue,
        settings=settings,
        load_config=cached_routing_config(dynamodb, settings.table_name, settings.config_cache_seconds),
        # A rep's command mail (#won) runs the same service as the actions page's buttons.
        perform_action=rep_actions(dynamodb, settings.table_name, settings.retention).perform,
    )

    def receive(event: dict[str, Any], context: LambdaContext) -> dict[str, str | None]:
        outcome = processor.process(SesReceipt.from_event(event))
        return {
            "decision": outcome.decision,
            "reason": outcome.reason,
            "inquiry_id": outcome.inquiry_id,
            "reference": outcome.reference,
        }

    handler = instrument(receive, settings.observability)
    return InboundFunction(settings, dynamodb, sqs, s3, processor, handler)
