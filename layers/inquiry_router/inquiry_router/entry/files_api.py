"""`GET /files/{token}`: one click on a download link in a rep's mail.

The token names one object in the raw mail bucket (mail/links.py); a known, unexpired token gets a
302 to a presigned URL valid for a few minutes, signed with this function's fresh credentials. An
unknown or expired one gets a short page saying what to do. Nothing is listed, nothing guessable:
tokens are 128 random bits, and the answer never says whether a token ever existed.

The files function's composition root (entry/files_function.py) builds the handler with
`files_http_handler` at init, handing in its settings and clients.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from inquiry_router.adapters.links import CLICK_SECONDS, presigned_download, read_link
from inquiry_router.base.html_pages import message_page
from inquiry_router.base.observability import Handler, logger
from inquiry_router.models.download_link import DownloadLink
from inquiry_router.models.settings import PipelineSettings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client

HTML = "text/html; charset=utf-8"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


def files_http_handler(settings: PipelineSettings, *, dynamodb: DynamoDBClient, s3: S3Client) -> Handler:
    """The files function's entry point: a resolver for `GET /files/{token}` around these clients."""
    return http_app(settings, dynamodb=dynamodb, s3=s3).resolve


def http_app(settings: PipelineSettings, *, dynamodb: DynamoDBClient, s3: S3Client) -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver()

    @app.get("/files/<token>")
    def download(token: str) -> Response[str]:
        link = _link(dynamodb, settings.table_name, token)
        if link is None:
            logger.info("download link refused")
            return Response(410, HTML, _GONE, headers=_NO_STORE)
        url = presigned_download(
            s3,
            settings.raw_mail_bucket,
            link.object_key,
            download_name=link.download_name,
            content_type=link.content_type,
            seconds=CLICK_SECONDS,
        )
        return Response(302, HTML, "", headers={**_NO_STORE, "Location": url})

    return app


def _link(dynamodb: DynamoDBClient, table: str, token: str) -> DownloadLink | None:
    if not _TOKEN.match(token):
        return None
    link = read_link(dynamodb, table, token)
    return None if link is None or link.expired(datetime.now(UTC)) else link


_GONE = message_page(
    "This link has expired",
    "Download links in inquiry mails are valid for a few days. The message and its attachments are "
    "kept for a while longer: your administrator can get fresh links with `inquiry-router mail show`.",
)
