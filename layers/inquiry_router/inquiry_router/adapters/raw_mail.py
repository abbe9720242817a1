"""The raw mail bucket: SES's S3 action writes `raw/<SES message id>`; attachments are copied beside
it under `attachments/<SES message id>/` so a rep's mail can link each one on its own.

The raw message is read as a stream of 1 MB pieces and parsed as it arrives, so a 40 MB message
never sits in memory as one bytes object next to its parse (bench/parse_memory.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Protocol

from botocore.exceptions import ClientError

from inquiry_router.models.attachment import MailAttachment

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

CHUNK = 1024 * 1024  # S3 body pieces handed to the parser

_UNSAFE_IN_KEY = re.compile(r"[^A-Za-z0-9._() -]+")


class AttachmentFacts(Protocol):
    """What the store needs to know of a decoded attachment (inbound/parse.py's parts)."""

    @property
    def name(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def content_type(self) -> str: ...
    @property
    def inline(self) -> bool: ...


class RawMailMissing(RuntimeError):
    """The receipt event names a message the bucket does not hold (yet): retried by Lambda."""


class RawMailStore:
    def __init__(self, client: S3Client, bucket: str, raw_prefix: str, attachment_prefix: str) -> None:
        self._client = client
        self._bucket = bucket
        self._raw_prefix = raw_prefix
        self._attachment_prefix = attachment_prefix

    def raw_key(self, ses_message_id: str) -> str:
        return f"{self._raw_prefix}{ses_message_id}"

    def read(self, ses_message_id: str) -> Iterator[bytes]:
        """The stored message in pieces, streamed: a 40 MB mail is never held twice."""
        key = self.raw_key(ses_message_id)
        try:
            body = self._client.get_object(Bucket=self._bucket, Key=key)["Body"]
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise RawMailMissing(f"s3://{self._bucket}/{key} does not exist") from None
            raise
        return body.iter_chunks(CHUNK)

    def store_attachments(
        self, ses_message_id: str, payloads: Iterable[tuple[int, AttachmentFacts, bytes]]
    ) -> list[MailAttachment]:
        """Copy every attached file out (inline images stay in the body); same keys on a retry."""
        stored: list[MailAttachment] = []
        for index, attachment, data in payloads:
            key = None
            if not attachment.inline:
                key = (
                    f"{self._attachment_prefix}{ses_message_id}/{index + 1}-{safe_file_name(attachment.name)}"
                )
                self._client.put_object(
                    Bucket=self._bucket,
                    Key=key,
                    Body=data,
                    ContentType=attachment.content_type,
                    # The browser offers the file under its own name, whatever the script.
                    ContentDisposition=content_disposition(attachment.name),
                )
            stored.append(
                MailAttachment(
                    attachment.name, attachment.size, attachment.content_type, attachment.inline, key
                )
            )
        return stored


def safe_file_name(name: str, limit: int = 100) -> str:
    """A file name fit for an S3 key: ASCII letters kept, everything else a dash, never empty."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    cleaned = _UNSAFE_IN_KEY.sub("-", ascii_name).strip(" .-")
    return (cleaned or "attachment")[-limit:]


def content_disposition(name: str) -> str:
    """`attachment` with the original name (RFC 6266 / RFC 5987: UTF-8, percent-encoded)."""
    from urllib.parse import quote

    fallback = safe_file_name(name).replace('"', "")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
