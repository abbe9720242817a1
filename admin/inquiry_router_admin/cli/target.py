"""Where the CLI's commands go: the deployed stack, or the local one started by `make local`."""

from __future__ import annotations

import argparse
import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from inquiry_router.models.settings import Retention

# The local stack answers any credentials; fixed ones keep the user's AWS profile (and a real
# account) out of it, so a command meant for `make local` can never touch production.
LOCAL_CREDENTIALS = ("testing", "testing")

# The functions' retention variables and the stack parameters that set them (template.yaml).
RETENTION_PARAMETERS = {
    "CLOSED_INQUIRY_RETENTION_DAYS": "ClosedInquiryRetentionDays",
    "SPAM_RETENTION_DAYS": "SpamRetentionDays",
}

# Stack output -> the local stack's logical resource id, so commands look both up by one name.
OUTPUT_RESOURCES = {"TableName": "InquiryTable", "MailConfigurationSetName": "MailConfigurationSet"}


NO_CREDENTIALS = (
    "no AWS credentials found: sign in (`aws sso login`, or `aws configure`), or set AWS_PROFILE "
    "or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; for the local stack pass --local"
)


class TargetError(Exception):
    """The CLI cannot tell which stack to talk to, or cannot reach it; the message says what to do."""


def local_state_dir() -> Path:
    return Path(os.environ.get("INQUIRY_ROUTER_LOCAL_DIR", ".local")).resolve()


@dataclass(frozen=True)
class Target:
    table_name: str
    region: str | None
    endpoint_url: str | None
    local: bool = False
    # Stack outputs (deployed) or output-named local resources: queue URLs and the like.
    outputs: Mapping[str, str] = field(default_factory=dict)
    # The local gateway, which also answers Lambda's Invoke API (local/lambda_invoke.py).
    api_url: str | None = None
    stack_name: str | None = None
    # The stack's parameters (template.yaml), as deployed or as the local stack resolved them.
    parameters: Mapping[str, str] = field(default_factory=dict)
    # Logical id -> name of what the local stack created; a deployed stack's are read on demand.
    resources: Mapping[str, str] = field(default_factory=dict)

    def retention(self) -> Retention:
        """How long ended inquiries are kept, as the stack's functions keep them: a status the CLI
        sets expires on the same schedule as one a rep sets from their mailbox."""
        from inquiry_router.models.settings import Retention

        environ = {
            variable: self.parameters.get(parameter, "")
            for variable, parameter in RETENTION_PARAMETERS.items()
        }
        try:
            return Retention.from_environment(environ)
        except ValueError as error:
            where = "restart `make local`" if self.local else "redeploy the stack"
            raise TargetError(f"the stack's retention parameters cannot be read ({error}): {where}") from None

    def client(self, service: str) -> Any:
        import boto3

        key, secret = LOCAL_CREDENTIALS if self.local else (None, None)
        return boto3.client(
            service,  # type: ignore[call-overload]
            region_name=self.region,
            endpoint_url=self.endpoint_url,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
        )

    def lambda_client(self) -> Any:
        """Lambda in AWS; locally the gateway, which runs the stack's functions in its process."""
        if not self.local:
            return self.client("lambda")
        import boto3
        from botocore.config import Config

        key, secret = LOCAL_CREDENTIALS
        return boto3.client(
            "lambda",
            region_name=self.region or "us-east-1",
            endpoint_url=self.api_url,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            config=Config(read_timeout=180, retries={"max_attempts": 1}),
        )

    def dynamodb(self) -> DynamoDBClient:
        client: DynamoDBClient = self.client("dynamodb")
        return client

    def guard_salt(self) -> str:
        """The stack's key of guard digests (GUARD_SALT), from the secret the stack generated."""
        from botocore.exceptions import BotoCoreError, ClientError

        arn = self.output("GuardSaltSecretArn")
        try:
            return str(self.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"])
        except (ClientError, BotoCoreError) as error:
            raise TargetError(f"cannot read the guard salt secret {arn}: {error}") from None

    def output(self, name: str) -> str:
        if name not in self.outputs:
            where = "the local stack" if self.local else "the stack's outputs"
            raise TargetError(f"{where} has no {name}: redeploy (or restart `make local`) with this version")
        return self.outputs[name]


def resolve_target(args: argparse.Namespace) -> Target:
    if args.local or os.environ.get("AWS_ENDPOINT_URL"):
        return local_target()
    return _deployed_target(args.stack or stack_name_from_samconfig(), args.region)


def local_target(state_dir: Path | None = None) -> Target:
    """The stack `make local` is running, as its stack.json describes it (endpoint, names)."""
    state_file = (state_dir or local_state_dir()) / "stack.json"
    if not state_file.exists():
        raise TargetError(f"no local stack state at {state_file}: start it with `make local` first")
    try:
        state = json.loads(state_file.read_text(encoding="utf-8"))
        resources: dict[str, str] = state["resources"]
        outputs = {output: resources[rid] for output, rid in OUTPUT_RESOURCES.items() if rid in resources}
        return Target(
            table_name=resources["InquiryTable"],
            region=state.get("region"),
            endpoint_url=state["endpoint_url"],
            local=True,
            outputs=outputs | state.get("outputs", {}),
            api_url=state.get("api_url"),
            parameters=state.get("parameters", {}),
            resources=resources,
        )
    except (ValueError, KeyError, TypeError) as error:
        message = f"{state_file} is not a local stack's state ({error}): restart `make local`"
        raise TargetError(message) from None


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
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    try:
        cloudformation = boto3.client("cloudformation", region_name=region)
        described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    except NoCredentialsError:
        raise TargetError(NO_CREDENTIALS) from None
    except (ClientError, BotoCoreError) as error:
        raise TargetError(f"cannot read stack {stack!r}: {error}") from None
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", []) if "OutputKey" in o}
    if "TableName" not in outputs:
        raise TargetError(f"stack {stack!r} has no TableName output: is it an inquiry-router stack?")
    parameters = {
        p["ParameterKey"]: p.get("ResolvedValue") or p.get("ParameterValue", "")
        for p in described.get("Parameters", [])
        if "ParameterKey" in p
    }
    return Target(
        table_name=outputs["TableName"],
        region=cloudformation.meta.region_name,
        endpoint_url=None,
        outputs=outputs,
        stack_name=stack,
        parameters=parameters,
    )
