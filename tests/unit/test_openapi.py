"""The committed OpenAPI document is the one the code generates."""

from __future__ import annotations

import json
from pathlib import Path

from inquiry_router.entry.intake_openapi import openapi_document

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_committed_openapi_document_is_up_to_date() -> None:
    assert COMMITTED.read_text() == openapi_document(), "docs/openapi.json is stale: run `make openapi`"


def test_the_document_describes_both_encodings_and_every_answer() -> None:
    operation = json.loads(openapi_document())["paths"]["/inquiries"]["post"]
    assert set(operation["requestBody"]["content"]) == {
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    }
    assert {"202", "303", "400", "413", "415", "422", "429"} <= set(operation["responses"])
