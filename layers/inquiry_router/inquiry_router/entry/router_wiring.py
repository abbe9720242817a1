"""Per-process wiring of the router: clients, the cached routing config, the mail queue.

`reset_wiring()` rebuilds everything after the environment changed (tests, the local stack).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cache

from inquiry_router.adapters import clients
from inquiry_router.adapters.assignment_write import AssignmentStore
from inquiry_router.adapters.config_store import load_routing_config
from inquiry_router.adapters.queues import enqueue_mail_jobs
from inquiry_router.entry.settings import pipeline_settings
from inquiry_router.models.mail_job import MailJob
from inquiry_router.models.routing_config import RoutingConfig
from inquiry_router.routing.service import Router


class CachedConfig:
    """The routing config, re-read at most every `ttl` seconds: one Query per container per
    half minute instead of one per inquiry; an applied change reaches the routers within `ttl`."""

    def __init__(
        self,
        load: Callable[[], RoutingConfig | None],
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load, self._ttl, self._clock = load, ttl, clock
        self._value: RoutingConfig | None = None
        self._read_at: float | None = None

    def __call__(self) -> RoutingConfig | None:
        now = self._clock()
        if self._read_at is None or now - self._read_at >= self._ttl or self._value is None:
            self._value, self._read_at = self._load(), now
        return self._value


def cached_routing_config() -> CachedConfig:
    """The stack's routing config as the functions read it: from their table, cached per container."""
    settings = pipeline_settings()
    client = clients.dynamodb_client()
    return CachedConfig(
        lambda: load_routing_config(client, settings.table_name), settings.config_cache_seconds
    )


@cache
def router() -> Router:
    settings = pipeline_settings()
    return Router(AssignmentStore(clients.dynamodb_client(), settings.table_name), cached_routing_config())


def enqueue(jobs: list[MailJob]) -> None:
    queue_url = pipeline_settings().mail_queue_url
    if not queue_url:
        raise RuntimeError("MAIL_QUEUE_URL is not set: the router cannot queue mail (see template.yaml)")
    enqueue_mail_jobs(clients.sqs_client(), queue_url, jobs)


def reset_wiring() -> None:
    for cached in (router, pipeline_settings, clients.dynamodb_client, clients.sqs_client):
        cached.cache_clear()
