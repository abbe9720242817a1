"""One cold start in a fresh interpreter, run by cold_start.py; also the helpers it shares with the
in-process benchmarks (fake Lambda context, loading a handler module by path, round trips).

    python bench/_fresh_process.py bare|idiomatic|intake < event.json

Loads the contender's handler module by file path, as the Lambda runtime does, and times that
with the creation of its DynamoDB client (`init`), then its first request, and prints the
timings as the last line of stdout after `BENCH_RESULT `. The references (bench/references/)
create their client at import; the intake's client is asked for as the current script's
composition does. Nothing outside the interpreter's own start-up modules is imported before the
clock starts (`typing` included: it would flatter whichever contender imports it anyway), which
is why the type-only imports sit behind a local TYPE_CHECKING flag.
"""

from __future__ import annotations

import os
import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType
    from typing import Any

    from mypy_boto3_dynamodb import DynamoDBClient

RESULT_PREFIX = "BENCH_RESULT "
FIRST_REQUEST_MARKER = "-- bench: first request --"
CONTENDERS = ("bare", "idiomatic", "intake")
REFERENCES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "references")


class FakeLambdaContext:
    """The attributes Powertools reads from the Lambda context object."""

    function_name = "bench-intake"
    function_version = "$LATEST"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:bench-intake"
    log_group_name = "/aws/lambda/bench-intake"
    log_stream_name = "bench"

    def __init__(self, request_id: str) -> None:
        self.aws_request_id = request_id

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


class RoundTrips:
    """Time a client spends waiting on DynamoDB: from sending a request until its response is back."""

    def __init__(self, client: DynamoDBClient) -> None:
        self.seconds = 0.0
        self.requests = 0
        self._sent_at = 0.0
        client.meta.events.register("before-send", self._sent)
        client.meta.events.register("before-parse", self._received)

    def _sent(self, **_: Any) -> None:
        self.requests += 1
        self._sent_at = time.perf_counter()

    def _received(self, **_: Any) -> None:
        self.seconds += time.perf_counter() - self._sent_at


def reference_path(contender: str) -> str:
    """bench/references/<contender>_intake.py: `bare` or `idiomatic`."""
    return os.path.join(REFERENCES, f"{contender}_intake.py")


def load_module(name: str, path: str) -> ModuleType:
    """Import a handler module by file path, as the Lambda runtime does with `app.handler`."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {name} from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def load_intake_module(path: str) -> ModuleType:
    """functions/intake/app.py, loaded by file path."""
    return load_module("intake_app", path)


def _run(contender: str, event_text: str) -> dict[str, Any]:
    start = time.perf_counter()
    if contender == "intake":
        module = load_intake_module(os.environ["BENCH_INTAKE_APP"])
        if hasattr(module, "function"):
            client = module.function.dynamodb  # the client its composition root made at init
        else:  # an older checkout (bench/cold_ab.py): its clients came from a per-process cache
            from inquiry_router.adapters.clients import dynamodb_client

            client = dynamodb_client()  # type: ignore[call-arg]
    else:
        module = load_module(f"{contender}_intake", reference_path(contender))
        client = module.dynamodb
    init_done = time.perf_counter()
    round_trips = RoundTrips(client)

    import json

    event = json.loads(event_text)
    before_request = len(sys.modules)
    print(FIRST_REQUEST_MARKER, file=sys.stderr, flush=True)
    request_start = time.perf_counter()
    response = module.handler(event, FakeLambdaContext(event["requestContext"]["requestId"]))
    request_done = time.perf_counter()
    if response.get("statusCode") != 202:
        raise SystemExit(f"first request answered {response.get('statusCode')}: {response.get('body')}")
    return {
        "init_s": init_done - start,
        "first_request_s": request_done - request_start,
        "first_request_waiting_s": round_trips.seconds,
        "first_request_requests": round_trips.requests,
        "modules_imported_by_first_request": len(sys.modules) - before_request,
    }


def main(argv: list[str]) -> None:
    contender = argv[1] if len(argv) > 1 else ""
    if contender not in CONTENDERS:
        raise SystemExit(f"unknown contender {contender!r}: one of {', '.join(CONTENDERS)}")
    result = _run(contender, sys.stdin.read())
    import json

    print(RESULT_PREFIX + json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv)
