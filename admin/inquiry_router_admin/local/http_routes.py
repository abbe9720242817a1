"""HTTP API routes from the functions' `HttpApi` events, and API Gateway's choice of route for a request.

API Gateway picks the most specific match: literal segments beat `{param}`, `{param}` beats a
greedy `{proxy+}`, a named method beats `ANY`, and `$default` catches what nothing else matched.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote

from inquiry_router_admin.local.functions import FunctionSpec
from inquiry_router_admin.local.template import TemplateError

DEFAULT_ROUTE = "$default"


@dataclass(frozen=True)
class Route:
    method: str  # upper case, or ANY
    path: str  # e.g. /inquiries/{id}, or $default
    function_id: str
    api_id: str

    @property
    def route_key(self) -> str:
        return DEFAULT_ROUTE if self.path == DEFAULT_ROUTE else f"{self.method} {self.path}"

    @property
    def _segments(self) -> list[str]:
        return [s for s in self.path.split("/") if s]

    @property
    def specificity(self) -> tuple[int, int, int, int]:
        """Sorts most specific first."""
        segments = self._segments
        greedy = bool(segments) and segments[-1].endswith("+}")
        literals = sum(1 for s in segments if not s.startswith("{"))
        return (self.path == DEFAULT_ROUTE, greedy, -literals, self.method == "ANY")

    def match(self, method: str, raw_path: str) -> dict[str, str] | None:
        """The path parameters when this route serves the request, else None."""
        if self.method not in ("ANY", method):
            return None
        if self.path == DEFAULT_ROUTE:
            return {}
        wanted = self._segments
        given = [s for s in raw_path.split("/") if s]
        parameters: dict[str, str] = {}
        for index, segment in enumerate(wanted):
            if segment.startswith("{") and segment.endswith("+}"):
                rest = given[index:]
                if not rest:
                    return None
                parameters[segment[1:-2]] = unquote("/".join(rest))
                return parameters
            if index >= len(given):
                return None
            if segment.startswith("{") and segment.endswith("}"):
                parameters[segment[1:-1]] = unquote(given[index])
            elif segment != given[index]:
                return None
        return parameters if len(given) == len(wanted) else None


def http_routes(specs: Iterable[FunctionSpec]) -> list[Route]:
    routes: list[Route] = []
    for spec in specs:
        for event_name, event in spec.events.items():
            if event.get("Type") != "HttpApi":
                continue
            properties = event.get("Properties") or {}
            where = f"{spec.logical_id}.Events.{event_name}"
            if str(properties.get("PayloadFormatVersion") or "2.0") != "2.0":
                raise TemplateError(f"{where}: the local gateway speaks payload format 2.0 only")
            api = str(properties.get("ApiId") or "ServerlessHttpApi")
            routes.append(
                Route(
                    method=str(properties.get("Method") or "ANY").upper(),
                    path=str(properties.get("Path") or DEFAULT_ROUTE),
                    function_id=spec.logical_id,
                    # Ten lower-case characters, like a real API id, stable across restarts.
                    api_id=hashlib.sha256(api.encode()).hexdigest()[:10],
                )
            )
    keys = [r.route_key for r in routes]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise TemplateError(f"more than one function declares the route {', '.join(duplicates)}")
    return sorted(routes, key=lambda r: r.specificity)


def find_route(routes: Iterable[Route], method: str, raw_path: str) -> tuple[Route, dict[str, str]] | None:
    """The route API Gateway would choose (routes sorted by `http_routes`), with its path parameters."""
    for route in routes:
        parameters = route.match(method, raw_path)
        if parameters is not None:
            return route, parameters
    return None
