"""Routing configuration as data: teams, reps and rules, as declared in routing.yaml.

Validated here with messages an admin can act on; applied to the table as config items by
`inquiry-router config apply`. Rep addresses must be on a company domain: buyers trust it, and
the records stay company property when a rep leaves.
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from inquiry_router.base.addresses import address_signals, normalise_email, on_company_domain

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class BusinessHours(_Strict):
    days: list[Weekday] = ["mon", "tue", "wed", "thu", "fri"]
    start: time = time(9, 0)
    end: time = time(18, 0)

    @field_validator("start", "end", mode="before")
    @classmethod
    def _quoted_time(cls, value: object) -> object:
        # YAML 1.1 reads an unquoted 18:00 as the number 1080, which would pass as 00:18.
        if isinstance(value, int) and not isinstance(value, bool):
            raise ValueError("write times in quotes, e.g. '09:00': unquoted, YAML reads 18:00 as a number")
        return value

    @model_validator(mode="after")
    def _end_after_start(self) -> BusinessHours:
        if self.end <= self.start:
            raise ValueError(
                f"business hours end ({self.end:%H:%M}) must be after start ({self.start:%H:%M})"
            )
        if not self.days:
            raise ValueError("business hours need at least one day")
        return self


class SlaPolicy(_Strict):
    """What happens while an inquiry waits for its owner's first answer (models/sla.py), counted in
    the team's working time from the buyer's arrival, snoozes and the owner's absences left out."""

    remind_at_percent: int | None = Field(
        default=75, ge=1, le=99, description="of response_time_hours: remind the owner then (null: never)"
    )
    escalate: bool = Field(default=True, description="at response_time_hours, tell the fallback address")
    reassign_after_hours: int | None = Field(
        default=None, ge=1, le=24 * 14, description="working hours: give it to the next eligible rep"
    )


def _company_address(value: str, info: ValidationInfo, what: str) -> str:
    address = normalise_email(value)
    if "@" not in address:
        raise ValueError(f"{what} {value!r} is not an email address")
    domains: list[str] = (info.context or {}).get("company_domains", [])
    signals = address_signals(address)
    if signals.free_mail or signals.disposable:
        raise ValueError(
            f"{what} {value!r} is on a free-mail domain ({signals.domain}): use the company mailbox, "
            "so buyers trust it and the records stay with the company when a rep leaves"
        )
    if domains and not on_company_domain(address, domains):
        raise ValueError(f"{what} {value!r} is not on a company domain ({', '.join(domains)})")
    return address


def _languages(values: list[str]) -> list[str]:
    cleaned = [v.strip().lower().split("-")[0] for v in values]
    for value in cleaned:
        if not _LANGUAGE.match(value):
            raise ValueError(f"{value!r} is not a language code like 'en', 'zh' or 'es'")
    return cleaned


class Team(_Strict):
    key: str
    name: str
    sending_address: str
    timezone: str = "UTC"
    business_hours: BusinessHours = BusinessHours()
    languages: list[str] = ["en"]
    response_time_hours: int = Field(default=24, ge=1, le=24 * 14)
    fallback_address: str
    working_hours_only: bool = Field(
        default=False, description="assign only to reps inside the team's business hours"
    )
    sla: SlaPolicy = SlaPolicy()
    # Who gets the weekly digest and the SLA escalations; the fallback address when not given.
    manager_address: str | None = None

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        if not _KEY.match(value):
            raise ValueError(
                f"team key {value!r}: use lower-case letters, digits and dashes (e.g. 'export-eu')"
            )
        return value

    @property
    def manager(self) -> str:
        return self.manager_address or self.fallback_address

    @field_validator("manager_address")
    @classmethod
    def _manager(cls, value: str | None, info: ValidationInfo) -> str | None:
        return None if value is None else _company_address(value, info, "manager address")

    @field_validator("sending_address", "fallback_address")
    @classmethod
    def _addresses(cls, value: str, info: ValidationInfo) -> str:
        address = _company_address(
            value, info, info.field_name.replace("_", " ") if info.field_name else "address"
        )
        domains: list[str] = (info.context or {}).get("company_domains", [])
        sending_domain = domains[0] if domains else None
        if (
            info.field_name == "sending_address"
            and sending_domain
            and not address.endswith(f"@{sending_domain}")
        ):
            # The stack's SES identity is the first company domain: SES refuses any other sender.
            raise ValueError(
                f"sending address {value!r} must be on {sending_domain}, the stack's sending domain "
                "(the first of CompanyDomains)"
            )
        return address

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r}: use an IANA name like 'Asia/Shanghai'") from None
        return value

    @field_validator("languages")
    @classmethod
    def _team_languages(cls, values: list[str]) -> list[str]:
        return _languages(values)


class Absence(_Strict):
    start: date = Field(alias="from")
    until: date

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _ordered(self) -> Absence:
        if self.until < self.start:
            raise ValueError(f"out-of-office period ends ({self.until}) before it starts ({self.start})")
        return self


class Rep(_Strict):
    email: str
    name: str
    teams: list[str] = Field(min_length=1)
    weight: Annotated[int, Field(ge=1, le=20)] = 1
    languages: list[str] = []
    countries: list[str] = []
    capacity: Annotated[int, Field(ge=1, le=10_000)] = 50
    active: bool = True
    out_of_office: list[Absence] = []
    # Shown to buyers under the rep's name in the acknowledgement; any format, as the rep writes it.
    phone: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    title: Annotated[str, Field(min_length=1, max_length=80)] | None = None
    # The morning mail of their open inquiries, each one click from its actions.
    morning_digest: bool = True

    @field_validator("email")
    @classmethod
    def _email(cls, value: str, info: ValidationInfo) -> str:
        return _company_address(value, info, "rep address")

    @field_validator("languages")
    @classmethod
    def _rep_languages(cls, values: list[str]) -> list[str]:
        return _languages(values)

    @field_validator("countries")
    @classmethod
    def _countries(cls, values: list[str]) -> list[str]:
        upper = [v.strip().upper() for v in values]
        for value in upper:
            if not _COUNTRY.match(value):
                raise ValueError(f"{value!r} is not an ISO 3166 country code like 'DE' or 'CN'")
        return upper

    def is_away_on(self, day: date) -> bool:
        return any(a.start <= day <= a.until for a in self.out_of_office)


class RuleMatch(_Strict):
    channel: list[Literal["form", "mail"]] = []
    topic: list[str] = Field(default=[], description="form subject or product, case-insensitive")
    recipient: list[str] = Field(default=[], description="address the mail was sent to, e.g. quotation@…")
    country: list[str] = []
    language: list[str] = []

    @field_validator("channel", "topic", "recipient", "country", "language", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value


class Rule(_Strict):
    match: RuleMatch
    team: str


class Label(_Strict):
    """A tag the team puts on inquiries, beside the status: "key account", "tender", "OEM"."""

    key: str
    name: Annotated[str, Field(min_length=1, max_length=40)]

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        if not _KEY.match(value):
            raise ValueError(
                f"label key {value!r}: use lower-case letters, digits and dashes (e.g. 'key-account')"
            )
        return value


class RoutingConfig(_Strict):
    teams: list[Team] = Field(min_length=1)
    reps: list[Rep] = []
    rules: list[Rule] = []
    default_team: str
    labels: list[Label] = []

    def label_names(self) -> dict[str, str]:
        return {label.key: label.name for label in self.labels}

    def team_or_default(self, key: str | None) -> Team:
        """The team `key` names, else the default team (no team yet, or one removed since)."""
        named = next((team for team in self.teams if team.key == key), None)
        return named or next(team for team in self.teams if team.key == self.default_team)

    def rep(self, email: str | None) -> Rep | None:
        """The rep with this (normalised) address; None for a team address or an unknown one."""
        return next((rep for rep in self.reps if rep.email == email), None) if email else None

    @model_validator(mode="after")
    def _references_exist(self) -> RoutingConfig:
        keys = [t.key for t in self.teams]
        if len(set(keys)) != len(keys):
            raise ValueError(
                f"team keys must be unique: {', '.join(sorted(k for k in keys if keys.count(k) > 1))}"
            )
        emails = [r.email for r in self.reps]
        if len(set(emails)) != len(emails):
            raise ValueError(
                f"reps listed twice: {', '.join(sorted({e for e in emails if emails.count(e) > 1}))}"
            )
        known = set(keys)
        if self.default_team not in known:
            raise ValueError(f"default_team {self.default_team!r} is not a team (teams: {', '.join(keys)})")
        for rep in self.reps:
            for team in rep.teams:
                if team not in known:
                    raise ValueError(
                        f"rep {rep.email} is in team {team!r}, which is not declared "
                        f"(teams: {', '.join(keys)})"
                    )
        labels = [label.key for label in self.labels]
        if len(set(labels)) != len(labels):
            raise ValueError(
                f"label keys must be unique: {', '.join(sorted({k for k in labels if labels.count(k) > 1}))}"
            )
        for number, rule in enumerate(self.rules, start=1):
            if rule.team not in known:
                raise ValueError(
                    f"rule {number} sends to team {rule.team!r}, which is not declared "
                    f"(teams: {', '.join(keys)})"
                )
        return self
