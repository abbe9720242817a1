"""The files function's composition root: `GET /files/{token}`, a download link in a rep's mail,
answered with a redirect to a short-lived presigned URL (or a page saying the link expired).

functions/files/app.py calls `build_files(os.environ)` once, at init (see entry/intake_function.py
for what a composition root does).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from inquiry_router.adapters.clients import aws_session, dynamodb_client, s3_client
from inquiry_router.base.observability import Handler, instrument
from inquiry_router.entry.files_api import files_http_handler
from inquiry_router.models.settings import PipelineSettings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client

    from inquiry_router.adapters.clients import AwsSession


@dataclass(frozen=True)
class FilesFunction:
    settings: PipelineSettings
    dynamodb: DynamoDBClient
    s3: S3Client
    handler: Handler  # Lambda's `app.handler`


def build_files(environ: Mapping[str, str], session: AwsSession | None = None) -> FilesFunction:
    settings = PipelineSettings.from_environment(environ)
    session = aws_session() if session is None else session
    dynamodb, s3 = dynamodb_client(session), s3_client(session)
    handler = instrument(files_http_handler(settings, dynamodb=dynamodb, s3=s3), settings.observability)
    return FilesFunction(settings, dynamodb, s3, handler)
