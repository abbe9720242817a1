"""Shared fixtures: a fake AWS account (moto), the stack's table, and the functions as Lambda runs them.

A function is built by its own composition root (inquiry_router/entry/compositions.py) from the
test's environment, with a botocore session of its own: nothing is shared between tests, or
between two functions of one test, so there is nothing to reset.
"""

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
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from moto import mock_aws

from inquiry_router.entry.compositions import COMPOSITION_ROOTS, Function
from inquiry_router_admin.local import strict_parameters
from inquiry_router_admin.local.moto_isolation import isolated_dynamodb
from tests.support.template import load_template

# Before any botocore session exists: every request of every test is validated as botocore would.
strict_parameters.install()

ROOT = Path(__file__).resolve().parents[1]
TABLE_NAME = "inquiry-router-test"
SITE = "https://www.example.com"
# template.yaml's defaults for ClosedInquiryRetentionDays and SpamRetentionDays
RETENTION_ENVIRONMENT = {"CLOSED_INQUIRY_RETENTION_DAYS": "730", "SPAM_RETENTION_DAYS": "30"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Long fuzz runs only when asked for by name: `pytest -m fuzz_long`."""
    if "fuzz_long" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="long fuzz run: select it with -m fuzz_long")
    for item in items:
        if "fuzz_long" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
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
    for name, value in RETENTION_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "1")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "intake")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "InquiryRouterTest")


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
    """functions/<name>/app.py imported by file path, as Lambda imports it: it builds its
    composition from `os.environ`."""
    path = ROOT / "functions" / name / "app.py"
    spec = importlib.util.spec_from_file_location(f"function_{name}_app", path)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_SERVICE_MODELS = botocore.session.Session().get_component("data_loader")


def new_session() -> Any:
    """A botocore session of its own (its hooks reach only the clients made from it), sharing the
    process's parsed service models, which are read-only: ~12 ms a session instead of ~65 ms."""
    session = botocore.session.Session()
    session.register_component("data_loader", _SERVICE_MODELS)
    return session


class LambdaFunction:
    """One function as Lambda runs it: built by its composition root at its first use (an
    invocation, or a look at `composition`), from `environ` or else from the environment the test
    has set up by then (`aws_environment`, `start_pipeline`, the test's monkeypatch), and called
    with a fake Lambda context. A test that changes a setting afterwards builds a new one."""

    def __init__(self, name: str, environ: Mapping[str, str] | None = None, session: Any = None) -> None:
        self.name = name
        self.session = new_session() if session is None else session
        self._environ = None if environ is None else dict(environ)
        self._composition: Any = None

    @property
    def composition(self) -> Any:
        if self._composition is None:
            environ = dict(os.environ) if self._environ is None else self._environ
            self._composition = COMPOSITION_ROOTS[self.name](environ, self.session)
        return self._composition

    def __call__(self, event: dict[str, Any], context: Any = None) -> Any:
        function: Function = self.composition
        return function.handler(event, context or lambda_context(self.name))


def lambda_context(name: str) -> FakeLambdaContext:
    return FakeLambdaContext(
        function_name=f"inquiry-router-{name}",
        invoked_function_arn=f"arn:aws:lambda:eu-west-1:123456789012:function:inquiry-router-{name}",
        aws_request_id=str(uuid.uuid4()),
    )


def intake_function(**overrides: str) -> LambdaFunction:
    """The intake built from this test's environment with these variables set: a new composition,
    as a function deployed with those settings would be."""
    return LambdaFunction("intake", {**os.environ, **overrides})


@pytest.fixture
def intake(dynamodb: Any) -> LambdaFunction:
    """The intake function, built from the test's environment at its first invocation."""
    return LambdaFunction("intake")


@pytest.fixture
def aws_calls(intake: LambdaFunction) -> list[str]:
    """Every AWS operation the intake's own clients send, in order (hooked on its session)."""
    calls: list[str] = []
    intake.session.register(
        "before-send.dynamodb.*", lambda request, **_: calls.append(request.headers["X-Amz-Target"].decode())
    )
    return calls
