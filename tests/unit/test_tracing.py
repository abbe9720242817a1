"""X-Ray traces hold no personal data: no handler response, no exception message, no attachment name."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from inquiry_router.base.observability import without_personal_data
from tests.support.traced_handlers import ATTACHMENT_KEY, BUYER

ROOT = Path(__file__).resolve().parents[2]


def traced() -> dict[str, list[dict[str, Any]]]:
    """What the X-Ray SDK recorded (`raw`) and sent (`sent`) for two instrumented handlers."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.support.traced_handlers"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    documents: dict[str, list[dict[str, Any]]] = json.loads(result.stdout)
    return documents


def keys_anywhere(document: Any) -> set[str]:
    if isinstance(document, list):
        return set().union(*(keys_anywhere(item) for item in document)) if document else set()
    if isinstance(document, dict):
        return set(document).union(*(keys_anywhere(value) for value in document.values()))
    return set()


def test_a_traced_handler_sends_timings_and_error_types_but_nothing_a_buyer_wrote() -> None:
    # Given a handler returning a buyer's address, and one whose S3, SES and own errors name it
    documents = traced()
    raw, sent = json.dumps(documents["raw"]), json.dumps(documents["sent"])

    # The SDK itself recorded the address and the attachment's name (so the test means something)...
    assert BUYER in raw
    assert ATTACHMENT_KEY in raw
    # ...but the response was never recorded at all (capture_response=False)
    assert "metadata" not in keys_anywhere(documents["raw"])

    # Then what reaches the daemon has neither, and still shows what ran and what failed
    assert BUYER not in sent
    assert "Jane-Doe" not in sent
    assert "metadata" not in keys_anywhere(documents["sent"])
    names = {d["name"] for d in documents["sent"]}
    assert {"## answer", "## fail", "s3", "email"} <= names
    errors = {e["type"] for d in documents["sent"] for e in d.get("cause", {}).get("exceptions", [])}
    assert errors == {"RuntimeError", "MessageRejected"}
    operations = {d["aws"]["operation"] for d in documents["sent"] if "aws" in d}
    assert operations == {"CreateBucket", "PutObject", "SendEmail"}


def test_without_personal_data_removes_messages_metadata_and_object_keys_at_any_depth() -> None:
    document = {
        "name": "## handler",
        "metadata": {"inbound": {"handler response": {"buyer": BUYER}}},
        "cause": {"exceptions": [{"type": "ValueError", "message": BUYER, "stack": [{"line": 3}]}]},
        "subsegments": [
            {
                "name": "s3",
                "aws": {"operation": "PutObject", "bucket_name": "mail", "key": ATTACHMENT_KEY},
                "subsegments": [{"name": "inner", "metadata": {"default": {"x": BUYER}}}],
            }
        ],
    }

    assert without_personal_data(document) == {
        "name": "## handler",
        "cause": {"exceptions": [{"type": "ValueError", "stack": [{"line": 3}]}]},
        "subsegments": [
            {
                "name": "s3",
                "aws": {"operation": "PutObject", "bucket_name": "mail"},
                "subsegments": [{"name": "inner"}],
            }
        ],
    }
