"""Optional CAPTCHA check (Cloudflare Turnstile, Google reCAPTCHA, hCaptcha); off by default.

All three speak the same "siteverify" protocol: POST secret + response token, read `success`.
The secret lives in SSM Parameter Store (SecureString) and is read once per process.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from inquiry_router.intake.errors import CaptchaRejected
from inquiry_router.observability import logger

SITEVERIFY_URLS = {
    "turnstile": "https://challenges.cloudflare.com/turnstile/v0/siteverify",
    "recaptcha": "https://www.google.com/recaptcha/api/siteverify",
    "hcaptcha": "https://api.hcaptcha.com/siteverify",
}
VERIFY_TIMEOUT_SECONDS = 4.0


class CaptchaVerifier(Protocol):
    def verify(self, token: str | None, remote_ip: str | None) -> str:
        """Return "passed" or "unverified" (provider unreachable); raise CaptchaRejected on failure."""
        ...


@dataclass
class SiteverifyCaptcha:
    provider: str
    secret: Callable[[], str]
    verify_url: str | None = None

    def verify(self, token: str | None, remote_ip: str | None) -> str:
        # urllib.request (and ssl) load only when CAPTCHA is on: they cost ~10 ms of cold start.
        import urllib.error
        import urllib.parse
        import urllib.request

        if not token:
            raise CaptchaRejected("missing-input-response")
        form = {"secret": self.secret(), "response": token}
        if remote_ip:
            form["remoteip"] = remote_ip
        url = self.verify_url or SITEVERIFY_URLS[self.provider]
        request = urllib.request.Request(  # noqa: S310 - the URL is ours (https or the local fake)
            url, data=urllib.parse.urlencode(form).encode(), method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=VERIFY_TIMEOUT_SECONDS) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
        except (urllib.error.URLError, TimeoutError, ValueError) as error:
            # Fail open: an outage at the CAPTCHA provider must not cost the company its inquiries.
            # The inquiry records that it was not verified, so a rep can judge it.
            logger.warning(
                "captcha provider unreachable", extra={"provider": self.provider, "error": str(error)}
            )
            return "unverified"
        if not answer.get("success"):
            raise CaptchaRejected(",".join(answer.get("error-codes", [])) or "failed")
        return "passed"


def ssm_secret(parameter_name: str) -> Callable[[], str]:
    """A secret getter that reads the SSM parameter on first use and keeps it for the process."""
    cached: list[str] = []

    def read() -> str:
        if not cached:
            from inquiry_router.store.clients import ssm_client

            answer = ssm_client().get_parameter(Name=parameter_name, WithDecryption=True)
            cached.append(answer["Parameter"].get("Value", ""))
        return cached[0]

    return read
