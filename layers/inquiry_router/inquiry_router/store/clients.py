"""AWS clients, created on first use and cached per process (never at import time).

Services take clients as arguments; handlers and the CLI get them from here.
`AWS_ENDPOINT_URL` (honoured by botocore) points every client at the local stack.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_ssm import SSMClient


@cache
def dynamodb_client() -> DynamoDBClient:
    import boto3

    return boto3.client("dynamodb")


@cache
def ssm_client() -> SSMClient:
    import boto3

    return boto3.client("ssm")
