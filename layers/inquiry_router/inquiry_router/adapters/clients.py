"""AWS clients, created on first use and cached per process (never at import time).

Services take clients as arguments; handlers and the CLI get them from here.
`AWS_ENDPOINT_URL` (honoured by botocore) points every client at the local stack.

Clients come from botocore's session, not boto3's: boto3 adds nothing the low-level clients use
(resources, the S3 transfer manager) and importing it costs a buyer's cold start about 20 ms.

Every client skips botocore's client-side parameter validation (`parameter_validation=False`): it
walks each request against the service model before sending, which took 1.5 ms of a 5-item
TransactWriteItems (bench/RESULTS.md, issue 10), the largest share of the intake's own time, and
AWS validates every request anyway. The test suite and the local stack validate every request as
botocore would (inquiry_router_admin/local/strict_parameters.py), so a malformed call still fails
there, before any deploy.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sesv2 import SESV2Client
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_ssm import SSMClient


@cache
def aws_session() -> Any:
    """The one botocore session every client comes from (hooks registered here reach them all)."""
    import botocore.session

    return botocore.session.get_session()


def _client(service: str, config: Any = None) -> Any:
    from botocore.config import Config

    unvalidated = Config(parameter_validation=False)
    return aws_session().create_client(service, config=unvalidated.merge(config) if config else unvalidated)


@cache
def dynamodb_client() -> DynamoDBClient:
    return _client("dynamodb")  # type: ignore[no-any-return]


@cache
def ssm_client() -> SSMClient:
    return _client("ssm")  # type: ignore[no-any-return]


@cache
def sqs_client() -> SQSClient:
    return _client("sqs")  # type: ignore[no-any-return]


@cache
def sesv2_client() -> SESV2Client:
    from botocore.config import Config

    # Adaptive retries: throttling (SES's per-second sending rate, 1 a second in the sandbox) is
    # retried with backoff and slows this client down, instead of failing the job for the queue's
    # retry six minutes later. SendEmail answers in well under a second: a 15 s read timeout (not
    # botocore's 60 s, the mailer's whole timeout) leaves room for retries inside one invocation;
    # every retry of one job carries the same Message-ID (mail/sending.py, "maybe sent").
    return _client(  # type: ignore[no-any-return]
        "sesv2",
        Config(retries={"mode": "adaptive", "max_attempts": 8}, connect_timeout=5, read_timeout=15),
    )


@cache
def s3_client() -> S3Client:
    from botocore.config import Config

    # SigV4 everywhere: presigned links to attachments must work in every region.
    return _client("s3", Config(signature_version="s3v4"))  # type: ignore[no-any-return]
