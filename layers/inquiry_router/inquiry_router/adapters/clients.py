"""AWS clients, created on first use and cached per process (never at import time).

Services take clients as arguments; handlers and the CLI get them from here.
`AWS_ENDPOINT_URL` (honoured by botocore) points every client at the local stack.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sesv2 import SESV2Client
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_ssm import SSMClient


@cache
def dynamodb_client() -> DynamoDBClient:
    import boto3

    return boto3.client("dynamodb")


@cache
def ssm_client() -> SSMClient:
    import boto3

    return boto3.client("ssm")


@cache
def sqs_client() -> SQSClient:
    import boto3

    return boto3.client("sqs")


@cache
def sesv2_client() -> SESV2Client:
    import boto3
    from botocore.config import Config

    # Adaptive retries: throttling (SES's per-second sending rate, 1 a second in the sandbox) is
    # retried with backoff and slows this client down, instead of failing the job for the queue's
    # retry six minutes later. SendEmail answers in well under a second: a 15 s read timeout (not
    # botocore's 60 s, the mailer's whole timeout) leaves room for retries inside one invocation;
    # every retry of one job carries the same Message-ID (mail/sending.py, "maybe sent").
    return boto3.client(
        "sesv2",
        config=Config(retries={"mode": "adaptive", "max_attempts": 8}, connect_timeout=5, read_timeout=15),
    )


@cache
def s3_client() -> S3Client:
    import boto3
    from botocore.config import Config

    # SigV4 everywhere: presigned links to attachments must work in every region.
    return boto3.client("s3", config=Config(signature_version="s3v4"))
