"""Per-process wiring of the mailer; `reset_wiring()` rebuilds it after the environment changed."""

from __future__ import annotations

from functools import cache

from inquiry_router.mail.sending import Mailer
from inquiry_router.routing.wiring import cached_routing_config
from inquiry_router.settings import pipeline_settings
from inquiry_router.store import clients
from inquiry_router.store.mail_records import MailRecords


@cache
def mailer() -> Mailer:
    settings = pipeline_settings()
    records = MailRecords(clients.dynamodb_client(), settings.table_name)
    return Mailer(records, clients.sesv2_client(), settings, cached_routing_config())


def reset_wiring() -> None:
    for cached in (mailer, pipeline_settings, clients.dynamodb_client, clients.sesv2_client):
        cached.cache_clear()
