"""Per-process wiring of the files function; `reset_wiring()` rebuilds it (tests, local stack)."""

from __future__ import annotations

from inquiry_router.adapters import clients
from inquiry_router.entry.settings import pipeline_settings


def reset_wiring() -> None:
    from inquiry_router.entry import files_api as api

    for cached in (api.http_app, pipeline_settings, clients.dynamodb_client, clients.s3_client):
        cached.cache_clear()
