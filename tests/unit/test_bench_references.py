"""The benchmarks' fake DynamoDB and reference handlers still work, so bench/ cannot rot unseen.

Cold start and warm latency compare the intake with two reference handlers against a fake
endpoint (bench/fake_dynamodb.py); if the fake stopped answering botocore, or a reference stopped
answering the bench's events, the figures would be errors or, worse, wrong. These run in process
on the loopback interface in a few seconds.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator

import boto3
import botocore.session
import pytest
import pytest_socket
from botocore.exceptions import ClientError

from bench._harness import (
    InquiryEvents,
    intake_environ,
    intake_environment,
    load_intake_handler,
    load_reference_handler,
)
from bench.fake_dynamodb import FakeDynamoDB, fake_dynamodb


@pytest.fixture
def loopback_only() -> Iterator[None]:
    """The unit suite turns sockets off; these tests need 127.0.0.1, and nothing else."""
    pytest_socket.enable_socket()
    true_connect = socket.socket.connect
    pytest_socket.socket_allow_hosts(["127.0.0.1"])
    yield
    socket.socket.connect = true_connect  # type: ignore[method-assign]


@pytest.fixture
def fake(loopback_only: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDynamoDB]:
    """The fake endpoint, with the intake's environment pointing every new client at it."""
    with fake_dynamodb() as endpoint:
        monkeypatch.delenv("AWS_PROFILE", raising=False)
        for name, value in intake_environ(endpoint.endpoint_url).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # a new one, reading this environment
        yield endpoint


def test_the_fake_answers_the_writes_a_botocore_client_sends(fake: FakeDynamoDB) -> None:
    client = botocore.session.get_session().create_client("dynamodb")
    item = {"PK": {"S": "INQUIRY#1"}, "SK": {"S": "INQUIRY"}}

    written = client.transact_write_items(TransactItems=[{"Put": {"TableName": "t", "Item": item}}])
    put = client.put_item(TableName="t", Item=item, ConditionExpression="attribute_not_exists(PK)")

    assert written["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert fake.requests == {"TransactWriteItems": 1, "PutItem": 1}


def test_the_fake_refuses_an_operation_it_does_not_know_by_name(fake: FakeDynamoDB) -> None:
    client = botocore.session.get_session().create_client("dynamodb")

    with pytest.raises(ClientError) as refused:
        client.scan(TableName="t")

    assert refused.value.response["Error"]["Code"] == "UnknownOperationException"
    assert "Scan" in refused.value.response["Error"]["Message"]


@pytest.mark.parametrize("contender", ["bare", "idiomatic"])
def test_each_reference_accepts_the_bench_inquiry_with_one_put(fake: FakeDynamoDB, contender: str) -> None:
    try:
        handler, _ = load_reference_handler(contender)
        response = handler(InquiryEvents().accepted())
    finally:
        sys.modules.pop(f"{contender}_intake", None)

    assert response["statusCode"] == 202, response["body"]
    assert fake.requests == {"PutItem": 1}


def test_the_fake_answers_everything_the_intake_sends_for_an_accepted_inquiry(fake: FakeDynamoDB) -> None:
    with intake_environment(fake.endpoint_url):
        response = load_intake_handler()(InquiryEvents().accepted())

    assert response["statusCode"] == 202, response["body"]
    assert fake.requests == {"TransactWriteItems": 1}
