"""Action keys (ACTIONKEY# items, models/action_key.py): issued by the mailer for each
notification it renders, read by the actions function on every click."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from inquiry_router.adapters import keys
from inquiry_router.adapters.serialization import to_attributes
from inquiry_router.adapters.table import get_item
from inquiry_router.models.action_key import ActionKey, key_id_of
from inquiry_router.models.rep_actions import RepAction

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


@dataclass(frozen=True)
class ActionKeys:
    """Where keys are kept: the stack's table; `actions_url` is the stack's `/actions` endpoint."""

    client: DynamoDBClient
    table: str
    actions_url: str  # e.g. https://<api>.execute-api.<region>.amazonaws.com/actions
    days: int = 30

    def issue(self, inquiry_id: str, rep_email: str, language: str, now: datetime) -> dict[RepAction, str]:
        """A fresh key for one notification, stored; the URL of each of its actions."""
        key = ActionKey(
            key_id=secrets.token_urlsafe(16),
            inquiry_id=inquiry_id,
            rep_email=rep_email.lower(),
            language=language,
            secret=secrets.token_urlsafe(32),
            expires_at=int((now + timedelta(days=self.days)).timestamp()),
        )
        # Indexed by the inquiry, so erasing the inquiry finds its keys.
        item = {
            **keys.action_key_key(key.key_id),
            **keys.action_keys_index_key(inquiry_id, key.key_id),
            **key.to_item(),
        }
        self.client.put_item(TableName=self.table, Item=to_attributes(item))
        base = self.actions_url.rstrip("/")
        return {action: f"{base}/{key.token(action)}" for action in RepAction}


def read_action_key(client: DynamoDBClient, table: str, token: str) -> ActionKey | None:
    """The key a token was made with, None for a malformed token or an unknown key (the caller
    checks `expired` and `action_of`)."""
    key_id = key_id_of(token)
    if key_id is None:
        return None
    item = get_item(client, table, keys.action_key_key(key_id))
    return ActionKey.from_item(item) if item is not None and item.get("entity") == "action_key" else None
