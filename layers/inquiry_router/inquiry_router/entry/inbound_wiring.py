"""Per-process wiring of the inbound mail function; `reset_wiring()` rebuilds it (tests, local stack)."""

from __future__ import annotations

from functools import cache

from inquiry_router.adapters import clients
from inquiry_router.adapters.inbound_records import InboundRecords
from inquiry_router.adapters.intake_write import IntakeWriter
from inquiry_router.adapters.raw_mail import RawMailStore
from inquiry_router.entry.router_wiring import cached_routing_config, enqueue
from inquiry_router.entry.settings import pipeline_settings
from inquiry_router.inbound.processing import InboundProcessor


@cache
def inbound_processor() -> InboundProcessor:
    settings = pipeline_settings()
    if not settings.raw_mail_bucket:
        raise RuntimeError(
            "RAW_MAIL_BUCKET is not set: the inbound function cannot read mail (see template.yaml)"
        )
    dynamodb = clients.dynamodb_client()
    return InboundProcessor(
        records=InboundRecords(dynamodb, settings.table_name),
        raw_mail=RawMailStore(
            clients.s3_client(),
            settings.raw_mail_bucket,
            settings.raw_mail_prefix,
            settings.attachment_prefix,
        ),
        writer=IntakeWriter(dynamodb, settings.table_name),
        enqueue=enqueue,
        settings=settings,
        load_config=cached_routing_config(),
    )


def reset_wiring() -> None:
    for cached in (
        inbound_processor,
        pipeline_settings,
        clients.dynamodb_client,
        clients.sqs_client,
        clients.s3_client,
    ):
        cached.cache_clear()
