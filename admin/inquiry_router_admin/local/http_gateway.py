"""The local HTTP API: a stdlib threading HTTP server that plays API Gateway in front of the functions.

A request matching a route becomes a payload 2.0 event for its function; GET / and /examples/...
serve the example form; Lambda's Invoke API (local/lambda_invoke.py) calls a function directly;
anything else, whatever its method, gets API Gateway's 404. One access-log line per request,
without bodies, query strings or client addresses.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from inquiry_router_admin.local.function_runner import FunctionRunner
from inquiry_router_admin.local.http_events import (
    HttpRequest,
    HttpResponse,
    InvalidLambdaResponse,
    http_api_event,
    http_response,
    json_response,
)
from inquiry_router_admin.local.http_routes import Route, find_route
from inquiry_router_admin.local.lambda_invoke import invoke_response
from inquiry_router_admin.local.static_files import StaticFiles

Log = Callable[[str], None]
MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit


class HttpGateway:
    def __init__(
        self, static_files: StaticFiles, log: Log, log_error: Log, host: str = "127.0.0.1", port: int = 3000
    ) -> None:
        self.static_files = static_files
        self.log = log
        self.log_error = log_error
        self.routes: list[Route] = []
        self.runner: FunctionRunner | None = None
        # Binds now, so a port in use fails the start before anything else happens.
        self._server = _GatewayServer((host, port), _GatewayRequestHandler)
        self._server.gateway = self
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def serve(self, routes: Sequence[Route], runner: FunctionRunner) -> None:
        """Start answering requests, in a background thread."""
        self.routes = list(routes)
        self.runner = runner
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},  # how long stop() waits for the loop to notice
            name="local: http gateway",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(5)
            self._thread = None
        self._server.server_close()

    def respond(self, request: HttpRequest) -> HttpResponse:
        if self.runner is not None:
            invoked = invoke_response(request, self.runner, self.log_error)
            if invoked is not None:
                return invoked
        found = find_route(self.routes, request.method, request.raw_path)
        if found is not None:
            route, path_parameters = found
            return self._invoke(route, request, path_parameters)
        if request.method in ("GET", "HEAD"):
            static = self.static_files.respond(request.raw_path)
            if static is not None:
                return static
        return json_response(404, "Not Found")

    def _invoke(self, route: Route, request: HttpRequest, path_parameters: dict[str, str]) -> HttpResponse:
        assert self.runner is not None, "serve() sets the runner before the first request"
        event = http_api_event(request, route, path_parameters)
        invocation = self.runner.invoke(route.function_id, event)
        if invocation.error is not None:
            return json_response(500, "Internal Server Error")
        try:
            response = http_response(invocation.result)
        except InvalidLambdaResponse as invalid:
            self.log_error(f"{route.function_id} returned a response API Gateway rejects: {invalid}")
            return json_response(500, "Internal Server Error")
        request_id = event["requestContext"]["requestId"]
        response.headers.append(("Apigw-Requestid", request_id))
        return response


class _UnreadableBody(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.response = json_response(status, message)


class _GatewayServer(ThreadingHTTPServer):
    daemon_threads = True
    gateway: HttpGateway


class _GatewayRequestHandler(BaseHTTPRequestHandler):
    server: _GatewayServer
    protocol_version = "HTTP/1.1"  # keep-alive, and `Expect: 100-continue` for curl's larger posts
    server_version = "inquiry-router-local"
    timeout = 60  # idle keep-alive connections do not hold a thread forever

    def __getattr__(self, name: str) -> Any:
        # http.server answers 501 for any method without a do_<METHOD>; API Gateway routes every
        # method (TRACE, PROPFIND, FOO...) like any other: an `ANY` route or its 404.
        if name.startswith("do_"):
            return self._handle
        raise AttributeError(name)

    def log_message(self, format: str, *args: object) -> None:
        """Silenced: the gateway prints its own line, without the client's address."""

    def _handle(self) -> None:
        started = time.monotonic()
        gateway = self.server.gateway
        try:
            body = self._read_body()
        except _UnreadableBody as unreadable:
            self.close_connection = True  # what is left of the body must not be read as a request
            response = unreadable.response
        else:
            request = HttpRequest(
                method=self.command,
                target=self.path,
                protocol=self.request_version,
                headers=list(self.headers.items()),
                body=body,
                source_ip=self.client_address[0],
                server_port=gateway.port,
            )
            response = gateway.respond(request)
        elapsed_ms = (time.monotonic() - started) * 1000
        # Logged before answering, so the line is there by the time the client has its answer.
        gateway.log(f"{self.command} {self.path.split('?', 1)[0]} {response.status} {elapsed_ms:.0f} ms")
        self._send(response)

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise _UnreadableBody(400, "Bad Request") from None
        if length > MAX_BODY_BYTES:
            raise _UnreadableBody(413, "Request Entity Too Large")
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            size_line = self.rfile.readline(1024).split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                raise _UnreadableBody(400, "Bad Request") from None
            if size == 0:
                while self.rfile.readline(1024).strip():  # trailers
                    pass
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                raise _UnreadableBody(413, "Request Entity Too Large")
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)  # the CRLF after each chunk

    def _send(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)
