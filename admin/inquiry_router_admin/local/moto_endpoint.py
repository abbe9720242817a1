"""The embedded AWS endpoint: moto's threaded server, in this process, with fresh state on each start."""

from __future__ import annotations

import contextlib
import logging
import urllib.request
from collections.abc import Callable

from inquiry_router_admin.local.aws_clients import ACCOUNT_ID
from inquiry_router_admin.local.errors import ensure_port_free
from inquiry_router_admin.local.moto_isolation import isolated_dynamodb


class EmbeddedAws:
    def __init__(self, host: str = "127.0.0.1", port: int = 4566) -> None:
        self.host = host
        self.requested_port = port
        self.port = port
        self._server: object | None = None
        self._isolation: contextlib.ExitStack | None = None

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        # Checked first: moto's server thread would die on a port in use and leave start() waiting forever.
        ensure_port_free(self.host, self.requested_port, "the AWS endpoint", "--aws-port")
        from moto.server import ThreadedMotoServer

        # One werkzeug access-log line per poll would drown the console.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        # Each DynamoDB request atomic, as in AWS: the intake, the router and the mailer write at once.
        self._isolation = contextlib.ExitStack()
        self._isolation.enter_context(isolated_dynamodb())
        server = ThreadedMotoServer(ip_address=self.host, port=self.requested_port, verbose=False)
        server.start()
        self._server = server
        self.port = int(server.get_host_and_port()[1])
        # moto's state lives in this process: a second stack started here must not see the first one's.
        reset = urllib.request.Request(f"{self.endpoint_url}/moto-api/reset", method="POST")  # noqa: S310
        with urllib.request.urlopen(reset, timeout=10) as answer:  # noqa: S310 - our own http:// endpoint
            answer.read()

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()  # type: ignore[attr-defined]
            self._server = None
        if self._isolation is not None:
            self._isolation.close()
            self._isolation = None


def shard_iterator_forgetter(region: str) -> Callable[[str], None]:
    """Drop a used stream iterator from moto's memory.

    moto keeps every iterator GetRecords hands out; polling five times a second would grow the
    process by tens of megabytes an hour. An iterator is used once, so forgetting it is safe.
    """
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    iterators = dynamodbstreams_backends[ACCOUNT_ID][region].shard_iterators

    def forget(iterator: str) -> None:
        iterators.pop(iterator, None)

    return forget
