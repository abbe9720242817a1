"""Run SAM's own translator offline on a template and print the CloudFormation it makes, as JSON.

Runs in .venv-sam, with the translator `sam build` uses (its pydantic pin clashes with the dev venv):

    .venv-sam/bin/python tests/support/sam_transform.py template.yaml [Name=Value ...]

Nothing leaves the machine: sockets refuse to connect, the region, account and partition are
fake, and the managed-policy map the translator may ask IAM for is empty (its bundled map serves
the policies SAM attaches itself). Local CodeUri/ContentUri folders become S3 locations, as
`sam package` would make them.

A template that lists AWS::LanguageExtensions before the SAM transform reaches SAM as that
transform hands it on: every `Fn::If` decided by the parameters replaced by the branch it takes
(see `with_language_extensions`).
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
LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"
NO_VALUE = {"Ref": "AWS::NoValue"}
PSEUDO_PARAMETERS = {"AWS::Region": REGION, "AWS::AccountId": ACCOUNT_ID, "AWS::Partition": "aws"}


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


def with_language_extensions(template: dict[str, Any], parameters: dict[str, str]) -> dict[str, Any]:
    """The template as AWS::LanguageExtensions hands it on to SAM, as far as SAM's reading goes.

    The transform runs with the stack's parameters, so it knows every condition: each `Fn::If` is
    replaced by the branch it takes, and a branch of `AWS::NoValue` removes the property or list
    item. That is what lets `AutoPublishAlias`, which SAM reads as a plain string, be conditional.
    (The SAM CLI's own implementation of the transform is not used: offline, it turns a `Fn::Sub`
    on a resource's attribute into a plain string.) Whatever else the transform would resolve,
    CloudFormation resolves to the same value later; it is left as it is.
    """
    transforms = template.get("Transform")
    listed = transforms if isinstance(transforms, list) else [transforms]
    if LANGUAGE_EXTENSIONS not in listed:
        return template
    declared = template.get("Parameters") or {}
    values = {name: str(p["Default"]) for name, p in declared.items() if "Default" in p}
    values |= parameters | PSEUDO_PARAMETERS
    conditions = template.get("Conditions") or {}

    def holds(name: str) -> bool:
        return bool(evaluate(conditions[name]))

    def evaluate(expression: Any) -> Any:
        if not isinstance(expression, dict):
            return expression
        ((function, argument),) = expression.items()
        if function == "Condition":
            return holds(argument)
        if function == "Ref":
            return values[argument]
        operands = [evaluate(a) for a in argument]
        if function == "Fn::Equals":
            return str(operands[0]) == str(operands[1])
        if function == "Fn::Not":
            return not operands[0]
        if function == "Fn::And":
            return all(operands)
        if function == "Fn::Or":
            return any(operands)
        raise ValueError(f"a condition cannot use {function} offline")

    def resolved(value: Any) -> Any:
        if isinstance(value, dict):
            if set(value) == {"Fn::If"}:
                name, when_true, when_false = value["Fn::If"]
                return resolved(when_true if holds(name) else when_false)
            items = {key: resolved(item) for key, item in value.items()}
            return {key: item for key, item in items.items() if item != NO_VALUE}
        if isinstance(value, list):
            return [item for item in map(resolved, value) if item != NO_VALUE]
        return value

    expanded = {
        key: section if key == "Conditions" else resolved(section) for key, section in template.items()
    }
    expanded["Transform"] = [name for name in listed if name != LANGUAGE_EXTENSIONS]
    return expanded


def main(arguments: list[str]) -> int:
    from samcli.yamlhelper import yaml_parse
    from samtranslator.translator.arn_generator import ArnGenerator
    from samtranslator.translator.transform import transform

    path, *assignments = arguments
    given: dict[str, str] = dict(a.split("=", 1) for a in assignments)
    ArnGenerator.BOTO_SESSION_REGION_NAME = REGION
    source = yaml_parse(Path(path).read_text(encoding="utf-8"))
    template = packaged(with_language_extensions(source, given))
    parameters: dict[str, Any] = given | PSEUDO_PARAMETERS
    print(json.dumps(transform(template, parameters, NoManagedPolicies()), indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
