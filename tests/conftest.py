"""Shared fixtures: a fake AWS account (moto), the stack's table, and the intake handler."""

from __future__ import annotations

import os

# Powertools reads these when the package's Logger/Metrics/Tracer are created, i.e. at import.
os.environ.update(
    POWERTOOLS_SERVICE_NAME="intake",
    POWERTOOLS_METRICS_NAMESPACE="InquiryRouterTest",
    POWERTOOLS_TRACE_DISABLED="1",
)

import importlib.util
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from inquiry_router.entry.reset import reset_all_wiring as reset_wiring
from inquiry_router_admin.local import strict_parameters
from inquiry_router_admin.local.moto_isolation import isolated_dynamodb
from tests.support.template import load_template

# Before any botocore session exists: every request of every test is validated as botocore would.
strict_parameters.install()

ROOT = Path(__file__).resolve().parents[1]
TABLE_NAME = "inquiry-router-test"
SITE = "https://www.example.com"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Long fuzz runs only when asked for by name: `pytest -m fuzz_long`."""
    if "fuzz_long" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="long fuzz run: select it with -m fuzz_long")
    for item in items:
        if "fuzz_long" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def aws_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fake credentials and the intake's configuration; nothing can reach real AWS."""
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "THANK_YOU_URL", "ERROR_URL", "CAPTCHA_PROVIDER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("TABLE_NAME", TABLE_NAME)
    monkeypatch.setenv("COMPANY_NAME", "Sunrise Lighting Co.")
    monkeypatch.setenv("COMPANY_DOMAINS", "sunrise-lighting.com")
    monkeypatch.setenv("ALLOWED_ORIGINS", f"{SITE},https://example.com")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "1")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "intake")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "InquiryRouterTest")
    reset_wiring()
    yield
    reset_wiring()


def create_table(client: Any, name: str = TABLE_NAME, *, stream: bool = True) -> None:
    """The table exactly as template.yaml declares it (keys, indexes, stream); `stream=False`
    leaves the stream out where no test reads it (moto keeps every record in memory)."""
    properties = load_template()["Resources"]["InquiryTable"]["Properties"]
    client.create_table(
        TableName=name,
        BillingMode=properties["BillingMode"],
        AttributeDefinitions=properties["AttributeDefinitions"],
        KeySchema=properties["KeySchema"],
        GlobalSecondaryIndexes=properties["GlobalSecondaryIndexes"],
        StreamSpecification=(
            {"StreamEnabled": True, **properties["StreamSpecification"]}
            if stream
            else {"StreamEnabled": False}
        ),
    )


@pytest.fixture
def dynamodb(aws_environment: None) -> Iterator[Any]:
    with mock_aws(), isolated_dynamodb():
        client = boto3.client("dynamodb")
        create_table(client)
        yield client


@dataclass
class FakeLambdaContext:
    function_name: str = "inquiry-router-intake"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:inquiry-router-intake"
    aws_request_id: str = ""

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def load_function(name: str) -> Any:
    path = ROOT / "functions" / name / "app.py"
    spec = importlib.util.spec_from_file_location(f"function_{name}_app", path)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def intake(dynamodb: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Call the intake function's handler as Lambda would."""
    handler = load_function("intake").handler

    def invoke(event: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = handler(event, FakeLambdaContext(aws_request_id=str(uuid.uuid4())))
        return result

    return invoke


@pytest.fixture
def aws_calls(dynamodb: Any) -> list[str]:
    """Every AWS operation the intake's own client sends, in order."""
    from inquiry_router.adapters.clients import dynamodb_client

    calls: list[str] = []
    dynamodb_client().meta.events.register(
        "before-send.dynamodb.*", lambda request, **_: calls.append(request.headers["X-Amz-Target"].decode())
    )
    return calls
