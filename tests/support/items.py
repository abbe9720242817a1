"""The table's read patterns as the stored attributes (`to_item()` of the typed items that
adapters/queries.py answers with), for tests that assert on what is stored, attribute by attribute."""

from __future__ import annotations

from typing import Any

from inquiry_router.adapters import queries


def get_inquiry(
    client: Any, table: str, inquiry_id: str, *, consistent: bool = False
) -> dict[str, Any] | None:
    inquiry = queries.get_inquiry(client, table, inquiry_id, consistent=consistent)
    return inquiry.to_item() if inquiry else None


def get_contact(client: Any, table: str, email_key: str) -> dict[str, Any] | None:
    contact = queries.get_contact(client, table, email_key)
    return contact.to_item() if contact else None


def contact_timeline(client: Any, table: str, email_key: str, limit: int = 50) -> list[dict[str, Any]]:
    return [event.to_item() for event in queries.contact_timeline(client, table, email_key, limit)]


def received_mail(client: Any, table: str, ses_message_id: str) -> dict[str, Any] | None:
    mail = queries.received_mail(client, table, ses_message_id)
    return mail.to_item() if mail else None
