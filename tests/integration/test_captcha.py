"""Optional CAPTCHA: secret from SSM, token checked with a siteverify endpoint (a local fake here)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs

import boto3
import pytest

from inquiry_router.intake.wiring import reset_wiring
from tests.support.events import form_post, json_post

Invoke = Callable[[dict[str, Any]], dict[str, Any]]
SECRET = "0x4AAAAAAA-test-secret"
GOOD_TOKEN = "token-from-a-person"
BUYER = {"email": "ana@importadora-sol.es", "message": "Please quote LED panels."}


class FakeSiteverify(BaseHTTPRequestHandler):
    """Answers like Turnstile/reCAPTCHA/hCaptcha siteverify; records what it was asked."""

    seen: ClassVar[list[dict[str, list[str]]]] = []

    def do_POST(self) -> None:
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        FakeSiteverify.seen.append(form)
        ok = form.get("secret") == [SECRET] and form.get("response") == [GOOD_TOKEN]
        answer = {"success": ok} if ok else {"success": False, "error-codes": ["invalid-input-response"]}
        payload = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def verifier_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeSiteverify)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeSiteverify.seen.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}/siteverify"
    server.shutdown()


@pytest.fixture
def captcha_intake(
    intake: Invoke, dynamodb: Any, verifier_url: str, monkeypatch: pytest.MonkeyPatch
) -> Invoke:
    boto3.client("ssm").put_parameter(Name="/inquiry-router/captcha", Value=SECRET, Type="SecureString")
    monkeypatch.setenv("CAPTCHA_PROVIDER", "turnstile")
    monkeypatch.setenv("CAPTCHA_SECRET_PARAMETER", "/inquiry-router/captcha")
    monkeypatch.setenv("CAPTCHA_VERIFY_URL", verifier_url)
    reset_wiring()
    return intake


def test_a_valid_token_passes_and_is_verified_with_the_secret_from_ssm(captcha_intake: Invoke) -> None:
    response = captcha_intake(json_post({**BUYER, "cf-turnstile-response": GOOD_TOKEN}))
    assert response["statusCode"] == 202
    assert FakeSiteverify.seen[0]["secret"] == [SECRET]
    assert FakeSiteverify.seen[0]["remoteip"] == ["203.0.113.7"]


def test_a_failed_check_is_422_on_the_captcha_field(captcha_intake: Invoke) -> None:
    response = captcha_intake(json_post({**BUYER, "cf-turnstile-response": "forged"}))
    assert response["statusCode"] == 422
    assert "CAPTCHA" in json.loads(response["body"])["errors"]["captcha"]


def test_a_missing_token_is_refused_with_a_page_for_form_posts(captcha_intake: Invoke) -> None:
    response = captcha_intake(form_post(BUYER))
    assert response["statusCode"] == 422
    assert "CAPTCHA" in response["body"]
    assert FakeSiteverify.seen == []  # nothing to verify


def test_an_unreachable_provider_does_not_cost_the_inquiry(
    intake: Invoke, dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    boto3.client("ssm").put_parameter(Name="/inquiry-router/captcha", Value=SECRET, Type="SecureString")
    monkeypatch.setenv("CAPTCHA_PROVIDER", "hcaptcha")
    monkeypatch.setenv("CAPTCHA_SECRET_PARAMETER", "/inquiry-router/captcha")
    monkeypatch.setenv("CAPTCHA_VERIFY_URL", "http://127.0.0.1:9/siteverify")  # nothing listens on port 9
    reset_wiring()
    response = intake(json_post({**BUYER, "h-captcha-response": GOOD_TOKEN}))
    assert response["statusCode"] == 202
    stored = dynamodb.get_item(
        TableName="inquiry-router-test",
        Key={"PK": {"S": f"INQUIRY#{json.loads(response['body'])['id']}"}, "SK": {"S": "INQUIRY"}},
    )["Item"]
    assert stored["captcha"] == {"S": "unverified"}
