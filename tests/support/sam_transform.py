"""Run SAM's own translator offline on a template and print the CloudFormation it makes, as JSON.

Runs in .venv-sam, with the translator `sam build` uses (its pydantic pin clashes with the dev venv):

    .venv-sam/bin/python tests/support/sam_transform.py template.yaml [Name=Value ...]

Nothing leaves the machine: sockets refuse to connect, the region, account and partition are
fake, and the managed-policy map the translator may ask IAM for is empty (its bundled map serves
the policies SAM attaches itself). Local CodeUri/ContentUri folders become S3 locations, as
`sam package` would make them.
"""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path
from typing import Any

REGION = "eu-west-1"
ACCOUNT_ID = "123456789012"
ARTIFACTS = "s3://offline-artifacts/code.zip"


def _refuse(*_: Any, **__: Any) -> None:
    raise OSError("sam_transform.py runs offline: no network connection is allowed")


socket.socket.connect = _refuse  # type: ignore[method-assign]
socket.create_connection = _refuse  # type: ignore[assignment]


class NoManagedPolicies:
    """The translator's fallback for managed-policy names it does not bundle; would call IAM."""

    def load(self) -> dict[str, str]:
        return {}


def packaged(template: dict[str, Any]) -> dict[str, Any]:
    for resource in template.get("Resources", {}).values():
        properties = resource.get("Properties") or {}
        for key in ("CodeUri", "ContentUri"):
            if isinstance(properties.get(key), str) and not properties[key].startswith("s3://"):
                properties[key] = ARTIFACTS
    return template


def main(arguments: list[str]) -> int:
    from samcli.yamlhelper import yaml_parse
    from samtranslator.translator.arn_generator import ArnGenerator
    from samtranslator.translator.transform import transform

    path, *assignments = arguments
    parameters: dict[str, Any] = dict(a.split("=", 1) for a in assignments)
    parameters |= {"AWS::Region": REGION, "AWS::AccountId": ACCOUNT_ID, "AWS::Partition": "aws"}
    ArnGenerator.BOTO_SESSION_REGION_NAME = REGION
    template = packaged(yaml_parse(Path(path).read_text(encoding="utf-8")))
    print(json.dumps(transform(template, parameters, NoManagedPolicies()), indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
