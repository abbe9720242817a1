"""`inquiry-router inquiries list` and `contacts show` against a stack (moto)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest

from inquiry_router_admin.cli.main import main
from tests.conftest import TABLE_NAME
from tests.support.events import json_post

Invoke = Callable[[dict[str, Any]], dict[str, Any]]


@pytest.fixture
def stack(dynamodb: Any) -> str:
    """A deployed stack as the CLI finds it: by name, through its TableName output."""
    template = {
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {"TableName": {"Value": TABLE_NAME}},
    }
    boto3.client("cloudformation").create_stack(StackName="inquiry-router", TemplateBody=json.dumps(template))
    return "inquiry-router"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_inquiries_list_shows_new_inquiries_newest_first(
    intake: Invoke, stack: str, capsys: pytest.CaptureFixture[str]
) -> None:
    intake(
        json_post({"email": "li@shenzhen-trading.cn", "name": "李明", "message": "请报价", "subject": "路灯"})
    )
    intake(json_post({"email": "ana@importadora-sol.es", "message": "Quote", "subject": "LED panels"}))
    capsys.readouterr()
    code, out, _ = run(capsys, "--stack", stack, "inquiries", "list", "--json")
    assert code == 0
    listed = json.loads(out)
    assert [i["email"] for i in listed] == ["ana@importadora-sol.es", "li@shenzhen-trading.cn"]
    assert listed[1]["name"] == "李明"
    code, out, _ = run(capsys, "--stack", stack, "inquiries", "list")
    assert "LED panels" in out
    assert "路灯" in out


def test_spam_is_listed_only_when_asked_for(
    intake: Invoke, stack: str, capsys: pytest.CaptureFixture[str]
) -> None:
    intake(json_post({"email": "bot@example.org", "message": "hi", "_gotcha": "x"}))
    capsys.readouterr()
    assert json.loads(run(capsys, "--stack", stack, "inquiries", "list", "--json")[1]) == []
    spam = json.loads(run(capsys, "--stack", stack, "inquiries", "list", "--status", "spam", "--json")[1])
    assert [i["spam_reasons"] for i in spam] == [["honeypot_filled"]]


def test_contacts_show_prints_profile_and_timeline(
    intake: Invoke, stack: str, capsys: pytest.CaptureFixture[str]
) -> None:
    intake(
        json_post(
            {"email": "Ana@Importadora-Sol.es", "name": "Ana García", "message": "one", "subject": "LED"}
        )
    )
    intake(json_post({"email": "ana@importadora-sol.es", "message": "two", "subject": "Downlights"}))
    capsys.readouterr()
    code, out, _ = run(capsys, "--stack", stack, "contacts", "show", "ANA@importadora-sol.es", "--json")
    assert code == 0
    shown = json.loads(out)
    assert shown["contact"]["name"] == "Ana García"
    assert shown["contact"]["inquiry_count"] == 2
    assert [e["summary"] for e in shown["timeline"]] == ["Downlights", "LED"]
    code, out, _ = run(capsys, "--stack", stack, "contacts", "show", "ana@importadora-sol.es")
    assert "Ana García" in out
    assert "inquiry_received" in out


def test_an_unknown_contact_is_a_clear_error(stack: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--stack", stack, "contacts", "show", "nobody@example.org")
    assert code == 2
    assert "no contact 'nobody@example.org'" in err


def test_an_unknown_stack_is_a_clear_error(dynamodb: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--stack", "missing", "inquiries", "list")
    assert code == 2
    assert "cannot read stack 'missing'" in err


def test_local_mode_without_a_running_stack_says_how_to_start_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("INQUIRY_ROUTER_LOCAL_DIR", str(tmp_path))
    for argv in (("--local", "inquiries", "list"), ("inquiries", "list", "--local")):
        code, _, err = run(capsys, *argv)
        assert code == 2
        assert "make local" in err


def test_the_stack_name_comes_from_samconfig(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    intake: Invoke,
    stack: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "samconfig.toml").write_text('[default.global.parameters]\nstack_name = "inquiry-router"\n')
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "inquiries", "list", "--json")[0] == 0


def test_contacts_show_prints_the_owner_consent_and_bounce_the_pipeline_stored(
    intake: Invoke,
    stack: str,
    dynamodb: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from datetime import UTC, datetime

    from inquiry_router.adapters.inbound_records import InboundRecords, TimelineEntry
    from tests.support.pipeline import start_pipeline

    pipeline = start_pipeline(dynamodb, monkeypatch, tmp_path)
    intake(json_post({"email": "ana@importadora-sol.es", "message": "Quote", "consent": True}))
    pipeline.run()
    InboundRecords(dynamodb, TABLE_NAME).mark_bounced(
        "ana@importadora-sol.es",
        TimelineEntry("ana@importadora-sol.es", datetime.now(UTC), "ses-1", "address_bounced", "bounced"),
        "550 5.1.1 user unknown",
    )
    capsys.readouterr()
    shown = json.loads(
        run(capsys, "--stack", stack, "contacts", "show", "ana@importadora-sol.es", "--json")[1]
    )
    owner = shown["contact"]["owner_email"]
    code, out, _ = run(capsys, "contacts", "show", "ana@importadora-sol.es", "--stack", stack)
    assert code == 0
    lines = {
        line.split("  ", 1)[0].strip(): line.split("  ", 1)[1].strip()
        for line in out.split("\n\n")[0].splitlines()
    }
    assert lines["owner"] == owner
    assert lines["consent given"] == shown["contact"]["consent_at"]
    assert lines["bounced"] == "True"
    assert lines["suppressed"] == "True"
    assert lines["bounce"] == "550 5.1.1 user unknown"


def test_global_options_work_after_the_subcommand(
    intake: Invoke, stack: str, capsys: pytest.CaptureFixture[str]
) -> None:
    intake(json_post({"email": "ana@importadora-sol.es", "message": "Quote", "subject": "LED panels"}))
    capsys.readouterr()
    before = run(capsys, "--stack", stack, "inquiries", "list", "--json")
    after = run(capsys, "inquiries", "list", "--json", "--stack", stack)
    between = run(capsys, "inquiries", "--stack", stack, "list", "--json")
    assert before[0] == after[0] == between[0] == 0
    assert json.loads(before[1]) == json.loads(after[1]) == json.loads(between[1])
    assert len(json.loads(after[1])) == 1
