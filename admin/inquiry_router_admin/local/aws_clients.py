"""boto3 clients of the local stack itself, pointed at the embedded endpoint with fake credentials.

They ignore the user's AWS profile and environment on purpose: the local stack must work on a
machine with no AWS account, and must never reach a real one.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

import boto3
import botocore.session

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_sesv2 import SESV2Client
    from mypy_boto3_sqs import SQSClient

ACCOUNT_ID = "123456789012"  # moto's default account
FAKE_ACCESS_KEY_ID = "testing"
FAKE_SECRET_ACCESS_KEY = "testing"  # noqa: S105 - a placeholder moto accepts, not a secret


class AwsClients:
    """Clients are made on first use; make them before starting threads (sessions are not thread-safe)."""

    def __init__(self, endpoint_url: str, region: str) -> None:
        self.endpoint_url = endpoint_url
        self.region = region
        # A session that reads no profile: AWS_PROFILE naming a profile this machine lacks would fail.
        core = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
        self._session = boto3.session.Session(
            botocore_session=core,
            aws_access_key_id=FAKE_ACCESS_KEY_ID,
            aws_secret_access_key=FAKE_SECRET_ACCESS_KEY,
            region_name=region,
        )

    @cached_property
    def dynamodb(self) -> DynamoDBClient:
        return self._session.client("dynamodb", endpoint_url=self.endpoint_url)

    @cached_property
    def dynamodbstreams(self) -> DynamoDBStreamsClient:
        return self._session.client("dynamodbstreams", endpoint_url=self.endpoint_url)

    @cached_property
    def sqs(self) -> SQSClient:
        return self._session.client("sqs", endpoint_url=self.endpoint_url)

    @cached_property
    def s3(self) -> S3Client:
        return self._session.client("s3", endpoint_url=self.endpoint_url)

    @cached_property
    def sesv2(self) -> SESV2Client:
        return self._session.client("sesv2", endpoint_url=self.endpoint_url)

    @cached_property
    def secretsmanager(self) -> SecretsManagerClient:
        return self._session.client("secretsmanager", endpoint_url=self.endpoint_url)

    @cached_property
    def ses(self) -> Any:
        """SES v1, for what v2 lacks: receipt rule sets (inbound mail)."""
        return self._session.client("ses", endpoint_url=self.endpoint_url)

    @cached_property
    def events(self) -> Any:
        """EventBridge: the default bus SES's sending events reach the feedback queue through."""
        return self._session.client("events", endpoint_url=self.endpoint_url)

    def warm_up(self) -> None:
        """Create every client now, in the calling thread."""
        _ = (
            self.dynamodb,
            self.dynamodbstreams,
            self.sqs,
            self.s3,
            self.sesv2,
            self.ses,
            self.secretsmanager,
            self.events,
        )
