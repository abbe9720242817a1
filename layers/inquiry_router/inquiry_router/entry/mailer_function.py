"""The mailer function's composition root: mail jobs from SQS in, one SES send per job, partial
batch failures out.

functions/mailer/app.py calls `build_mailer(os.environ)` once, at init (see
entry/intake_function.py for what a composition root does).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from inquiry_router.adapters.action_keys import ActionKeys
from inquiry_router.adapters.cached_config import cached_routing_config
from inquiry_router.adapters.clients import aws_session, dynamodb_client, s3_client, sesv2_client
from inquiry_router.adapters.links import LinkStore
from inquiry_router.adapters.mail_records import MailRecords
from inquiry_router.adapters.queries import InquiryQueries
from inquiry_router.adapters.ses import SesSender
from inquiry_router.base.observability import Handler, instrument
from inquiry_router.mail.links import MailLinks
from inquiry_router.mail.sending import Mailer
from inquiry_router.models.mail_job import MailJob
from inquiry_router.models.settings import PipelineSettings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sesv2 import SESV2Client

    from inquiry_router.adapters.clients import AwsSession


@dataclass(frozen=True)
class MailerFunction:
    settings: PipelineSettings
    dynamodb: DynamoDBClient
    sesv2: SESV2Client
    mailer: Mailer
    handler: Handler  # Lambda's `app.handler`


def build_mailer(environ: Mapping[str, str], session: AwsSession | None = None) -> MailerFunction:
    settings = PipelineSettings.from_environment(environ)
    session = aws_session() if session is None else session
    dynamodb, sesv2 = dynamodb_client(session), sesv2_client(session)
    # Links through the stack's files endpoint outlive the mailer's credentials (mail/links.py).
    store = LinkStore(dynamodb, settings.table_name, settings.files_url) if settings.files_url else None
    links = MailLinks(
        s3_client(session) if settings.raw_mail_bucket and not store else None,
        settings.raw_mail_bucket,
        settings.attachment_link_hours,
        store,
    )
    mailer = Mailer(
        MailRecords(dynamodb, settings.table_name),
        SesSender(sesv2, settings.configuration_set),
        settings,
        cached_routing_config(dynamodb, settings.table_name, settings.config_cache_seconds),
        links=links,
        # The notification's one-click actions go through the stack's /actions (entry/actions_api.py).
        action_links=(
            ActionKeys(dynamodb, settings.table_name, settings.actions_url, settings.action_link_days)
            if settings.actions_url
            else None
        ),
        digest_source=InquiryQueries(dynamodb, settings.table_name),
    )
    processor = BatchProcessor(event_type=EventType.SQS)

    def send_job(record: SQSRecord) -> None:
        mailer.send(MailJob.model_validate_json(record.body))

    def send_batch(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
        return process_partial_response(
            event=event, record_handler=send_job, processor=processor, context=context
        )

    handler = instrument(send_batch, settings.observability)
    return MailerFunction(settings, dynamodb, sesv2, mailer, handler)
