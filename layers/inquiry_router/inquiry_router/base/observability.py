"""Powertools Logger, Metrics and Tracer shared by every function, and the one decorator stack.

Kept in a neutral module so services can log and count without importing a handler. The metrics
namespace, the service name and whether the X-Ray SDK traces come from `ObservabilitySettings`,
which each function's composition root reads from its environment (POWERTOOLS_METRICS_NAMESPACE,
POWERTOOLS_SERVICE_NAME, POWERTOOLS_TRACE_DISABLED) and hands to `instrument`; this module reads
no environment itself (Powertools reads its own variables, such as the log level).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from inquiry_router.base.safe_text import without_surrogates

Handler = Callable[[dict[str, Any], LambdaContext], Any]

DEFAULT_NAMESPACE = "InquiryRouter"


def _log_line(record: dict[str, Any]) -> str:
    # Powertools writes non-ASCII as is (ensure_ascii=False): a lone surrogate anywhere in a record
    # would make Lambda's UTF-8 stdout drop the whole line with an encoding error.
    return without_surrogates(json.dumps(record, default=str, separators=(",", ":"), ensure_ascii=False))


@dataclass(frozen=True)
class ObservabilitySettings:
    """What a function's decorator stack is told by its composition root."""

    metrics_namespace: str = DEFAULT_NAMESPACE
    service_name: str | None = None
    sdk_tracing: bool = True  # X-Ray SDK subsegments; off where init time matters (the intake)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> ObservabilitySettings:
        return cls(
            metrics_namespace=environ.get("POWERTOOLS_METRICS_NAMESPACE") or DEFAULT_NAMESPACE,
            service_name=environ.get("POWERTOOLS_SERVICE_NAME") or None,
            sdk_tracing=environ.get("POWERTOOLS_TRACE_DISABLED", "false").lower() not in ("1", "true"),
        )


logger = Logger(json_serializer=_log_line)
# What services count with. Every Powertools `Metrics` shares one metric set, so the instance that
# `instrument` makes per function flushes these with the namespace and service of its settings.
metrics = Metrics()


def tracer(service_name: str | None = None) -> Tracer:
    """The X-Ray SDK tracer, made by `instrument` only for functions that trace with the SDK:
    creating the first one costs an X-Ray client (~150 ms of init).

    Its segments reach the daemon through `PersonalDataFreeEmitter`: traces keep timings, names
    and annotations, never what a buyer wrote (see `without_personal_data`).
    """
    built = Tracer(service=service_name)
    # Every Tracer shares the SDK's one recorder: a second composition's finds it configured.
    if not built.disabled and not getattr(built.provider.emitter, "drops_personal_data", False):  # type: ignore[attr-defined]
        built.provider.configure(emitter=personal_data_free_emitter())  # type: ignore[attr-defined]
    return built


# Where X-Ray SDK documents can hold personal data: exception messages (an SES error names the
# recipient, a parse error quotes the header), metadata (Powertools puts a handler's response and
# exception there) and the S3 object key of a traced call (an attachment's file name).
_DROPPED_KEYS = {"exceptions": ("message",), "aws": ("key",)}


def without_personal_data(document: Any) -> Any:
    """An X-Ray segment document (`Entity.to_dict()`), with whatever could carry personal data removed."""
    if isinstance(document, list):
        return [without_personal_data(item) for item in document]
    if not isinstance(document, dict):
        return document
    cleaned: dict[str, Any] = {}
    for key, value in document.items():
        if key == "metadata":
            continue
        if key == "exceptions" and isinstance(value, list):
            cleaned[key] = [
                {k: v for k, v in without_personal_data(e).items() if k not in _DROPPED_KEYS[key]}
                for e in value
                if isinstance(e, dict)
            ]
        elif key == "aws" and isinstance(value, dict):
            cleaned[key] = {
                k: without_personal_data(v) for k, v in value.items() if k not in _DROPPED_KEYS[key]
            }
        else:
            cleaned[key] = without_personal_data(value)
    return cleaned


def personal_data_free_emitter() -> Any:
    """The X-Ray SDK's UDP emitter (daemon address from AWS_XRAY_DAEMON_ADDRESS), sending each
    segment as `without_personal_data` leaves it: one place decides it for every function and
    every traced call, whatever Powertools or the SDK's patches record."""
    from aws_xray_sdk.core.emitters.udp_emitter import PROTOCOL_DELIMITER, PROTOCOL_HEADER, UDPEmitter

    class PersonalDataFreeEmitter(UDPEmitter):  # type: ignore[misc]
        drops_personal_data = True

        def send_entity(self, entity: Any) -> None:
            try:
                document = json.dumps(without_personal_data(entity.to_dict()), default=str)
                self._send_data(f"{PROTOCOL_HEADER}{PROTOCOL_DELIMITER}{document}")
            except Exception:  # as the SDK's own emitter: a lost segment never fails the function
                logging.getLogger(__name__).warning("an X-Ray segment could not be sent", exc_info=True)

    return PersonalDataFreeEmitter()


def instrument(
    handler: Handler, settings: ObservabilitySettings, correlation_id_path: str | None = None
) -> Handler:
    """Every function's decorator stack: structured logs with the request id, metrics, tracing.

    X-Ray SDK subsegments are added unless the settings turn them off (POWERTOOLS_TRACE_DISABLED);
    the latency-critical intake does (template.yaml) and relies on Lambda's own active tracing,
    which costs nothing at init. Decided once, by the composition root at init.
    """
    flushing = Metrics(namespace=settings.metrics_namespace, service=settings.service_name)
    wrapped: Handler = flushing.log_metrics(handler)
    if settings.sdk_tracing:
        # A response holds addresses (the inbound function's outcome), an error message may too.
        wrapped = tracer(settings.service_name).capture_lambda_handler(
            wrapped, capture_response=False, capture_error=False
        )
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


def count_stored_inquiry(
    *,
    inquiry_id: str,
    reference: str,
    status: str,
    replayed: bool,
    sender: str,
    channel: str,
    **details: object,
) -> None:
    """One metric and one log line per stored inquiry, whichever way it came in (form, mail, release)."""
    if replayed:
        metrics.add_metric(name="InquiryReplayed", unit=MetricUnit.Count, value=1)
    elif status == "spam":
        metrics.add_metric(name="InquirySpam", unit=MetricUnit.Count, value=1)
    else:
        metrics.add_metric(name="InquiryAccepted", unit=MetricUnit.Count, value=1)
    logger.info(
        "inquiry stored",
        extra={
            "inquiry_id": inquiry_id,
            "reference": reference,
            "status": status,
            "replayed": replayed,
            "channel": channel,
            "sender": mask_email(sender),  # never the address itself
            **details,
        },
    )
