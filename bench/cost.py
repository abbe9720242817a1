"""What the stack costs to run: per 1,000 inquiries (form and mail apart) and per month at idle,
computed from what one run measures, with a table of list prices and their date.

    .venv/bin/python bench/cost.py [--json] [--inquiries N]

Measured, on moto, in process, through every function's composition root: N form inquiries and N
mailed ones, each on its own (a company's inquiries arrive minutes apart, so each meets its own
invocations), through the intake or the inbound function, the router on the stream records its
event filter (template.yaml) lets through, the mailer on the jobs queued, and the feedback
function on SES's delivery event of each sent mail. Counted: every AWS request by operation
(botocore's own events), every invocation, the read and write units of each request (from the
sizes of the items it touches, transactions counted double), the log bytes and the custom metrics
the functions print, and each invocation's own time (wall time less time in AWS calls, which on
moto is moto's). Billed duration is the own time plus the published latency of each request type
below; every invocation is taken as a cold start at this volume, its INIT (measured: importing
the function's app.py in a fresh interpreter) billed as Lambda bills it since August 2025.

Fixed per month: what exists whatever the volume (alarms, KMS keys, secrets, the schedules' runs),
from template.yaml, and the custom metrics this run saw published (each billed in every month it
is published in, which is every month for a company with inquiries).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` importable from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._fresh_process import FakeLambdaContext
from bench._harness import REGION, REPO_ROOT, TABLE_NAME, table_definition
from tests.support.routing import DOMAIN  # the routing config's (and so the sending) domain

PRICES_DATE = "2026-12"
# us-east-1 list prices (USD), after free tiers are used up (a company's account often has other
# workloads; the free tier would make most of this zero).
PRICES = {
    "lambda_request": 0.20 / 1e6,
    "lambda_gb_second_arm64": 0.0000133334,
    "http_api_request": 1.00 / 1e6,
    "dynamodb_write_unit": 0.625 / 1e6,
    "dynamodb_read_unit": 0.125 / 1e6,
    "dynamodb_stream_read": 0.0,  # reads by Lambda's event source mapping are free
    "sqs_request": 0.40 / 1e6,  # per 64 KB chunk
    "ses_send": 0.10 / 1000,
    "ses_receive": 0.10 / 1000,
    "ses_receive_chunk_256kb": 0.09 / 1000,
    "s3_put": 0.005 / 1000,
    "s3_get": 0.0004 / 1000,
    "eventbridge_aws_service_event": 0.0,  # SES's events on the default bus
    "scheduler_invocation": 1.00 / 1e6,
    "cloudwatch_custom_metric_month": 0.30,
    "cloudwatch_alarm_month": 0.10,
    "cloudwatch_log_ingestion_gb": 0.50,
    "cloudwatch_log_storage_gb_month": 0.03,
    "kms_key_month": 1.00,
    "secrets_manager_secret_month": 0.40,
    "xray_trace": 5.00 / 1e6,
}
# Published or typical in-region latencies (seconds) of each request, added to the own time.
LATENCY = {
    "dynamodb": 0.006,
    "sqs": 0.010,
    "sesv2": 0.060,
    "s3": 0.020,
    "ssm": 0.010,
    "secretsmanager": 0.020,
}
TRANSACTION_LATENCY = 0.015
VOLUMES = (300, 3_000, 30_000)
FUNCTIONS = ("intake", "router", "mailer", "inbound", "feedback")


# -- counting ------------------------------------------------------------------------------------


@dataclass
class Call:
    operation: str  # service.Operation
    params: dict[str, Any]
    seconds: float = 0.0


@dataclass
class CallLog:
    """Every botocore call while active, with its parameters and its time (botocore's events)."""

    calls: list[Call] = field(default_factory=list)
    _open: list[tuple[Call, float]] = field(default_factory=list)

    def before(self, event_name: str, params: dict[str, Any], **_: Any) -> None:
        service, operation = event_name.split(".")[1:3]
        call = Call(f"{service}.{operation}", dict(params))
        self.calls.append(call)
        self._open.append((call, time.perf_counter()))

    def after(self, **_: Any) -> None:
        if self._open:
            call, started = self._open.pop()
            call.seconds = time.perf_counter() - started

    @contextmanager
    def active(self) -> Iterator[CallLog]:
        import boto3
        from botocore.handlers import BUILTIN_HANDLERS

        hooks = [("provide-client-params.*.*", self.before), ("after-call.*.*", self.after)]
        BUILTIN_HANDLERS.extend(hooks)
        boto3.setup_default_session()
        try:
            yield self
        finally:
            for hook in hooks:
                BUILTIN_HANDLERS.remove(hook)


@dataclass
class Invocations:
    """Each function's invocations in a run: count, own seconds, requests, the no-op ones."""

    count: Counter[str] = field(default_factory=Counter)
    own_seconds: dict[str, float] = field(default_factory=dict)
    billed_seconds: dict[str, float] = field(default_factory=dict)
    no_ops: Counter[str] = field(default_factory=Counter)
    calls: dict[str, list[Call]] = field(default_factory=dict)


def _invoke(
    invocations: Invocations, log: CallLog, name: str, handler: Callable[..., Any], event: dict[str, Any]
) -> Any:
    first = len(log.calls)
    started = time.perf_counter()
    answer = handler(event, FakeLambdaContext(str(uuid.uuid4())))
    wall = time.perf_counter() - started
    calls = log.calls[first:]
    aws = sum(c.seconds for c in calls)
    invocations.count[name] += 1
    own = max(0.0, wall - aws)
    invocations.own_seconds[name] = invocations.own_seconds.get(name, 0.0) + own
    billed = own + sum(_latency(c) for c in calls)
    invocations.billed_seconds[name] = invocations.billed_seconds.get(name, 0.0) + billed
    invocations.calls.setdefault(name, []).extend(calls)
    writes = [c for c in calls if _is_write(c.operation)]
    if not writes:
        invocations.no_ops[name] += 1
    return answer


def _latency(call: Call) -> float:
    service, operation = call.operation.split(".")
    if operation.startswith("Transact"):
        return TRANSACTION_LATENCY
    return LATENCY.get(service, 0.010)


_WRITES = ("Put", "Update", "Delete", "Transact", "Send", "BatchWrite")


def _is_write(operation: str) -> bool:
    return operation.split(".")[1].startswith(_WRITES)


# -- the run -------------------------------------------------------------------------------------


def _environ(queue_url: str) -> dict[str, str]:
    return {
        "TABLE_NAME": TABLE_NAME,
        "MAIL_QUEUE_URL": queue_url,
        "COMPANY_NAME": "Bench Lighting",
        "COMPANY_DOMAINS": DOMAIN,
        "SES_CONFIGURATION_SET": "bench-mail",
        "INBOUND_DOMAIN": f"in.{DOMAIN}",
        "RAW_MAIL_BUCKET": "bench-raw-mail",
        "FILES_URL": "https://bench.execute-api.eu-west-1.amazonaws.com/files",
        "ACTIONS_URL": "https://bench.execute-api.eu-west-1.amazonaws.com/actions",
        "ALLOWED_ORIGINS": "https://www.bench-lighting.example",
        "CLOSED_INQUIRY_RETENTION_DAYS": "730",
        "SPAM_RETENTION_DAYS": "30",
        "GUARD_SALT": "bench-salt",
        "ROUTING_CONFIG_CACHE_SECONDS": "0",  # each invocation cold: it reads the config itself
        "POWERTOOLS_METRICS_NAMESPACE": "InquiryRouter",
        "POWERTOOLS_TRACE_DISABLED": "1",
        "AWS_DEFAULT_REGION": REGION,
    }


def _form_event(n: int) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((REPO_ROOT / "events" / "intake-post-json.json").read_text())
    body = {
        "name": f"Buyer {n}",
        "email": f"buyer{n}@importer{n}.example",
        "company": f"Importer {n}",
        "country": "DE",
        "subject": "LED panels",
        "quantity": "2,000 pcs",
        "message": "Please quote 2,000 LED panels 600x600, CIF Hamburg, with CE and RoHS.",
        "consent": True,
        "rendered_at": int(time.time() * 1000) - 30_000,
    }
    event["body"] = json.dumps(body)
    event["isBase64Encoded"] = False
    event["requestContext"]["requestId"] = str(uuid.uuid4())
    event["requestContext"]["http"]["sourceIp"] = f"198.51.100.{n % 250 + 1}"
    event["headers"] = {k: v for k, v in event["headers"].items() if k.lower() != "idempotency-key"}
    return event


def _mail(n: int) -> bytes:
    message = EmailMessage()
    message["From"] = f"Mail Buyer {n} <mailbuyer{n}@trader{n}.example>"
    message["To"] = f"sales@in.{DOMAIN}"
    message["Subject"] = "Inquiry: LED downlights"
    message["Message-ID"] = f"<{uuid.uuid4().hex}@trader{n}.example>"
    message["Date"] = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    message.set_content(
        "Dear sales team,\n\nplease quote 5,000 LED downlights, 12 W, FOB Shenzhen.\n\nRegards"
    )
    return message.as_bytes()


@contextmanager
def _stdout_to(path: Path) -> Iterator[None]:
    """The functions' log and metric lines to a file at the descriptor level (Powertools holds
    the stdout it found at import): counted afterwards, as CloudWatch would ingest them."""
    sys.stdout.flush()
    saved = os.dup(1)
    with path.open("wb") as sink:
        os.dup2(sink.fileno(), 1)
        try:
            yield
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)


def measure(inquiries: int) -> dict[str, Any]:
    import boto3
    from moto import mock_aws
    from moto.core import DEFAULT_ACCOUNT_ID  # type: ignore[attr-defined]
    from moto.ses.models import ses_backends

    from inquiry_router.adapters.config_store import apply_config
    from inquiry_router.adapters.serialization import from_attributes
    from inquiry_router.entry.compositions import build_function
    from inquiry_router.inbound.receipt import receipt_event
    from inquiry_router_admin.local.filters import EventFilter
    from inquiry_router_admin.local.queue_poller import lambda_sqs_record
    from inquiry_router_admin.local.ses_events import ses_sending_event
    from tests.support.routing import rep, routing_config
    from tests.support.template import load_template

    os.environ.update(
        {"AWS_DEFAULT_REGION": REGION, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
    )
    template = load_template()
    stream_filter = EventFilter.from_criteria(
        template["Resources"]["RouterFunctionStoredInquiries"]["Properties"]["FilterCriteria"]
    )
    results: dict[str, Any] = {}
    log_file = Path(tempfile.mkdtemp(prefix="bench-cost-")) / "stdout"
    with CallLog().active() as log, mock_aws(), _stdout_to(log_file):
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        definition = table_definition() | {
            "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
        }
        dynamodb.create_table(TableName=TABLE_NAME, **definition)
        sqs = boto3.client("sqs", region_name=REGION)
        queue_url = sqs.create_queue(QueueName="bench-mail")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        sesv2 = boto3.client("sesv2", region_name=REGION)
        sesv2.create_email_identity(EmailIdentity=DOMAIN)
        sesv2.create_configuration_set(ConfigurationSetName="bench-mail")
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(
            Bucket="bench-raw-mail",
            CreateBucketConfiguration={"LocationConstraint": REGION},  # type: ignore[typeddict-item]
        )
        config = routing_config(rep("ana"), rep("bob"), rep("chen"))
        apply_config(dynamodb, TABLE_NAME, config, datetime.now(UTC))
        stream_arn = dynamodb.describe_table(TableName=TABLE_NAME)["Table"]["LatestStreamArn"]
        streams = boto3.client(
            "dynamodbstreams",
            region_name=REGION,
            endpoint_url=f"https://streams.dynamodb.{REGION}.amazonaws.com",
        )
        shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = streams.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard, ShardIteratorType="LATEST"
        )["ShardIterator"]
        environ = _environ(queue_url)
        functions = {
            name: build_function(name, environ | {"POWERTOOLS_SERVICE_NAME": name}).handler
            for name in FUNCTIONS
        }
        ses = ses_backends[DEFAULT_ACCOUNT_ID][REGION]

        def new_stream_records() -> list[dict[str, Any]]:
            nonlocal iterator
            answer = streams.get_records(ShardIterator=iterator)
            iterator = answer["NextShardIterator"]
            return [json.loads(json.dumps(r, default=str)) for r in answer["Records"]]

        seen_mails = [0]

        def settle(invocations: Invocations) -> None:
            """Router, mailer and feedback until nothing moves, each on its own records."""
            for _ in range(20):
                moved = False
                for record in new_stream_records():
                    if stream_filter.matches(record):
                        _invoke(invocations, log, "router", functions["router"], {"Records": [record]})
                        moved = True
                messages = sqs.receive_message(
                    QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0
                )
                batch = [lambda_sqs_record(m, queue_arn, REGION) for m in messages.get("Messages", [])]
                for message in messages.get("Messages", []):
                    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
                if batch:
                    _invoke(invocations, log, "mailer", functions["mailer"], {"Records": batch})
                    moved = True
                new_mails = ses.sent_messages[seen_mails[0] :]
                if new_mails:
                    seen_mails[0] += len(new_mails)
                    events = [
                        ses_sending_event(
                            "delivery",
                            ses_message_id=mail.id,
                            recipient=str(mail.destinations[0]),
                            configuration_set="bench-mail",
                        )
                        for mail in new_mails
                    ]
                    records = [
                        {
                            "messageId": str(n),
                            "receiptHandle": str(n),
                            "body": json.dumps(e),
                            "attributes": {},
                            "messageAttributes": {},
                            "md5OfBody": "",
                            "eventSource": "aws:sqs",
                            "eventSourceARN": queue_arn,
                            "awsRegion": REGION,
                        }
                        for n, e in enumerate(events)
                    ]
                    # The mapping's 5 s batching window: an inquiry's two delivery events, one batch.
                    _invoke(invocations, log, "feedback", functions["feedback"], {"Records": records})
                    moved = True
                if not moved:
                    return
            raise RuntimeError("the pipeline did not settle")

        new_stream_records()  # past the config items
        for channel in ("form", "mail"):
            invocations = Invocations()
            log_start = log_file.stat().st_size if log_file.exists() else 0
            for n in range(inquiries):
                if channel == "form":
                    answer = _invoke(invocations, log, "intake", functions["intake"], _form_event(n))
                    assert answer["statusCode"] == 202, answer
                else:
                    mail_id = uuid.uuid4().hex
                    s3.put_object(Bucket="bench-raw-mail", Key=f"raw/{mail_id}", Body=_mail(n))
                    invocations.count["s3_raw_put_by_ses"] += 1
                    event = receipt_event(
                        mail_id, recipients=[f"sales@in.{DOMAIN}"], received_at=datetime.now(UTC)
                    )
                    _invoke(invocations, log, "inbound", functions["inbound"], event)
                settle(invocations)
            sys.stdout.flush()
            log_bytes = log_file.stat().st_size - log_start
            # The functions' own requests only: not this harness's reads of the stream and queues.
            calls = [c for made in invocations.calls.values() for c in made]
            results[channel] = _figures(invocations, calls, inquiries, log_bytes, dynamodb, from_attributes)
        metrics = _metric_names(log_file.read_text(encoding="utf-8", errors="replace"))
    results["custom_metrics"] = sorted(metrics)
    results["init_seconds"] = {name: _init_seconds(name) for name in (*FUNCTIONS, "timer", "reconciliation")}
    results["inquiries"] = inquiries
    return results


def _figures(
    invocations: Invocations,
    calls: list[Call],
    inquiries: int,
    log_bytes: int,
    dynamodb: Any,
    from_attributes: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    sizes = _item_sizes(dynamodb, from_attributes)
    operations = Counter(c.operation for c in calls)
    read_units = write_units = 0.0
    for call in calls:
        reads, writes = _units(call, sizes)
        read_units += reads
        write_units += writes
    functions = [n for n in FUNCTIONS if invocations.count[n]]
    return {
        "requests_per_inquiry": {op: count / inquiries for op, count in sorted(operations.items())},
        "invocations_per_inquiry": {n: invocations.count[n] / inquiries for n in functions},
        "no_op_invocations_per_inquiry": {n: invocations.no_ops[n] / inquiries for n in functions},
        "own_ms_per_inquiry": {n: 1000 * invocations.own_seconds.get(n, 0.0) / inquiries for n in functions},
        "billed_ms_per_inquiry": {
            n: 1000 * invocations.billed_seconds.get(n, 0.0) / inquiries for n in functions
        },
        "read_units_per_inquiry": read_units / inquiries,
        "write_units_per_inquiry": write_units / inquiries,
        "log_bytes_per_inquiry": log_bytes / inquiries,
        "ses_sends_per_inquiry": operations["sesv2.SendEmail"] / inquiries,
        "raw_mail_puts_per_inquiry": invocations.count["s3_raw_put_by_ses"] / inquiries,
        "mean_item_bytes": sum(sizes.values()) / max(1, len(sizes)),
    }


def _item_sizes(
    dynamodb: Any, from_attributes: Callable[[Any], dict[str, Any]]
) -> dict[tuple[str, str], int]:
    from inquiry_router.adapters.item_size import item_size

    sizes: dict[tuple[str, str], int] = {}
    start: dict[str, Any] | None = None
    while True:
        page = dynamodb.scan(TableName=TABLE_NAME, **({"ExclusiveStartKey": start} if start else {}))
        for raw in page["Items"]:
            item = from_attributes(raw)
            sizes[(str(item["PK"]), str(item["SK"]))] = item_size(item)
        start = page.get("LastEvaluatedKey")
        if not start:
            return sizes


def _key(attributes: dict[str, Any]) -> tuple[str, str]:
    return (str(attributes.get("PK", {}).get("S")), str(attributes.get("SK", {}).get("S")))


def _units(call: Call, sizes: dict[tuple[str, str], int]) -> tuple[float, float]:
    """Read and write units of one DynamoDB request, from the sizes of the items it names (their
    final sizes: close enough for items that only grow a little)."""
    service, operation = call.operation.split(".")
    if service != "dynamodb":
        return 0.0, 0.0
    p = call.params

    def kb(key: tuple[str, str], unit: int) -> int:
        return max(1, math.ceil(sizes.get(key, 100) / unit))

    if operation == "GetItem":
        return kb(_key(p["Key"]), 4096) * (1.0 if p.get("ConsistentRead") else 0.5), 0.0
    if operation == "BatchGetItem":
        total = 0.0
        for request in p["RequestItems"].values():
            factor = 1.0 if request.get("ConsistentRead") else 0.5
            total += sum(kb(_key(k), 4096) * factor for k in request["Keys"])
        return total, 0.0
    if operation == "Query":
        return 1.0 if p.get("ConsistentRead") else 0.5, 0.0  # the queries here return a few small items
    if operation in ("PutItem", "UpdateItem", "DeleteItem"):
        key = _key(p["Item"]) if operation == "PutItem" else _key(p["Key"])
        return 0.0, float(kb(key, 1024))
    if operation == "TransactWriteItems":
        total = 0
        for entry in p["TransactItems"]:
            ((kind, body),) = entry.items()
            key = _key(body["Item"]) if kind == "Put" else _key(body["Key"])
            total += 2 * kb(key, 1024)
        return 0.0, float(total)
    return 0.0, 0.0


def _metric_names(output: str) -> set[str]:
    """The custom metrics the functions published (EMF lines): one CloudWatch metric per name and
    dimension set, billed for every month it is published in."""
    names: set[str] = set()
    for line in output.splitlines():
        if '"_aws"' not in line:
            continue
        try:
            document = json.loads(line)
        except ValueError:
            continue
        for directive in document.get("_aws", {}).get("CloudWatchMetrics", []):
            for metric in directive.get("Metrics", []):
                names.add(f"{metric['Name']}/{document.get('service', '')}")
    return names


def _init_seconds(name: str, repeats: int = 3) -> float:
    """Importing functions/<name>/app.py in a fresh interpreter (what Lambda's INIT does, less the
    runtime's own start): the median of a few."""
    program = (
        "import runpy, sys, time; t = time.perf_counter(); "
        f"runpy.run_path({str(REPO_ROOT / 'functions' / name / 'app.py')!r}); "
        "print(time.perf_counter() - t)"
    )
    environ = {**os.environ, **_environ("https://sqs.eu-west-1.amazonaws.com/123456789012/q")}
    environ |= {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "PYTHONPATH": str(REPO_ROOT)}
    samples = []
    for _ in range(repeats):
        done = subprocess.run(
            [sys.executable, "-c", program], env=environ, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"functions/{name}/app.py did not load: {done.stderr[-500:]}")
        samples.append(float(done.stdout.strip().splitlines()[-1]))
    return sorted(samples)[len(samples) // 2]


# -- the model -----------------------------------------------------------------------------------


def _memory_gb() -> dict[str, float]:
    from tests.support.template import load_template

    template = load_template()
    default = int(template["Globals"]["Function"].get("MemorySize", 128))
    memory = {}
    for resource in template["Resources"].values():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        properties = resource["Properties"]
        uri = str(properties.get("CodeUri", ""))
        name = Path(uri).name if uri else ""
        memory[name] = int(properties.get("MemorySize", default)) / 1024
    return memory


def _template_fixed() -> dict[str, int]:
    from tests.support.template import load_template

    resources = load_template()["Resources"].values()
    types = Counter(str(r["Type"]) for r in resources)
    return {
        "alarms": types["AWS::CloudWatch::Alarm"],
        "kms_keys": types["AWS::KMS::Key"],
        "secrets": types["AWS::SecretsManager::Secret"],
    }


def variable_cost(
    channel: dict[str, Any], init: dict[str, float], memory: dict[str, float]
) -> dict[str, float]:
    """USD per inquiry of this channel, by what it is spent on."""
    p = PRICES
    invocations = channel["invocations_per_inquiry"]
    lambda_requests = sum(invocations.values())
    gb_seconds = 0.0
    for name, count in invocations.items():
        billed = channel["billed_ms_per_inquiry"][name] / 1000 + count * init.get(name, 0.0)
        gb_seconds += billed * memory.get(name, 1.0)
    requests = channel["requests_per_inquiry"]
    sqs = sum(v for op, v in requests.items() if op.startswith("sqs."))
    # each queued message is also received and deleted by Lambda's mapping (its own requests)
    sqs += 2 * sum(v for op, v in requests.items() if op == "sqs.SendMessageBatch")
    sqs += 3 * channel["invocations_per_inquiry"].get("feedback", 0.0)  # EventBridge's send, receive, delete
    costs = {
        "lambda_requests": lambda_requests * p["lambda_request"],
        "lambda_compute_incl_init": gb_seconds * p["lambda_gb_second_arm64"],
        "http_api": (1 if "intake" in invocations else 0) * p["http_api_request"],
        "dynamodb_reads": channel["read_units_per_inquiry"] * p["dynamodb_read_unit"],
        "dynamodb_writes": channel["write_units_per_inquiry"] * p["dynamodb_write_unit"],
        "sqs": sqs * p["sqs_request"],
        "ses_sending": channel["ses_sends_per_inquiry"] * p["ses_send"],
        "ses_receiving": (p["ses_receive"] + p["ses_receive_chunk_256kb"])
        if "inbound" in invocations
        else 0.0,
        "s3": channel["raw_mail_puts_per_inquiry"] * p["s3_put"]
        + sum(v for op, v in requests.items() if op == "s3.GetObject") * p["s3_get"],
        "cloudwatch_logs": channel["log_bytes_per_inquiry"]
        / 1e9
        * (p["cloudwatch_log_ingestion_gb"] + p["cloudwatch_log_storage_gb_month"]),
        # Active tracing: at this volume the default sampling rule (1 a second, then 5 %) keeps
        # every invocation's segment; counted as a trace each (an upper bound).
        "xray_traces": lambda_requests * p["xray_trace"],
    }
    return costs


def fixed_cost(figures: dict[str, Any]) -> dict[str, float]:
    p = PRICES
    counts = _template_fixed()
    timer_runs = 30 * 24 * 12  # rate(5 minutes)
    recount_runs = 30
    memory = _memory_gb()
    init = figures["init_seconds"]
    timer = timer_runs * (
        p["lambda_request"]
        + p["scheduler_invocation"]
        # every five minutes keeps it warm most of the time: its INIT is billed rarely
        + 0.15 * memory.get("timer", 0.5) * p["lambda_gb_second_arm64"]
        + 4 * 0.5 * p["dynamodb_read_unit"]
        + p["xray_trace"]
    )
    recount = recount_runs * (
        p["lambda_request"]
        + p["scheduler_invocation"]
        + (1.0 + init.get("reconciliation", 0.5)) * 0.5 * p["lambda_gb_second_arm64"]
    )
    # Custom metrics published every month even at idle: the timer's (if any) — the others only
    # in months with inquiries; counted separately below.
    return {
        "alarms": counts["alarms"] * p["cloudwatch_alarm_month"],
        "kms_keys": counts["kms_keys"] * p["kms_key_month"],
        "secrets": counts["secrets"] * p["secrets_manager_secret_month"],
        "timer_runs": timer,
        "daily_recount": recount,
    }


def report(figures: dict[str, Any]) -> dict[str, Any]:
    memory = _memory_gb()
    init = figures["init_seconds"]
    per_inquiry = {channel: variable_cost(figures[channel], init, memory) for channel in ("form", "mail")}
    per_1000 = {channel: 1000 * sum(costs.values()) for channel, costs in per_inquiry.items()}
    fixed = fixed_cost(figures)
    # A custom metric is billed for each month it is published in: with inquiries every month,
    # every metric the run saw counts as fixed.
    fixed["custom_metrics"] = len(figures["custom_metrics"]) * PRICES["cloudwatch_custom_metric_month"]
    by_volume = {
        str(volume): {
            "variable_usd": volume / 1000 * per_1000["form"],
            "fixed_usd": sum(fixed.values()),
            "total_usd": volume / 1000 * per_1000["form"] + sum(fixed.values()),
        }
        for volume in VOLUMES
    }
    return {
        "variable_per_1000_usd": per_1000["form"],
        "variable_per_1000_mail_usd": per_1000["mail"],
        "fixed_per_month_usd": sum(fixed.values()),
        "fixed_items_usd": fixed,
        "variable_items_per_1000_usd": {
            channel: {k: 1000 * v for k, v in costs.items()} for channel, costs in per_inquiry.items()
        },
        "by_monthly_volume": by_volume,
        "prices": PRICES,
        "prices_date": PRICES_DATE,
        "measured": figures,
    }


def main(as_json: bool = False, inquiries: int = 10) -> dict[str, Any]:
    result = report(measure(inquiries))
    if as_json:
        print(json.dumps(result, indent=2, default=str))
        return result
    measured = result["measured"]
    print(
        f"Cost model, {measured['inquiries']} form and {measured['inquiries']} mailed inquiries on moto; "
        f"us-east-1 list prices of {PRICES_DATE}"
    )
    for channel in ("form", "mail"):
        f = measured[channel]
        requests = sum(f["requests_per_inquiry"].values())
        print(
            f"  {channel}: {requests:.1f} AWS requests, {sum(f['invocations_per_inquiry'].values()):.1f} "
            f"invocations ({sum(f['no_op_invocations_per_inquiry'].values()):.1f} no-op), "
            f"{f['write_units_per_inquiry']:.1f} write units, {f['read_units_per_inquiry']:.1f} read units, "
            f"{f['log_bytes_per_inquiry'] / 1000:.1f} KB of logs per inquiry"
        )
        items = result["variable_items_per_1000_usd"][channel]
        top = ", ".join(f"{k} ${v:.3f}" for k, v in sorted(items.items(), key=lambda kv: -kv[1])[:5])
        print(f"    ${sum(items.values()):.3f} per 1,000 ({top})")
    print(
        f"  fixed per month: ${result['fixed_per_month_usd']:.2f} "
        + ", ".join(f"{k} ${v:.2f}" for k, v in result["fixed_items_usd"].items())
    )
    print(f"  custom metrics seen: {', '.join(measured['custom_metrics'])}")
    for volume, costs in result["by_monthly_volume"].items():
        print(
            f"  {int(volume):>6,} inquiries a month: ${costs['total_usd']:.2f} "
            f"(variable ${costs['variable_usd']:.2f}, fixed ${costs['fixed_usd']:.2f})"
        )
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--inquiries", type=int, default=10)
    arguments = parser.parse_args()
    main(arguments.json, arguments.inquiries)
