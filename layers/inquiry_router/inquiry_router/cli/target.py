"""Where the CLI's commands go: the deployed stack, or the local one started by `make local`."""

from __future__ import annotations

import argparse
import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

LOCAL_ENDPOINT = "http://127.0.0.1:4566"


class TargetError(Exception):
    """The CLI cannot tell which stack to talk to, or cannot reach it; the message says what to do."""


def local_state_dir() -> Path:
    return Path(os.environ.get("INQUIRY_ROUTER_LOCAL_DIR", ".local")).resolve()


@dataclass(frozen=True)
class Target:
    table_name: str
    region: str | None
    endpoint_url: str | None

    def dynamodb(self) -> DynamoDBClient:
        import boto3

        return boto3.client("dynamodb", region_name=self.region, endpoint_url=self.endpoint_url)


def resolve_target(args: argparse.Namespace) -> Target:
    endpoint = LOCAL_ENDPOINT if args.local else os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        return _local_target(endpoint)
    return _deployed_target(args.stack or stack_name_from_samconfig(), args.region)


def _local_target(endpoint: str) -> Target:
    state_file = local_state_dir() / "stack.json"
    if not state_file.exists():
        raise TargetError(f"no local stack state at {state_file}: start it with `make local` first")
    state = json.loads(state_file.read_text())
    return Target(
        table_name=state["resources"]["InquiryTable"],
        region=state.get("region"),
        endpoint_url=endpoint,
    )


def stack_name_from_samconfig(path: Path = Path("samconfig.toml")) -> str:
    if not path.exists():
        raise TargetError("no --stack given and no samconfig.toml here: pass --stack NAME")
    config = tomllib.loads(path.read_text())
    default = config.get("default", {})
    for section in ("deploy", "global"):
        name = default.get(section, {}).get("parameters", {}).get("stack_name")
        if name:
            return str(name)
    raise TargetError(f"{path} names no stack_name: pass --stack NAME")


def _deployed_target(stack: str, region: str | None) -> Target:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        cloudformation = boto3.client("cloudformation", region_name=region)
        described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    except (ClientError, BotoCoreError) as error:
        raise TargetError(f"cannot read stack {stack!r}: {error}") from None
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", []) if "OutputKey" in o}
    if "TableName" not in outputs:
        raise TargetError(f"stack {stack!r} has no TableName output: is it an inquiry-router stack?")
    return Target(table_name=outputs["TableName"], region=cloudformation.meta.region_name, endpoint_url=None)
