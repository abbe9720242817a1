"""A function without TABLE_NAME fails at init, naming the variable, not at the first request."""

from __future__ import annotations

import pytest

from inquiry_router.entry.compositions import COMPOSITION_ROOTS
from inquiry_router.models.settings import IntakeSettings, MissingSetting, PipelineSettings
from tests.conftest import load_function


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
        COMPOSITION_ROOTS["inbound"]({"TABLE_NAME": "t"})


def test_a_captcha_without_its_secret_fails_the_intakes_start() -> None:
    with pytest.raises(MissingSetting, match="CAPTCHA_SECRET_PARAMETER is empty"):
        COMPOSITION_ROOTS["intake"]({"TABLE_NAME": "t", "CAPTCHA_PROVIDER": "turnstile"})


def test_settings_read_only_the_environment_they_are_handed() -> None:
    settings = PipelineSettings.from_environment({"TABLE_NAME": "t", "INQUIRY_ROUTER_LOCAL_DIR": "/x"})
    assert settings.table_name == "t"
    assert settings.outbox_dir == "/x/outbox"
