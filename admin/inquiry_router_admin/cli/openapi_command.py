"""`inquiry-router openapi`: print the API's OpenAPI document (committed as docs/openapi.json)."""

from __future__ import annotations

import argparse
from typing import Any


def register(groups: Any) -> None:
    command = groups.add_parser("openapi", help="print the OpenAPI document of the HTTP API")
    command.set_defaults(run=print_openapi)


def print_openapi(_: argparse.Namespace) -> int:
    from inquiry_router.entry.intake_openapi import openapi_document

    print(openapi_document(), end="")
    return 0
