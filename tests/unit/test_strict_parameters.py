"""The functions' clients skip botocore's parameter validation; the suite puts it back for every
request, so a malformed call cannot pass on moto's leniency."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ParamValidationError
from botocore.validate import ParamValidationDecorator

from inquiry_router.adapters import clients


def test_the_functions_clients_skip_botocore_validation(aws_environment: None) -> None:
    # botocore validates in a decorator around the request serializer; without it, it does not.
    def validates(client: Any) -> bool:
        return isinstance(client._serializer, ParamValidationDecorator)

    assert validates(clients.aws_session().create_client("dynamodb", region_name="eu-west-1"))
    for service in ("dynamodb", "sesv2", "s3", "sqs", "ssm"):
        assert not validates(clients._client(service)), service


def test_a_malformed_request_still_fails_in_the_suite(aws_environment: None) -> None:
    client = clients._client("dynamodb")
    with pytest.raises(ParamValidationError, match=r"Item\.PK"):
        client.put_item(TableName="t", Item={"PK": "not an attribute value"})  # type: ignore[dict-item]
