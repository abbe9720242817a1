"""A buyer as stored: the contact (`CONTACT#<email>` / `PROFILE`), the events on their timeline
(`CONTACT#<email>` / `EVENT#<time>#<id>`), and their company's account (`ACCOUNT#<domain>` /
`PROFILE`). See models/stored.py for how each mapping is written.

A timeline event's contact and id are its key (adapters/keys.py), not attributes: the adapter
that writes it places it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from inquiry_router.base.timestamps import iso_timestamp, parse_timestamp
from inquiry_router.models.consent import PARTS as CONSENT_PARTS
from inquiry_router.models.consent import ConsentProof
from inquiry_router.models.inquiry_record import InquiryRecord
from inquiry_router.models.stored import (
    attribute_names,
    number,
    optional_flag,
    present,
    text,
    unmapped,
)


@dataclass(frozen=True, slots=True)
class Contact:
    """One buyer's address: who they said they are, who owns them, whether mail reaches them."""

    email: str | None = None
    email_key: str | None = None
    domain: str | None = None
    free_mail: bool | None = None
    disposable: bool | None = None
    name: str | None = None
    company: str | None = None
    country: str | None = None
    phone: str | None = None
    website: str | None = None
    locale: str | None = None
    # The latest consent and marketing opt-in, each as a whole (models/consent.py), kept flat as
    # `consent_at`, `consent_text_version`… and `marketing_opt_in_at`, `marketing_opt_in_text_version`…
    consent: ConsentProof | None = None
    marketing_opt_in: bool | None = None
    marketing: ConsentProof | None = None
    first_seen_at: str | None = None
    last_seen_at: str | None = None
    last_inquiry_id: str | None = None
    last_reference: str | None = None
    inquiry_count: int | None = None
    # the owner a returning buyer goes back to (adapters/assignment_write.py)
    owner_email: str | None = None
    owner_since: str | None = None
    # a bounce the inbound function trusted: no more acknowledgements
    bounced: bool | None = None
    suppressed: bool | None = None
    bounced_at: str | None = None
    bounce_reason: str | None = None
    # what SES's sending events said (feedback/service.py)
    bounce_sub_type: str | None = None
    transient_bounces: int | None = None
    last_transient_bounce_at: str | None = None
    complained: bool | None = None
    complained_at: str | None = None
    complaint_type: str | None = None
    suppressed_at: str | None = None
    suppressed_reason: str | None = None
    other: Mapping[str, Any] = field(default_factory=dict)

    @property
    def consent_at(self) -> str | None:
        return self.consent.at if self.consent else None

    @property
    def marketing_opt_in_at(self) -> str | None:
        return self.marketing.at if self.marketing else None

    @property
    def is_suppressed(self) -> bool:
        """No acknowledgement goes to this address (it bounced, or its owner complained)."""
        return bool(self.suppressed or self.bounced or self.complained)

    @classmethod
    def seen_in(cls, record: InquiryRecord) -> Contact:
        """What a new inquiry says about its contact: only what the submission actually says
        overwrites what we knew (the intake upserts these; first_seen_at and inquiry_count are
        kept by the update itself)."""
        s = record.submission
        at = iso_timestamp(record.received_at)
        return cls(
            email=s.email,
            email_key=record.contact_key,
            domain=record.signals.domain,
            free_mail=record.signals.free_mail,
            disposable=record.signals.disposable,
            last_seen_at=at,
            last_inquiry_id=record.id,
            last_reference=record.reference,
            name=s.name,
            company=s.company,
            country=s.country or record.phone_region,
            phone=record.phone_e164 or s.phone,
            website=s.website,
            locale=s.locale,
            consent=record.proofs.consent or (ConsentProof(at) if s.consent else None),
            marketing_opt_in=True if s.marketing_opt_in else None,
            marketing=record.proofs.marketing or (ConsentProof(at) if s.marketing_opt_in else None),
        )

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> Contact:
        return cls(
            email=text(item, "email"),
            email_key=text(item, "email_key"),
            domain=text(item, "domain"),
            free_mail=optional_flag(item, "free_mail"),
            disposable=optional_flag(item, "disposable"),
            name=text(item, "name"),
            company=text(item, "company"),
            country=text(item, "country"),
            phone=text(item, "phone"),
            website=text(item, "website"),
            locale=text(item, "locale"),
            consent=ConsentProof.from_flat(item, CONSENT_PREFIX),
            marketing_opt_in=optional_flag(item, "marketing_opt_in"),
            marketing=ConsentProof.from_flat(item, MARKETING_PREFIX),
            first_seen_at=text(item, "first_seen_at"),
            last_seen_at=text(item, "last_seen_at"),
            last_inquiry_id=text(item, "last_inquiry_id"),
            last_reference=text(item, "last_reference"),
            inquiry_count=number(item, "inquiry_count"),
            owner_email=text(item, "owner_email"),
            owner_since=text(item, "owner_since"),
            bounced=optional_flag(item, "bounced"),
            suppressed=optional_flag(item, "suppressed"),
            bounced_at=text(item, "bounced_at"),
            bounce_reason=text(item, "bounce_reason"),
            bounce_sub_type=text(item, "bounce_sub_type"),
            transient_bounces=number(item, "transient_bounces"),
            last_transient_bounce_at=text(item, "last_transient_bounce_at"),
            complained=optional_flag(item, "complained"),
            complained_at=text(item, "complained_at"),
            complaint_type=text(item, "complaint_type"),
            suppressed_at=text(item, "suppressed_at"),
            suppressed_reason=text(item, "suppressed_reason"),
            other=unmapped(item, _MAPPED_CONTACT),
        )

    def to_item(self) -> dict[str, Any]:
        return present(
            {
                "entity": "contact",
                "email": self.email,
                "email_key": self.email_key,
                "domain": self.domain,
                "free_mail": self.free_mail,
                "disposable": self.disposable,
                "name": self.name,
                "company": self.company,
                "country": self.country,
                "phone": self.phone,
                "website": self.website,
                "locale": self.locale,
                **(self.consent.flat(CONSENT_PREFIX) if self.consent else {}),
                "marketing_opt_in": self.marketing_opt_in,
                **(self.marketing.flat(MARKETING_PREFIX) if self.marketing else {}),
                "first_seen_at": self.first_seen_at,
                "last_seen_at": self.last_seen_at,
                "last_inquiry_id": self.last_inquiry_id,
                "last_reference": self.last_reference,
                "inquiry_count": self.inquiry_count,
                "owner_email": self.owner_email,
                "owner_since": self.owner_since,
                "bounced": self.bounced,
                "suppressed": self.suppressed,
                "bounced_at": self.bounced_at,
                "bounce_reason": self.bounce_reason,
                "bounce_sub_type": self.bounce_sub_type,
                "transient_bounces": self.transient_bounces,
                "last_transient_bounce_at": self.last_transient_bounce_at,
                "complained": self.complained,
                "complained_at": self.complained_at,
                "complaint_type": self.complaint_type,
                "suppressed_at": self.suppressed_at,
                "suppressed_reason": self.suppressed_reason,
                **self.other,
            }
        )


CONSENT_PREFIX = "consent"
MARKETING_PREFIX = "marketing_opt_in"
_MAPPED_CONTACT = attribute_names(Contact) | {
    f"{prefix}_{part}" for prefix in (CONSENT_PREFIX, MARKETING_PREFIX) for part in CONSENT_PARTS
}


@dataclass(frozen=True, slots=True)
class Account:
    """A company (an email domain that is not free mail): its owner makes B2B stickiness."""

    domain: str | None = None
    company_name: str | None = None
    first_seen_at: str | None = None
    last_seen_at: str | None = None
    inquiry_count: int | None = None
    owner_email: str | None = None
    owner_since: str | None = None
    other: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> Account:
        return cls(
            domain=text(item, "domain"),
            company_name=text(item, "company_name"),
            first_seen_at=text(item, "first_seen_at"),
            last_seen_at=text(item, "last_seen_at"),
            inquiry_count=number(item, "inquiry_count"),
            owner_email=text(item, "owner_email"),
            owner_since=text(item, "owner_since"),
            other=unmapped(item, _MAPPED_ACCOUNT),
        )

    def to_item(self) -> dict[str, Any]:
        return present(
            {
                "entity": "account",
                "domain": self.domain,
                "company_name": self.company_name,
                "first_seen_at": self.first_seen_at,
                "last_seen_at": self.last_seen_at,
                "inquiry_count": self.inquiry_count,
                "owner_email": self.owner_email,
                "owner_since": self.owner_since,
                **self.other,
            }
        )


_MAPPED_ACCOUNT = attribute_names(Account)


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One thing that happened with a contact: received, acknowledged, assigned, replied, bounced."""

    kind: str
    at: str
    inquiry_id: str | None = None
    reference: str | None = None
    summary: str | None = None
    channel: str | None = None
    # a received mail's event: the message, and who wrote it
    mail_id: str | None = None
    by: str | None = None
    # an assignment's event
    owner_email: str | None = None
    team: str | None = None
    other: Mapping[str, Any] = field(default_factory=dict)

    @property
    def moment(self) -> datetime:
        return parse_timestamp(self.at)

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> TimelineEvent:
        return cls(
            kind=str(item["kind"]),
            at=str(item["at"]),
            inquiry_id=text(item, "inquiry_id"),
            reference=text(item, "reference"),
            summary=text(item, "summary"),
            channel=text(item, "channel"),
            mail_id=text(item, "mail_id"),
            by=text(item, "by"),
            owner_email=text(item, "owner_email"),
            team=text(item, "team"),
            other=unmapped(item, _MAPPED_TIMELINEEVENT),
        )

    def to_item(self) -> dict[str, Any]:
        return present(
            {
                "entity": "event",
                "kind": self.kind,
                "at": self.at,
                "inquiry_id": self.inquiry_id,
                "reference": self.reference,
                "summary": self.summary,
                "channel": self.channel,
                "mail_id": self.mail_id,
                "by": self.by,
                "owner_email": self.owner_email,
                "team": self.team,
                **self.other,
            }
        )


_MAPPED_TIMELINEEVENT = attribute_names(TimelineEvent)
