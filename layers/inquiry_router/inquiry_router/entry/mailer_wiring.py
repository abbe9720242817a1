"""Per-process wiring of the mailer; `reset_wiring()` rebuilds it after the environment changed."""

from __future__ import annotations

from functools import cache

from inquiry_router.adapters import clients
from inquiry_router.adapters.links import LinkStore
from inquiry_router.adapters.mail_records import MailRecords
from inquiry_router.adapters.ses import SesSender
from inquiry_router.entry.router_wiring import cached_routing_config
from inquiry_router.entry.settings import pipeline_settings
from inquiry_router.mail.links import MailLinks
from inquiry_router.mail.sending import Mailer


@cache
def mailer() -> Mailer:
    settings = pipeline_settings()
    records = MailRecords(clients.dynamodb_client(), settings.table_name)
    # Links through the stack's files endpoint outlive the mailer's credentials (mail/links.py).
    store = (
        LinkStore(clients.dynamodb_client(), settings.table_name, settings.files_url)
        if settings.files_url
        else None
    )
    links = MailLinks(
        clients.s3_client() if settings.raw_mail_bucket and not store else None,
        settings.raw_mail_bucket,
        settings.attachment_link_hours,
        store,
    )
    sender = SesSender(clients.sesv2_client(), settings.configuration_set)
    return Mailer(records, sender, settings, cached_routing_config(), links=links)


def reset_wiring() -> None:
    for cached in (
        mailer,
        pipeline_settings,
        clients.dynamodb_client,
        clients.sesv2_client,
        clients.s3_client,
    ):
        cached.cache_clear()
