"""Download links in reps' mail to what stays in the raw mail bucket: attachments and originals.

A presigned S3 URL signed by a function lives only as long as the function's temporary
credentials (hours), not the days a rep may take to open a mail. So the mail carries a link to the
stack's own `GET /files/{token}` instead: the token is a random 128-bit name for one S3 object,
stored with its expiry (ATTACHMENT_LINK_HOURS, the stack's AttachmentLinkHours); each click gets a
fresh presigned URL that is valid for a few minutes. Without a files URL (the CLI's `mail show`),
links are presigned directly, for as long as the caller's credentials allow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from inquiry_router.adapters.links import MAX_LINK_SECONDS, LinkStore, presigned_download
from inquiry_router.mail.views import AttachmentLink, OriginalMail
from inquiry_router.models.attachment import MailAttachment
from inquiry_router.models.rep_actions import RepAction

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class ActionLinkIssuer(Protocol):
    """Makes the one-click action links of one notification (adapters/action_keys.py)."""

    def issue(
        self, inquiry_id: str, rep_email: str, language: str, now: datetime
    ) -> Mapping[RepAction, str]: ...


@dataclass(frozen=True)
class MailLinks:
    client: S3Client | None
    bucket: str
    hours: int = 72
    store: LinkStore | None = None

    def url(self, key: str | None, *, download_name: str, content_type: str) -> str | None:
        if not key or not self.bucket:
            return None
        if self.store is not None:
            expires = datetime.now(UTC) + timedelta(hours=self.hours)
            return self.store.put(key, download_name, content_type, expires)
        if self.client is None:
            return None
        seconds = min(self.hours * 3600, MAX_LINK_SECONDS)
        return presigned_download(
            self.client,
            self.bucket,
            key,
            download_name=download_name,
            content_type=content_type,
            seconds=seconds,
        )

    def original(
        self,
        raw_key: str | None,
        attachments: Sequence[MailAttachment] | None,
        *,
        truncated: bool = False,
        reference: str = "message",
    ) -> OriginalMail:
        links = []
        for attachment in attachments or ():
            name = attachment.name or "attachment"
            content_type = attachment.content_type or "application/octet-stream"
            links.append(
                AttachmentLink(
                    name=name,
                    size=attachment.size,
                    content_type=content_type,
                    url=self.url(attachment.key, download_name=name, content_type=content_type),
                )
            )
        return OriginalMail(
            attachments=links,
            original_url=self.url(raw_key, download_name=f"{reference}.eml", content_type="message/rfc822"),
            link_hours=self.hours,
            truncated=truncated,
        )
