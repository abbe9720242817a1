"""Optional CAPTCHA check (Cloudflare Turnstile, Google reCAPTCHA, hCaptcha); off by default.

All three speak the same "siteverify" protocol: POST secret + response token, read `success`.
The secret lives in SSM Parameter Store (SecureString) and is read once per process.

Fails closed, never drops: only `"success": true` passes. A token the provider rejects is the
buyer's to fix (CaptchaRejected, a 422). When the provider cannot be asked or answers anything
else (an HTTP error, a timeout, not JSON, no true/false `success`, or an error code that says our
own request or secret is wrong), the check is "unverified": the inquiry is stored as suspected
spam with the reason (never acknowledged or assigned), and the buyer gets the normal answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from aws_lambda_powertools.metrics import MetricUnit

from inquiry_router.base.observability import logger, metrics
from inquiry_router.models.intake_errors import CaptchaRejected

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient

SITEVERIFY_URLS = {
    "turnstile": "https://challenges.cloudflare.com/turnstile/v0/siteverify",
    "recaptcha": "https://www.google.com/recaptcha/api/siteverify",
    "hcaptcha": "https://api.hcaptcha.com/siteverify",
}
VERIFY_TIMEOUT_SECONDS = 4.0
MAX_ANSWER_BYTES = 16 * 1024
# Error codes that blame our side (secret, request) or the provider, not the buyer's token: the
# buyer could not fix them by solving the CAPTCHA again.
NOT_THE_BUYERS_CODES = frozenset(
    {
        "missing-input-secret",
        "invalid-input-secret",
        "bad-request",
        "internal-error",
        "sitekey-secret-mismatch",
        "invalid-remoteip",
        "missing-remoteip",
    }
)


@dataclass(frozen=True, slots=True)
class CaptchaCheck:
    passed: bool
    problem: str | None = None  # why it could not be verified; no token or personal data in it

    @property
    def recorded(self) -> str:
        """What the inquiry keeps: "passed", or "unverified: <why>"."""
        return "passed" if self.passed else f"unverified: {self.problem}"


class CaptchaVerifier(Protocol):
    def verify(self, token: str | None, remote_ip: str | None) -> CaptchaCheck:
        """Passed, or unverified with the reason; raise CaptchaRejected when the token is refused."""
        ...


@dataclass
class SiteverifyCaptcha:
    provider: str
    secret: Callable[[], str]
    verify_url: str | None = None

    def verify(self, token: str | None, remote_ip: str | None) -> CaptchaCheck:
        if not token:
            raise CaptchaRejected("missing-input-response")
        try:
            secret = self.secret()
        except Exception as error:  # whatever stops us reading it (SSM, IAM, network), we cannot ask
            logger.error("captcha secret unreadable", extra={"error": type(error).__name__})
            return self._unverified("the CAPTCHA secret could not be read")
        form = {"secret": secret, "response": token}
        if remote_ip:
            form["remoteip"] = remote_ip
        answer = self._ask(form)
        if isinstance(answer, CaptchaCheck):
            return answer
        success = answer.get("success")
        if success is True:
            return CaptchaCheck(passed=True)
        codes = answer.get("error-codes")
        named = [c for c in codes if isinstance(c, str)] if isinstance(codes, list) else []
        if success is not False:
            return self._unverified("the answer has no true/false success")
        if NOT_THE_BUYERS_CODES.intersection(named):
            logger.error(
                "captcha provider refused our request", extra={"provider": self.provider, "codes": named}
            )
            return self._unverified(f"{self.provider} refused our request ({', '.join(named)})")
        raise CaptchaRejected(",".join(named) or "failed")

    def _ask(self, form: dict[str, str]) -> dict[str, Any] | CaptchaCheck:
        """The provider's JSON answer, or why there is none."""
        # urllib.request (and ssl) load only when CAPTCHA is on: they cost ~10 ms of cold start.
        import http.client
        import urllib.error
        import urllib.parse
        import urllib.request

        url = self.verify_url or SITEVERIFY_URLS[self.provider]
        request = urllib.request.Request(  # noqa: S310 - the URL is ours (https or the local fake)
            url, data=urllib.parse.urlencode(form).encode(), method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=VERIFY_TIMEOUT_SECONDS) as response:  # noqa: S310
                raw = response.read(MAX_ANSWER_BYTES + 1)
        except urllib.error.HTTPError as error:
            error.close()
            return self._unverified(f"{self.provider} answered HTTP {error.code}")
        except (OSError, http.client.HTTPException, ValueError) as error:  # timeouts are OSErrors
            return self._unverified(f"{self.provider} could not be reached ({type(error).__name__})")
        try:
            answer = json.loads(raw) if len(raw) <= MAX_ANSWER_BYTES else None
        except ValueError:  # not JSON, or not UTF-8
            answer = None
        if not isinstance(answer, dict):
            return self._unverified(f"{self.provider} answered something other than a JSON object")
        return answer

    def _unverified(self, problem: str) -> CaptchaCheck:
        logger.warning(
            "captcha not verified; stored for review", extra={"provider": self.provider, "problem": problem}
        )
        metrics.add_metric(name="CaptchaUnverified", unit=MetricUnit.Count, value=1)
        return CaptchaCheck(passed=False, problem=problem)


def ssm_secret(client: SSMClient, parameter_name: str) -> Callable[[], str]:
    """A secret getter that reads the SSM parameter on first use and keeps it for the process."""
    cached: list[str] = []

    def read() -> str:
        if not cached:
            answer = client.get_parameter(Name=parameter_name, WithDecryption=True)
            cached.append(answer["Parameter"].get("Value", ""))
        return cached[0]

    return read
