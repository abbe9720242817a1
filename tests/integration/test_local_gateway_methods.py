"""The local gateway answers every method as API Gateway's HTTP API does: a route, or its 404.

http.server alone answers 501 for a method it has no do_<METHOD> for (TRACE, PROPFIND...).
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from inquiry_router_admin.local.http_gateway import HttpGateway
from inquiry_router_admin.local.static_files import StaticFiles


class NoFunctions:
    specs: dict[str, object] = {}  # noqa: RUF012 - a stand-in runner with nothing to invoke


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[HttpGateway]:
    running = HttpGateway(StaticFiles(tmp_path), log=lambda _: None, log_error=lambda _: None, port=0)
    running.serve([], NoFunctions())  # type: ignore[arg-type]
    yield running
    running.stop()


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE", "PATCH", "TRACE", "PROPFIND", "FOO"])
def test_a_request_no_route_serves_is_404_whatever_its_method(gateway: HttpGateway, method: str) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=5)
    try:
        connection.request(method, "/inquiries", body=b"{}", headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        assert response.status == 404
        assert json.loads(response.read()) == {"message": "Not Found"}
    finally:
        connection.close()
