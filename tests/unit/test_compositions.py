"""Each function's composition root builds the function from the mapping it is handed, and only
from it: the stack's variables in `os.environ` are never read (Lambda's `app.py` hands over
`os.environ` itself), and two compositions in one process share no client, settings or cache."""

from __future__ import annotations

import os
from dataclasses import fields
from typing import Any

import pytest

from inquiry_router.base.observability import ObservabilitySettings
from inquiry_router.entry.compositions import COMPOSITION_ROOTS
from tests.conftest import load_function
from tests.support.template import load_template

FUNCTIONS = sorted(COMPOSITION_ROOTS)


def complete_environment(table: str, **overrides: str) -> dict[str, str]:
    """Every variable template.yaml sets for a function, with values a stack could have."""
    return {
        "TABLE_NAME": table,
        "COMPANY_NAME": f"{table} Co.",
        "COMPANY_DOMAINS": f"{table}.example",
        "COMPANY_WEBSITE": f"https://www.{table}.example",
        "ALLOWED_ORIGINS": f"https://www.{table}.example",
        "THANK_YOU_URL": f"https://www.{table}.example/thanks",
        "ERROR_URL": f"https://www.{table}.example/error",
        "RATE_LIMIT_PER_IP": "7",
        "RATE_LIMIT_PER_EMAIL": "3",
        "CAPTCHA_PROVIDER": "turnstile",
        "CAPTCHA_SECRET_PARAMETER": f"/{table}/captcha",
        "GUARD_SALT": f"{table}-salt",
        "MAIL_QUEUE_URL": f"https://sqs.eu-west-1.amazonaws.com/123456789012/{table}-mail",
        "SES_CONFIGURATION_SET": f"{table}-mail",
        "REPLY_BCC_ADDRESS": f"log@in.{table}.example",
        "INBOUND_DOMAIN": f"in.{table}.example",
        "RAW_MAIL_BUCKET": f"{table}-raw-mail",
        "RAW_MAIL_PREFIX": "raw/",
        "ATTACHMENT_PREFIX": "attachments/",
        "ATTACHMENT_LINK_HOURS": "48",
        "FILES_URL": f"https://api.{table}.example/files",
        "CLOSED_INQUIRY_RETENTION_DAYS": "365",
        "SPAM_RETENTION_DAYS": "14",
        "POWERTOOLS_SERVICE_NAME": table,
        "POWERTOOLS_METRICS_NAMESPACE": f"{table}-metrics",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "INFO",
    } | overrides


def stack_variables() -> set[str]:
    """The names template.yaml gives the functions, bar Powertools' own (which Powertools reads
    itself) and Lambda's AWS_* (which botocore reads itself)."""
    resources = load_template()["Resources"].values()
    names = set(load_template()["Globals"]["Function"]["Environment"]["Variables"])
    for resource in resources:
        if resource.get("Type") == "AWS::Serverless::Function":
            names |= set(resource["Properties"].get("Environment", {}).get("Variables", {}))
    return {name for name in names if not name.startswith(("POWERTOOLS_", "AWS_"))}


class RecordingEnviron(dict[str, str]):
    """`os.environ` as a dict that notes every name read."""

    def __init__(self, values: dict[str, str]) -> None:
        super().__init__(values)
        self.read: set[str] = set()

    def __getitem__(self, name: str) -> str:
        self.read.add(name)
        return super().__getitem__(name)

    def get(self, name: str, default: Any = None) -> Any:
        self.read.add(name)
        return super().get(name, default)

    def __contains__(self, name: object) -> bool:
        self.read.add(str(name))
        return super().__contains__(name)


@pytest.fixture
def process_environ(monkeypatch: pytest.MonkeyPatch) -> RecordingEnviron:
    """A process environment holding Lambda's AWS variables, and decoys for every stack variable."""
    aws = {
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    decoys = complete_environment("decoy")
    keep = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k not in decoys}
    recording = RecordingEnviron(keep | aws | decoys)
    monkeypatch.setattr(os, "environ", recording)
    return recording


@pytest.mark.parametrize("function", FUNCTIONS)
def test_a_function_is_built_from_its_mapping_alone(function: str, process_environ: RecordingEnviron) -> None:
    built = COMPOSITION_ROOTS[function](complete_environment("mapped"))

    settings: Any = built.settings
    assert settings.table_name == "mapped"
    assert settings.company_domains == ["mapped.example"]
    assert settings.observability == ObservabilitySettings("mapped-metrics", "mapped", sdk_tracing=False)
    assert not process_environ.read & stack_variables(), "read from os.environ, not from the mapping"
    assert callable(built.handler)


def test_the_check_sees_a_read_of_the_process_environment(process_environ: RecordingEnviron) -> None:
    from inquiry_router.models.settings import PipelineSettings

    PipelineSettings.from_environment(os.environ)
    assert "TABLE_NAME" in process_environ.read & stack_variables()


@pytest.mark.parametrize("function", FUNCTIONS)
def test_two_compositions_in_one_process_share_nothing(
    function: str, process_environ: RecordingEnviron
) -> None:
    first = COMPOSITION_ROOTS[function](complete_environment("first"))
    second = COMPOSITION_ROOTS[function](complete_environment("second"))

    assert (first.settings.table_name, second.settings.table_name) == ("first", "second")
    for field in fields(first):
        assert getattr(first, field.name) is not getattr(second, field.name), field.name
    for client in ("dynamodb", "sqs", "s3", "sesv2"):
        if hasattr(first, client):  # and each client comes from a session of its own
            assert getattr(first, client).meta.events is not getattr(second, client).meta.events


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_app_py_is_its_composition_root_built_from_os_environ(
    function: str, process_environ: RecordingEnviron
) -> None:
    process_environ.update(complete_environment("from-os-environ"))
    app = load_function(function)

    assert type(app.function) is type(COMPOSITION_ROOTS[function](complete_environment("x")))
    assert app.function.settings.table_name == "from-os-environ"
    assert app.handler is app.function.handler
