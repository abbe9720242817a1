"""Powertools Logger, Metrics and Tracer shared by every function.

Kept in a neutral module so services can log and count without importing a handler.
Service name and namespace come from POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE.
"""

from __future__ import annotations

import hashlib

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
metrics = Metrics()
tracer = Tracer()


def mask_email(email: str | None) -> str:
    """A log-safe stand-in for an address: first letter, a short hash, and the domain.

    Enough to correlate log lines about one sender without writing their address to the logs.
    """
    if not email or "@" not in email:
        return "-"
    local, _, domain = email.rpartition("@")
    digest = hashlib.sha256(email.lower().encode()).hexdigest()[:8]
    return f"{local[:1]}***#{digest}@{domain}"


def count_rejection(reason: str) -> None:
    """One `InquiryRejected` metric with the reason as its dimension."""
    from aws_lambda_powertools.metrics import MetricUnit, single_metric

    with single_metric(name="InquiryRejected", unit=MetricUnit.Count, value=1) as metric:
        metric.add_dimension(name="reason", value=reason)
