"""Each function's settings, built from the environment it is handed (template.yaml's variables,
or the local stack's, or a test's). Only the functions' composition roots read `os.environ`
(functions/<name>/app.py hands it to entry/<name>_function.py at init); a variable the function
cannot work without is checked here, so a missing one fails the start, naming it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from inquiry_router.base.browser_urls import BrowserUrl, browser_origin, parse_browser_url
from inquiry_router.base.observability import ObservabilitySettings

CaptchaProvider = Literal["none", "turnstile", "recaptcha", "hcaptcha"]


class MissingSetting(ValueError):
    """A variable the function cannot work without is not set."""


def _required(environ: Mapping[str, str], name: str) -> str:
    value = (environ.get(name) or "").strip()
    if not value:
        raise MissingSetting(
            f"{name} is not set: template.yaml sets it for every function (the local stack and the "
            "tests set it too); a function without it cannot store or read anything"
        )
    return value


def _split_list(raw: str | None) -> list[str]:
    return [item.strip() for item in (raw or "").split(",") if item.strip()]


def _configured_url(environ: Mapping[str, str], name: str) -> str | None:
    """A URL from the stack's parameters, as browsers will read it; a malformed one is left out
    (the built-in page is shown instead) and logged, so a typo never fails a stored inquiry."""
    raw = environ.get(name) or None
    url = parse_browser_url(raw)
    if raw and url is None:
        from inquiry_router.base.observability import logger

        logger.error(f"{name} is not an absolute http(s) URL a browser can open; using the built-in page")
    return url.href if url else None


class InvalidSetting(ValueError):
    """A variable is set to a value the function cannot work with."""


# The stack's parameters (template.yaml) allow the same ranges, so a deploy refuses what would fail here.
CLOSED_INQUIRY_RETENTION_MAX_DAYS = 3650
SPAM_RETENTION_MAX_DAYS = 365
# Statuses that end an inquiry with an outcome (models/lifecycle.py's final ones but spam).
_CLOSED_STATUSES = frozenset({"won", "lost", "closed"})


class Retention(BaseModel):
    """How long ended inquiries are kept before the table's TTL deletes them (`expires_at`)."""

    # 0 keeps closed inquiries for good: a seller's won and lost deals are often records it must keep.
    closed_inquiry_days: int = Field(default=730, ge=0, le=CLOSED_INQUIRY_RETENTION_MAX_DAYS)
    spam_days: int = Field(default=30, ge=1, le=SPAM_RETENTION_MAX_DAYS)

    @property
    def spam(self) -> timedelta:
        return timedelta(days=self.spam_days)

    def expires_at(self, status: str, at: datetime) -> int | None:
        """The TTL (epoch seconds) of an inquiry that reaches `status` at `at`; None: kept."""
        if status == "spam":
            return int((at + self.spam).timestamp())
        if status in _CLOSED_STATUSES and self.closed_inquiry_days:
            return int((at + timedelta(days=self.closed_inquiry_days)).timestamp())
        return None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Retention:
        """Both variables are required: a function that guessed would delete a seller's records on a
        schedule nobody chose."""
        days = {}
        for field_name, name in _VARIABLES.items():
            value = (environ.get(name) or "").strip()
            if not value:
                raise MissingSetting(
                    f"{name} is not set: template.yaml sets it for every function from the "
                    f"{_PARAMETERS[name]} parameter (the local stack and the tests set it too)"
                )
            days[field_name] = value
        try:
            return cls.model_validate(days)
        except ValidationError as error:
            problem = error.errors()[0]
            name = {
                "closed_inquiry_days": "CLOSED_INQUIRY_RETENTION_DAYS",
                "spam_days": "SPAM_RETENTION_DAYS",
            }[str(problem["loc"][0])]
            raise InvalidSetting(
                f"{name} is {environ.get(name)!r}: {problem['msg'].lower()} (days, a whole number; "
                f"template.yaml's {_PARAMETERS[name]} parameter sets it)"
            ) from None


_VARIABLES = {"closed_inquiry_days": "CLOSED_INQUIRY_RETENTION_DAYS", "spam_days": "SPAM_RETENTION_DAYS"}
_PARAMETERS = {
    "CLOSED_INQUIRY_RETENTION_DAYS": "ClosedInquiryRetentionDays",
    "SPAM_RETENTION_DAYS": "SpamRetentionDays",
}


class RateLimits(BaseModel):
    window_seconds: int = Field(default=600, ge=10)
    per_ip: int = Field(default=20, ge=1)
    per_email: int = Field(default=5, ge=1)


class IntakeSettings(BaseModel):
    table_name: str
    company_name: str = "Our company"
    company_domains: list[str] = []
    allowed_origins: list[str] = []
    thank_you_url: str | None = None
    error_url: str | None = None
    min_fill_seconds: float = 3.0
    rate_limits: RateLimits = RateLimits()
    captcha_provider: CaptchaProvider = "none"
    captcha_secret_parameter: str | None = None
    # Only overridden by tests and the local stack, which use a fake verifier.
    captcha_verify_url: str | None = None
    guard_salt: str = ""  # the per-stack key of guard digests (base/digests.py)
    retention: Retention = Retention()
    observability: ObservabilitySettings = ObservabilitySettings()

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> IntakeSettings:
        provider = environ.get("CAPTCHA_PROVIDER") or "none"
        if provider != "none" and not environ.get("CAPTCHA_SECRET_PARAMETER"):
            raise MissingSetting(
                f"CAPTCHA_PROVIDER is {provider} but CAPTCHA_SECRET_PARAMETER is empty: set the "
                "CaptchaSecretParameter stack parameter to the SSM parameter holding the secret"
            )
        origins = [o for o in (browser_origin(u) for u in _split_list(environ.get("ALLOWED_ORIGINS"))) if o]
        return cls(
            table_name=_required(environ, "TABLE_NAME"),
            company_name=environ.get("COMPANY_NAME") or "Our company",
            company_domains=[d.lower() for d in _split_list(environ.get("COMPANY_DOMAINS"))],
            allowed_origins=origins,
            thank_you_url=_configured_url(environ, "THANK_YOU_URL"),
            error_url=_configured_url(environ, "ERROR_URL"),
            min_fill_seconds=float(environ.get("MIN_FILL_SECONDS") or 3.0),
            rate_limits=RateLimits(
                window_seconds=int(environ.get("RATE_LIMIT_WINDOW_SECONDS") or 600),
                per_ip=int(environ.get("RATE_LIMIT_PER_IP") or 20),
                per_email=int(environ.get("RATE_LIMIT_PER_EMAIL") or 5),
            ),
            captcha_provider=provider,  # type: ignore[arg-type]
            captcha_secret_parameter=environ.get("CAPTCHA_SECRET_PARAMETER") or None,
            captcha_verify_url=environ.get("CAPTCHA_VERIFY_URL") or None,
            guard_salt=environ.get("GUARD_SALT", ""),
            retention=Retention.from_environment(environ),
            observability=ObservabilitySettings.from_environment(environ),
        )

    def is_allowed_origin(self, url: str | None) -> bool:
        return self.allowed_url(url) is not None

    def allowed_url(self, url: str | None) -> BrowserUrl | None:
        """`url` as a browser reads it, when it leads to one of the allowed origins; else None."""
        parsed = parse_browser_url(url)
        return parsed if parsed is not None and parsed.origin in self.allowed_origins else None


class PipelineSettings(BaseModel):
    """Settings of the asynchronous functions (router, mailer, inbound mail)."""

    table_name: str
    mail_queue_url: str = ""
    company_name: str = "Our company"
    company_domains: list[str] = []
    company_website: str | None = None
    configuration_set: str | None = None
    reply_bcc_address: str | None = None  # the logging address reps BCC (received by inbound mail)
    outbox_dir: str | None = None  # the local stack's outbox; never set in AWS
    config_cache_seconds: float = 30.0
    # Inbound mail: SES's S3 action writes raw/<SES message id>; attachments are copied out beside it.
    raw_mail_bucket: str = ""
    raw_mail_prefix: str = "raw/"
    attachment_prefix: str = "attachments/"
    attachment_link_hours: int = 72
    files_url: str | None = None  # the stack's GET /files/{token}: links in reps' mail (mail/links.py)
    # The stack's /actions/{token}: the one-click actions of a notification, and how long they work.
    actions_url: str | None = None
    action_link_days: int = Field(default=30, ge=1, le=365)
    guard_salt: str = ""  # the per-stack key of guard digests (base/digests.py)
    inbound_domain: str | None = None  # the domain SES receives mail for (in.example.com)
    # Named with the rep in every acknowledgement's Reply-To, so a buyer's reply reaches both the
    # rep's mailbox and (through SES) the inquiry's timeline. None: Reply-To is the rep alone.
    thread_reply_address: str | None = None
    retention: Retention = Retention()
    observability: ObservabilitySettings = ObservabilitySettings()

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> PipelineSettings:
        local_dir = environ.get("INQUIRY_ROUTER_LOCAL_DIR")
        inbound_domain = (environ.get("INBOUND_DOMAIN") or "").strip().lower() or None
        return cls(
            table_name=_required(environ, "TABLE_NAME"),
            mail_queue_url=environ.get("MAIL_QUEUE_URL", ""),
            company_name=environ.get("COMPANY_NAME") or "Our company",
            company_domains=[d.lower() for d in _split_list(environ.get("COMPANY_DOMAINS"))],
            company_website=environ.get("COMPANY_WEBSITE") or None,
            configuration_set=environ.get("SES_CONFIGURATION_SET") or None,
            reply_bcc_address=environ.get("REPLY_BCC_ADDRESS") or None,
            outbox_dir=str(PurePath(local_dir, "outbox")) if local_dir else None,
            config_cache_seconds=float(environ.get("ROUTING_CONFIG_CACHE_SECONDS") or 30.0),
            raw_mail_bucket=environ.get("RAW_MAIL_BUCKET", ""),
            raw_mail_prefix=environ.get("RAW_MAIL_PREFIX") or "raw/",
            attachment_prefix=environ.get("ATTACHMENT_PREFIX") or "attachments/",
            attachment_link_hours=int(environ.get("ATTACHMENT_LINK_HOURS") or 72),
            files_url=environ.get("FILES_URL") or None,
            actions_url=environ.get("ACTIONS_URL") or None,
            action_link_days=int(environ.get("ACTION_LINK_DAYS") or 30),
            guard_salt=environ.get("GUARD_SALT", ""),
            inbound_domain=inbound_domain,
            thread_reply_address=_thread_reply_address(environ, inbound_domain),
            retention=Retention.from_environment(environ),
            observability=ObservabilitySettings.from_environment(environ),
        )

    @property
    def primary_domain(self) -> str:
        return self.company_domains[0] if self.company_domains else "localhost"


def _thread_reply_address(environ: Mapping[str, str], inbound_domain: str | None) -> str | None:
    """THREAD_REPLY_ADDRESS, else reply@ the inbound domain, else reply@ the logging address's
    domain (which SES receives too); None when the stack receives no mail at all."""
    explicit = (environ.get("THREAD_REPLY_ADDRESS") or "").strip().lower()
    if explicit:
        return explicit
    domain = inbound_domain or (environ.get("REPLY_BCC_ADDRESS") or "").strip().lower().rpartition("@")[2]
    return f"reply@{domain}" if domain else None
