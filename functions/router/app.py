"""Router function: table stream records in (new inquiries, changes of owner), partial failures out."""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from inquiry_router.base.observability import instrument
from inquiry_router.entry import router_wiring as wiring
from inquiry_router.entry.settings import pipeline_settings
from inquiry_router.routing.stream import handle_stream_record

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def route_record(record: DynamoDBRecord) -> None:
    handle_stream_record(record.raw_event, wiring.router(), wiring.enqueue)


def route_batch(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=route_record, processor=processor, context=context
    )


# At init, not at the first request: a missing variable fails the start and names itself.
pipeline_settings()

handler = instrument(route_batch)
