"""A function without TABLE_NAME fails at init, naming the variable, not at the first request."""

from __future__ import annotations

import re

import pytest

from inquiry_router.entry.compositions import COMPOSITION_ROOTS
from inquiry_router.models.settings import (
    IntakeSettings,
    InvalidSetting,
    MissingSetting,
    PipelineSettings,
    Retention,
)
from tests.conftest import RETENTION_ENVIRONMENT, load_function


@pytest.mark.parametrize("settings", [IntakeSettings, PipelineSettings])
@pytest.mark.parametrize("table_name", [None, "", "   "])
def test_a_missing_table_name_is_named(
    settings: type[IntakeSettings | PipelineSettings], table_name: str | None
) -> None:
    environ = {} if table_name is None else {"TABLE_NAME": table_name}
    with pytest.raises(MissingSetting, match=r"^TABLE_NAME is not set"):
        settings.from_environment(environ)


@pytest.mark.parametrize("function", sorted(COMPOSITION_ROOTS))
def test_each_function_fails_its_start_without_a_table(
    function: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TABLE_NAME", raising=False)
    with pytest.raises(MissingSetting, match="TABLE_NAME"):
        load_function(function)  # its app.py, as Lambda imports it


def test_the_inbound_function_fails_its_start_without_its_bucket() -> None:
    with pytest.raises(RuntimeError, match=r"^RAW_MAIL_BUCKET is not set"):
        COMPOSITION_ROOTS["inbound"]({"TABLE_NAME": "t", **RETENTION_ENVIRONMENT})


def test_a_captcha_without_its_secret_fails_the_intakes_start() -> None:
    with pytest.raises(MissingSetting, match="CAPTCHA_SECRET_PARAMETER is empty"):
        COMPOSITION_ROOTS["intake"](
            {"TABLE_NAME": "t", "CAPTCHA_PROVIDER": "turnstile", **RETENTION_ENVIRONMENT}
        )


def test_settings_read_only_the_environment_they_are_handed() -> None:
    settings = PipelineSettings.from_environment(
        {"TABLE_NAME": "t", "INQUIRY_ROUTER_LOCAL_DIR": "/x", **RETENTION_ENVIRONMENT}
    )
    assert settings.table_name == "t"
    assert settings.outbox_dir == "/x/outbox"


@pytest.mark.parametrize("settings", [IntakeSettings, PipelineSettings])
@pytest.mark.parametrize("missing", ["CLOSED_INQUIRY_RETENTION_DAYS", "SPAM_RETENTION_DAYS"])
def test_a_missing_retention_is_named_with_its_stack_parameter(
    settings: type[IntakeSettings | PipelineSettings], missing: str
) -> None:
    environ = {"TABLE_NAME": "t", **RETENTION_ENVIRONMENT, missing: " "}
    with pytest.raises(MissingSetting, match=rf"^{missing} is not set: .*(ClosedInquiry|Spam)RetentionDays"):
        settings.from_environment(environ)


@pytest.mark.parametrize(
    ("variable", "value", "why"),
    [
        ("CLOSED_INQUIRY_RETENTION_DAYS", "two years", "valid integer"),
        ("CLOSED_INQUIRY_RETENTION_DAYS", "-1", "greater than or equal to 0"),
        ("CLOSED_INQUIRY_RETENTION_DAYS", "3651", "less than or equal to 3650"),
        ("SPAM_RETENTION_DAYS", "0", "greater than or equal to 1"),
        ("SPAM_RETENTION_DAYS", "366", "less than or equal to 365"),
        ("SPAM_RETENTION_DAYS", "7.5", "valid integer"),
    ],
)
def test_an_invalid_retention_fails_the_start_saying_why(variable: str, value: str, why: str) -> None:
    with pytest.raises(InvalidSetting, match=rf"^{variable} is '{re.escape(value)}': .*{why}"):
        COMPOSITION_ROOTS["actions"]({"TABLE_NAME": "t", **RETENTION_ENVIRONMENT, variable: value})


def test_retention_reads_whole_days_and_zero_keeps_closed_inquiries() -> None:
    kept = Retention.from_environment({"CLOSED_INQUIRY_RETENTION_DAYS": "0", "SPAM_RETENTION_DAYS": "7"})
    assert (kept.closed_inquiry_days, kept.spam_days) == (0, 7)
