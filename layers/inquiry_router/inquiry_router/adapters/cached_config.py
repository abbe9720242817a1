"""The routing config as a running function reads it: from its table, re-read at most every `ttl`.

One `CachedConfig` belongs to one function's composition (entry/), which makes it at init: its
last reading is that composition's state, never the module's, so two compositions (tests, the
local stack) never see each other's config.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from inquiry_router.adapters.config_store import load_routing_config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from inquiry_router.models.routing_config import RoutingConfig


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


def cached_routing_config(client: DynamoDBClient, table: str, ttl: float) -> CachedConfig:
    """The stack's routing config from its table, re-read at most every `ttl` seconds."""
    return CachedConfig(lambda: load_routing_config(client, table), ttl)
