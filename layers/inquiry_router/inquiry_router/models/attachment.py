"""An attachment of a received mail, as kept on the mail's record (models/received_mail.py) and on
the inquiry it became (models/inquiry.py): on its own, so the intake imports no mail record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from inquiry_router.models.stored import present, text


@dataclass(frozen=True, slots=True)
class MailAttachment:
    """One attachment of a received mail, on the mail's record and on the inquiry it became."""

    name: str
    size: int
    content_type: str
    inline: bool = False  # shown in the body (an embedded image), not a file the sender attached
    key: str | None = None  # where it was copied out in the raw mail bucket; None when it was not

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> MailAttachment:
        return cls(
            name=str(item.get("name") or ""),
            size=int(item.get("size") or 0),
            content_type=str(item.get("content_type") or ""),
            inline=bool(item.get("inline")),
            key=text(item, "key"),
        )

    def to_item(self) -> dict[str, Any]:
        return present(
            {
                "name": self.name,
                "size": self.size,
                "content_type": self.content_type,
                "inline": self.inline,
                "key": self.key,
            }
        )


def attachments_from(item: Mapping[str, Any], name: str = "attachments") -> tuple[MailAttachment, ...]:
    return tuple(MailAttachment.from_item(a) for a in item.get(name) or ())


def attachments_item(attachments: tuple[MailAttachment, ...]) -> list[dict[str, Any]] | None:
    return [a.to_item() for a in attachments] or None
