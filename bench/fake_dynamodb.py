"""A DynamoDB endpoint that answers at once, so the timed benchmarks measure the handlers, not moto.

    with fake_dynamodb() as fake:   # then AWS_ENDPOINT_URL=fake.endpoint_url for any botocore client
        ...
    fake.requests                   # Counter of operations served

It speaks DynamoDB's JSON 1.0 protocol (`X-Amz-Target: DynamoDB_20120810.<Operation>`) over
HTTP/1.1 with keep-alive, as DynamoDB does, on a free 127.0.0.1 port in a thread of this process.
It stores nothing: each operation the handlers make on their accepted path gets the smallest valid
answer (a write succeeded, a read found nothing). Any other operation gets a 400 with a
DynamoDB-shaped error naming it, so a benchmark that sends something new fails loudly instead of
timing a wrong answer. No CRC32 header is sent: botocore checks it only when present.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from bench._local_http import local_http_server

TARGET_PREFIX = "DynamoDB_20120810."
CONTENT_TYPE = "application/x-amz-json-1.0"

Answer = Callable[[dict[str, Any]], dict[str, Any]]


def _nothing(_: dict[str, Any]) -> dict[str, Any]:
    return {}


def _batch_get(request: dict[str, Any]) -> dict[str, Any]:
    return {"Responses": {table: [] for table in request.get("RequestItems", {})}, "UnprocessedKeys": {}}


def _query(_: dict[str, Any]) -> dict[str, Any]:
    return {"Items": [], "Count": 0, "ScannedCount": 0}


def _describe_table(request: dict[str, Any]) -> dict[str, Any]:
    return {"Table": {"TableName": request.get("TableName", ""), "TableStatus": "ACTIVE"}}


ANSWERS: dict[str, Answer] = {
    "TransactWriteItems": _nothing,
    "PutItem": _nothing,
    "UpdateItem": _nothing,
    "GetItem": _nothing,  # no "Item": not found
    "BatchGetItem": _batch_get,
    "Query": _query,
    "DescribeTable": _describe_table,
}


@dataclass
class FakeDynamoDB:
    endpoint_url: str
    requests: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, operation: str) -> None:
        with self.lock:
            self.requests[operation] += 1

    @property
    def total(self) -> int:
        with self.lock:
            return sum(self.requests.values())


def _request_handler(state: FakeDynamoDB) -> type[BaseHTTPRequestHandler]:
    class DynamoDBRequest(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as botocore's connection pool expects
        disable_nagle_algorithm = True  # headers and body leave at once, no delayed-ACK stall

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            operation = (self.headers.get("x-amz-target") or "").removeprefix(TARGET_PREFIX)
            state.count(operation)
            answer = ANSWERS.get(operation)
            if answer is None:
                self._send(
                    400,
                    {
                        "__type": "com.amazon.coral.service#UnknownOperationException",
                        "message": f"the bench's fake DynamoDB does not answer {operation or 'a request'}: "
                        "add it to bench/fake_dynamodb.py ANSWERS",
                    },
                )
                return
            self._send(200, answer(json.loads(body or b"{}")))

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", CONTENT_TYPE)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-amzn-RequestId", "bench-fake")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    return DynamoDBRequest


@contextmanager
def fake_dynamodb() -> Iterator[FakeDynamoDB]:
    """The fake endpoint, serving until the block ends; yields its URL and request counts."""
    state = FakeDynamoDB(endpoint_url="")
    with local_http_server(_request_handler(state), "fake-dynamodb") as url:
        state.endpoint_url = url
        yield state
