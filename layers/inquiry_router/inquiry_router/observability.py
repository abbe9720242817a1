"""Powertools Logger, Metrics and Tracer shared by every function.

Kept in a neutral module so services can log and count without importing a handler.
Service name and namespace come from POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE.
"""

from __future__ import annotations

import hashlib
import os

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

DEFAULT_NAMESPACE = "InquiryRouter"

logger = Logger()
# Powertools reads POWERTOOLS_METRICS_NAMESPACE when this is created; without it, flushing would raise.
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or DEFAULT_NAMESPACE)
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
    """One `InquiryRejected` metric with the reason as its dimension.

    A refused request records no other metric, so the dimension qualifies this one only.
    """
    metrics.add_dimension(name="reason", value=reason)
    metrics.add_metric(name="InquiryRejected", unit=MetricUnit.Count, value=1)
