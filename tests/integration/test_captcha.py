"""Optional CAPTCHA: secret from SSM, token checked with a siteverify endpoint (a local fake here).

Fails closed, never drops: whatever the provider does other than answer `"success": true` or
refuse the token, the inquiry is stored as suspected spam with the reason, and the buyer gets the
normal answer.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs

import boto3
import pytest

from tests.conftest import intake_function
from tests.support.events import form_post, json_post

Invoke = Callable[[dict[str, Any]], dict[str, Any]]
SECRET = "0x4AAAAAAA-test-secret"
GOOD_TOKEN = "token-from-a-person"
BUYER = {"email": "ana@importadora-sol.es", "message": "Please quote LED panels."}


class FakeSiteverify(BaseHTTPRequestHandler):
    """Answers like Turnstile/reCAPTCHA/hCaptcha siteverify; records what it was asked.

    `failure` makes it misbehave the way a provider can: see PROVIDER_FAILURES.
    """

    seen: ClassVar[list[dict[str, list[str]]]] = []
    failure: ClassVar[str | None] = None

    def do_POST(self) -> None:
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        FakeSiteverify.seen.append(form)
        if FakeSiteverify.failure is not None:
            self._misbehave(FakeSiteverify.failure)
            return
        ok = form.get("secret") == [SECRET] and form.get("response") == [GOOD_TOKEN]
        answer = {"success": ok} if ok else {"success": False, "error-codes": ["invalid-input-response"]}
        self._answer(200, json.dumps(answer).encode())

    def _answer(self, status: int, payload: bytes, length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload) if length is None else length))
        self.end_headers()
        self.wfile.write(payload)

    def _misbehave(self, failure: str) -> None:
        answers = {
            "http_500": (500, b'{"success": true}'),
            "http_503_html": (503, b"<html>Service Unavailable</html>"),
            "http_429": (429, b'{"success": false, "error-codes": ["rate-limited"]}'),
            "not_json": (200, b"<html>captive portal</html>"),
            "not_utf8": (200, b'{"success": "\xff"}'),
            "json_array": (200, b"[true]"),
            "json_string": (200, b'"success"'),
            "no_success": (200, b'{"hostname": "www.example.com"}'),
            "success_as_text": (200, b'{"success": "true"}'),
            "success_as_number": (200, b'{"success": 1}'),
            "success_null": (200, b'{"success": null}'),
            "our_secret_refused": (200, b'{"success": false, "error-codes": ["invalid-input-secret"]}'),
            "provider_internal_error": (200, b'{"success": false, "error-codes": ["internal-error"]}'),
            "huge_answer": (200, b'{"success": true, "pad": "' + b"x" * 100_000 + b'"}'),
        }
        if failure == "timeout":
            time.sleep(1.0)  # longer than the verifier waits in these tests
            self._answer(200, b'{"success": true}')
        elif failure == "truncated":
            self._answer(200, b'{"success": tr', length=200)
            self.close_connection = True
        elif failure == "closed_without_answer":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        else:
            status, payload = answers[failure]
            self._answer(status, payload)

    def log_message(self, *_: Any) -> None:
        pass


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A connection the fake closed on purpose is no error worth printing."""


@pytest.fixture
def verifier_url() -> Iterator[str]:
    server = QuietServer(("127.0.0.1", 0), FakeSiteverify)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeSiteverify.seen.clear()
    FakeSiteverify.failure = None
    yield f"http://127.0.0.1:{server.server_address[1]}/siteverify"
    FakeSiteverify.failure = None
    server.shutdown()
    server.server_close()


@pytest.fixture
def captcha_intake(dynamodb: Any, verifier_url: str) -> Invoke:
    boto3.client("ssm").put_parameter(Name="/inquiry-router/captcha", Value=SECRET, Type="SecureString")
    return intake_function(
        CAPTCHA_PROVIDER="turnstile",
        CAPTCHA_SECRET_PARAMETER="/inquiry-router/captcha",
        CAPTCHA_VERIFY_URL=verifier_url,
    )


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


def test_an_expired_or_reused_token_is_the_buyers_to_fix(captcha_intake: Invoke, dynamodb: Any) -> None:
    FakeSiteverify.failure = None
    response = captcha_intake(json_post({**BUYER, "cf-turnstile-response": "reused-token"}))
    assert response["statusCode"] == 422
    assert stored_inquiries(dynamodb) == []


PROVIDER_FAILURES = [
    "http_500",
    "http_503_html",
    "http_429",
    "timeout",
    "truncated",
    "closed_without_answer",
    "not_json",
    "not_utf8",
    "json_array",
    "json_string",
    "no_success",
    "success_as_text",
    "success_as_number",
    "success_null",
    "our_secret_refused",
    "provider_internal_error",
    "huge_answer",
]


@pytest.mark.parametrize("failure", PROVIDER_FAILURES)
def test_a_provider_that_cannot_vouch_keeps_the_inquiry_for_review_as_suspected_spam(
    captcha_intake: Invoke, dynamodb: Any, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    # Given a provider that misbehaves in this way
    monkeypatch.setattr("inquiry_router.intake.captcha.VERIFY_TIMEOUT_SECONDS", 0.3)
    FakeSiteverify.failure = failure
    # When a buyer sends the form with a token
    response = captcha_intake(json_post({**BUYER, "cf-turnstile-response": GOOD_TOKEN}))
    # Then the buyer gets the normal answer, with nothing that tells a bot what happened
    assert response["statusCode"] == 202
    # And the inquiry is stored for review as suspected spam, with the reason
    assert_kept_for_review(dynamodb, json.loads(response["body"])["id"])


def test_an_unreachable_provider_keeps_the_inquiry_for_review(dynamodb: Any) -> None:
    boto3.client("ssm").put_parameter(Name="/inquiry-router/captcha", Value=SECRET, Type="SecureString")
    intake = intake_function(
        CAPTCHA_PROVIDER="hcaptcha",
        CAPTCHA_SECRET_PARAMETER="/inquiry-router/captcha",
        CAPTCHA_VERIFY_URL="http://127.0.0.1:9/siteverify",  # nothing listens on port 9
    )
    response = intake(json_post({**BUYER, "h-captcha-response": GOOD_TOKEN}))
    assert response["statusCode"] == 202
    assert_kept_for_review(dynamodb, json.loads(response["body"])["id"])


def test_an_unreadable_secret_keeps_the_inquiry_for_review(dynamodb: Any, verifier_url: str) -> None:
    intake = intake_function(
        CAPTCHA_PROVIDER="turnstile",
        CAPTCHA_SECRET_PARAMETER="/inquiry-router/never-created",
        CAPTCHA_VERIFY_URL=verifier_url,
    )
    response = intake(form_post({**BUYER, "cf-turnstile-response": GOOD_TOKEN}))
    assert response["statusCode"] == 200  # the form's normal thank-you page
    assert FakeSiteverify.seen == []  # nothing could be asked
    (stored,) = stored_inquiries(dynamodb)
    assert_kept_for_review(dynamodb, stored["id"]["S"])


def stored_inquiries(dynamodb: Any) -> list[dict[str, Any]]:
    items = dynamodb.scan(TableName="inquiry-router-test")["Items"]
    return [i for i in items if i.get("entity") == {"S": "inquiry"}]


def assert_kept_for_review(dynamodb: Any, inquiry_id: str) -> None:
    stored = dynamodb.get_item(
        TableName="inquiry-router-test", Key={"PK": {"S": f"INQUIRY#{inquiry_id}"}, "SK": {"S": "INQUIRY"}}
    )["Item"]
    assert stored["status"] == {"S": "spam"}  # never assigned, never acknowledged
    assert stored["spam_reasons"] == {"L": [{"S": "captcha_unverified"}]}
    assert stored["captcha"]["S"].startswith("unverified: ")
    assert len(stored["captcha"]["S"]) > len("unverified: ")
    assert stored["message"] == {"S": BUYER["message"]}  # the buyer's words are all there
    # a submission nobody vouched for never touches the contact it names
    contact = dynamodb.get_item(
        TableName="inquiry-router-test",
        Key={"PK": {"S": "CONTACT#ana@importadora-sol.es"}, "SK": {"S": "PROFILE"}},
    )
    assert "Item" not in contact
