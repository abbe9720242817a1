"""The intake function's composition root: `POST /inquiries` from a website's form.

functions/intake/app.py calls `build_intake(os.environ)` once, at init: the settings are
validated there (a missing TABLE_NAME fails the start, naming it), the clients are made there from
one botocore session (SnapStart snapshots them), and everything the handler needs is handed
down. Tests, the local stack and the benchmarks build it the same way, from their own mapping
and, where they hook botocore, their own session.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aws_lambda_powertools.logging import correlation_paths

from inquiry_router.adapters.clients import aws_session, dynamodb_client, ssm_client
from inquiry_router.adapters.intake_write import IntakeWriter
from inquiry_router.base.observability import Handler, instrument
from inquiry_router.entry.intake_api import intake_http_handler
from inquiry_router.intake.captcha import CaptchaVerifier, SiteverifyCaptcha, ssm_secret
from inquiry_router.models.settings import IntakeSettings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from inquiry_router.adapters.clients import AwsSession


@dataclass(frozen=True)
class IntakeFunction:
    settings: IntakeSettings
    dynamodb: DynamoDBClient
    writer: IntakeWriter
    captcha: CaptchaVerifier | None
    handler: Handler  # Lambda's `app.handler`


def build_intake(environ: Mapping[str, str], session: AwsSession | None = None) -> IntakeFunction:
    settings = IntakeSettings.from_environment(environ)
    session = aws_session() if session is None else session
    dynamodb = dynamodb_client(session)
    writer = IntakeWriter(dynamodb, settings.table_name)
    captcha = _captcha_verifier(settings, session)
    handler = instrument(
        intake_http_handler(settings, writer=writer, captcha=captcha),
        settings.observability,
        correlation_paths.API_GATEWAY_HTTP,
    )
    return IntakeFunction(settings, dynamodb, writer, captcha, handler)


def _captcha_verifier(settings: IntakeSettings, session: AwsSession) -> CaptchaVerifier | None:
    if settings.captcha_provider == "none":
        return None
    # IntakeSettings.from_environment refuses a provider without its secret's parameter.
    parameter = settings.captcha_secret_parameter or ""
    return SiteverifyCaptcha(
        provider=settings.captcha_provider,
        # Read on the first check, not at init: SSM is a network call.
        secret=ssm_secret(ssm_client(session), parameter),
        verify_url=settings.captcha_verify_url,
    )
