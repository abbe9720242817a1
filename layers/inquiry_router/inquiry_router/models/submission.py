"""The web form's submission as it arrives: JSON from `fetch()` or an HTML form post.

One model serves both content types (form posts arrive as lists of values) and the field
conventions of common form backends (`_replyto`, `_subject`, `_gotcha`, `_next`), so a site
switches by changing its form's `action` URL only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AliasChoices,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

MAX_EMAIL_CHARS = 254  # RFC 5321's limit for a forward path, which email-validator enforces
MAX_MESSAGE_CHARS = 10_000
MAX_EXTRA_FIELDS = 20
MAX_EXTRA_KEY_CHARS = 64
MAX_EXTRA_VALUE_CHARS = 1_000

_TRUE_WORDS = {"on", "true", "1", "yes", "y", "checked"}
_LOCALE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
_CAPTCHA_FIELDS = ("cf-turnstile-response", "g-recaptcha-response", "h-captcha-response")
# email-validator refuses these top-level domains (special use, never globally deliverable);
# the schema says so too (tests/unit/test_submission_model.py keeps the two lists equal).
SPECIAL_USE_DOMAINS = ("arpa", "invalid", "local", "localhost", "onion", "test")


def _any_case(word: str) -> str:
    return "".join(f"[{c.upper()}{c}]" for c in word)


# Documents what email-validator accepts (it is not what validates): no quoted local part, no
# [IP] literal, a dot in the domain, no special-use top-level domain.
EMAIL_PATTERN = (
    r'^[^\s@"]+@(?!\[)(?![\s\S]*\.(?:'
    + "|".join(_any_case(name) for name in SPECIAL_USE_DOMAINS)
    + r")\.?$)[^\s@]+\.[^\s@]+$"
)
# What str.strip() removes, spelled out: JSON Schema's \s (ECMA-262) is another set (it lacks
# U+0085 and U+001C-U+001F, and has U+FEFF), so `\S` would document a different rule.
PYTHON_SPACES = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NOT_ONLY_SPACES = f"[^{PYTHON_SPACES.encode('unicode_escape').decode()}]"
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
# The consent proof's fields (models/consent.py), checked as sent, so what the schema documents is
# what is accepted. A URL as a browser serialises it (`location.href`, `new URL(…).href`): http(s),
# a host name or an IP, an optional port, then printable ASCII (browsers percent-encode the rest).
MAX_URL_CHARS = 2_000
# Empty, or the text `null` (what `FormData.append(name, null)` sends), means not given. Matched
# with fullmatch: Python's `$` also matches before a final newline, JSON Schema's does not.
_NOT_GIVEN = r"^(?:null)?$|"
HTTP_URL_PATTERN = (
    _NOT_GIVEN + r"^[Hh][Tt][Tt][Pp][Ss]?://"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?"
    r"|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?(?:[/?#][!-~]*)?$"
)
MAX_TEXT_VERSION_CHARS = 64
TEXT_VERSION_PATTERN = _NOT_GIVEN + r"^[A-Za-z0-9][A-Za-z0-9._:+/-]*$"
SHA256_PATTERN = _NOT_GIVEN + r"^[0-9A-Fa-f]{64}$"
_HTTP_URL = re.compile(HTTP_URL_PATTERN)
_TEXT_VERSION = re.compile(TEXT_VERSION_PATTERN)
_SHA256 = re.compile(SHA256_PATTERN)
# How the two field kinds that are not plain text are documented: what JSON callers may send, and
# what a form post sends (every value is text there).
_CHECKBOX_SCHEMA = WithJsonSchema(
    {
        "anyOf": [{"type": "boolean"}, {"type": "string"}],
        "default": False,
        "description": "A checkbox: true, or a checked box's value (on, true, 1, yes); else unchecked.",
    }
)
_TIMESTAMP_SCHEMA = WithJsonSchema(
    {
        "anyOf": [{"type": "number"}, {"type": "string"}, {"type": "null"}],
        "description": (
            "When the form was rendered: epoch seconds or milliseconds, or ISO 8601 with an offset. "
            "A value that cannot be read as such is ignored."
        ),
    }
)


def is_http_url(value: str | None) -> bool:
    """Whether `value` is a URL the `page_url` and `privacy_policy_url` fields accept."""
    return (
        value not in (None, "", "null")
        and len(value or "") <= MAX_URL_CHARS
        and bool(_HTTP_URL.fullmatch(value or ""))
    )


def replace_lone_surrogates(value: Any) -> Any:
    """Text as browsers send it: a lone UTF-16 surrogate (only a script can send one, as a JSON
    escape) becomes U+FFFD, as a browser's form encoding does; the rest of the text is kept."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [replace_lone_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {replace_lone_surrogates(k): replace_lone_surrogates(v) for k, v in value.items()}
    return value


def form_fields(multi: Mapping[str, list[Any]]) -> dict[str, Any]:
    """A form post's {name: [values]} as the model takes it: each field's values as one (the
    value, "" when blank, or repeated values joined). Only forms repeat names; in JSON a list is
    a list, and refused where the schema wants text."""
    return {name: _single_value(values) for name, values in multi.items()}


def _single_value(values: list[Any]) -> Any:
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
        max_length=MAX_EMAIL_CHARS,
        validation_alias=AliasChoices("email", "_replyto"),
        description="The buyer's address; `_replyto` is accepted as well.",
        json_schema_extra={"format": "email", "minLength": 3, "pattern": EMAIL_PATTERN},
    )
    company: Annotated[str | None, _text(200)]
    country: Annotated[str | None, _text(100, description="ISO 3166 code or a country name.")]
    phone: Annotated[str | None, _text(50, description="Any format; stored as E.164 when parseable.")]
    website: Annotated[str | None, _text(500)]
    subject: Annotated[str | None, _text(300, "subject", "_subject", "topic")]
    product: Annotated[str | None, _text(300)]
    quantity: Annotated[str | None, _text(100)]
    message: str = Field(
        description=f"Required, at most {MAX_MESSAGE_CHARS:,} characters, not only spaces.",
        json_schema_extra={"minLength": 1, "maxLength": MAX_MESSAGE_CHARS, "pattern": NOT_ONLY_SPACES},
    )
    locale: Annotated[str | None, _text(35, description="BCP 47 language tag, e.g. `zh-CN`.")]
    consent: Annotated[bool, _CHECKBOX_SCHEMA] = Field(default=False, description="Privacy-policy consent.")
    marketing_opt_in: Annotated[bool, _CHECKBOX_SCHEMA] = Field(
        default=False, description="Separate opt-in to marketing mail."
    )
    page_url: str | None = Field(
        default=None,
        description="The page the form was sent from (`location.href`): an http(s) URL.",
        json_schema_extra={"maxLength": MAX_URL_CHARS, "pattern": HTTP_URL_PATTERN},
    )
    consent_text_version: str | None = Field(
        default=None,
        description=(
            "Which consent text was shown beside the `consent` checkbox: your version name for it, "
            "e.g. `2025-03-01` (letters, digits and . _ : + / -)."
        ),
        json_schema_extra={"maxLength": MAX_TEXT_VERSION_CHARS, "pattern": TEXT_VERSION_PATTERN},
    )
    consent_text_sha256: str | None = Field(
        default=None,
        description="The SHA-256 of the consent text shown, as 64 hexadecimal digits.",
        json_schema_extra={"pattern": SHA256_PATTERN},
    )
    privacy_policy_url: str | None = Field(
        default=None,
        description="The privacy policy the consent text links to: an http(s) URL.",
        json_schema_extra={"maxLength": MAX_URL_CHARS, "pattern": HTTP_URL_PATTERN},
    )
    marketing_text_version: str | None = Field(
        default=None,
        description="Which text was shown beside `marketing_opt_in` (named as `consent_text_version`).",
        json_schema_extra={"maxLength": MAX_TEXT_VERSION_CHARS, "pattern": TEXT_VERSION_PATTERN},
    )
    marketing_text_sha256: str | None = Field(
        default=None,
        description="The SHA-256 of the marketing opt-in text shown, as 64 hexadecimal digits.",
        json_schema_extra={"pattern": SHA256_PATTERN},
    )
    utm_source: Annotated[str | None, _text(200)]
    utm_medium: Annotated[str | None, _text(200)]
    utm_campaign: Annotated[str | None, _text(200)]
    utm_term: Annotated[str | None, _text(200)]
    utm_content: Annotated[str | None, _text(200)]
    honeypot: Annotated[
        str | None,
        _text(2_000, "_gotcha", "honeypot", description="Left empty by people; bots fill it in."),
    ]
    rendered_at: Annotated[AwareDatetime | None, _TIMESTAMP_SCHEMA] = Field(
        default=None, validation_alias=AliasChoices("rendered_at", "_rendered_at")
    )
    redirect: Annotated[
        str | None,
        _text(2_000, "redirect", "_next", description="Thank-you URL on an allowed origin."),
    ]
    captcha_token: Annotated[str | None, _text(4_096, "captcha_token", *_CAPTCHA_FIELDS)]

    @model_validator(mode="before")
    @classmethod
    def _blank_means_not_given(cls, data: Any) -> Any:
        """Blank optional inputs mean "not given"; text is made valid Unicode."""
        if not isinstance(data, dict):
            return data
        return {
            str(key): value
            for key, value in replace_lone_surrogates(data).items()
            if value != "" or key in ("email", "_replyto", "message")
        }

    @field_validator("*", mode="after")
    @classmethod
    def _strip_spaces(cls, value: Any) -> Any:
        # After the length limits, which count what was sent (as the schema's maxLength does).
        return value.strip() if isinstance(value, str) else value

    @field_validator("email")
    @classmethod
    def _email_is_an_address(cls, value: str) -> str:
        from email_validator import EmailNotValidError, validate_email

        try:
            # No DNS on the request path: an undeliverable address is still a lead to look at.
            return validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError as error:
            raise PydanticCustomError("email", "{reason}", {"reason": str(error)}) from None

    @field_validator("message", mode="before")
    @classmethod
    def _message_within_limit(cls, value: Any) -> Any:
        if isinstance(value, str) and len(value) > MAX_MESSAGE_CHARS:
            raise PydanticCustomError(
                "message_too_long",
                "The message has {length} characters; the limit is {limit}.",
                {"length": f"{len(value):,}", "limit": f"{MAX_MESSAGE_CHARS:,}"},
            )
        return value

    @field_validator("message")
    @classmethod
    def _message_written(cls, value: str) -> str:
        if not value:
            raise PydanticCustomError("message_missing", "Please write a message.")
        return value

    @field_validator("consent", "marketing_opt_in", mode="before")
    @classmethod
    def _checkbox(cls, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            return value.strip().lower() in _TRUE_WORDS
        raise PydanticCustomError("bool_parsing", "This must be checked or left empty.")

    @field_validator("page_url", "privacy_policy_url", mode="before")
    @classmethod
    def _http_url(cls, value: Any) -> Any:
        if not isinstance(value, str) or value == "null":
            return None if value == "null" else value  # else refused by the field's type
        if len(value) > MAX_URL_CHARS:
            raise PydanticCustomError(
                "url_too_long",
                "This URL has {length} characters; the limit is {limit}.",
                {"length": f"{len(value):,}", "limit": f"{MAX_URL_CHARS:,}"},
            )
        if not _HTTP_URL.fullmatch(value):
            raise PydanticCustomError(
                "http_url",
                "This must be an absolute http(s) URL as a browser writes it (location.href), "
                "e.g. https://www.example.com/contact.",
            )
        return value

    @field_validator("consent_text_version", "marketing_text_version", mode="before")
    @classmethod
    def _text_version(cls, value: Any) -> Any:
        if value == "null":
            return None
        if isinstance(value, str) and (
            len(value) > MAX_TEXT_VERSION_CHARS or not _TEXT_VERSION.fullmatch(value)
        ):
            raise PydanticCustomError(
                "text_version",
                "This must be the text's version name: up to {limit} letters, digits and . _ : + / -, "
                "e.g. 2025-03-01.",
                {"limit": MAX_TEXT_VERSION_CHARS},
            )
        return value

    @field_validator("consent_text_sha256", "marketing_text_sha256", mode="before")
    @classmethod
    def _sha256(cls, value: Any) -> Any:
        if not isinstance(value, str) or value == "null":
            return None if value == "null" else value
        if not _SHA256.fullmatch(value):
            raise PydanticCustomError(
                "sha256", "This must be the SHA-256 of the text shown, as 64 hexadecimal digits."
            )
        return value.lower()

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
    def _timestamp(cls, value: Any) -> datetime | None:
        # A junk timestamp is a screening signal, not a reason to reject the buyer; only a JSON
        # value that is neither number nor text (a script's mistake) is refused.
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise PydanticCustomError(
                "timestamp_type", "This must be epoch milliseconds or an ISO 8601 time, as text or a number."
            )
        try:
            number = float(value)
        except ValueError:
            return _aware_iso_time(str(value))
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
            if not isinstance(value, str | int | float | bool) or not key:
                truncated = True  # file uploads, nested objects and unnamed fields are not kept
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


def _aware_iso_time(text: str) -> datetime | None:
    """An ISO 8601 time in UTC; None without an offset (whose local time it is, is unknown, and
    guessing could make an honest form look filled in seconds) or out of datetime's range."""
    try:
        moment = datetime.fromisoformat(text)
        return moment.astimezone(UTC) if moment.tzinfo is not None else None
    except (ValueError, OverflowError):
        return None
