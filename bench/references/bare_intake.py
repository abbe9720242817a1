"""The bare reference of issue 10: the least a Python function that stores a form in DynamoDB does.

A boto3 client at import, `json.loads` of the body, one PutItem, 202. No validation, no logging.
The benchmarks load it by file path, as Lambda loads `bare_intake.handler`.
"""

import json
import os
import uuid
from typing import Any

import boto3

dynamodb = boto3.client("dynamodb")
TABLE_NAME = os.environ["TABLE_NAME"]


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    fields = json.loads(event["body"])
    inquiry_id = str(uuid.uuid4())
    item = {name: {"S": str(value)} for name, value in fields.items()}
    dynamodb.put_item(
        TableName=TABLE_NAME,
        Item=item | {"PK": {"S": f"INQUIRY#{inquiry_id}"}, "SK": {"S": "INQUIRY"}},
    )
    return {"statusCode": 202, "body": json.dumps({"id": inquiry_id})}
