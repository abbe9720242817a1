"""One cold start in a fresh interpreter, run by cold_start.py; also the helpers it shares with the
in-process benchmarks (fake Lambda context, loading app.py by path, the minimal handler, round trips).

    python bench/_fresh_process.py baseline|candidate [LAZY_MODULES_FILE] < event.json

Times what happens before the first request is served (`init`), then the first request, and
prints the timings as the last line of stdout after `BENCH_RESULT `. Nothing outside the
interpreter's own start-up modules is imported before the clock starts (`typing` included:
boto3 does not need it, so pre-importing it would flatter the candidate), which is why the
type-only imports sit behind a local TYPE_CHECKING flag.
"""

from __future__ import annotations

import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType
    from typing import Any

    from mypy_boto3_dynamodb import DynamoDBClient

RESULT_PREFIX = "BENCH_RESULT "
FIRST_REQUEST_MARKER = "-- bench: first request --"


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
        self._sent_at = 0.0
        client.meta.events.register("before-send", self._sent)
        client.meta.events.register("before-parse", self._received)

    def _sent(self, **_: Any) -> None:
        self._sent_at = time.perf_counter()

    def _received(self, **_: Any) -> None:
        self.seconds += time.perf_counter() - self._sent_at


def load_intake_module(path: str) -> ModuleType:
    """Import functions/intake/app.py by file path, as the Lambda runtime does with `app.handler`."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("intake_app", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the intake function from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def minimal_handler(client: DynamoDBClient, table_name: str, event: dict[str, Any]) -> dict[str, Any]:
    """The baseline: parse the body and store it with one PutItem, nothing else."""
    import json

    fields = json.loads(event["body"])
    request_id = event["requestContext"]["requestId"]
    item = {key: {"S": str(value)} for key, value in fields.items()}
    item |= {"PK": {"S": f"BASELINE#{request_id}"}, "SK": {"S": "BASELINE"}}
    client.put_item(TableName=table_name, Item=item)
    return {"statusCode": 202, "body": json.dumps({"id": request_id})}


def _run(mode: str, event_text: str, lazy_modules: list[str]) -> dict[str, Any]:
    import os

    start = time.perf_counter()
    if mode == "baseline":
        import boto3

        client = boto3.client("dynamodb")
    else:
        app = load_intake_module(os.environ["BENCH_INTAKE_APP"])
        client = app.function.dynamodb  # the client its composition root made at init
    init_done = time.perf_counter()
    round_trips = RoundTrips(client)

    before_request = set(sys.modules)
    lazy_start = time.perf_counter()
    for name in lazy_modules:  # the modules the first request would import; timed on their own
        __import__(name)
    lazy_done = time.perf_counter()

    import json

    event = json.loads(event_text)
    print(FIRST_REQUEST_MARKER, file=sys.stderr, flush=True)
    request_start = time.perf_counter()
    if mode == "baseline":
        response = minimal_handler(client, os.environ["TABLE_NAME"], event)
    else:
        response = app.handler(event, FakeLambdaContext(event["requestContext"]["requestId"]))
    request_done = time.perf_counter()
    if response.get("statusCode") != 202:
        raise SystemExit(f"first request answered {response.get('statusCode')}: {response.get('body')}")
    return {
        "init_s": init_done - start,
        "lazy_imports_s": lazy_done - lazy_start,
        "first_request_s": request_done - request_start,
        "first_request_waiting_s": round_trips.seconds,
        "imported_by_first_request": [name for name in sys.modules if name not in before_request],
    }


def main(argv: list[str]) -> None:
    mode = argv[1]
    if mode not in ("baseline", "candidate"):
        raise SystemExit(f"unknown mode {mode!r}: baseline or candidate")
    lazy_modules: list[str] = []
    if len(argv) > 2:
        with open(argv[2], encoding="utf-8") as listing:
            lazy_modules = listing.read().split()
    result = _run(mode, sys.stdin.read(), lazy_modules)
    import json

    print(RESULT_PREFIX + json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv)
