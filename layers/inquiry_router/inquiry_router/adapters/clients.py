"""AWS clients, each made from the botocore session a function's composition root hands in.

Nothing here is cached: a composition root (entry/*_function.py) makes its session and clients
once, at init, and keeps them; services take clients as arguments. Botocore reads its own
variables (`AWS_REGION`, credentials, `AWS_ENDPOINT_URL`, which points every client at the local
stack) from the environment when a client is made.

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

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.session import Session
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sesv2 import SESV2Client
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_ssm import SSMClient

    AwsSession = Session  # what a composition root is handed (entry/ never imports botocore)


def aws_session() -> AwsSession:
    """A new botocore session: one per composition, and hooks registered on it (tests, the fault
    injector) reach every client made from it afterwards. Its models come from the build's copy of
    botocore's data for the services used here (adapters/botocore_data.py), unless the copy is
    missing or `AWS_DATA_PATH` adds models of one's own."""
    import botocore.session

    from inquiry_router.adapters.botocore_data import subset_loader

    session = botocore.session.Session()
    if not session.get_config_variable("data_path") and (loader := subset_loader()) is not None:
        session.register_component("data_loader", loader)
    return session


def _client(session: AwsSession, service: str, config: Any = None) -> Any:
    from botocore.config import Config

    unvalidated = Config(parameter_validation=False)
    return session.create_client(service, config=unvalidated.merge(config) if config else unvalidated)


def dynamodb_client(session: AwsSession) -> DynamoDBClient:
    return _client(session, "dynamodb")  # type: ignore[no-any-return]


def ssm_client(session: AwsSession) -> SSMClient:
    return _client(session, "ssm")  # type: ignore[no-any-return]


def sqs_client(session: AwsSession) -> SQSClient:
    return _client(session, "sqs")  # type: ignore[no-any-return]


def sesv2_client(session: AwsSession) -> SESV2Client:
    from botocore.config import Config

    # Adaptive retries: throttling (SES's per-second sending rate, 1 a second in the sandbox) is
    # retried with backoff and slows this client down, instead of failing the job for the queue's
    # retry six minutes later. SendEmail answers in well under a second: a 15 s read timeout (not
    # botocore's 60 s, the mailer's whole timeout) leaves room for retries inside one invocation;
    # every retry of one job carries the same Message-ID (mail/sending.py, "maybe sent").
    return _client(  # type: ignore[no-any-return]
        session,
        "sesv2",
        Config(retries={"mode": "adaptive", "max_attempts": 8}, connect_timeout=5, read_timeout=15),
    )


def s3_client(session: AwsSession) -> S3Client:
    from botocore.config import Config

    # SigV4 everywhere: presigned links to attachments must work in every region.
    return _client(session, "s3", Config(signature_version="s3v4"))  # type: ignore[no-any-return]
