"""The custom resource activating the receipt rule set: what SES ends up with, what CloudFormation hears."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.conftest import load_function

RULE_SET = "inquiry-router-inbound"
RESPONSE_URL = "https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/answer?sig=x"


class Context:
    log_stream_name = "2026/12/02/[$LATEST]abc"


class CloudFormation:
    """Stands in for the pre-signed ResponseURL: records each answer PUT to it."""

    def __init__(self) -> None:
        self.answers: list[dict[str, Any]] = []

    def urlopen(self, request: Any, timeout: float) -> Any:
        assert (request.get_method(), request.full_url, timeout) == ("PUT", RESPONSE_URL, 5)
        self.answers.append(json.loads(request.data))
        return Answered()


class Answered:
    status = 200

    def __enter__(self) -> Answered:
        return self

    def __exit__(self, *_: object) -> None:
        return None


@pytest.fixture
def app() -> Any:
    return load_function("receipt_rule_set_activation")


@pytest.fixture
def ses(aws_environment: None) -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("ses")
        for name in (RULE_SET, "someone-elses-rules"):
            client.create_receipt_rule_set(RuleSetName=name)
        yield client


@pytest.fixture
def cloudformation(app: Any, monkeypatch: pytest.MonkeyPatch) -> CloudFormation:
    fake = CloudFormation()
    monkeypatch.setattr(app.urllib.request, "urlopen", fake.urlopen)
    return fake


def request(kind: str, physical_id: str | None = None, **properties: str) -> dict[str, Any]:
    event = {
        "RequestType": kind,
        "ResponseURL": RESPONSE_URL,
        "StackId": "arn:aws:cloudformation:eu-west-1:123456789012:stack/inquiry-router/guid",
        "RequestId": "request-1",
        "LogicalResourceId": "ReceiptRuleSetActivation",
        "ResourceType": "Custom::ActivateReceiptRuleSet",
        "ResourceProperties": {"ServiceToken": "arn:aws:lambda:...", **properties},
    }
    if physical_id:
        event["PhysicalResourceId"] = physical_id
    return event


def active(ses: Any) -> str | None:
    metadata = ses.describe_active_receipt_rule_set().get("Metadata") or {}
    return metadata.get("Name")


def test_create_activates_the_set_and_says_which_it_replaced(
    app: Any, ses: Any, cloudformation: CloudFormation
) -> None:
    ses.set_active_receipt_rule_set(RuleSetName="someone-elses-rules")

    app.handler(request("Create", RuleSetName=RULE_SET), Context())

    assert active(ses) == RULE_SET
    (answer,) = cloudformation.answers
    assert answer["Status"] == "SUCCESS"
    assert answer["PhysicalResourceId"] == RULE_SET
    assert answer["Reason"] == f"activated {RULE_SET}, replacing someone-elses-rules"
    assert (answer["RequestId"], answer["LogicalResourceId"]) == ("request-1", "ReceiptRuleSetActivation")
    assert answer["StackId"].endswith("stack/inquiry-router/guid")


def test_delete_deactivates_the_set_while_it_is_the_active_one(
    app: Any, ses: Any, cloudformation: CloudFormation
) -> None:
    ses.set_active_receipt_rule_set(RuleSetName=RULE_SET)

    app.handler(request("Delete", RULE_SET, RuleSetName=RULE_SET), Context())

    assert active(ses) is None
    assert [(a["Status"], a["Reason"]) for a in cloudformation.answers] == [
        ("SUCCESS", f"deactivated {RULE_SET}")
    ]


def test_delete_leaves_a_set_activated_by_hand_since_then_alone(
    app: Any, ses: Any, cloudformation: CloudFormation
) -> None:
    ses.set_active_receipt_rule_set(RuleSetName="someone-elses-rules")

    app.handler(request("Delete", RULE_SET, RuleSetName=RULE_SET), Context())

    assert active(ses) == "someone-elses-rules"
    assert cloudformation.answers[0]["Status"] == "SUCCESS"


def test_a_failure_is_answered_with_its_reason_and_rolls_back_cleanly(
    app: Any, ses: Any, cloudformation: CloudFormation
) -> None:
    app.handler(request("Create", RuleSetName="no-such-rules"), Context())
    (failed,) = cloudformation.answers
    assert failed["Status"] == "FAILED"
    assert "RuleSetDoesNotExist" in failed["Reason"]
    assert failed["Reason"].endswith("(log stream 2026/12/02/[$LATEST]abc)")

    # CloudFormation rolls back by deleting what "was created": nothing, and it must not fail
    app.handler(request("Delete", failed["PhysicalResourceId"], RuleSetName="no-such-rules"), Context())
    assert cloudformation.answers[1]["Status"] == "SUCCESS"
    assert active(ses) is None


def test_a_missing_rule_set_name_is_refused(app: Any, ses: Any, cloudformation: CloudFormation) -> None:
    app.handler(request("Update", RULE_SET), Context())

    assert cloudformation.answers[0]["Status"] == "FAILED"
    assert "RuleSetName property is missing" in cloudformation.answers[0]["Reason"]


def test_an_answer_that_cannot_be_delivered_is_logged_not_raised(
    app: Any, ses: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def unreachable(request: Any, timeout: float) -> Any:
        raise TimeoutError("timed out")

    monkeypatch.setattr(app.urllib.request, "urlopen", unreachable)

    app.handler(request("Create", RuleSetName=RULE_SET), Context())  # returns: Lambda must not retry

    assert "could not answer CloudFormation (SUCCESS" in caplog.text
