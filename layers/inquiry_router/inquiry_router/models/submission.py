"""The web form's submission as it arrives: JSON from `fetch()` or an HTML form post.

One model serves both content types (form posts arrive as lists of values) and the field
conventions of common form backends (`_replyto`, `_subject`, `_gotcha`, `_next`), so a site
switches by changing its form's `action` URL only.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

MAX_MESSAGE_CHARS = 10_000
MAX_EXTRA_FIELDS = 20
MAX_EXTRA_KEY_CHARS = 64
MAX_EXTRA_VALUE_CHARS = 1_000

_TRUE_WORDS = {"on", "true", "1", "yes", "y", "checked"}
_LOCALE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
_CAPTCHA_FIELDS = ("cf-turnstile-response", "g-recaptcha-response", "h-captcha-response")


def _single_value(values: list[Any]) -> Any:
    """A form field's values as one: the value, "" when blank, or repeated values joined."""
    given = [v for v in values if v not in ("", None)]
    if len(given) == 1:
        return given[0]
    if given and all(isinstance(v, str) for v in given):
        return ", ".join(given)
    return given or ""


def _text(max_length: int, *aliases: str, description: str = "") -> Any:
    if aliases:
        return Field(
            default=None,
            max_length=max_length,
            validation_alias=AliasChoices(*aliases),
            description=description,
        )
    return Field(default=None, max_length=max_length, description=description)


class InquirySubmission(BaseModel):
    """What a website may send to `POST /inquiries`."""

    model_config = ConfigDict(
        extra="allow",
        str_strip_whitespace=True,
        populate_by_name=True,
        json_schema_extra={
            "examples": [
                {
                    "name": "Ana García",
                    "email": "ana@importadora.es",
                    "company": "Importadora Sol S.L.",
                    "country": "ES",
                    "phone": "+34 612 345 678",
                    "subject": "LED panels",
                    "quantity": "2,000 pcs",
                    "message": "Please quote 2,000 pcs of 600x600 LED panels, CIF Valencia.",
                    "locale": "es",
                    "consent": True,
                }
            ]
        },
    )

    name: Annotated[str | None, _text(200, description="The buyer's name, any script.")]
    email: str = Field(
        max_length=320,
        validation_alias=AliasChoices("email", "_replyto"),
        description="The buyer's address; `_replyto` is accepted as well.",
    )
    company: Annotated[str | None, _text(200)]
    country: Annotated[str | None, _text(100, description="ISO 3166 code or a country name.")]
    phone: Annotated[str | None, _text(50, description="Any format; stored as E.164 when parseable.")]
    website: Annotated[str | None, _text(500)]
    subject: Annotated[str | None, _text(300, "subject", "_subject", "topic")]
    product: Annotated[str | None, _text(300)]
    quantity: Annotated[str | None, _text(100)]
    message: str = Field(description=f"Required, at most {MAX_MESSAGE_CHARS:,} characters.")
    locale: Annotated[str | None, _text(35, description="BCP 47 language tag, e.g. `zh-CN`.")]
    consent: bool = Field(default=False, description="Privacy-policy consent checkbox.")
    marketing_opt_in: bool = Field(default=False, description="Separate opt-in to marketing mail.")
    page_url: Annotated[str | None, _text(2_000)]
    utm_source: Annotated[str | None, _text(200)]
    utm_medium: Annotated[str | None, _text(200)]
    utm_campaign: Annotated[str | None, _text(200)]
    utm_term: Annotated[str | None, _text(200)]
    utm_content: Annotated[str | None, _text(200)]
    honeypot: Annotated[
        str | None,
        _text(2_000, "_gotcha", "honeypot", description="Left empty by people; bots fill it in."),
    ]
    rendered_at: datetime | None = Field(
        default=None,
        validation_alias=AliasChoices("rendered_at", "_rendered_at"),
        description="When the form was rendered: epoch seconds or milliseconds, or ISO 8601.",
    )
    redirect: Annotated[
        str | None,
        _text(2_000, "redirect", "_next", description="Thank-you URL on an allowed origin."),
    ]
    captcha_token: Annotated[str | None, _text(4_096, "captcha_token", *_CAPTCHA_FIELDS)]

    @model_validator(mode="before")
    @classmethod
    def _unwrap_form_values(cls, data: Any) -> Any:
        """Form posts parse to lists; blank optional inputs mean "not given"."""
        if not isinstance(data, dict):
            return data
        flat: dict[str, Any] = {}
        for key, raw in data.items():
            value = _single_value(raw) if isinstance(raw, list) else raw
            if value == "" and key not in ("email", "_replyto", "message"):
                continue
            flat[str(key)] = value
        return flat

    @field_validator("email")
    @classmethod
    def _email_is_an_address(cls, value: str) -> str:
        from email_validator import EmailNotValidError, validate_email

        try:
            # No DNS on the request path: an undeliverable address is still a lead to look at.
            return validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError as error:
            raise PydanticCustomError("email", "{reason}", {"reason": str(error)}) from None

    @field_validator("message")
    @classmethod
    def _message_within_limit(cls, value: str) -> str:
        if not value:
            raise PydanticCustomError("message_missing", "Please write a message.")
        if len(value) > MAX_MESSAGE_CHARS:
            raise PydanticCustomError(
                "message_too_long",
                "The message has {length} characters; the limit is {limit}.",
                {"length": f"{len(value):,}", "limit": f"{MAX_MESSAGE_CHARS:,}"},
            )
        return value

    @field_validator("consent", "marketing_opt_in", mode="before")
    @classmethod
    def _checkbox(cls, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in _TRUE_WORDS

    @field_validator("locale")
    @classmethod
    def _locale_tag(cls, value: str | None) -> str | None:
        # A malformed tag is the site's mistake, not the buyer's: ignore it rather than reject.
        if not value or not _LOCALE.match(value):
            return None
        first, *rest = value.replace("_", "-").split("-")
        return "-".join([first.lower(), *(p.upper() if len(p) == 2 else p for p in rest)])

    @field_validator("country")
    @classmethod
    def _country_code(cls, value: str | None) -> str | None:
        if value and len(value) == 2 and value.isalpha():
            return value.upper()
        return value

    @field_validator("rendered_at", mode="before")
    @classmethod
    def _timestamp(cls, value: Any) -> Any:
        # A junk timestamp is a screening signal, not a reason to reject the buyer.
        if value in (None, ""):
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            try:
                return datetime.fromisoformat(str(value))
            except ValueError:
                return None
        if number > 1e11:  # milliseconds, as JavaScript's Date.now() gives
            number /= 1000
        try:
            return datetime.fromtimestamp(number, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None

    def extra_fields(self) -> tuple[dict[str, str], bool]:
        """Fields the model does not know, kept on the inquiry within bounds; True when some were cut."""
        kept: dict[str, str] = {}
        truncated = False
        for key, value in (self.model_extra or {}).items():
            if not isinstance(value, str | int | float | bool):
                truncated = True  # file uploads and nested objects are not kept
                continue
            text = value if isinstance(value, str) else str(value)
            if len(kept) >= MAX_EXTRA_FIELDS:
                truncated = True
                break
            if len(key) > MAX_EXTRA_KEY_CHARS or len(text) > MAX_EXTRA_VALUE_CHARS:
                truncated = True
            kept[key[:MAX_EXTRA_KEY_CHARS]] = text[:MAX_EXTRA_VALUE_CHARS]
        return kept, truncated

    def utm(self) -> dict[str, str]:
        fields = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
        return {f.removeprefix("utm_"): v for f in fields if (v := getattr(self, f))}
