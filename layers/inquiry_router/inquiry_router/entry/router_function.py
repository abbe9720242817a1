"""The router function's composition root: table stream records in (new inquiries, changes of
owner), an owner and mail jobs out, partial batch failures back to Lambda.

functions/router/app.py calls `build_router(os.environ)` once, at init (see entry/intake_function.py
for what a composition root does). The routing config is cached per composition (`CachedConfig`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from inquiry_router.adapters.assignment_write import AssignmentStore
from inquiry_router.adapters.cached_config import cached_routing_config
from inquiry_router.adapters.clients import aws_session, dynamodb_client, sqs_client
from inquiry_router.adapters.queues import MailQueue
from inquiry_router.base.observability import Handler, instrument
from inquiry_router.models.settings import PipelineSettings
from inquiry_router.routing.service import Router
from inquiry_router.routing.stream import handle_stream_record

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sqs import SQSClient

    from inquiry_router.adapters.clients import AwsSession


@dataclass(frozen=True)
class RouterFunction:
    settings: PipelineSettings
    dynamodb: DynamoDBClient
    sqs: SQSClient
    router: Router
    mail_queue: MailQueue
    handler: Handler  # Lambda's `app.handler`


def build_router(environ: Mapping[str, str], session: AwsSession | None = None) -> RouterFunction:
    settings = PipelineSettings.from_environment(environ)
    session = aws_session() if session is None else session
    dynamodb, sqs = dynamodb_client(session), sqs_client(session)
    config = cached_routing_config(dynamodb, settings.table_name, settings.config_cache_seconds)
    router = Router(AssignmentStore(dynamodb, settings.table_name), config)
    mail_queue = MailQueue(sqs, settings.mail_queue_url)
    processor = BatchProcessor(event_type=EventType.DynamoDBStreams)

    def route_record(record: DynamoDBRecord) -> None:
        handle_stream_record(record.raw_event, router, mail_queue.enqueue)

    def route_batch(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
        return process_partial_response(
            event=event, record_handler=route_record, processor=processor, context=context
        )

    handler = instrument(route_batch, settings.observability)
    return RouterFunction(settings, dynamodb, sqs, router, mail_queue, handler)
