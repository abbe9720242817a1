"""checkov, the IaC security scanner `make lint` runs: the template passes, a new finding fails it,
and every suppression (in the resource's own Metadata) says why."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

from tests.support.template import load_template

ROOT = Path(__file__).resolve().parents[2]


def scan(template: Path) -> subprocess.CompletedProcess[str]:
    """`make iac-scan` on `template`: the very command `make lint` runs."""
    return subprocess.run(
        ["make", "--no-print-directory", "iac-scan", f"TEMPLATE={template}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )


def test_the_template_has_no_finding_left_unsuppressed() -> None:
    result = scan(ROOT / "template.yaml")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "Failed checks: 0" in result.stdout


def test_a_new_finding_fails_the_scan(tmp_path: Path) -> None:
    # Given the template with one more topic, unencrypted
    template = tmp_path / "template.yaml"
    text = (ROOT / "template.yaml").read_text()
    template.write_text(
        text.replace("\nResources:\n", "\nResources:\n  LeakyTopic:\n    Type: AWS::SNS::Topic\n\n", 1)
    )

    result = scan(template)

    assert result.returncode != 0
    assert "CKV_AWS_26" in result.stdout
    assert "AWS::SNS::Topic.LeakyTopic" in result.stdout
    assert "Failed checks: 1," in result.stdout


def suppressions(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (name, skip)
        for name, resource in template["Resources"].items()
        for skip in (resource.get("Metadata") or {}).get("checkov", {}).get("skip", [])
    ]


def test_every_suppression_names_a_check_and_says_why() -> None:
    found = suppressions(load_template())
    assert found
    for name, skip in found:
        assert re.fullmatch(r"CKV2?_AWS_\d+", skip["id"]), name
        assert len(skip.get("comment", "").split()) >= 8, f"{name} {skip['id']}: say why in a sentence"
