"""The local stack end to end: real HTTP on 127.0.0.1, the embedded moto endpoint, functions in-process.

Two stacks per module: the project's own template.yaml (what `make local` runs) and a fixture
template (tests/fixtures/local_stack) whose functions record the events they receive.
Every port is picked free (port 0); nothing here leaves 127.0.0.1.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from aws_lambda_powertools.utilities.parser.models import (
    APIGatewayProxyEventV2Model,
    DynamoDBStreamModel,
    SqsModel,
)

from inquiry_router_admin.cli.main import main as cli_main
from inquiry_router_admin.local import LocalStack, LocalStackError
from tests.support.items import get_inquiry

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "local_stack"
CLI = Path(sys.executable).parent / "inquiry-router"


# -- helpers -------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def json(self) -> Any:
        return json.loads(self.body)


def call(
    base_url: str,
    method: str,
    target: str,
    body: bytes | str | None = None,
    headers: list[tuple[str, str]] | None = None,
) -> Answer:
    """One request, exactly as given (repeated headers kept, no redirects followed)."""
    address = urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=10)
    try:
        connection.putrequest(method, target, skip_accept_encoding=True)
        payload = body.encode() if isinstance(body, str) else body
        for name, value in headers or []:
            connection.putheader(name, value)
        if payload is not None:
            connection.putheader("Content-Length", str(len(payload)))
        connection.endheaders(payload)
        response = connection.getresponse()
        return Answer(response.status, response.getheaders(), response.read())
    finally:
        connection.close()


def records_of(record_dir: Path, function: str) -> list[dict[str, Any]]:
    """Every event the fixture function received, oldest first."""
    path = record_dir / f"{function}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def keys_of(event: dict[str, Any]) -> list[str]:
    return [r["dynamodb"]["Keys"]["PK"]["S"] for r in event["Records"]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Console:
    """Collects what the stack prints."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.errors: list[str] = []


@pytest.fixture(scope="module")
def project_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """The project's own template.yaml, as `make local` runs it."""
    with LocalStack(
        ROOT, api_port=0, aws_port=0, state_dir=tmp_path_factory.mktemp("state"), log=lambda _: None
    ) as stack:
        yield stack


@pytest.fixture(scope="module")
def console() -> Console:
    return Console()


@pytest.fixture(scope="module")
def record_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("records")


@pytest.fixture(scope="module")
def fixture_stack(
    tmp_path_factory: pytest.TempPathFactory, record_dir: Path, console: Console
) -> Iterator[LocalStack]:
    with LocalStack(
        FIXTURE,
        api_port=0,
        aws_port=0,
        region="eu-west-1",
        state_dir=tmp_path_factory.mktemp("fixture-state"),
        parameters={"RecordDir": str(record_dir)},
        log=console.lines.append,
        log_error=console.errors.append,
    ) as stack:
        yield stack


# -- the project's template (what `make local` serves) -----------------------------------------


def test_json_post_is_stored_in_the_local_table(project_stack: LocalStack) -> None:
    # Given the intake behind the local gateway
    body = {
        "name": "Ana García",
        "email": "ana@importadora-sol.example",
        "message": "Please quote 500 panels.",
    }

    # When a script posts JSON
    answer = call(
        project_stack.api_url, "POST", "/inquiries", json.dumps(body), [("Content-Type", "application/json")]
    )

    # Then it is accepted with an id and a reference, and the inquiry is in the local table
    assert answer.status == 202
    receipt = answer.json()
    assert receipt["reference"].startswith("INQ-")
    assert project_stack.clients is not None
    stored = get_inquiry(
        project_stack.clients.dynamodb, project_stack.resources["InquiryTable"], receipt["id"]
    )
    assert stored is not None
    assert stored["reference"] == receipt["reference"]
    assert stored["email"] == "ana@importadora-sol.example"
    assert stored["status"] == "new"


def test_form_post_redirects_to_the_local_thank_you_page(project_stack: LocalStack) -> None:
    form = urlencode({"name": "Li Ming", "email": "li.ming@shenzhen-trading.example", "message": "500 sets."})

    answer = call(
        project_stack.api_url,
        "POST",
        "/inquiries",
        form,
        [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "text/html")],
    )

    assert answer.status == 303
    location = answer.header("Location") or ""
    assert location.startswith(f"{project_stack.api_url}/examples/thank-you.html?reference=INQ-")


def test_preflight_from_an_allowed_origin_gets_cors_headers(project_stack: LocalStack) -> None:
    origin = project_stack.api_url.replace("127.0.0.1", "localhost")
    preflight = [("Origin", origin), ("Access-Control-Request-Method", "POST")]

    allowed = call(project_stack.api_url, "OPTIONS", "/inquiries", headers=preflight)
    refused = call(
        project_stack.api_url, "OPTIONS", "/inquiries", headers=[("Origin", "https://elsewhere.example")]
    )

    assert allowed.status == 204
    assert allowed.header("Access-Control-Allow-Origin") == origin
    assert "POST" in (allowed.header("Access-Control-Allow-Methods") or "")
    assert refused.header("Access-Control-Allow-Origin") is None


def test_root_redirects_to_the_example_form(project_stack: LocalStack) -> None:
    answer = call(project_stack.api_url, "GET", "/")

    assert answer.status == 302
    assert answer.header("Location") == "/examples/contact-form.html"


def test_project_form_is_served(project_stack: LocalStack) -> None:
    if not (ROOT / "examples" / "contact-form.html").exists():
        pytest.skip("examples/contact-form.html is not written yet")

    answer = call(project_stack.api_url, "GET", "/examples/contact-form.html")

    assert answer.status == 200
    assert answer.header("Content-Type") == "text/html; charset=utf-8"


def test_state_file_describes_the_running_stack(project_stack: LocalStack) -> None:
    state = json.loads(project_stack.state_file.read_text())

    assert set(state) == {"endpoint_url", "region", "api_url", "resources", "outputs", "parameters"}
    assert state["endpoint_url"] == project_stack.endpoint_url
    assert state["api_url"] == project_stack.api_url
    assert state["resources"]["InquiryTable"] == "inquiry-router-local-InquiryTable"
    assert state["resources"]["MailQueue"].startswith(project_stack.endpoint_url)
    assert state["resources"]["MailQueue"].endswith("/inquiry-router-local-MailQueue")
    assert state["outputs"]["MailQueueUrl"] == state["resources"]["MailQueue"]
    assert state["outputs"]["TableName"] == "inquiry-router-local-InquiryTable"
    assert state["outputs"]["InquiriesUrl"] == project_stack.api_url + "/inquiries"
    assert state["parameters"]["CompanyName"] == "Example Export Co."
    assert state["parameters"]["RateLimitPerIp"] == "20"
    assert (project_stack.state_dir / "outbox").is_dir()


def test_inbound_mail_has_its_bucket_rule_set_and_dead_letter_queue_locally(
    project_stack: LocalStack,
) -> None:
    assert project_stack.clients is not None
    bucket = project_stack.resources["RawMailBucket"]
    outputs = project_stack.outputs

    assert bucket == "inquiry-router-local-rawmailbucket"  # S3 names are lower case
    assert outputs["RawMailBucketName"] == bucket
    project_stack.clients.s3.put_object(
        Bucket=bucket, Key="raw/local-message-id", Body=b"Subject: hi\r\n\r\n"
    )
    assert project_stack.clients.s3.get_object(Bucket=bucket, Key="raw/local-message-id")["Body"].read()
    rule_set = project_stack.clients.ses.describe_receipt_rule_set(RuleSetName=outputs["ReceiptRuleSetName"])
    assert rule_set["Metadata"]["Name"] == "inquiry-router-local-inbound"
    assert outputs["DnsInboundMxRecord"] == (
        f"in.example.com MX 10 inbound-smtp.{project_stack.region}.amazonaws.com"
    )
    assert outputs["InboundDeadLetterQueueUrl"] == project_stack.resources["InboundDeadLetterQueue"]
    inbound = next(f for f in project_stack.functions if f.logical_id == "InboundFunction")
    assert inbound.environment["RAW_MAIL_BUCKET"] == bucket
    # Not created: the rule (moto wants its function in moto's Lambda); the activation (Condition false)
    skipped = " ".join(project_stack.notes)
    assert "ReceiptRule (AWS::SES::ReceiptRule)" in skipped
    assert "ReceiptRuleSetActivation" not in skipped


def test_the_guard_salt_is_generated_by_the_stacks_secret_and_given_to_the_guarding_functions(
    project_stack: LocalStack,
) -> None:
    assert project_stack.clients is not None
    secret = project_stack.resources["GuardSaltSecret"]
    value = project_stack.clients.secretsmanager.get_secret_value(SecretId=secret)["SecretString"]
    salts = {f.logical_id: f.environment.get("GUARD_SALT") for f in project_stack.functions}

    assert len(value) == 64
    assert value.isalnum()
    assert {name for name, salt in salts.items() if salt == value} == {
        "IntakeFunction",
        "InboundFunction",
        "MailerFunction",
    }
    assert salts["RouterFunction"] is None
    assert project_stack.outputs["GuardSaltSecretArn"] == secret  # what `contacts erase` reads


def test_the_event_source_mappings_run_and_the_alarm_key_is_skipped_on_purpose(
    project_stack: LocalStack,
) -> None:
    notes = " ".join(project_stack.notes)

    assert "RouterFunctionStoredInquiries" not in notes  # run by the stream poller, not "not created"
    assert "MailerFunctionMailJobs" not in notes
    assert "AlarmTopicKey (AWS::KMS::Key)" in notes
    assert "AlarmTopicKeyAlias (AWS::KMS::Alias)" in notes


# -- the HTTP gateway's events and responses (fixture template) ----------------------------------


def test_request_becomes_a_payload_v2_event(fixture_stack: LocalStack) -> None:
    answer = call(
        fixture_stack.api_url,
        "GET",
        "/echo/caf%C3%A9?tag=a&tag=b&empty=",
        headers=[("X-Repeat", "one"), ("X-Repeat", "two"), ("Cookie", "a=1; b=2"), ("User-Agent", "pytest")],
    )

    assert answer.status == 200
    event = answer.json()
    APIGatewayProxyEventV2Model.model_validate(event)  # the shape Powertools expects from API Gateway
    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /echo/{id}"
    assert event["rawPath"] == "/echo/caf%C3%A9"
    assert event["rawQueryString"] == "tag=a&tag=b&empty="
    assert event["queryStringParameters"] == {"tag": "a,b", "empty": ""}
    assert event["pathParameters"] == {"id": "café"}
    assert event["cookies"] == ["a=1", "b=2"]
    assert event["headers"]["x-repeat"] == "one,two"
    assert "cookie" not in event["headers"]
    assert event["headers"]["x-forwarded-for"] == "127.0.0.1"
    assert event["isBase64Encoded"] is False
    assert "body" not in event
    context = event["requestContext"]
    assert context["accountId"] == "123456789012"
    assert context["stage"] == "$default"
    assert context["routeKey"] == "GET /echo/{id}"
    assert context["http"] == {
        "method": "GET",
        "path": "/echo/caf%C3%A9",
        "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.1",
        "userAgent": "pytest",
    }
    assert abs(context["timeEpoch"] / 1000 - time.time()) < 60
    assert answer.header("Apigw-Requestid") == context["requestId"]


@pytest.mark.parametrize(
    ("content_type", "body", "text"),
    [
        ("application/json", b'{"a": "\xc3\xa9"}', True),
        ("text/plain; charset=utf-8", "héllo".encode(), True),
        ("application/x-www-form-urlencoded", b"a=1&b=%C3%A9", False),  # AWS base64-encodes form posts
        ("application/octet-stream", b"\x00\x01\xff", False),
        ("application/json", b"\xff\xfe not utf-8", False),
    ],
)
def test_bodies_are_text_or_base64_as_aws_sends_them(
    fixture_stack: LocalStack, content_type: str, body: bytes, text: bool
) -> None:
    event = call(fixture_stack.api_url, "POST", "/any", body, [("Content-Type", content_type)]).json()

    assert event["routeKey"] == "ANY /any"
    assert event["isBase64Encoded"] is not text
    received = event["body"].encode() if text else base64.b64decode(event["body"])
    assert received == body


def test_greedy_path_parameter_takes_the_rest_of_the_path(fixture_stack: LocalStack) -> None:
    event = call(fixture_stack.api_url, "GET", "/files/2026/11/report.pdf").json()

    assert event["routeKey"] == "GET /files/{path+}"
    assert event["pathParameters"] == {"path": "2026/11/report.pdf"}


def test_handler_result_becomes_the_http_response(fixture_stack: LocalStack) -> None:
    answer = call(fixture_stack.api_url, "GET", "/special/binary")

    assert answer.status == 201
    assert answer.body == b"\x89PNG\r\n\x1a\n\x00\xff"
    assert answer.header("Content-Type") == "image/png"
    assert answer.all("X-Many") == ["one", "two"]
    assert answer.all("Set-Cookie") == ["session=abc; HttpOnly", "theme=dark"]


def test_result_without_status_code_is_a_json_200(fixture_stack: LocalStack) -> None:
    answer = call(fixture_stack.api_url, "GET", "/special/plain")

    assert answer.status == 200
    assert answer.header("Content-Type") == "application/json"
    assert answer.json() == {"greeting": "hi"}


def test_handler_failure_is_api_gateways_500(fixture_stack: LocalStack, console: Console) -> None:
    failed = call(fixture_stack.api_url, "GET", "/special/boom")
    invalid = call(fixture_stack.api_url, "GET", "/special/invalid")

    assert (failed.status, failed.json()) == (500, {"message": "Internal Server Error"})
    assert (invalid.status, invalid.json()) == (500, {"message": "Internal Server Error"})
    assert any("RuntimeError: the fixture function failed on purpose" in e for e in console.errors)


def test_unknown_route_is_api_gateways_404(fixture_stack: LocalStack) -> None:
    for method, target in (("GET", "/nowhere"), ("POST", "/echo/1"), ("DELETE", "/")):
        answer = call(fixture_stack.api_url, method, target)
        assert (answer.status, answer.json()) == (404, {"message": "Not Found"})


def test_example_files_are_served_safely(fixture_stack: LocalStack) -> None:
    form = call(fixture_stack.api_url, "GET", "/examples/contact-form.html")
    style = call(fixture_stack.api_url, "GET", "/examples/style.css")
    head = call(fixture_stack.api_url, "HEAD", "/examples/contact-form.html")

    assert (form.status, form.header("Content-Type")) == (200, "text/html; charset=utf-8")
    assert b"<form" in form.body
    assert style.header("Content-Type") == "text/css; charset=utf-8"
    assert (head.status, head.body, head.header("Content-Length")) == (200, b"", str(len(form.body)))
    for escape in (
        "/examples/../template.yaml",
        "/examples/%2e%2e/template.yaml",
        "/examples/",
        "/examples/nope",
    ):
        assert call(fixture_stack.api_url, "GET", escape).status == 404, escape


def test_access_log_has_one_line_per_request_without_query_or_body(
    fixture_stack: LocalStack, console: Console
) -> None:
    call(
        fixture_stack.api_url,
        "POST",
        "/any?token=secret-query",
        "secret-body",
        [("Content-Type", "text/plain")],
    )

    line = console.lines[-1]
    assert line.startswith("POST /any 200 ")
    assert line.endswith(" ms")
    assert not any("secret-" in entry or "127.0.0.1" in entry for entry in console.lines)


def test_functions_get_local_names_endpoint_and_credentials(
    fixture_stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a developer's shell that names an AWS profile this machine does not have
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")

    # When the function reports its environment (and calls SQS with its own client)
    answer = call(fixture_stack.api_url, "GET", "/special/environment")

    # Then every intrinsic resolved to a local name, and its client reached the local endpoint
    assert answer.status == 200
    env = answer.json()
    resources = fixture_stack.resources
    assert env["EVENTS_TABLE"] == resources["EventsTable"] == "inquiry-router-local-EventsTable"
    assert env["JOBS_QUEUE_URL"] == resources["JobsQueue"] == env["queue_url_from_sqs"]
    assert env["JOBS_QUEUE_ARN"] == "arn:aws:sqs:eu-west-1:123456789012:inquiry-router-local-JobsQueue"
    assert env["EVENTS_STREAM_ARN"].startswith(
        "arn:aws:dynamodb:eu-west-1:123456789012:table/inquiry-router-local-EventsTable/stream/"
    )
    assert env["UPLOADS_BUCKET"] == resources["UploadsBucket"] == "inquiry-router-local-uploadsbucket"
    assert env["GREETING"] == "hello from eu-west-1"
    assert env["ROLE_ARN"] == "arn:aws:iam:eu-west-1:123456789012:inquiry-router-local-FunctionRole"
    assert env["FAREWELL"] == "none"
    assert env["RETRIES"] == "3"
    assert env["AWS_ENDPOINT_URL"] == fixture_stack.endpoint_url
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert env["AWS_PROFILE"] is None
    assert env["POWERTOOLS_TRACE_DISABLED"] == "1"
    assert env["context"]["function_name"] == "inquiry-router-local-EchoFunction"
    assert env["context"]["memory_limit_in_mb"] == 256
    assert env["context"]["invoked_function_arn"].endswith(":function:inquiry-router-local-EchoFunction")
    assert 0 < env["context"]["remaining_ms"] <= 5000
    assert os.environ["AWS_PROFILE"] == "no-such-profile"  # the caller's environment is restored


def test_fixture_state_lists_created_resources_only(fixture_stack: LocalStack) -> None:
    state = json.loads(fixture_stack.state_file.read_text())

    assert set(state["resources"]) == {
        "EventsTable",
        "JobsQueue",
        "JobsDeadLetterQueue",
        "StreamFailuresQueue",
        "UploadsBucket",
    }
    assert state["region"] == "eu-west-1"
    assert any("Nightly (Schedule) is not run locally" in note for note in fixture_stack.notes)


# -- DynamoDB stream delivery ----------------------------------------------------------------------


def _put(stack: LocalStack, *items: dict[str, str]) -> None:
    """Write the items in one transaction, so they reach the stream together (one batch)."""
    assert stack.clients is not None
    table = stack.resources["EventsTable"]
    stack.clients.dynamodb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": table, "Item": {k: {"S": v} for k, v in item.items()}}} for item in items
        ]
    )


def test_stream_records_reach_the_consumer_in_lambdas_shape(
    fixture_stack: LocalStack, record_dir: Path
) -> None:
    # Given a consumer filtering on keys starting with JOB#
    _put(fixture_stack, {"PK": "JOB#shape", "note": "first"}, {"PK": "OTHER#skipped"})
    _put(fixture_stack, {"PK": "JOB#shape", "note": "second"})

    # When the stream is drained
    fixture_stack.drain(timeout=10)

    # Then the insert and the modify arrived as Lambda builds them, and the other key never did
    events = [e for e in records_of(record_dir, "stream_recorder") if "JOB#shape" in keys_of(e)]
    for event in events:
        DynamoDBStreamModel.model_validate(event)
    insert, modify = [r for e in events for r in e["Records"]]
    assert insert["eventName"] == "INSERT"
    assert insert["eventVersion"] == "1.1"
    assert insert["eventSource"] == "aws:dynamodb"
    assert insert["awsRegion"] == "eu-west-1"
    assert fixture_stack.clients is not None
    table = fixture_stack.clients.dynamodb.describe_table(TableName=fixture_stack.resources["EventsTable"])
    assert insert["eventSourceARN"] == table["Table"]["LatestStreamArn"]
    assert isinstance(insert["dynamodb"]["ApproximateCreationDateTime"], int)
    assert insert["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert "OldImage" not in insert["dynamodb"]
    assert modify["eventName"] == "MODIFY"
    assert modify["dynamodb"]["OldImage"]["note"] == {"S": "first"}
    assert modify["dynamodb"]["NewImage"]["note"] == {"S": "second"}
    assert int(modify["dynamodb"]["SequenceNumber"]) > int(insert["dynamodb"]["SequenceNumber"])
    assert not any("OTHER#skipped" in keys_of(e) for e in records_of(record_dir, "stream_recorder"))


def test_partial_batch_failure_retries_from_the_failed_record_then_reports_it(
    fixture_stack: LocalStack, record_dir: Path
) -> None:
    # Given a batch in which the consumer reports two records as failed (MaximumRetryAttempts: 2)
    _put(
        fixture_stack,
        {"PK": "JOB#ok-1"},
        {"PK": "JOB#bad-1", "outcome": "fail"},
        {"PK": "JOB#ok-2"},
        {"PK": "JOB#bad-2", "outcome": "fail"},
    )

    fixture_stack.drain(timeout=10)

    # Then processing resumed at the first failed record, was retried twice, and the OnFailure queue
    # got the description of what was given up
    batches = [keys_of(e) for e in records_of(record_dir, "stream_recorder") if "JOB#bad-1" in keys_of(e)]
    assert batches == [
        ["JOB#ok-1", "JOB#bad-1", "JOB#ok-2", "JOB#bad-2"],
        ["JOB#bad-1", "JOB#ok-2", "JOB#bad-2"],
        ["JOB#bad-1", "JOB#ok-2", "JOB#bad-2"],
    ]
    assert fixture_stack.clients is not None
    received = fixture_stack.clients.sqs.receive_message(
        QueueUrl=fixture_stack.resources["StreamFailuresQueue"], MaxNumberOfMessages=10
    )
    (message,) = received["Messages"]
    failure = json.loads(message["Body"])
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["requestContext"]["approximateInvokeCount"] == 3
    assert failure["requestContext"]["functionArn"].endswith(
        ":function:inquiry-router-local-StreamRecorderFunction"
    )
    info = failure["DDBStreamBatchInfo"]
    assert info["batchSize"] == 3
    assert info["startSequenceNumber"] < info["endSequenceNumber"]
    assert "/stream/" in info["streamArn"]


def test_bisecting_isolates_the_record_that_fails(fixture_stack: LocalStack, record_dir: Path) -> None:
    # Given a consumer that raises for any batch holding BISECT#bad (bisect on, no retries)
    _put(fixture_stack, {"PK": "BISECT#1"}, {"PK": "BISECT#bad", "outcome": "raise"}, {"PK": "BISECT#3"})

    fixture_stack.drain(timeout=10)

    # Then the batch was split until the bad record was alone, and the good ones were delivered
    batches = [keys_of(e) for e in records_of(record_dir, "bisecting_recorder")]
    assert batches == [
        ["BISECT#1", "BISECT#bad", "BISECT#3"],
        ["BISECT#1"],
        ["BISECT#bad", "BISECT#3"],
        ["BISECT#bad"],
        ["BISECT#3"],
    ]


# -- SQS delivery ---------------------------------------------------------------------------------


def _send(stack: LocalStack, *bodies: str) -> None:
    assert stack.clients is not None
    stack.clients.sqs.send_message_batch(
        QueueUrl=stack.resources["JobsQueue"],
        Entries=[
            {
                "Id": str(index),
                "MessageBody": body,
                "MessageAttributes": {"source": {"DataType": "String", "StringValue": "test"}},
            }
            for index, body in enumerate(bodies)
        ],
    )


def _queue_records(record_dir: Path, marker: str) -> list[dict[str, Any]]:
    return [
        record
        for event in records_of(record_dir, "queue_recorder")
        for record in event["Records"]
        if marker in record["body"]
    ]


def _take_dead_letters(stack: LocalStack) -> list[dict[str, Any]]:
    """The bodies waiting in the dead-letter queue, deleted as they are read."""
    assert stack.clients is not None
    queue_url = stack.resources["JobsDeadLetterQueue"]
    messages = stack.clients.sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get(
        "Messages", []
    )
    for message in messages:
        stack.clients.sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return [json.loads(m["Body"]) for m in messages]


def test_messages_reach_the_consumer_and_failed_ones_end_in_the_dlq(
    fixture_stack: LocalStack, record_dir: Path
) -> None:
    # Given a good message, one the consumer reports as failed, and two its filter rejects
    _send(
        fixture_stack,
        json.dumps({"kind": "job", "id": "partial-ok"}),
        json.dumps({"kind": "job", "id": "partial-bad", "outcome": "fail"}),
        json.dumps({"kind": "ignored", "id": "partial-filtered"}),
        "partial-plain text, not JSON",
    )

    # When the queue is drained (VisibilityTimeout 1 s, maxReceiveCount 2)
    fixture_stack.drain(timeout=15)

    # Then the good one was delivered once, the failed one twice and then moved to the DLQ by SQS
    delivered = _queue_records(record_dir, "partial-")
    assert [json.loads(r["body"])["id"] for r in delivered].count("partial-ok") == 1
    bad = [r for r in delivered if "partial-bad" in r["body"]]
    assert [r["attributes"]["ApproximateReceiveCount"] for r in bad] == ["1", "2"]
    assert not [r for r in delivered if "filtered" in r["body"] or "plain" in r["body"]]
    assert [m["id"] for m in _take_dead_letters(fixture_stack)] == ["partial-bad"]
    # And the records have Lambda's shape
    SqsModel.model_validate({"Records": delivered})
    record = delivered[0]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == "arn:aws:sqs:eu-west-1:123456789012:inquiry-router-local-JobsQueue"
    assert record["awsRegion"] == "eu-west-1"
    assert record["messageAttributes"]["source"] == {
        "stringValue": "test",
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": "String",
    }
    assert set(record["attributes"]) >= {
        "ApproximateReceiveCount",
        "SentTimestamp",
        "SenderId",
        "ApproximateFirstReceiveTimestamp",
    }
    # And nothing is left in the source queue
    assert fixture_stack.clients is not None
    counts = fixture_stack.clients.sqs.get_queue_attributes(
        QueueUrl=fixture_stack.resources["JobsQueue"],
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    assert counts == {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"}


def test_function_error_leaves_the_whole_batch_for_redelivery(
    fixture_stack: LocalStack, record_dir: Path
) -> None:
    _send(fixture_stack, json.dumps({"kind": "job", "id": "error-raise", "outcome": "raise"}))

    fixture_stack.drain(timeout=15)

    deliveries = _queue_records(record_dir, "error-raise")
    assert [r["attributes"]["ApproximateReceiveCount"] for r in deliveries] == ["1", "2"]
    assert [m["id"] for m in _take_dead_letters(fixture_stack)] == ["error-raise"]


# -- starting and stopping ------------------------------------------------------------------------


def test_a_port_in_use_is_named_with_the_flag_to_change_it(tmp_path: Path) -> None:
    running_stacks_state = tmp_path / "stack.json"
    running_stacks_state.write_text("{}")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        with pytest.raises(LocalStackError, match=rf"port {port} \(the HTTP API\).*--api-port"):
            LocalStack(FIXTURE, api_port=port, aws_port=0, state_dir=tmp_path).start()
        with pytest.raises(LocalStackError, match=rf"port {port} \(the AWS endpoint\).*--aws-port"):
            LocalStack(
                FIXTURE,
                api_port=0,
                aws_port=port,
                state_dir=tmp_path,
                parameters={"RecordDir": str(tmp_path)},
            ).start()

    assert running_stacks_state.exists(), "a stack that failed to start removed the running one's state"


def test_cli_reports_a_port_in_use_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        arguments = ["--api-port", "0", "--aws-port", str(port), "--state-dir", str(tmp_path)]
        code = cli_main(["local", "up", "--project-root", str(ROOT), *arguments])

    assert code == 1
    assert f"port {port}" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_serves_until_interrupted_and_exits_0(tmp_path: Path) -> None:
    # Given `inquiry-router local up` started as a user would, on free ports
    api_port, aws_port = free_port(), free_port()
    state_dir = tmp_path / "state"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    command = [
        "local",
        "up",
        "--api-port",
        str(api_port),
        "--aws-port",
        str(aws_port),
        "--state-dir",
        str(state_dir),
    ]
    process = subprocess.Popen(
        [str(CLI), *command],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_for_port(api_port, process)
        api_url = f"http://127.0.0.1:{api_port}"
        body = json.dumps({"email": "cli@importer.example", "message": "From the CLI test."})

        # When an inquiry is posted and listed with the admin CLI pointed at this stack
        posted = call(api_url, "POST", "/inquiries", body, [("Content-Type", "application/json")])
        listing = subprocess.run(
            # no endpoint and no credentials given: --local reads them from the stack's state
            [str(CLI), "--local", "inquiries", "list", "--json"],
            env=environment | {"INQUIRY_ROUTER_LOCAL_DIR": str(state_dir)},
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

        # Then the inquiry is listed, and Ctrl-C stops everything with exit code 0
        assert posted.status == 202
        assert listing.returncode == 0, listing.stderr
        assert posted.json()["reference"] in {item["reference"] for item in json.loads(listing.stdout)}
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=15)
    assert process.returncode == 0, output
    assert "The local stack is up." in output
    assert f"http://127.0.0.1:{api_port}/examples/contact-form.html" in output
    assert "Stopped." in output
    assert not (state_dir / "stack.json").exists()
    assert (state_dir / "outbox").is_dir()


def _wait_for_port(port: int, process: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"local up exited early:\n{process.communicate()[0]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing answered on port {port} after {timeout} s")
