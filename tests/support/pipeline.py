"""The asynchronous half of the pipeline on moto, driven step by step: the table's stream to the
router function, the mail queue to the mailer function, SES's sent messages back out.

Events are built with the local stack's own converters, so the handlers see what Lambda sends.
"""

from __future__ import annotations

import email
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from inquiry_router.adapters.config_store import apply_config
from inquiry_router_admin.local.event_sources import PollOutcome, StreamMapping
from inquiry_router_admin.local.filters import EventFilter
from inquiry_router_admin.local.function_runner import Invocation
from inquiry_router_admin.local.queue_poller import lambda_sqs_record
from inquiry_router_admin.local.stream_poller import StreamPoller, lambda_stream_record
from tests.conftest import TABLE_NAME, FakeLambdaContext, LambdaFunction
from tests.support.routing import DOMAIN, rep, routing_config
from tests.support.template import load_template

REGION = "eu-west-1"
CONFIGURATION_SET = "inquiry-router-test-mail"
RAW_MAIL_BUCKET = "inquiry-router-test-raw-mail"
FILES_URL = "https://abc123.execute-api.eu-west-1.amazonaws.com/files"
ACTIONS_URL = "https://abc123.execute-api.eu-west-1.amazonaws.com/actions"


@dataclass
class StreamReader:
    """Reads the table's stream from where it last stopped, like one Lambda event source mapping."""

    client: Any
    stream_arn: str
    iterators: dict[str, str] = field(default_factory=dict)

    def new_records(self) -> list[dict[str, Any]]:
        records = []
        shards = self.client.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
        for shard in shards:
            shard_id = shard["ShardId"]
            iterator = (
                self.iterators.get(shard_id)
                or self.client.get_shard_iterator(
                    StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
            )
            answer = self.client.get_records(ShardIterator=iterator)
            self.iterators[shard_id] = answer["NextShardIterator"]
            records += [lambda_stream_record(r, self.stream_arn, REGION) for r in answer["Records"]]
        return records


@dataclass
class SentMail:
    source: str
    destinations: list[str]
    message: EmailMessage
    raw: bytes = b""  # exactly what the mailer handed SES

    @property
    def text(self) -> str:
        part = self.message.get_body(("plain",))
        assert part is not None
        return str(part.get_content())  # type: ignore[attr-defined]

    @property
    def html(self) -> str:
        part = self.message.get_body(("html",))
        assert part is not None
        return str(part.get_content())  # type: ignore[attr-defined]


class Pipeline:
    """Router and mailer functions wired to moto's stream, queue and SES; each is built from the
    test's environment at its first invocation (see LambdaFunction)."""

    def __init__(self, dynamodb: Any, mail_queue_url: str) -> None:
        self.dynamodb = dynamodb
        self.sqs = boto3.client("sqs", region_name=REGION)
        self.mail_queue_url = mail_queue_url
        self.mail_queue_arn = self.sqs.get_queue_attributes(
            QueueUrl=mail_queue_url, AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        stream_arn = dynamodb.describe_table(TableName=TABLE_NAME)["Table"]["LatestStreamArn"]
        # An explicit endpoint: botocore otherwise derives one from the stream ARN that moto's
        # in-process mock does not recognise ("Not yet implemented").
        streams = boto3.client(
            "dynamodbstreams",
            region_name=REGION,
            endpoint_url=f"https://streams.dynamodb.{REGION}.amazonaws.com",
        )
        self.stream = StreamReader(streams, stream_arn)
        self.routed = 0
        self.build_functions()

    def build_functions(self, session: Any = None) -> None:
        """New router and mailer functions (their clients from `session`, when given)."""
        self.router = LambdaFunction("router", session=session)
        self.mailer = LambdaFunction("mailer", session=session)

    def route(self, records: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """One router invocation with the stream's new records (or the ones given)."""
        batch = self.stream.new_records() if records is None else records
        self.routed = len(batch)
        if not batch:
            return {"batchItemFailures": []}
        result: dict[str, Any] = self.router({"Records": batch}, lambda_context("router"))
        return result

    def queued_jobs(self) -> list[dict[str, Any]]:
        """Take every waiting mail job off the queue, as SQS records for the mailer."""
        records = []
        while True:
            answer = self.sqs.receive_message(
                QueueUrl=self.mail_queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0
            )
            messages = answer.get("Messages", [])
            if not messages:
                return records
            for message in messages:
                records.append(lambda_sqs_record(message, self.mail_queue_arn, REGION))
                self.sqs.delete_message(QueueUrl=self.mail_queue_url, ReceiptHandle=message["ReceiptHandle"])

    def send(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        """One mailer invocation with these SQS records."""
        result: dict[str, Any] = self.mailer({"Records": records}, lambda_context("mailer"))
        return result

    def run(self) -> list[dict[str, Any]]:
        """Route and mail until nothing moves (the INSERT is assigned, its MODIFY queues the jobs,
        the sends change the inquiry again); returns the mail jobs that were handled."""
        handled: list[dict[str, Any]] = []
        for _ in range(10):
            self.route()
            jobs = self.queued_jobs()
            if jobs:
                self.send(jobs)
                handled += jobs
            elif not self.routed:
                return handled
        raise AssertionError("the pipeline did not settle in 10 rounds")


ROUTER_ARN = f"arn:aws:lambda:{REGION}:123456789012:function:inquiry-router-router"


class RouterLambda:
    """Lambda running the router function for the local stack's stream poller: the handler's error
    becomes a function error, its answer the batch response."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.specs = {"RouterFunction": SimpleNamespace(arn=ROUTER_ARN)}
        self._pipeline = pipeline
        self.invocations = 0

    def invoke(self, function_id: str, event: dict[str, Any]) -> Invocation:
        self.invocations += 1
        try:
            result, error = self._pipeline.router(event, lambda_context("router")), None
        except Exception as raised:  # the edge, as Lambda: a function error
            result, error = None, raised
        return Invocation(function_id, result, error, 0.0)


def router_stream_poller(pipeline: Pipeline, dead_letter_queue_url: str) -> StreamPoller:
    """The table's stream delivered to the router with the event source mapping template.yaml
    declares (batch size, filter, retries, bisect, on-failure queue), retries without pauses."""
    properties = load_template()["Resources"]["RouterFunctionStoredInquiries"]["Properties"]
    mapping = StreamMapping(
        function_id="RouterFunction",
        event_name="StoredInquiries",
        table_id="InquiryTable",
        stream_arn=pipeline.stream.stream_arn,
        starting_position=str(properties["StartingPosition"]),
        batch_size=int(properties["BatchSize"]),
        max_retries=int(properties["MaximumRetryAttempts"]),
        max_record_age_seconds=None,
        bisect_on_error=bool(properties["BisectBatchOnFunctionError"]),
        report_item_failures="ReportBatchItemFailures" in properties["FunctionResponseTypes"],
        on_failure_queue_url=dead_letter_queue_url,
        event_filter=EventFilter.from_criteria(properties["FilterCriteria"]),
    )
    poller = StreamPoller(
        mapping,
        RouterLambda(pipeline),  # type: ignore[arg-type]
        streams=pipeline.stream.client,
        sqs=pipeline.sqs,
        region=REGION,
        log=lambda _: None,
        log_error=lambda _: None,
        retry_backoff=(0.0,),
    )
    poller.open_shard()
    return poller


def drain_stream(poller: StreamPoller) -> None:
    """Deliver every record written so far (retries and on-failure records included)."""
    while poller.poll_once() is not PollOutcome.IDLE:
        pass


def start_pipeline(dynamodb: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Pipeline:
    """The mail queue, SES (identity, configuration set), the raw mail bucket and a routing config
    of three reps (ana, bob, chen) on moto, with the functions' environment pointing at them."""
    sqs = boto3.client("sqs", region_name=REGION)
    queue_url = sqs.create_queue(QueueName="inquiry-router-test-mail")["QueueUrl"]
    ses = boto3.client("sesv2", region_name=REGION)
    ses.create_email_identity(EmailIdentity=DOMAIN)
    ses.create_configuration_set(ConfigurationSetName=CONFIGURATION_SET)
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=RAW_MAIL_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    monkeypatch.setenv("MAIL_QUEUE_URL", queue_url)
    monkeypatch.setenv("SES_CONFIGURATION_SET", CONFIGURATION_SET)
    monkeypatch.setenv("COMPANY_DOMAINS", DOMAIN)
    monkeypatch.setenv("COMPANY_WEBSITE", f"https://www.{DOMAIN}")
    monkeypatch.setenv("REPLY_BCC_ADDRESS", f"log@in.{DOMAIN}")
    monkeypatch.setenv("INBOUND_DOMAIN", f"in.{DOMAIN}")  # the thread address: reply@in.<domain>
    monkeypatch.setenv("RAW_MAIL_BUCKET", RAW_MAIL_BUCKET)
    monkeypatch.setenv("FILES_URL", FILES_URL)
    monkeypatch.setenv("ACTIONS_URL", ACTIONS_URL)
    monkeypatch.setenv("INQUIRY_ROUTER_LOCAL_DIR", str(tmp_path))
    monkeypatch.setenv("ROUTING_CONFIG_CACHE_SECONDS", "0")
    config = routing_config(rep("ana"), rep("bob"), rep("chen", title="Export Manager", phone="+86 755 1"))
    apply_config(dynamodb, TABLE_NAME, config, datetime.now(UTC))
    return Pipeline(dynamodb, queue_url)


def inquiry_records(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Only the inquiry items' records, as the router's event source filter lets through."""
    return [r for r in records if r["dynamodb"].get("NewImage", {}).get("entity", {}).get("S") == "inquiry"]


def lambda_context(name: str) -> FakeLambdaContext:
    return FakeLambdaContext(
        function_name=f"inquiry-router-{name}",
        invoked_function_arn=f"arn:aws:lambda:{REGION}:123456789012:function:inquiry-router-{name}",
        aws_request_id=str(uuid.uuid4()),
    )


def sent_mails() -> list[SentMail]:
    """Every message moto's SES accepted, oldest first, parsed."""
    backend = ses_backends[DEFAULT_ACCOUNT_ID][REGION]
    mails = []
    for sent in backend.sent_messages:
        raw = getattr(sent, "raw_data", None)
        assert raw is not None, "the mailer sends raw MIME only"
        parsed = email.message_from_string(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else bytes(raw)
        mails.append(SentMail(sent.source, list(sent.destinations), parsed, data))
    return mails
