"""docs/openapi.json is what the real HTTP surface accepts and answers: schemathesis, every check,
positive and negative cases, against the local stack (the local API gateway in front of the intake
function, on moto), exactly as `make local` serves it.

The same run by hand against `make local`:
    .venv/bin/schemathesis run docs/openapi.json --url http://127.0.0.1:3000 --checks all
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from inquiry_router_admin.local import LocalStack

ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
MAX_EXAMPLES = 700  # per phase; with the coverage phase's own cases, well over 1,000 in all
MIN_CASES = 1_000


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    # Rate limits out of the way: a thousand cases from one client would otherwise be mostly 429s.
    with LocalStack(
        ROOT,
        api_port=0,
        aws_port=0,
        state_dir=tmp_path_factory.mktemp("state"),
        parameters={"RateLimitPerIp": "1000000", "RateLimitPerEmail": "1000000"},
        log=lambda _: None,
        log_error=lambda _: None,  # the router refuses every inquiry: no routing config, not needed here
    ) as running:
        yield running


@pytest.mark.slow
def test_the_api_does_what_its_openapi_document_says(stack: LocalStack, tmp_path: Path) -> None:
    # unsupported_method needs every method of /inquiries to reach the intake (405 with Allow)
    assert any(r.path == "/inquiries" and r.method == "ANY" for r in stack.routes)
    command = [
        str(SCHEMATHESIS),
        "run",
        str(ROOT / "docs" / "openapi.json"),
        "--url",
        stack.api_url,
        "--checks",
        "all",
        "--mode",
        "all",  # positive and negative cases
        "--max-examples",
        str(MAX_EXAMPLES),
        "--workers",
        "2",
        "--seed",
        "9",  # the same cases each run: CI stays reproducible
        "--generation-database",
        "none",
        "--continue-on-failure",
        "--no-color",
        "--request-timeout",
        "30",
    ]
    started = time.monotonic()
    run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=900, check=False)
    elapsed = time.monotonic() - started
    output = run.stdout + run.stderr
    generated = re.search(r"(\d+) generated", output)
    print(f"schemathesis: {generated.group(1) if generated else '?'} cases in {elapsed:.0f} s")
    assert run.returncode == 0, output[-20_000:]
    assert generated is not None
    assert int(generated.group(1)) >= MIN_CASES, output[-3_000:]
