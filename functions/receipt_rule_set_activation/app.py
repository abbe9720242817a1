"""Custom resource: makes the stack's SES receipt rule set the account's active one (CloudFormation cannot).

Create/Update activate `RuleSetName`; Delete deactivates it only while it is still the active set, so a
set activated by hand since then is left alone. CloudFormation always gets an answer, with the reason
on failure: an unanswered custom resource holds the stack for an hour.

Self-contained on purpose (standard library and boto3 only): it must answer even if the shared layer
cannot be imported.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from typing import Any

import boto3
from botocore.config import Config

logger = logging.getLogger(__name__)
logger.setLevel(logging.INFO)

SUCCESS, FAILED = "SUCCESS", "FAILED"
# The physical id of a resource whose Create failed: its Delete (on rollback) has nothing to undo.
NOT_ACTIVATED = "not-activated"
REASON_LIMIT = 1000  # CloudFormation takes a 4 KB response
# Worst case two SES calls of 2 x (2 + 3) s and a 5 s answer: inside the function's 30 s timeout.
SES_CONFIG = Config(connect_timeout=2, read_timeout=3, retries={"max_attempts": 2, "mode": "standard"})
ANSWER_TIMEOUT_SECONDS = 5


class ActivationError(Exception):
    """The request cannot be carried out; the message is CloudFormation's Reason."""


def ses_client() -> Any:
    return boto3.client("ses", config=SES_CONFIG)


def handler(event: dict[str, Any], context: Any) -> None:
    status, reason, physical_id = FAILED, "", event.get("PhysicalResourceId") or NOT_ACTIVATED
    try:
        physical_id, reason = apply(event, ses_client())
        status = SUCCESS
    except Exception as error:  # the edge: every failure becomes CloudFormation's FAILED with a reason
        logger.exception("receipt rule set activation failed")
        reason = f"{type(error).__name__}: {error}"
    finally:
        # In `finally` so CloudFormation hears back even from an error raised while reporting one.
        log = getattr(context, "log_stream_name", None)
        if status == FAILED and log:
            reason = f"{reason} (log stream {log})"
        answer_cloudformation(event, status, reason, physical_id)


def apply(event: dict[str, Any], ses: Any) -> tuple[str, str]:
    """Carry out the request; returns (physical resource id, reason for the log and the console)."""
    request = event.get("RequestType")
    if request == "Delete":
        return event.get("PhysicalResourceId") or NOT_ACTIVATED, deactivate(
            ses, event.get("PhysicalResourceId")
        )
    if request not in ("Create", "Update"):
        raise ActivationError(f"unknown RequestType {request!r}")
    name = str((event.get("ResourceProperties") or {}).get("RuleSetName") or "")
    if not name:
        raise ActivationError("the RuleSetName property is missing")
    return name, activate(ses, name)


def activate(ses: Any, name: str) -> str:
    previous = active_rule_set(ses)
    ses.set_active_receipt_rule_set(RuleSetName=name)
    if previous and previous != name:
        logger.warning("receipt rule set %s replaced %s as the active set", name, previous)
        return f"activated {name}, replacing {previous}"
    return f"activated {name}"


def deactivate(ses: Any, name: str | None) -> str:
    if not name or name == NOT_ACTIVATED:
        return "nothing was activated"
    active = active_rule_set(ses)
    if active != name:
        return f"left {active or 'no set'} active: {name} is not the active set"
    ses.set_active_receipt_rule_set()  # no name: no set is active, SES receives no mail
    return f"deactivated {name}"


def active_rule_set(ses: Any) -> str | None:
    metadata = ses.describe_active_receipt_rule_set().get("Metadata") or {}
    return metadata.get("Name")


def answer_cloudformation(event: dict[str, Any], status: str, reason: str, physical_id: str) -> None:
    body = json.dumps(
        {
            "Status": status,
            "Reason": reason[:REASON_LIMIT] or status,
            "PhysicalResourceId": physical_id,
            "StackId": event.get("StackId"),
            "RequestId": event.get("RequestId"),
            "LogicalResourceId": event.get("LogicalResourceId"),
            "NoEcho": False,
            "Data": {"RuleSetName": physical_id},
        }
    ).encode()
    url = str(event.get("ResponseURL") or "")
    if not url.startswith("https://"):
        logger.error("no https ResponseURL to answer CloudFormation (%s): %s", status, reason)
        return
    request = urllib.request.Request(  # noqa: S310 - an https URL CloudFormation gave us
        url, data=body, method="PUT", headers={"Content-Type": "", "Content-Length": str(len(body))}
    )
    try:
        with urllib.request.urlopen(request, timeout=ANSWER_TIMEOUT_SECONDS) as response:  # noqa: S310
            logger.info("answered CloudFormation %s (HTTP %s): %s", status, response.status, reason)
    except OSError:
        logger.exception("could not answer CloudFormation (%s: %s)", status, reason)
