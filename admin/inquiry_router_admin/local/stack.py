"""`LocalStack`: template.yaml running on this machine (the engine of `inquiry-router local up`).

    with LocalStack(project_root, api_port=0, aws_port=0, state_dir=tmp_path) as stack:
        urlopen(stack.api_url + "/inquiries", data=...)
        stack.drain()  # every stream record and queue message delivered
        stack.clients.dynamodb.scan(TableName=stack.resources["InquiryTable"])

Port 0 picks a free port. The stack writes `<state dir>/stack.json` (endpoints and resource
names, read by the CLI's `--local`) while it runs, and removes it when it stops.
"""

from __future__ import annotations

import errno
import json
import os
import re
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any

from inquiry_router_admin.local import strict_parameters
from inquiry_router_admin.local.aws_clients import (
    ACCOUNT_ID,
    FAKE_ACCESS_KEY_ID,
    FAKE_SECRET_ACCESS_KEY,
    AwsClients,
)
from inquiry_router_admin.local.dynamic_references import DynamicReferences
from inquiry_router_admin.local.errors import LocalStackError, PortInUseError
from inquiry_router_admin.local.event_sources import Poller, declared_mappings, event_source_mappings
from inquiry_router_admin.local.function_runner import FunctionRunner
from inquiry_router_admin.local.functions import FunctionSpec, function_specs
from inquiry_router_admin.local.http_gateway import HttpGateway
from inquiry_router_admin.local.http_routes import Route, http_routes
from inquiry_router_admin.local.moto_endpoint import EmbeddedAws, shard_iterator_forgetter
from inquiry_router_admin.local.queue_poller import QueuePoller
from inquiry_router_admin.local.resources import CreationContext, StackResources, create_resources
from inquiry_router_admin.local.schedules import ScheduleMapping, SchedulePoller, schedule_mappings
from inquiry_router_admin.local.static_files import FORM_PATH, StaticFiles
from inquiry_router_admin.local.stream_poller import StreamPoller
from inquiry_router_admin.local.template import (
    TemplateError,
    TemplateResolver,
    load_template,
    resolve_parameters,
)

__all__ = ["LocalStack", "LocalStackError", "PortInUseError"]

STACK_NAME = "inquiry-router-local"
DEFAULT_API_PORT = 3000
DEFAULT_AWS_PORT = 4566
HOST = "127.0.0.1"
Log = Callable[[str], None]


def _print(message: str) -> None:
    print(message, flush=True)


def _print_error(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _localised_api_url(value: str, api_url: str) -> str:
    """`https://<api id>.execute-api.<region>.amazonaws.com/path` -> the local gateway's URL."""
    match = re.match(r"https://[^/]+\.execute-api\.[^/]+\.amazonaws\.com(/.*)?$", value)
    return api_url + (match.group(1) or "") if match else value


def default_region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def local_parameter_values(api_port: int) -> dict[str, str]:
    """Stack parameters for a machine with no company of its own; overridable with `parameters`."""
    return {
        "CompanyName": "Example Export Co.",
        "CompanyDomains": "example.com",
        "AllowedOrigins": f"http://{HOST}:{api_port},http://localhost:{api_port}",
        "ThankYouUrl": f"http://{HOST}:{api_port}/examples/thank-you.html",
        "ErrorUrl": "",
        "CompanyWebsite": "https://www.example.com",
        # The rep's "Reply to buyer" link BCCs it, as a deployed stack with inbound mail would.
        "ReplyBccAddress": "log@in.example.com",
        "InboundDomain": "in.example.com",
    }


class LocalStack:
    def __init__(
        self,
        project_root: Path | None = None,
        *,
        template: Path | None = None,
        state_dir: Path | None = None,
        api_port: int = DEFAULT_API_PORT,
        aws_port: int = DEFAULT_AWS_PORT,
        region: str | None = None,
        parameters: Mapping[str, str] | None = None,
        log: Log = _print,
        log_error: Log = _print_error,
        schedules_every: float | None = None,
    ) -> None:
        self.project_root = (project_root or Path.cwd()).resolve()
        self.template_path = (template or self.project_root / "template.yaml").resolve()
        self.state_dir = (state_dir or self.project_root / ".local").resolve()
        self.region = region or default_region()
        self._requested_ports = (api_port, aws_port)
        self._parameter_overrides = dict(parameters or {})
        self._log = log
        self._log_error = log_error
        self._aws = EmbeddedAws(HOST, aws_port)
        self._gateway: HttpGateway | None = None
        self._runner: FunctionRunner | None = None
        self._pollers: list[Poller] = []
        self.clients: AwsClients | None = None
        self.resources: dict[str, str] = {}
        self.parameters: dict[str, str] = {}
        self.outputs: dict[str, str] = {}
        self.functions: list[FunctionSpec] = []
        self.routes: list[Route] = []
        self.notes: list[str] = []
        self._wrote_state = False
        self._schedules_every = schedules_every  # None: each schedule on its own expression
        self.schedules: list[ScheduleMapping] = []

    # -- endpoints --------------------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        if self._gateway is None:
            raise LocalStackError("the local stack is not started")
        return f"http://{HOST}:{self._gateway.port}"

    @property
    def endpoint_url(self) -> str:
        return self._aws.endpoint_url

    @property
    def form_url(self) -> str:
        return self.api_url + FORM_PATH

    @property
    def state_file(self) -> Path:
        return self.state_dir / "stack.json"

    @property
    def outbox_dir(self) -> Path:
        return self.state_dir / "outbox"

    # -- life cycle -------------------------------------------------------------------------------

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> LocalStack:
        # AWS refuses a malformed request; moto often does not, and the functions' clients skip
        # botocore's own check: the local stack checks every request as AWS would.
        strict_parameters.install()
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        template = load_template(self.template_path)
        api_port, _ = self._requested_ports
        try:  # bound first: the parameters need the API's real port
            self._gateway = HttpGateway(
                StaticFiles(self.project_root / "examples"), self._log, self._log_error, HOST, api_port
            )
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                raise PortInUseError(api_port, "the HTTP API", "--api-port") from None
            raise LocalStackError(f"cannot listen on {HOST}:{api_port}: {error}") from None
        self._aws.start()
        clients = self.clients = AwsClients(self.endpoint_url, self.region)
        clients.warm_up()

        declared = template.get("Parameters") or {}
        local_values = {k: v for k, v in local_parameter_values(self._gateway.port).items() if k in declared}
        self.parameters = resolve_parameters(template, local_values | self._parameter_overrides)
        resources = StackResources(template, CreationContext(STACK_NAME, self.region, clients))
        resolver = TemplateResolver(template, self.parameters, self._pseudo_parameters(), resources)
        not_created = create_resources(template, resolver, resources)
        self.resources = {rid: resource.ref for rid, resource in resources.created.items()}
        self.outputs = self._outputs(template, resolver)

        specs, function_notes = function_specs(
            template,
            resolver,
            resources,
            self.template_path.parent,
            self._function_environment(),
            dynamic_references=DynamicReferences(clients.secretsmanager),
        )
        # The functions' own links to the API (the mailer's FILES_URL) point at the local gateway.
        self.functions = [
            replace(
                spec,
                environment={k: _localised_api_url(v, self.api_url) for k, v in spec.environment.items()},
            )
            for spec in specs
        ]
        runner = self._runner = FunctionRunner(self.functions, self._log, self._log_error)
        runner.load()
        self.routes = http_routes(self.functions)
        mappings = declared_mappings(template, resolver)
        streams, queues, event_notes = event_source_mappings(self.functions, resources, mappings)
        for stream in streams:
            forget = shard_iterator_forgetter(self.region)
            self._pollers.append(
                StreamPoller(
                    stream,
                    runner,
                    streams=clients.dynamodbstreams,
                    sqs=clients.sqs,
                    region=self.region,
                    log=self._log,
                    log_error=self._log_error,
                    forget_iterator=forget,
                )
            )
        for queue in queues:
            queue_poller = QueuePoller(
                queue, runner, sqs=clients.sqs, region=self.region, log=self._log, log_error=self._log_error
            )
            self._pollers.append(queue_poller)
        self.schedules = schedule_mappings(self.functions)
        for schedule in self.schedules:
            self._pollers.append(
                SchedulePoller(
                    schedule, runner, log=self._log, log_error=self._log_error, every=self._schedules_every
                )
            )
        for poller in self._pollers:
            poller.start()
        self.outbox_dir.mkdir(parents=True, exist_ok=True)
        self._write_state()  # before serving: whoever gets an answer from the API can read the state
        self._gateway.serve(self.routes, runner)
        self.notes = function_notes + event_notes
        if not_created:
            self.notes.append(f"not created locally (no local use): {', '.join(not_created)}")

    def stop(self) -> None:
        """Stop everything; safe to call more than once."""
        if self._gateway is not None:
            self._gateway.stop()
        for poller in self._pollers:
            poller.stop()
        self._pollers = []
        self._aws.stop()
        if self._wrote_state:  # never another stack's: a second `local up` fails on the ports, then stops
            self.state_file.unlink(missing_ok=True)
            self._wrote_state = False

    def drain(self, timeout: float = 10.0) -> None:
        """Wait until every stream record and queue message was delivered (retries included).

        Done when, after every poller found nothing pending, no function ran in the meantime;
        raises TimeoutError naming what is still busy.
        """
        if self._runner is None:
            raise LocalStackError("the local stack is not started")
        deadline = time.monotonic() + timeout
        while True:
            round_started = time.monotonic()
            invocations = self._runner.completed_invocations
            while busy := [p.label for p in self._pollers if not p.idle_since(round_started)]:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"still delivering after {timeout:g} s: {', '.join(busy)}")
                time.sleep(0.02)
            if self._runner.completed_invocations == invocations and not self._runner.busy:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"functions still running after {timeout:g} s")

    # -- helpers ----------------------------------------------------------------------------------

    def _pseudo_parameters(self) -> dict[str, str]:
        return {
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::Partition": "aws",
            "AWS::Region": self.region,
            "AWS::StackId": f"arn:aws:cloudformation:{self.region}:{ACCOUNT_ID}:stack/{STACK_NAME}/local",
            "AWS::StackName": STACK_NAME,
            "AWS::URLSuffix": "amazonaws.com",
        }

    def _function_environment(self) -> dict[str, str]:
        """Added to every function's own variables: where AWS is, and credentials that work there."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_ACCESS_KEY_ID": FAKE_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_ACCESS_KEY,
            "POWERTOOLS_TRACE_DISABLED": "1",  # no X-Ray daemon here
            "INQUIRY_ROUTER_LOCAL_DIR": str(self.state_dir),
        }

    def _outputs(self, template: Mapping[str, Any], resolver: TemplateResolver) -> dict[str, str]:
        """The template's outputs as the CLI reads them from a deployed stack, with local names.

        URLs of the HTTP API point at the local gateway; an output that names something the local
        stack does not create (an SES identity, say) is left out rather than invented.
        """
        outputs: dict[str, str] = {}
        for name, output in (template.get("Outputs") or {}).items():
            if not isinstance(output, dict) or not resolver.is_included(output):
                continue
            try:
                value = resolver.resolve(output.get("Value"))
            except TemplateError:
                continue
            if isinstance(value, str):
                outputs[name] = _localised_api_url(value, self.api_url)
        return outputs

    def state(self) -> dict[str, Any]:
        return {
            "endpoint_url": self.endpoint_url,
            "region": self.region,
            "api_url": self.api_url,
            "resources": self.resources,
            "outputs": self.outputs,
            "parameters": self.parameters,
        }

    def _write_state(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        partial = self.state_file.with_suffix(".json.tmp")
        partial.write_text(json.dumps(self.state(), indent=2) + "\n", encoding="utf-8")
        partial.replace(self.state_file)  # readers never see half a file
        self._wrote_state = True
