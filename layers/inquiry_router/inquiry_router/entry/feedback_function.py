"""The feedback function's composition root: SES's sending events about our own mail (through
EventBridge and the feedback queue) in, the contact, the timeline and the owner's bounce notice
out, partial batch failures back to Lambda.

functions/feedback/app.py calls `build_feedback(os.environ)` once, at init (see
entry/intake_function.py for what a composition root does). A message that is not an SES event
fails its record: after the queue's retries it waits in the feedback dead-letter queue, alarmed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from inquiry_router.adapters.clients import aws_session, dynamodb_client, sqs_client
from inquiry_router.adapters.feedback_records import FeedbackRecords
from inquiry_router.adapters.queues import MailQueue
from inquiry_router.base.observability import Handler, instrument
from inquiry_router.feedback.service import SendingFeedback
from inquiry_router.models.sending_event import parse_sending_event
from inquiry_router.models.settings import PipelineSettings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from inquiry_router.adapters.clients import AwsSession


@dataclass(frozen=True)
class FeedbackFunction:
    settings: PipelineSettings
    dynamodb: DynamoDBClient
    feedback: SendingFeedback
    handler: Handler  # Lambda's `app.handler`


def build_feedback(environ: Mapping[str, str], session: AwsSession | None = None) -> FeedbackFunction:
    settings = PipelineSettings.from_environment(environ)
    session = aws_session() if session is None else session
    dynamodb = dynamodb_client(session)
    mail_queue = MailQueue(sqs_client(session), settings.mail_queue_url)
    feedback = SendingFeedback(FeedbackRecords(dynamodb, settings.table_name), mail_queue.enqueue)
    processor = BatchProcessor(event_type=EventType.SQS)

    def handle_event(record: SQSRecord) -> None:
        feedback.handle(parse_sending_event(record.body))

    def handle_batch(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
        return process_partial_response(
            event=event, record_handler=handle_event, processor=processor, context=context
        )

    handler = instrument(handle_batch, settings.observability)
    return FeedbackFunction(settings, dynamodb, feedback, handler)
