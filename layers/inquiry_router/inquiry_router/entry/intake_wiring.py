"""Per-process wiring of the intake's collaborators, built on first use.

The HTTP edge asks here for the writer and the CAPTCHA verifier and passes them to the
service; `reset_wiring()` lets tests and the local stack rebuild everything after changing
the environment.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from inquiry_router.adapters import clients
from inquiry_router.adapters.intake_write import IntakeWriter
from inquiry_router.entry.intake_api import Handler, intake_http_handler
from inquiry_router.entry.settings import intake_settings
from inquiry_router.intake.captcha import CaptchaVerifier, SiteverifyCaptcha, ssm_secret


@cache
def intake_writer() -> IntakeWriter:
    return IntakeWriter(clients.dynamodb_client(), intake_settings().table_name)


@cache
def captcha_verifier() -> CaptchaVerifier | None:
    settings = intake_settings()
    if settings.captcha_provider == "none":
        return None
    if not settings.captcha_secret_parameter:
        raise RuntimeError(
            f"CAPTCHA_PROVIDER is {settings.captcha_provider} but CAPTCHA_SECRET_PARAMETER is empty: "
            "set the CaptchaSecretParameter stack parameter to the SSM parameter holding the secret."
        )
    return SiteverifyCaptcha(
        provider=settings.captcha_provider,
        secret=ssm_secret(settings.captcha_secret_parameter),
        verify_url=settings.captcha_verify_url,
    )


@cache
def http_handler() -> Handler:
    return intake_http_handler(intake_settings(), writer=intake_writer(), captcha=captcha_verifier())


def resolve_http_event(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return http_handler()(event, context)


def reset_wiring() -> None:
    for cached in (
        intake_writer,
        captcha_verifier,
        intake_settings,
        clients.dynamodb_client,
        clients.ssm_client,
        http_handler,
    ):
        cached.cache_clear()
