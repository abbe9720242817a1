"""CloudFormation's dynamic references, `{{resolve:secretsmanager:...}}`, read from the embedded endpoint.

CloudFormation replaces them with the secret's value when it creates the resource that holds them
(a function's environment, here): the local stack does the same, against the secrets it created.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from inquiry_router_admin.local.template import TemplateError

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

DYNAMIC_REFERENCE = re.compile(r"\{\{resolve:([a-z-]+):([^{}]*)\}\}")
SECRET_STRING = ":SecretString"  # noqa: S105 - the name of a reference segment, not a secret


def has_dynamic_reference(text: str) -> bool:
    return DYNAMIC_REFERENCE.search(text) is not None


class DynamicReferences:
    def __init__(self, secrets: SecretsManagerClient) -> None:
        self._secrets = secrets

    def resolve(self, text: str, where: str) -> str:
        """`text` with each dynamic reference replaced by its value; `where` names it in errors."""

        def value_of(match: re.Match[str]) -> str:
            service, reference = match.groups()
            if service != "secretsmanager":
                raise TemplateError(
                    f"{where}: {{{{resolve:{service}:...}}}} is not resolved locally (only secretsmanager is)"
                )
            return self._secret(reference, where)

        return DYNAMIC_REFERENCE.sub(value_of, text)

    def _secret(self, reference: str, where: str) -> str:
        # secret-id:SecretString[:json-key[:version-stage[:version-id]]]; an ARN id has colons itself
        secret_id, found, rest = reference.partition(SECRET_STRING)
        if not found or (rest and not rest.startswith(":")):
            raise TemplateError(f"{where}: {{{{resolve:secretsmanager:{reference}}}}} names no SecretString")
        json_key, stage, version = ([*rest[1:].split(":"), "", "", ""])[:3] if rest else ("", "", "")
        request: dict[str, str] = {"SecretId": secret_id}
        if stage:
            request["VersionStage"] = stage
        if version:
            request["VersionId"] = version
        try:
            value = self._secrets.get_secret_value(**request)["SecretString"]
        except ClientError as error:
            raise TemplateError(f"{where}: secret {secret_id} cannot be read locally: {error}") from None
        if not json_key:
            return value
        try:
            return str(json.loads(value)[json_key])
        except (ValueError, KeyError, TypeError):
            raise TemplateError(f"{where}: secret {secret_id} has no JSON key {json_key}") from None
