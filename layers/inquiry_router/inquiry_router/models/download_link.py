"""A download link in a rep's mail (`LINK#<token>` / `LINK`): which stored object a token opens,
under which name, until when (the item's TTL, `expires_at`, deletes it some time after)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

ENTITY = "download_link"


@dataclass(frozen=True, slots=True)
class DownloadLink:
    object_key: str
    download_name: str
    content_type: str
    expires_at: int  # epoch seconds

    def expired(self, now: datetime) -> bool:
        # TTL deletes late: an item past its time must not open anything.
        return self.expires_at < now.timestamp()

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> DownloadLink:
        return cls(
            object_key=str(item["object_key"]),
            download_name=str(item.get("download_name") or "download"),
            content_type=str(item.get("content_type") or "application/octet-stream"),
            expires_at=int(item.get("expires_at") or 0),
        )

    def to_item(self) -> dict[str, Any]:
        return {
            "entity": ENTITY,
            "object_key": self.object_key,
            "download_name": self.download_name,
            "content_type": self.content_type,
            "expires_at": self.expires_at,
        }
