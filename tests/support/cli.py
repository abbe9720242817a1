"""Running the CLI in tests: a deployed stack as the CLI finds it (CloudFormation outputs, moto)."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping

import boto3
import pytest

from inquiry_router_admin.cli.main import main

STACK = "inquiry-router"


# The stack parameters the CLI reads (the retention its status changes set), at template.yaml's defaults.
PARAMETERS = {"ClosedInquiryRetentionDays": "730", "SpamRetentionDays": "30"}


def fake_stack(
    outputs: Mapping[str, str], name: str = STACK, parameters: Mapping[str, str] | None = None
) -> str:
    """A stack whose outputs are `outputs`; call inside moto (the `dynamodb` fixture)."""
    template = {
        "Parameters": {key: {"Type": "String"} for key in PARAMETERS},
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {key: {"Value": value} for key, value in outputs.items()},
    }
    values = PARAMETERS | dict(parameters or {})
    boto3.client("cloudformation").create_stack(
        StackName=name,
        TemplateBody=json.dumps(template),
        Parameters=[{"ParameterKey": key, "ParameterValue": value} for key, value in values.items()],
    )
    return name


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """`inquiry-router --stack … argv`: (exit code, stdout, stderr); argparse errors exit too."""
    try:
        code = main(["--stack", STACK, *argv])
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


class Keyboard(io.StringIO):
    """stdin of a person at a terminal, typing `answers`."""

    def isatty(self) -> bool:
        return True


def at_terminal(monkeypatch: pytest.MonkeyPatch, *answers: str) -> None:
    monkeypatch.setattr("sys.stdin", Keyboard("".join(f"{a}\n" for a in answers)))


def without_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
