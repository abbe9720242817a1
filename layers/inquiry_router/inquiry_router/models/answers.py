"""What `POST /inquiries` answers in JSON: one model per body, used to build it and to document it."""

from __future__ import annotations

from pydantic import BaseModel, Field

from inquiry_router.base.references import REFERENCE_SCHEMA_PATTERN


class InquiryAccepted(BaseModel):
    """202: stored."""

    id: str = Field(description="The inquiry's id.", json_schema_extra={"format": "uuid"})
    reference: str = Field(
        description="The short reference the buyer can quote.",
        pattern=REFERENCE_SCHEMA_PATTERN,
        examples=["INQ-7K3M9Q"],
    )


class ErrorAnswer(BaseModel):
    """4xx/5xx: what went wrong, in words a person can act on."""

    message: str


class FieldErrorsAnswer(BaseModel):
    """422: the fields to correct."""

    message: str
    errors: dict[str, str] = Field(description="Field name (or `body`, `captcha`) → what to correct.")


class RateLimitedAnswer(BaseModel):
    """429: too many submissions; send again after `retry_after` seconds (also the Retry-After header)."""

    message: str
    retry_after: int = Field(ge=1)
