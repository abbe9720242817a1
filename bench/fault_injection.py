"""Fault injection: inquiries by form and by mail through the real handlers while about 20 % of
their DynamoDB, SQS and SES calls fail, with Lambda's retry rules, then one redrive of each DLQ.

The four functions (functions/{intake,inbound,router,mailer}/) run in this process on moto, built
by their composition roots in the local stack's FunctionRunner. Their calls fail at random as the
code sees them (the SDK's own retries are bypassed: each fault reaches our code): throttling, a
5xx, a connection timeout before the request left, or, for DynamoDB and SQS, a read timeout
*after* the request was applied. SES sends fail only before SES accepted the mail: SES has no
idempotency key, so a timeout after acceptance cannot be told from a loss by anyone.

Lambda's rules, from template.yaml:
- the table stream to the router: the local stack's StreamPoller (batch size, filter, partial batch
  responses, MaximumRetryAttempts with bisect, then the on-failure record to the router DLQ);
- the mail queue to the mailer: the local stack's QueuePoller (redelivery after the visibility
  timeout, partial batch responses; moto moves a message to the mail DLQ after maxReceiveCount);
- SES receipts to the inbound function: asynchronous invocation, 1 + 2 retries, then the on-failure
  record (with the event) to the inbound DLQ;
- the form's client sends again after a 5xx or 429 (same body, same Idempotency-Key for JSON).

Two liberties, both about time: the mail queue's visibility timeout is 1 s instead of 360 s, and
the mailer's clock moves on by 360 s whenever a mail batch failed, so a redelivery finds what six
minutes later would (an expired send lease); stream retries have no pauses. Then the faults are
switched off, `inquiry-router dlq redrive` runs once per queue (inbound, router, mail), everything
drains, and the outcome is counted from the table and from SES's accepted sends.

    .venv/bin/python bench/fault_injection.py --inquiries 1000 [--rate 0.2] [--seed 7] [--json]
"""

from __future__ import annotations

import argparse
import base64
import email
import io
import json
import os
import random
import re
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from pathlib import Path
from typing import Any
from unittest import mock

REPO_ROOT = Path(__file__).resolve().parents[1]
REGION = "eu-west-1"
ACCOUNT = "123456789012"
TABLE = "fault-inquiries"
STACK = "fault-injection"
DOMAIN = "sunrise-lighting.example"
SALES = f"sales@in.{DOMAIN}"
CONFIGURATION_SET = "fault-mail"
BUCKET = "fault-raw-mail"
VIRTUAL_VISIBILITY = timedelta(seconds=360)  # the template's MailQueue VisibilityTimeout
FORM_RETRIES = 10
REFERENCE = re.compile(r"\[(INQ-[0-9A-Z]{6})\]")
SERVICES = ("dynamodb", "sqs", "sesv2")
THROTTLING = {
    "dynamodb": ("ProvisionedThroughputExceededException", 400),
    "sqs": ("RequestThrottled", 403),
    "sesv2": ("TooManyRequestsException", 429),
}
SERVER_ERROR = {
    "dynamodb": ("InternalServerError", 500),
    "sqs": ("InternalError", 500),
    "sesv2": ("InternalFailure", 500),
}


# -- the faults ------------------------------------------------------------------------------


@dataclass
class Faults:
    """botocore hooks on every client of the functions' session; they fail calls only while armed
    (inside a function's invocation), so the harness's own calls (Lambda's pollers) never fail."""

    rate: float
    rng: random.Random
    armed: bool = False
    calls: Counter[str] = field(default_factory=Counter)
    injected: Counter[tuple[str, str]] = field(default_factory=Counter)
    sent: Counter[tuple[str, str]] = field(default_factory=Counter)  # (reference, recipient) accepted

    def hooked_session(self) -> Any:
        """A new botocore session with these hooks: the runner builds every function with one, so
        the functions' clients (made from it at init) and only theirs meet the faults."""
        from inquiry_router.adapters.clients import aws_session

        session: Any = aws_session()
        for service in SERVICES:
            session.register(f"before-call.{service}", self._before)
            session.register(f"after-call.{service}", self._after)
        return session

    def _before(self, model: Any, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        from botocore.exceptions import ClientError, ConnectTimeoutError

        service = model.service_model.endpoint_prefix
        service = "sesv2" if service == "email" else service
        if service == "sesv2" and model.name == "SendEmail":
            context["fault_request"] = params.get("body")
        if not self.armed:
            return
        self.calls[service] += 1
        if self.rng.random() >= self.rate:
            return
        kinds = ["throttling", "5xx", "connect timeout"]
        if service != "sesv2":
            kinds.append("timeout after applied")
        kind = self.rng.choice(kinds)
        self.injected[(service, kind)] += 1
        if kind == "timeout after applied":
            context["fault_after"] = True
            return
        if kind == "connect timeout":
            raise ConnectTimeoutError(endpoint_url=f"https://{service}.{REGION}.amazonaws.com")
        code, status = THROTTLING[service] if kind == "throttling" else SERVER_ERROR[service]
        error = {
            "Error": {"Code": code, "Message": "injected"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        }
        raise ClientError(error, model.name)  # type: ignore[arg-type]

    def _after(self, http_response: Any, model: Any, context: dict[str, Any], **_: Any) -> None:
        from botocore.exceptions import ReadTimeoutError

        if context.get("fault_request") is not None and http_response.status_code == 200:
            self._count_sent(context["fault_request"])
        if context.pop("fault_after", False):
            raise ReadTimeoutError(
                endpoint_url=f"https://{model.service_model.endpoint_prefix}.amazonaws.com"
            )

    def _count_sent(self, body: Any) -> None:
        request = json.loads(body)
        raw = base64.b64decode(request["Content"]["Raw"]["Data"])
        message = email.message_from_bytes(raw, policy=policy.default)
        found = REFERENCE.search(str(message["Subject"] or ""))
        to = ",".join(request["Destination"]["ToAddresses"]).lower()
        self.sent[(found.group(1) if found else "?", to)] += 1


# -- the functions, as Lambda runs them ---------------------------------------------------------


def _runner_class() -> Any:
    from inquiry_router_admin.local.function_runner import FunctionRunner, Invocation

    class FaultyRunner(FunctionRunner):
        """The local stack's runner, with the faults armed while a function runs."""

        faults: Faults
        invocations: Counter[str]
        failures: Counter[str]

        def invoke(self, function_id: str, event: Any) -> Invocation:
            self.faults.armed = True
            try:  # Powertools prints its metrics (EMF) on stdout, as in Lambda: not here
                with redirect_stdout(io.StringIO()):
                    invocation = super().invoke(function_id, event)
            finally:
                self.faults.armed = False
            self.invocations[function_id] += 1
            if invocation.error is not None or (
                isinstance(invocation.result, dict) and invocation.result.get("batchItemFailures")
            ):
                self.failures[function_id] += 1
            return invocation

    return FaultyRunner


@dataclass
class Outcome:
    figures: dict[str, Any]
    problems: list[str]

    @property
    def passed(self) -> bool:
        return not self.problems


class Bench:
    def __init__(self, inquiries: int, rate: float, seed: int) -> None:
        self.count = inquiries
        self.rng = random.Random(seed)
        self.faults = Faults(rate, random.Random(seed + 1))
        self.clock_offset = timedelta()
        self.form_tries = 0
        self.form_retries = 0
        self.async_attempts = 0
        self.async_failures = 0
        self.accepted_forms: dict[str, str] = {}  # inquiry id -> buyer address
        self.mails: dict[str, str] = {}  # SES message id -> buyer address
        self.refused_forms: list[str] = []
        self.leftovers: list[str] = []

    # -- setup --------------------------------------------------------------------------------

    def environment(self, queues: dict[str, str]) -> dict[str, str]:
        return {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ENDPOINT_URL_DYNAMODB_STREAMS": f"https://streams.dynamodb.{REGION}.amazonaws.com",
            "TABLE_NAME": TABLE,
            "COMPANY_NAME": "Sunrise Lighting Co.",
            "COMPANY_DOMAINS": DOMAIN,
            "COMPANY_WEBSITE": f"https://www.{DOMAIN}",
            "ALLOWED_ORIGINS": f"https://www.{DOMAIN}",
            "RATE_LIMIT_PER_IP": "1000000",
            "RATE_LIMIT_PER_EMAIL": "1000000",
            "MIN_FILL_SECONDS": "0",
            "CAPTCHA_PROVIDER": "none",
            "GUARD_SALT": "fault-injection",
            "CLOSED_INQUIRY_RETENTION_DAYS": "730",
            "SPAM_RETENTION_DAYS": "30",
            "MAIL_QUEUE_URL": queues["MailQueue"],
            "SES_CONFIGURATION_SET": CONFIGURATION_SET,
            "REPLY_BCC_ADDRESS": f"log@in.{DOMAIN}",
            "RAW_MAIL_BUCKET": BUCKET,
            "RAW_MAIL_PREFIX": "raw/",
            "ATTACHMENT_PREFIX": "attachments/",
            "POWERTOOLS_SERVICE_NAME": "fault-injection",
            "POWERTOOLS_METRICS_NAMESPACE": "FaultInjection",
            "POWERTOOLS_TRACE_DISABLED": "1",
            "POWERTOOLS_LOG_LEVEL": "CRITICAL",
        }

    def create_resources(self) -> dict[str, str]:
        import boto3

        from inquiry_router_admin.local.template import load_template

        template = load_template(REPO_ROOT / "template.yaml")["Resources"]
        table = template["InquiryTable"]["Properties"]
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        dynamodb.create_table(
            TableName=TABLE,
            BillingMode=table["BillingMode"],
            AttributeDefinitions=table["AttributeDefinitions"],
            KeySchema=table["KeySchema"],
            GlobalSecondaryIndexes=table["GlobalSecondaryIndexes"],
            StreamSpecification={
                "StreamEnabled": True,
                "StreamViewType": table["StreamSpecification"]["StreamViewType"],
            },
        )
        sqs = boto3.client("sqs", region_name=REGION)
        queues = {
            name: sqs.create_queue(QueueName=f"fault-{name}")["QueueUrl"]
            for name in ("MailDeadLetterQueue", "RouterDeadLetterQueue", "InboundDeadLetterQueue")
        }
        mail_dlq_arn = sqs.get_queue_attributes(
            QueueUrl=queues["MailDeadLetterQueue"], AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        redrive = template["MailQueue"]["Properties"]["RedrivePolicy"]
        queues["MailQueue"] = sqs.create_queue(
            QueueName="fault-MailQueue",
            Attributes={
                "VisibilityTimeout": "1",
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": mail_dlq_arn, "maxReceiveCount": int(redrive["maxReceiveCount"])}
                ),
            },
        )["QueueUrl"]
        ses = boto3.client("sesv2", region_name=REGION)
        ses.create_email_identity(EmailIdentity=DOMAIN)
        ses.create_configuration_set(ConfigurationSetName=CONFIGURATION_SET)
        boto3.client("s3", region_name=REGION).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        outputs = {
            "TableName": TABLE,
            "MailQueueUrl": queues["MailQueue"],
            "MailDeadLetterQueueUrl": queues["MailDeadLetterQueue"],
            "RouterDeadLetterQueueUrl": queues["RouterDeadLetterQueue"],
            "InboundDeadLetterQueueUrl": queues["InboundDeadLetterQueue"],
            "InboundFunctionName": "fault-inbound",
        }
        stack = {
            "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
            "Outputs": {key: {"Value": value} for key, value in outputs.items()},
        }
        boto3.client("cloudformation", region_name=REGION).create_stack(
            StackName=STACK, TemplateBody=json.dumps(stack)
        )
        return queues

    def apply_routing(self) -> None:
        import boto3

        from inquiry_router.adapters.config_store import apply_config
        from inquiry_router.models.routing_config import RoutingConfig

        reps = [
            {"email": f"{name}@{DOMAIN}", "name": name.title(), "teams": ["sales"], "capacity": 10_000}
            for name in ("ana", "bob", "chen", "dara", "emre")
        ]
        document = {
            "teams": [
                {
                    "key": "sales",
                    "name": "Sales",
                    "sending_address": f"sales@{DOMAIN}",
                    "fallback_address": f"manager@{DOMAIN}",
                    "timezone": "UTC",
                    "languages": ["en"],
                }
            ],
            "reps": reps,
            "rules": [],
            "default_team": "sales",
        }
        config = RoutingConfig.model_validate(document, context={"company_domains": [DOMAIN]})
        apply_config(boto3.client("dynamodb", region_name=REGION), TABLE, config, datetime.now(UTC))

    def build(self, queues: dict[str, str]) -> None:
        import boto3

        from inquiry_router_admin.local.event_sources import QueueMapping, StreamMapping
        from inquiry_router_admin.local.filters import EventFilter
        from inquiry_router_admin.local.functions import FunctionSpec
        from inquiry_router_admin.local.queue_poller import QueuePoller
        from inquiry_router_admin.local.stream_poller import StreamPoller
        from inquiry_router_admin.local.template import load_template

        environment = dict(os.environ)
        specs = [
            FunctionSpec(
                logical_id=logical_id,
                name=f"fault-{name}",
                arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:fault-{name}",
                code_file=REPO_ROOT / "functions" / name / "app.py",
                handler_attribute="handler",
                environment=environment,
                timeout_seconds=60,
            )
            for logical_id, name in (
                ("IntakeFunction", "intake"),
                ("InboundFunction", "inbound"),
                ("RouterFunction", "router"),
                ("MailerFunction", "mailer"),
            )
        ]
        quiet = lambda _: None  # noqa: E731
        runner = self.runner = _runner_class()(
            specs, quiet, quiet, session_factory=self.faults.hooked_session
        )
        runner.faults, runner.invocations, runner.failures = self.faults, Counter(), Counter()
        runner.load()  # each function built once, by its composition root, its clients from a hooked session
        runner.functions["MailerFunction"].mailer.clock = lambda: datetime.now(UTC) + self.clock_offset

        template = load_template(REPO_ROOT / "template.yaml")["Resources"]
        stream = template["RouterFunctionStoredInquiries"]["Properties"]
        streams = boto3.client("dynamodbstreams", region_name=REGION)
        sqs = self.sqs = boto3.client("sqs", region_name=REGION)
        dynamodb = self.dynamodb = boto3.client("dynamodb", region_name=REGION)
        self.s3 = boto3.client("s3", region_name=REGION)
        self.queues = queues
        stream_arn = dynamodb.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
        self.stream = StreamPoller(
            StreamMapping(
                function_id="RouterFunction",
                event_name="StoredInquiries",
                table_id="InquiryTable",
                stream_arn=stream_arn,
                starting_position=str(stream["StartingPosition"]),
                batch_size=int(stream["BatchSize"]),
                max_retries=int(stream["MaximumRetryAttempts"]),
                max_record_age_seconds=None,
                bisect_on_error=bool(stream["BisectBatchOnFunctionError"]),
                report_item_failures="ReportBatchItemFailures" in stream["FunctionResponseTypes"],
                on_failure_queue_url=queues["RouterDeadLetterQueue"],
                event_filter=EventFilter.from_criteria(stream["FilterCriteria"]),
            ),
            runner,
            streams=streams,
            sqs=sqs,
            region=REGION,
            log=quiet,
            log_error=quiet,
            retry_backoff=(0.0,),
        )
        self.stream.open_shard()
        mail = template["MailerFunctionMailJobs"]["Properties"]
        mail_queue_arn = sqs.get_queue_attributes(QueueUrl=queues["MailQueue"], AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]

        def mail_log(line: str) -> None:
            if "failed" in line:  # a redelivery comes a visibility timeout later
                self.clock_offset += VIRTUAL_VISIBILITY

        self.mailer = QueuePoller(
            QueueMapping(
                function_id="MailerFunction",
                event_name="MailJobs",
                queue_id="MailQueue",
                queue_url=queues["MailQueue"],
                queue_arn=mail_queue_arn,
                batch_size=int(mail["BatchSize"]),
                report_item_failures="ReportBatchItemFailures" in mail["FunctionResponseTypes"],
                event_filter=EventFilter.from_criteria(None),
            ),
            runner,
            sqs=sqs,
            region=REGION,
            log=mail_log,
            log_error=quiet,
        )
        self.async_retries = int(
            template["InboundFunction"]["Properties"]["EventInvokeConfig"]["MaximumRetryAttempts"]
        )
        self.inbound_arn = next(s.arn for s in specs if s.logical_id == "InboundFunction")

    # -- what buyers do ------------------------------------------------------------------------

    def submit_form(self, number: int) -> None:
        from inquiry_router_admin.local.function_runner import Invocation

        buyer = f"buyer{number:05d}@importer-{number:05d}.example"
        body: dict[str, Any] = {
            "name": f"Buyer {number}",
            "email": buyer,
            "company": f"Importer {number}",
            "country": "DE",
            "subject": "LED panels",
            "quantity": "2,000 pcs",
            "message": "Please quote 2,000 LED panels, CIF Hamburg.",
        }
        event = _http_event(body, ip=f"198.51.{number // 250}.{number % 250 + 1}", key=uuid.uuid4().hex)
        for attempt in range(FORM_RETRIES):
            self.form_tries += 1
            self.form_retries += attempt > 0
            invocation: Invocation = self.runner.invoke("IntakeFunction", event)
            status = invocation.result.get("statusCode") if invocation.result else 500
            if status == 202:
                self.accepted_forms[json.loads(invocation.result["body"])["id"]] = buyer
                return
            if status not in (429, 500, 502, 503):
                break
        self.refused_forms.append(buyer)

    def send_mail(self, number: int) -> None:
        from inquiry_router.inbound.receipt import receipt_event

        buyer = f"purchasing{number:05d}@trader-{number:05d}.example"
        message_id = uuid.uuid4().hex
        raw = (
            f"From: Buyer {number} <{buyer}>\r\nTo: sales@{DOMAIN}\r\nSubject: Solar street lights\r\n"
            f"Message-ID: <{message_id}@trader-{number:05d}.example>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            "Hello,\r\n\r\nWe need 300 solar street lights (60 W). Please quote FOB Shenzhen.\r\n"
        ).encode()
        self.s3.put_object(Bucket=BUCKET, Key=f"raw/{message_id}", Body=raw)  # SES's S3 action
        self.mails[message_id] = buyer
        self.invoke_async(receipt_event(message_id, recipients=[SALES], received_at=datetime.now(UTC)))

    def invoke_async(self, event: dict[str, Any]) -> None:
        """Lambda's asynchronous invocation: 1 + MaximumRetryAttempts tries, then the on-failure
        record (with the event and the error) to the inbound dead-letter queue."""
        invocation = None
        for attempt in range(1 + self.async_retries):
            self.async_attempts += 1
            invocation = self.runner.invoke("InboundFunction", event)
            if invocation.error is None:
                return
            self.async_failures += attempt == self.async_retries
        assert invocation is not None
        assert invocation.error is not None
        record = {
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": f"{self.inbound_arn}:$LATEST",
                "condition": "RetriesExhausted",
                "approximateInvokeCount": 1 + self.async_retries,
            },
            "requestPayload": event,
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": "Unhandled",
            },
            "responsePayload": {
                "errorMessage": str(invocation.error)[:200],
                "errorType": type(invocation.error).__name__,
            },
        }
        self.sqs.send_message(QueueUrl=self.queues["InboundDeadLetterQueue"], MessageBody=json.dumps(record))

    # -- Lambda's event sources -----------------------------------------------------------------

    def drain(self, deadline_seconds: float = 600) -> None:
        from inquiry_router_admin.local.event_sources import PollOutcome

        deadline = time.monotonic() + deadline_seconds
        idle_rounds = 0
        while idle_rounds < 2:
            if time.monotonic() > deadline:
                raise TimeoutError("the pipeline did not settle")
            outcomes = {self.stream.poll_once(), self.mailer.poll_once()}
            if outcomes == {PollOutcome.IDLE}:
                idle_rounds += 1
            elif PollOutcome.DELIVERED in outcomes:
                idle_rounds = 0
            else:
                time.sleep(0.2)  # messages in flight: their visibility timeout runs out
                idle_rounds = 0

    def waiting(self, queue: str) -> int:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.queues[queue],
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return sum(int(v) for v in attributes.values())

    def dead_letters_left(self, after: dict[str, int]) -> list[str]:
        """What stayed in a dead-letter queue after the redrive, and what the table says of it."""
        from inquiry_router.adapters import keys
        from inquiry_router.adapters.serialization import from_attributes, to_attributes

        left = []
        for queue in (q for q, n in after.items() if n):
            answer = self.sqs.receive_message(QueueUrl=self.queues[queue], MaxNumberOfMessages=10)
            for message in answer.get("Messages", []):
                body = json.loads(message["Body"])
                if "job_id" in body:
                    record = self.dynamodb.get_item(
                        TableName=TABLE, Key=to_attributes(keys.mail_job_guard_key(body["job_id"]))
                    ).get("Item", {})
                    left.append(f"{queue}: {body['job_id']} ({from_attributes(record).get('state')})")
                else:
                    left.append(f"{queue}: {message['Body'][:200]}")
        return left

    def redrive(self, queue: str) -> str:
        from inquiry_router_admin.cli.main import main
        from inquiry_router_admin.cli.target import Target

        bench = self

        class AsyncLambda:
            def invoke(self, FunctionName: str, InvocationType: str, Payload: bytes) -> dict[str, Any]:
                bench.invoke_async(json.loads(Payload))
                return {"StatusCode": 202}

        out = io.StringIO()
        lambda_client = mock.patch.object(Target, "lambda_client", return_value=AsyncLambda())
        with lambda_client, redirect_stdout(out):
            code = main(["--stack", STACK, "--region", REGION, "dlq", "redrive", "--queue", queue, "--yes"])
        if code:
            raise RuntimeError(f"dlq redrive --queue {queue} exited {code}:\n{out.getvalue()}")
        return out.getvalue()

    # -- the run --------------------------------------------------------------------------------

    def run(self) -> Outcome:
        started = time.monotonic()
        try:
            for number in range(self.count):
                (self.submit_form if number % 2 == 0 else self.send_mail)(number)
                if number % 50 == 49:
                    self.drain()
            self.drain()
            before = {
                q: self.waiting(q)
                for q in ("InboundDeadLetterQueue", "RouterDeadLetterQueue", "MailDeadLetterQueue")
            }
            calls, injected = Counter(self.faults.calls), Counter(self.faults.injected)
            self.faults.rate = 0.0  # the cause is fixed; the admin redrives each queue once
            for queue in ("inbound", "router", "mail"):
                self.redrive(queue)
                self.drain()
            after = {q: self.waiting(q) for q in before}
            self.leftovers = self.dead_letters_left(after)
        finally:
            self.faults.armed = False
        return self.count_outcome(calls, injected, before, after, time.monotonic() - started)

    def count_outcome(
        self,
        calls: Counter[str],
        injected: Counter[tuple[str, str]],
        before: dict[str, int],
        after: dict[str, int],
        seconds: float,
    ) -> Outcome:
        from inquiry_router.adapters import keys
        from inquiry_router.adapters.queries import contact_timeline, get_inquiry, received_mail

        problems: list[str] = []
        inquiries: dict[str, str] = dict(self.accepted_forms)  # id -> buyer
        for message_id, buyer in self.mails.items():
            record = received_mail(self.dynamodb, TABLE, message_id)
            if not record or not record.is_done or not record.inquiry_id:
                problems.append(f"mail {message_id} from {buyer} was not filed ({record and record.state})")
                continue
            inquiries[record.inquiry_id] = buyer
        statuses: Counter[str] = Counter()
        assignments: Counter[int] = Counter()
        duplicates = missing = 0
        for inquiry_id, buyer in inquiries.items():
            inquiry = get_inquiry(self.dynamodb, TABLE, inquiry_id)
            if inquiry is None:
                problems.append(f"inquiry {inquiry_id} of {buyer} was accepted but is not stored")
                continue
            statuses[inquiry.status] += 1
            assigned = [
                e
                for e in contact_timeline(self.dynamodb, TABLE, inquiry.contact_key, limit=100)
                if e.kind == "assigned" and e.inquiry_id == inquiry_id
            ]
            assignments[len(assigned)] += 1
            owner, reference = str(inquiry.owner_email), inquiry.reference
            for recipient in (buyer, owner):
                sent = self.faults.sent[(reference, recipient)]
                duplicates += max(0, sent - 1)
                missing += sent == 0
        del keys
        lost = len(self.refused_forms) + sum(1 for p in problems if "not" in p)
        figures = {
            "inquiries": {
                "form": len(self.accepted_forms),
                "mail": len(self.mails),
                "stored": sum(statuses.values()),
            },
            "calls": dict(calls),
            "injected": {f"{s} {k}": n for (s, k), n in sorted(injected.items())},
            "injected_total": sum(injected.values()),
            "invocations": dict(self.runner.invocations),
            "failed_invocations": dict(self.runner.failures),
            "form_retries": self.form_retries,
            "inbound_retries": self.async_attempts - len(self.mails) - before["InboundDeadLetterQueue"],
            "dlq_before_redrive": before,
            "dlq_after_redrive": after,
            "statuses": dict(statuses),
            "assignments_per_inquiry": {str(k): v for k, v in sorted(assignments.items())},
            "mails_sent": sum(self.faults.sent.values()),
            "duplicate_mails": duplicates,
            "missing_mails": missing,
            "lost_inquiries": lost,
            "seconds": round(seconds, 1),
            "dead_letters_left": self.leftovers,
        }
        if self.refused_forms:
            problems.append(f"{len(self.refused_forms)} form submissions never accepted")
        if statuses != Counter({"assigned": len(inquiries)}):
            problems.append(f"statuses {dict(statuses)}: every inquiry should be assigned")
        if set(assignments) != {1}:
            problems.append(f"assignments per inquiry {dict(assignments)}: should be exactly 1 each")
        if duplicates or missing:
            problems.append(f"{duplicates} duplicate and {missing} missing mails")
        if any(after.values()):
            problems.append(f"dead letters left after one redrive: {after}")
        return Outcome(figures, problems)


def _http_event(body: dict[str, Any], *, ip: str, key: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((REPO_ROOT / "events" / "intake-post-json.json").read_text())
    event["headers"] = {
        "content-type": "application/json",
        "origin": f"https://www.{DOMAIN}",
        "user-agent": "fault-injection",
        "idempotency-key": key,
    }
    event["requestContext"]["http"]["sourceIp"] = ip
    event["body"] = json.dumps(body)
    event["isBase64Encoded"] = False
    return event


@contextmanager
def _environment(wanted: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        del os.environ[name]
    os.environ.update(wanted)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run(inquiries: int = 1000, rate: float = 0.2, seed: int = 7) -> Outcome:
    """One run on a fresh moto in this process; the figures and what missed a target."""
    import logging

    from moto import mock_aws

    from inquiry_router_admin.local.moto_isolation import isolated_dynamodb

    logging.getLogger("aws_lambda_powertools").setLevel(logging.CRITICAL)
    bench = Bench(inquiries, rate, seed)
    base = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }
    with _environment(base), mock_aws(), isolated_dynamodb():
        queues = bench.create_resources()
        os.environ.update(bench.environment(queues))
        bench.apply_routing()
        bench.build(queues)  # the functions, their clients from sessions the faults hook
        return bench.run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inquiries", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    arguments = parser.parse_args()
    outcome = run(arguments.inquiries, arguments.rate, arguments.seed)
    print(json.dumps(outcome.figures, indent=2))
    for problem in outcome.problems:
        print(f"MISSED: {problem}", file=sys.stderr)
    sys.exit(0 if outcome.passed else 1)


if __name__ == "__main__":
    main()
