"""Intake function: API Gateway HTTP API event in, HTTP response out."""

from aws_lambda_powertools.logging import correlation_paths

from inquiry_router.base.observability import instrument
from inquiry_router.entry.intake_wiring import http_handler, resolve_http_event
from inquiry_router.entry.settings import intake_settings

# At init, not at the first request: a missing variable fails the start and names itself.
intake_settings()
http_handler()

handler = instrument(resolve_http_event, correlation_paths.API_GATEWAY_HTTP)
