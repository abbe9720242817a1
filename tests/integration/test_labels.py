"""Labels declared in the routing YAML ("key account", "tender") put on an inquiry from the CLI:
kept as a set (twice is once), each change on the contact's timeline, shown by `inquiries show`,
in the morning digest and in `report --csv`; an undeclared label is refused with what is declared."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from inquiry_router.adapters.config_store import apply_config, read_config_snapshot
from inquiry_router.models.config_diff import diff_config
from tests.conftest import TABLE_NAME
from tests.support.cli import fake_stack, run
from tests.support.events import json_post
from tests.support.items import contact_timeline, get_inquiry
from tests.support.pipeline import Pipeline, start_pipeline
from tests.support.routing import DOMAIN, rep, routing_config

Invoke = Callable[[dict[str, Any]], dict[str, Any]]
LABELS = [{"key": "key-account", "name": "Key account"}, {"key": "tender", "name": "Public tender"}]
BUYER = {"name": "Ana García", "email": "ana@importadora-sol.es", "message": "Please quote.", "consent": True}


@pytest.fixture
def pipeline(dynamodb: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Pipeline:
    started = start_pipeline(dynamodb, monkeypatch, tmp_path)
    config = routing_config(rep("ana"), rep("bob"), labels=LABELS)
    apply_config(dynamodb, TABLE_NAME, config, datetime.now(UTC))
    fake_stack({"TableName": TABLE_NAME, "CompanyDomains": DOMAIN})
    return started


def accepted(intake: Invoke, pipeline: Pipeline, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    answer: dict[str, Any] = json.loads(intake(json_post(BUYER))["body"])
    pipeline.run()
    capsys.readouterr()
    return answer


def test_labels_go_on_once_come_off_and_are_kept_on_the_timeline(
    intake: Invoke, pipeline: Pipeline, dynamodb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    reference = accepted(intake, pipeline, capsys)["reference"]

    first = run(capsys, "inquiries", "label", reference, "key-account", "tender", "--by", "manager")
    twice = run(capsys, "inquiries", "label", reference, "key-account", "--by", "manager")
    off = run(capsys, "inquiries", "label", reference, "tender", "--remove", "--by", "manager")
    shown = run(capsys, "inquiries", "show", reference)

    assert first[0] == 0
    assert first[1].strip() == f"{reference}: Key account, Public tender."
    assert twice[1].strip() == f"{reference}: Key account, Public tender."
    assert off[1].strip() == f"{reference}: Key account."
    assert "labels" in shown[1]
    assert "key-account" in shown[1]
    stored = get_inquiry(dynamodb, TABLE_NAME, accepted_id(dynamodb, reference))
    assert stored is not None
    assert stored["labels"] == {"key-account"}
    events = [e for e in contact_timeline(dynamodb, TABLE_NAME, BUYER["email"]) if e["kind"] == "labelled"]
    assert sorted(e["summary"] for e in events) == [
        "labels +key-account, +tender, by manager",
        "labels -tender, by manager",
    ]


def test_an_undeclared_label_is_refused_with_the_declared_ones(
    intake: Invoke, pipeline: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    reference = accepted(intake, pipeline, capsys)["reference"]

    code, _, error = run(capsys, "inquiries", "label", reference, "vip")

    assert code != 0
    assert "not a label of the routing config: vip (declared: key-account, tender)" in error


def test_the_report_s_csv_has_the_labels(
    intake: Invoke, pipeline: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    reference = accepted(intake, pipeline, capsys)["reference"]
    run(capsys, "inquiries", "label", reference, "tender", "key-account")

    code, out, _ = run(capsys, "report", "--csv")

    assert code == 0
    header, row = out.splitlines()[:2]
    assert header.split(",")[-1] == "labels"
    assert row.split(",")[-1] == "key-account;tender"


def test_labels_are_part_of_the_config_and_its_diff(dynamodb: Any, pipeline: Pipeline) -> None:
    applied = read_config_snapshot(dynamodb, TABLE_NAME).as_config()
    assert applied is not None
    assert applied.label_names() == {"key-account": "Key account", "tender": "Public tender"}
    renamed = routing_config(
        rep("ana"),
        rep("bob"),
        labels=[{"key": "key-account", "name": "Key customer"}, {"key": "oem", "name": "OEM"}],
    )

    lines = diff_config(applied, renamed).lines()

    assert "~ label key-account: Key account → Key customer" in lines
    assert "+ label oem (OEM)" in lines
    assert "- label tender (Public tender)" in lines
    with pytest.raises(ValueError, match="label keys must be unique: oem"):
        routing_config(rep("ana"), labels=[{"key": "oem", "name": "OEM"}, {"key": "oem", "name": "again"}])


def accepted_id(dynamodb: Any, reference: str) -> str:
    from inquiry_router.adapters.queries import inquiry_id_by_reference

    found = inquiry_id_by_reference(dynamodb, TABLE_NAME, reference)
    assert found is not None
    return found
