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

    session = clients.aws_session()
    assert validates(session.create_client("dynamodb", region_name="eu-west-1"))
    for make in (clients.dynamodb_client, clients.sesv2_client, clients.s3_client, clients.sqs_client):
        assert not validates(make(session)), make.__name__


def test_a_malformed_request_still_fails_in_the_suite(aws_environment: None) -> None:
    client = clients.dynamodb_client(clients.aws_session())
    with pytest.raises(ParamValidationError, match=r"Item\.PK"):
        client.put_item(TableName="t", Item={"PK": "not an attribute value"})  # type: ignore[dict-item]
