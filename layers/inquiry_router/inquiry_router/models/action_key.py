"""The key behind a notification's action links (`ACTIONKEY#<key id>` / `ACTIONKEY`).

One item per notification, not one per link: it holds a random secret, and each action's token is
`<key id>.<HMAC of the action, the inquiry and the rep under that secret>`. So a token is
unguessable (a 128-bit id and a 128-bit MAC), opens one action on one inquiry for one rep, and a
token for *responded* cannot be turned into one for *won*. The confirmation page's form carries a
second MAC (`form_mac`): the POST proves it came from a page served for this very token.

The item expires (`expires_at`, the table's TTL attribute); TTL deletes late, so `expired` is
checked on every read.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from inquiry_router.models.rep_actions import RepAction

ENTITY = "action_key"
MAC_BYTES = 16
# `<key id>.<mac>`, both URL-safe base64 without padding.
TOKEN_PATTERN = re.compile(r"^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{22})$")


@dataclass(frozen=True, slots=True)
class ActionKey:
    key_id: str
    inquiry_id: str
    rep_email: str  # the owner the notification went to; only they act through these links
    language: str  # the notification's, so the pages speak it too
    secret: str  # URL-safe base64 of 32 random bytes
    expires_at: int  # epoch seconds

    def token(self, action: RepAction) -> str:
        return f"{self.key_id}.{self._mac('action', action)}"

    def form_mac(self, action: RepAction) -> str:
        return self._mac("form", action)

    def action_of(self, token: str) -> RepAction | None:
        """The action `token` opens, None when it was not made with this key."""
        match = TOKEN_PATTERN.match(token)
        if match is None or match.group(1) != self.key_id:
            return None
        found = None
        for action in RepAction:  # compare with every action, so timing says nothing
            if hmac.compare_digest(self._mac("action", action), match.group(2)):
                found = action
        return found

    def accepts_form(self, action: RepAction, mac: str) -> bool:
        return hmac.compare_digest(self.form_mac(action), mac)

    def expired(self, now: datetime) -> bool:
        return self.expires_at < now.timestamp()

    def _mac(self, purpose: str, action: RepAction) -> str:
        message = "\n".join((purpose, str(action), self.inquiry_id, self.rep_email)).encode()
        digest = hmac.new(base64.urlsafe_b64decode(_padded(self.secret)), message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:MAC_BYTES]).rstrip(b"=").decode()

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> ActionKey:
        return cls(
            key_id=str(item["key_id"]),
            inquiry_id=str(item["inquiry_id"]),
            rep_email=str(item["rep_email"]),
            language=str(item.get("language") or "en"),
            secret=str(item["secret"]),
            expires_at=int(item.get("expires_at") or 0),
        )

    def to_item(self) -> dict[str, Any]:
        return {
            "entity": ENTITY,
            "key_id": self.key_id,
            "inquiry_id": self.inquiry_id,
            "rep_email": self.rep_email,
            "language": self.language,
            "secret": self.secret,
            "expires_at": self.expires_at,
        }


def key_id_of(token: str) -> str | None:
    """The key id a well-formed token names (None for anything else, before any read)."""
    match = TOKEN_PATTERN.match(token)
    return match.group(1) if match else None


def _padded(value: str) -> str:
    return value + "=" * (-len(value) % 4)
