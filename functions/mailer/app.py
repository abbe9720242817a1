"""Mailer function: mail jobs from SQS in, one SES send per job, partial batch failures out."""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from inquiry_router.base.observability import instrument
from inquiry_router.entry import mailer_wiring as wiring
from inquiry_router.entry.settings import pipeline_settings
from inquiry_router.models.mail_job import MailJob

processor = BatchProcessor(event_type=EventType.SQS)


def send_job(record: SQSRecord) -> None:
    wiring.mailer().send(MailJob.model_validate_json(record.body))


def send_batch(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=send_job, processor=processor, context=context
    )


# At init, not at the first request: a missing variable fails the start and names itself.
pipeline_settings()

handler = instrument(send_batch)
