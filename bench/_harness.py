"""What the benchmarks share: the environment, the table, the reference handlers, realistic events,
a moto server, statistics.

The intake is always the real one: functions/intake/app.py loaded by file path, called with
API Gateway HTTP API (payload v2) events built from events/intake-post-json.json.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import statistics
import sys
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench._fresh_process import FakeLambdaContext, load_intake_module, load_module, reference_path
from bench._local_http import local_http_server

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from inquiry_router.models.routing_config import RoutingConfig

REPO_ROOT = Path(__file__).resolve().parents[1]
INTAKE_APP = REPO_ROOT / "functions" / "intake" / "app.py"
TEMPLATE = REPO_ROOT / "template.yaml"
EVENT_TEMPLATE = REPO_ROOT / "events" / "intake-post-json.json"
FRESH_PROCESS = Path(__file__).resolve().parent / "_fresh_process.py"
TABLE_NAME = "bench-inquiries"
REGION = "eu-west-1"
ALLOWED_ORIGIN = "https://www.example.com"

Handler = Callable[[dict[str, Any]], dict[str, Any]]


# -- environment ---------------------------------------------------------------------------


def intake_environ(endpoint_url: str | None = None, **overrides: str) -> dict[str, str]:
    """The intake function's environment, as template.yaml sets it, with the rate limits out of the way."""
    environ = {
        "TABLE_NAME": TABLE_NAME,
        "COMPANY_NAME": "Bench Lighting Co., Ltd.",
        "COMPANY_DOMAINS": "bench-lighting.example",
        "ALLOWED_ORIGINS": ALLOWED_ORIGIN,
        "RATE_LIMIT_PER_IP": "1000000",
        "RATE_LIMIT_PER_EMAIL": "1000000",
        "CAPTCHA_PROVIDER": "none",
        "CLOSED_INQUIRY_RETENTION_DAYS": "730",
        "SPAM_RETENTION_DAYS": "30",
        "POWERTOOLS_SERVICE_NAME": "intake",
        "POWERTOOLS_METRICS_NAMESPACE": "InquiryRouter",
        "POWERTOOLS_LOG_LEVEL": "INFO",
        "POWERTOOLS_TRACE_DISABLED": "1",
        "PYDANTIC_DISABLE_PLUGINS": "__all__",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "BENCH_INTAKE_APP": str(INTAKE_APP),
    }
    if endpoint_url:
        environ["AWS_ENDPOINT_URL"] = endpoint_url
    return environ | overrides


@contextmanager
def intake_environment(endpoint_url: str | None = None, **overrides: str) -> Iterator[None]:
    """Set the intake's environment for the block, as Lambda would: an intake loaded inside it
    (load_intake_handler) builds its composition from it; so do boto3's default clients."""
    import boto3

    wanted = intake_environ(endpoint_url, **overrides)
    saved = {name: os.environ.get(name) for name in [*wanted, "AWS_ENDPOINT_URL", "AWS_PROFILE"]}
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ.pop("AWS_PROFILE", None)
    os.environ.update(wanted)
    boto3.setup_default_session()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        boto3.setup_default_session()


# -- the table and the handler ---------------------------------------------------------------


def table_definition() -> dict[str, Any]:
    """Keys, attributes and indexes of InquiryTable, read from template.yaml so they never drift."""
    import yaml

    class TemplateLoader(yaml.SafeLoader):
        """Reads CloudFormation's short-form tags (!Ref, !GetAtt, ...) as plain nodes."""

    def ignore_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
        return None

    TemplateLoader.add_multi_constructor("!", ignore_tag)
    template = yaml.load(TEMPLATE.read_text(encoding="utf-8"), Loader=TemplateLoader)
    properties: dict[str, Any] = template["Resources"]["InquiryTable"]["Properties"]
    wanted = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode")
    return {name: properties[name] for name in wanted}


def one_team_config(
    domain: str, rep_names: Iterable[str], *, capacity: int | None = None, **team: Any
) -> RoutingConfig:
    """A routing config of one team, `sales`, on `domain`, its reps named `rep_names` (weight 1,
    `capacity` each if given), no rules; `team` adds or overrides the team's fields."""
    from inquiry_router.models.routing_config import RoutingConfig

    reps = [
        {"email": f"{name}@{domain}", "name": name.title(), "teams": ["sales"]}
        | ({"capacity": capacity} if capacity is not None else {})
        for name in rep_names
    ]
    sales = {
        "key": "sales",
        "name": "Sales",
        "sending_address": f"sales@{domain}",
        "fallback_address": f"manager@{domain}",
        **team,
    }
    document = {"teams": [sales], "reps": reps, "rules": [], "default_team": "sales"}
    return RoutingConfig.model_validate(document, context={"company_domains": [domain]})


def create_table(client: DynamoDBClient) -> None:
    client.create_table(TableName=TABLE_NAME, **table_definition())
    client.get_waiter("table_exists").wait(TableName=TABLE_NAME)


class IntakeHandler:
    """The real intake, functions/intake/app.py loaded by file path (so built by its composition
    root from the environment of the moment), called with a fake Lambda context."""

    def __init__(self) -> None:
        module = load_intake_module(str(INTAKE_APP))
        self.function: Any = module.function  # its composition: settings, clients
        self._handler: Callable[[dict[str, Any], FakeLambdaContext], dict[str, Any]] = module.handler

    def __call__(self, event: dict[str, Any]) -> dict[str, Any]:
        return self._handler(event, FakeLambdaContext(event["requestContext"]["requestId"]))


def load_intake_handler() -> IntakeHandler:
    """A new intake, built from the current environment (see IntakeHandler)."""
    return IntakeHandler()


# -- events ---------------------------------------------------------------------------------


class InquiryEvents:
    """POST /inquiries events, each with a different sender, IP and request id.

    Every payload differs, or the intake would treat it as a retry and store nothing; the run
    token keeps them apart from earlier runs against the same moto server.
    """

    def __init__(self) -> None:
        self._template: dict[str, Any] = json.loads(EVENT_TEMPLATE.read_text(encoding="utf-8"))
        self._run = uuid.uuid4().hex[:8]
        self._count = 0

    def accepted(self) -> dict[str, Any]:
        return self._next({})

    def spam(self) -> dict[str, Any]:
        # A filled honeypot: stored as spam, answered as if accepted.
        return self._next({"_gotcha": "https://cheap-seo.example/offer"})

    def with_captcha(self) -> dict[str, Any]:
        return self._next({"captcha_token": f"token-{self._run}-{self._count}"})

    def _next(self, extra_fields: dict[str, str]) -> dict[str, Any]:
        self._count += 1
        n = self._count
        event: dict[str, Any] = json.loads(json.dumps(self._template))  # a deep copy
        body = json.loads(event["body"]) | extra_fields
        local, _, domain = body["email"].partition("@")
        body["email"] = f"{local}.{self._run}.{n}@{domain}"
        event["body"] = json.dumps(body, ensure_ascii=False)
        event["headers"]["content-length"] = str(len(event["body"].encode()))
        source_ip = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
        event["headers"]["x-forwarded-for"] = source_ip
        event["requestContext"]["http"]["sourceIp"] = source_ip
        event["requestContext"]["requestId"] = f"bench-{self._run}-{n}"
        return event


# -- the reference handlers ----------------------------------------------------------------


def load_reference_handler(contender: str) -> tuple[Handler, DynamoDBClient]:
    """bench/references/<contender>_intake.py (`bare` or `idiomatic`), loaded by file path in the
    current environment, and the DynamoDB client it made at import.

    Its Powertools service name is its own, so its Logger does not share the intake's (Powertools
    keys a Logger by service name, and in Lambda each would be alone in its process).
    """
    saved = os.environ.get("POWERTOOLS_SERVICE_NAME")
    os.environ["POWERTOOLS_SERVICE_NAME"] = f"bench-{contender}"
    try:
        module = load_module(f"{contender}_intake", reference_path(contender))
    finally:
        if saved is None:
            os.environ.pop("POWERTOOLS_SERVICE_NAME", None)
        else:
            os.environ["POWERTOOLS_SERVICE_NAME"] = saved
    handler: Callable[[dict[str, Any], FakeLambdaContext], dict[str, Any]] = module.handler

    def call(event: dict[str, Any]) -> dict[str, Any]:
        return handler(event, FakeLambdaContext(event["requestContext"]["requestId"]))

    client: DynamoDBClient = module.dynamodb
    return call, client


# -- AWS requests ---------------------------------------------------------------------------


class RequestCounter:
    """Every HTTP request any botocore client sends while it is active, by `service.Operation`.

    It hooks `before-send` into botocore's built-in handlers, which every new session copies, and
    starts a new default boto3 session, so no client made inside it (DynamoDB, SSM, ...; an intake
    loaded inside it makes its own at init) escapes it. Retries count: each attempt is one request.
    """

    def __init__(self) -> None:
        self.operations: Counter[str] = Counter()
        self._hook = ("before-send", self._count)

    def __enter__(self) -> RequestCounter:
        import boto3
        from botocore.handlers import BUILTIN_HANDLERS

        BUILTIN_HANDLERS.append(self._hook)
        boto3.setup_default_session()
        return self

    def __exit__(self, *_: object) -> None:
        from botocore.handlers import BUILTIN_HANDLERS

        BUILTIN_HANDLERS.remove(self._hook)

    @property
    def total(self) -> int:
        return sum(self.operations.values())

    def _count(self, event_name: str, **_: Any) -> None:
        self.operations[event_name.removeprefix("before-send.")] += 1


@contextmanager
def moto_server() -> Iterator[str]:
    """A moto server on a free 127.0.0.1 port, in this process; yields its endpoint URL.

    Its DynamoDB is isolated per request as the local stack's is (inquiry_router_admin/local/
    moto_isolation.py): without it, moto copies the whole table, stream records included, on
    every transaction item, a cost that grows with the run and that DynamoDB does not have.
    """
    from moto.server import ThreadedMotoServer

    from inquiry_router_admin.local.moto_isolation import isolated_dynamodb

    access_log = logging.getLogger("werkzeug")  # one line per request on stderr otherwise
    level = access_log.level
    access_log.setLevel(logging.ERROR)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    with isolated_dynamodb():
        server.start()
        endpoint = f"http://127.0.0.1:{port}"
        try:
            yield endpoint
        finally:
            # moto's backends are per process, shared by every server and mock in it: leave them empty.
            reset = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
            urllib.request.urlopen(reset).close()
            server.stop()
            access_log.setLevel(level)


@dataclass
class FakeSiteverify:
    url: str
    calls: int = 0


@contextmanager
def fake_siteverify() -> Iterator[FakeSiteverify]:
    """A CAPTCHA provider that passes every token, so the intake's CAPTCHA path can be counted."""
    state = FakeSiteverify(url="")

    class Siteverify(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            state.calls += 1
            body = b'{"success": true}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    with local_http_server(Siteverify, "fake-siteverify") as url:
        state.url = f"{url}/siteverify"
        yield state


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def stdout_discarded() -> Iterator[None]:
    """Send the handler's log and metric lines to /dev/null at the file-descriptor level.

    Powertools' logger holds the stdout it found at import time, so swapping `sys.stdout` would
    miss it; the lines are still formatted and written, as in Lambda.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(devnull)
        os.close(saved)


# -- statistics -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    median: float
    p90: float
    samples: int


def summarise(samples: list[float]) -> Summary:
    return Summary(
        median=statistics.median(samples),
        p90=statistics.quantiles(samples, n=10, method="inclusive")[8],
        samples=len(samples),
    )


def milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"
