"""`GET /files/{token}`: one click on a download link in a rep's mail.

The token names one object in the raw mail bucket (mail/links.py); a known, unexpired token gets a
302 to a presigned URL valid for a few minutes, signed with this function's fresh credentials. An
unknown or expired one gets a short page saying what to do. Nothing is listed, nothing guessable:
tokens are 128 random bits, and the answer never says whether a token ever existed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from inquiry_router.adapters import clients
from inquiry_router.adapters.links import CLICK_SECONDS, presigned_download, read_link
from inquiry_router.base.html_pages import message_page
from inquiry_router.base.observability import logger
from inquiry_router.entry.settings import pipeline_settings

HTML = "text/html; charset=utf-8"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


@cache
def http_app() -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver()

    @app.get("/files/<token>")
    def download(token: str) -> Response[str]:
        link = _link(token)
        if link is None:
            logger.info("download link refused")
            return Response(410, HTML, _GONE, headers=_NO_STORE)
        settings = pipeline_settings()
        url = presigned_download(
            clients.s3_client(),
            settings.raw_mail_bucket,
            str(link["object_key"]),
            download_name=str(link.get("download_name") or "download"),
            content_type=str(link.get("content_type") or "application/octet-stream"),
            seconds=CLICK_SECONDS,
        )
        return Response(302, HTML, "", headers={**_NO_STORE, "Location": url})

    return app


def _link(token: str) -> dict[str, Any] | None:
    if not _TOKEN.match(token):
        return None
    item = read_link(clients.dynamodb_client(), pipeline_settings().table_name, token)
    # TTL deletes late: an expired item must not count.
    if item is None or int(item.get("expires_at", 0)) < datetime.now(UTC).timestamp():
        return None
    return item


_GONE = message_page(
    "This link has expired",
    "Download links in inquiry mails are valid for a few days. The message and its attachments are "
    "kept for a while longer: your administrator can get fresh links with `inquiry-router mail show`.",
)


def handle(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return http_app().resolve(event, context)
