"""Browser tests run headless Chromium against the whole local stack, started once per module."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from playwright.sync_api import Browser, sync_playwright

from inquiry_router.adapters.queries import inquiries_by_status

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking switches Chromium keeps calling home, which a closed network punishes.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_SECONDS = 45
SHUTDOWN_SECONDS = 20


@dataclass(frozen=True)
class LocalStack:
    api_url: str
    endpoint_url: str
    region: str
    table_name: str
    state_dir: Path

    def stored_inquiry(self, reference: str, *statuses: str) -> dict[str, Any] | None:
        """The inquiry with this reference among those the status index lists under `status`."""
        client = boto3.client(
            "dynamodb",
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id="x",
            aws_secret_access_key="x",
        )
        for status in statuses:
            listed = inquiries_by_status(client, self.table_name, status, limit=200)
            found = next((item.to_item() for item in listed if item.reference == reference), None)
            if found:
                return found
        return None


@pytest.fixture(scope="session", autouse=True)
def _needs_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)")


@pytest.fixture(scope="module")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    state_dir = tmp_path_factory.mktemp("local-stack")
    api_port, aws_port = _free_port(), _free_port()
    log_path = state_dir / "stack.log"
    command = [
        str(Path(sys.executable).with_name("inquiry-router")),
        "local",
        "up",
        "--api-port",
        str(api_port),
        "--aws-port",
        str(aws_port),
        "--state-dir",
        str(state_dir),
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        stack = _wait_until_ready(process, api_port, state_dir / "stack.json", log_path)
        yield stack
    finally:
        exit_code = _stop(process)
    assert exit_code == 0, f"`local up` exited with {exit_code} on SIGINT:\n{_tail(log_path)}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_ready(
    process: subprocess.Popen[bytes], api_port: int, stack_file: Path, log_path: Path
) -> LocalStack:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"`local up` exited with {process.returncode}:\n{_tail(log_path)}")
        described = _read_json(stack_file)
        if described and _answers(api_port):
            return LocalStack(
                api_url=described["api_url"].rstrip("/"),
                endpoint_url=described["endpoint_url"],
                region=described["region"],
                table_name=described["resources"]["InquiryTable"],
                state_dir=stack_file.parent,
            )
        time.sleep(0.2)
    pytest.fail(f"the local stack did not answer within {STARTUP_SECONDS} s:\n{_tail(log_path)}")


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        return dict(json.loads(path.read_text()))
    except (FileNotFoundError, json.JSONDecodeError):
        return None  # not written yet, or caught half-written


def _answers(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/examples/contact-form.html")
        return connection.getresponse().status < 500
    except OSError:
        return False
    finally:
        connection.close()


def _stop(process: subprocess.Popen[bytes]) -> int:
    if process.poll() is not None:
        return process.returncode
    process.send_signal(signal.SIGINT)
    try:
        return process.wait(timeout=SHUTDOWN_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail(f"`local up` did not stop within {SHUTDOWN_SECONDS} s of SIGINT")


def _tail(log_path: Path, lines: int = 40) -> str:
    return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])
