"""Powertools Logger, Metrics and Tracer shared by every function, and the one decorator stack.

Kept in a neutral module so services can log and count without importing a handler.
Service name and namespace come from POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from inquiry_router.safe_text import without_surrogates

Handler = Callable[[dict[str, Any], LambdaContext], Any]

DEFAULT_NAMESPACE = "InquiryRouter"


def _log_line(record: dict[str, Any]) -> str:
    # Powertools writes non-ASCII as is (ensure_ascii=False): a lone surrogate anywhere in a record
    # would make Lambda's UTF-8 stdout drop the whole line with an encoding error.
    return without_surrogates(json.dumps(record, default=str, separators=(",", ":"), ensure_ascii=False))


logger = Logger(json_serializer=_log_line)
# Powertools reads POWERTOOLS_METRICS_NAMESPACE when this is created; without it, flushing would raise.
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or DEFAULT_NAMESPACE)


@cache
def tracer() -> Tracer:
    """The X-Ray SDK tracer, built on first use: creating it costs an X-Ray client (~150 ms of init)."""
    return Tracer()


def sdk_tracing_enabled() -> bool:
    return os.environ.get("POWERTOOLS_TRACE_DISABLED", "false").lower() not in ("1", "true")


def instrument(handler: Handler, correlation_id_path: str | None = None) -> Handler:
    """Every function's decorator stack: structured logs with the request id, metrics, tracing.

    X-Ray SDK subsegments are added unless POWERTOOLS_TRACE_DISABLED is set; the latency-critical
    intake sets it (template.yaml) and relies on Lambda's own active tracing, which costs nothing
    at init. Decided once, when the function module loads.
    """
    wrapped: Handler = metrics.log_metrics(handler)
    if sdk_tracing_enabled():
        wrapped = tracer().capture_lambda_handler(wrapped)
    instrumented: Handler = logger.inject_lambda_context(correlation_id_path=correlation_id_path)(wrapped)
    return instrumented


def mask_email(email: str | None) -> str:
    """A log-safe stand-in for an address: first letter, a short hash, and the domain.

    Enough to correlate log lines about one sender without writing their address to the logs.
    """
    if not email or "@" not in email:
        return "-"
    email = without_surrogates(email)
    local, _, domain = email.rpartition("@")
    digest = hashlib.sha256(email.lower().encode()).hexdigest()[:8]
    return f"{local[:1]}***#{digest}@{domain}"


def count_rejection(reason: str) -> None:
    """One `InquiryRejected` metric with the reason as its dimension.

    A refused request records no other metric, so the dimension qualifies this one only.
    """
    metrics.add_dimension(name="reason", value=reason)
    metrics.add_metric(name="InquiryRejected", unit=MetricUnit.Count, value=1)
