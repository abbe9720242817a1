"""Domain errors of the intake; the HTTP edge maps each to one status code (entry/intake_api.py)."""

from __future__ import annotations


class IntakeError(Exception):
    """Base of the errors a submitter can act on."""


class RateLimited(IntakeError):
    def __init__(self, retry_after_seconds: int, scope: str) -> None:
        super().__init__(f"Too many submissions from this {scope}; try again in {retry_after_seconds} s.")
        self.retry_after_seconds = retry_after_seconds
        self.scope = scope


class IdempotencyKeyReused(IntakeError):
    def __init__(self) -> None:
        super().__init__("This Idempotency-Key was already used for a different submission.")


class CaptchaRejected(IntakeError):
    def __init__(self, reason: str) -> None:
        super().__init__("Please complete the CAPTCHA check and send the form again.")
        self.reason = reason


class StoreBusy(IntakeError):
    """The table could not take the write right now (throttling, contention); safe to retry."""

    def __init__(self) -> None:
        super().__init__("We could not save your inquiry just now; please send it again in a moment.")
