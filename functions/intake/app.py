"""Intake function: API Gateway HTTP API event in, HTTP response out."""

from aws_lambda_powertools.logging import correlation_paths

from inquiry_router.base.observability import instrument
from inquiry_router.entry.intake_api import resolve_http_event

handler = instrument(resolve_http_event, correlation_paths.API_GATEWAY_HTTP)
