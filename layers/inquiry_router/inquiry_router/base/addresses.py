"""Cheap facts about a buyer's address and phone that help a rep judge a lead.

Free-mail and disposable addresses are flagged, never rejected: many real importers write
from qq.com, 163.com or gmail.com.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

# Frozen data generated from the pinned list packages (make mail-domains): cheaper at a cold
# start than importing the packages and building sets.
from inquiry_router.base.mail_domain_lists import DISPOSABLE, FREE_MAIL


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


# Providers that ignore dots in the local part: j.smith@ and jsmith@ are one mailbox there.
_DOT_BLIND_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


def on_company_domain(address_or_domain: str, company_domains: Collection[str]) -> bool:
    """Whether an address (or a bare domain) is the company's: one of its domains or a subdomain
    of one (a company mailing from eu.example.com is still the company)."""
    domain = address_or_domain.rpartition("@")[2].strip().lower().rstrip(".")
    if not domain:
        return False
    return any(domain == d or domain.endswith(f".{d}") for d in _domains(company_domains))


def _domains(company_domains: Collection[str]) -> set[str]:
    return {d.strip().lower().rstrip(".") for d in company_domains if d.strip()}


def canonical_mailbox(email: str) -> str:
    """The mailbox an address delivers to, for limits that must not be dodged by spelling it anew.

    `+tag` sub-addresses are dropped everywhere (nearly every provider delivers them to the base
    mailbox) and Gmail's dots are folded, with googlemail.com read as gmail.com. Only limits and
    guards key on this: the contact keeps the address as typed (`normalise_email`).
    """
    local, at, domain = normalise_email(email).rpartition("@")
    if not at:
        return normalise_email(email)
    local = local.split("+", 1)[0] or local
    if domain in _DOT_BLIND_DOMAINS:
        domain = "gmail.com"
        local = local.replace(".", "") or local
    return f"{local}@{domain}"


def _listed(buckets: dict[str, str], domain: str) -> bool:
    if not domain or "\n" in domain:
        return False
    return f"\n{domain}\n" in buckets.get(domain[:2], "")


def address_signals(email: str) -> AddressSignals:
    domain = normalise_email(email).rpartition("@")[2]
    disposable = _listed(DISPOSABLE, domain)
    # The free-mail list carries some disposable domains too; report those as disposable only.
    free_mail = _listed(FREE_MAIL, domain) and not disposable
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
