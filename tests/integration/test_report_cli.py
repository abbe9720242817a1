"""`inquiry-router report`: inquiries through the real intake and router, answered and won from
the CLI, then reported per rep and per source as text, JSON and CSV; a wrong option is refused
with what would be right."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TABLE_NAME
from tests.support.cli import fake_stack, run
from tests.support.events import json_post
from tests.support.pipeline import start_pipeline
from tests.support.routing import DOMAIN

Invoke = Callable[[dict[str, Any]], dict[str, Any]]


@pytest.fixture
def references(
    intake: Invoke,
    dynamodb: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> list[str]:
    """Three inquiries assigned (the second won, the third answered), and one kept as spam."""
    pipeline = start_pipeline(dynamodb, monkeypatch, tmp_path)
    fake_stack({"TableName": TABLE_NAME, "CompanyDomains": DOMAIN})
    found = []
    for n, country in enumerate(["ES", "ES", "MX"]):
        body = {"email": f"buyer{n}@importer{n}.example", "message": "Please quote.", "country": country}
        answer = intake(json_post(body | {"subject": "LED panels"}, source_ip=f"198.51.100.{n + 1}"))
        found.append(json.loads(answer["body"])["reference"])
    intake(json_post({"email": "bot@spam.example", "message": "SEO", "_gotcha": "x"}))
    pipeline.run()
    for reference, status in ((found[1], "quoted"), (found[1], "won"), (found[2], "responded")):
        assert run(capsys, "inquiries", "set-status", reference, status)[0] == 0
    capsys.readouterr()
    return found


def test_the_report_counts_per_rep_and_per_source(
    references: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "report", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert sorted(r["reference"] for r in report["inquiries"]) == sorted(references)  # no spam
    reps = report["reps"]
    assert sum(r["assigned"] for r in reps) == 3
    assert sum(r["responded"] for r in reps) == 2
    assert sum(r["won"] for r in reps) == 1
    assert sum(r["open_now"] for r in reps) == 2
    assert all(r["owner_email"].endswith(f"@{DOMAIN}") for r in reps)
    sources = {(s["dimension"], s["value"]): s["inquiries"] for s in report["sources"]}
    assert sources[("country", "ES")] == 2
    assert sources[("topic", "LED panels")] == 3

    # the Mexican buyer went to the LATAM team (the routing rules): one team at a time
    code, out, _ = run(capsys, "report", "--csv", "--team", "sales")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert sorted(r["reference"] for r in rows) == sorted(references[:2])
    won = next(r for r in rows if r["reference"] == references[1])
    assert (won["status"], won["first_response_via"], won["team"]) == ("won", "cli", "sales")
    assert won["sla"] in ("met", "pending", "missed")

    code, out, _ = run(capsys, "report")
    assert code == 0
    assert "Inquiries received" in out
    assert out.splitlines()[0].endswith(": 3")
    assert "SLA met" in out


def test_a_wrong_team_or_period_is_refused(references: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "report", "--team", "nope")
    assert code == 2
    assert "no team 'nope': the teams are latam, sales" in err
    code, _, err = run(capsys, "report", "--since", "2026-12-31", "--until", "2026-12-01")
    assert code == 2
    assert "--since 2026-12-31 is after --until 2026-12-01" in err
    code, _, err = run(capsys, "report", "--since", "last week")
    assert code == 2
    assert "'last week' is not a date like 2026-12-24" in err
