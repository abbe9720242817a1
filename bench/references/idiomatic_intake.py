"""The idiomatic reference of issue 10: a Powertools handler for the same form, as the docs write one.

`APIGatewayHttpResolver(enable_validation=True)` validates the body against an 11-field pydantic
model (the fields of events/intake-post-json.json, `EmailStr` for the address), `Logger` injects
the Lambda context, a boto3 client made at import stores the inquiry with one conditional
PutItem, and the answer is 202 with the inquiry's id. The benchmarks load it by file path.
"""

import os
import uuid

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, EmailStr, Field

logger = Logger()
app = APIGatewayHttpResolver(enable_validation=True)
dynamodb = boto3.client("dynamodb")
TABLE_NAME = os.environ["TABLE_NAME"]


class Inquiry(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr
    company: str | None = Field(default=None, max_length=200)
    country: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=50)
    website: str | None = Field(default=None, max_length=500)
    subject: str | None = Field(default=None, max_length=200)
    quantity: str | None = Field(default=None, max_length=100)
    message: str = Field(min_length=1, max_length=10_000)
    locale: str | None = Field(default=None, max_length=35)
    consent: bool = False


class Accepted(BaseModel):
    id: str


@app.post("/inquiries")
def create_inquiry(inquiry: Inquiry) -> Response[Accepted]:
    inquiry_id = str(uuid.uuid4())
    item = {name: {"S": str(value)} for name, value in inquiry.model_dump(exclude_none=True).items()}
    dynamodb.put_item(
        TableName=TABLE_NAME,
        Item=item | {"PK": {"S": f"INQUIRY#{inquiry_id}"}, "SK": {"S": "INQUIRY"}},
        ConditionExpression="attribute_not_exists(PK)",
    )
    logger.info("inquiry stored", extra={"inquiry_id": inquiry_id})
    return Response(
        status_code=202, content_type=content_types.APPLICATION_JSON, body=Accepted(id=inquiry_id)
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return app.resolve(event, context)
