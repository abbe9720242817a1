"""Download tokens (LINK# items) and presigned S3 URLs: what reps' mail links to (mail/links.py)
and what the files function resolves (entry/files_api.py)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from inquiry_router.adapters import keys
from inquiry_router.adapters.raw_mail import content_disposition
from inquiry_router.adapters.serialization import to_attributes
from inquiry_router.adapters.table import get_item
from inquiry_router.models.download_link import DownloadLink

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client

MAX_LINK_SECONDS = 7 * 24 * 3600  # SigV4's limit for a presigned URL
CLICK_SECONDS = 300  # a click's own presigned URL: enough to start the download


@dataclass(frozen=True)
class LinkStore:
    """Where tokens are kept: the stack's table, read by the files function."""

    client: DynamoDBClient
    table: str
    files_url: str  # e.g. https://<api>.execute-api.<region>.amazonaws.com/files

    def put(self, key: str, download_name: str, content_type: str, expires: datetime) -> str:
        token = secrets.token_urlsafe(16)
        link = DownloadLink(key, download_name, content_type, int(expires.timestamp()))
        # Indexed by the object, so erasing a person's stored mail finds the links to it.
        item = {
            **keys.download_link_key(token),
            **keys.download_links_index_key(key, token),
            **link.to_item(),
        }
        self.client.put_item(TableName=self.table, Item=to_attributes(item))
        return f"{self.files_url.rstrip('/')}/{token}"


def read_link(client: DynamoDBClient, table: str, token: str) -> DownloadLink | None:
    """The link behind a token, or None (TTL deletes late: the caller checks `expired`)."""
    item = get_item(client, table, keys.download_link_key(token))
    return DownloadLink.from_item(item) if item is not None and "object_key" in item else None


def presigned_download(
    client: S3Client, bucket: str, key: str, *, download_name: str, content_type: str, seconds: int
) -> str:
    """A GET URL that downloads the object under its own name (RFC 6266, UTF-8 for any script)."""
    return client.generate_presigned_url(
        "get_object",
        Params={
            "Bucket": bucket,
            "Key": key,
            "ResponseContentDisposition": content_disposition(download_name),
            "ResponseContentType": content_type,
        },
        ExpiresIn=seconds,
    )
