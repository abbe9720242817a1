"""Lead signals: free-mail and disposable domains are flagged, phones normalised, never rejected."""

from __future__ import annotations

import pytest

from inquiry_router.base.addresses import address_signals, normalise_email, normalise_phone


@pytest.mark.parametrize(
    "email", ["li@qq.com", "wang@163.com", "ana@gmail.com", "bob@outlook.com", "x@yahoo.com", "i@yandex.ru"]
)
def test_free_mail_is_flagged(email: str) -> None:
    signals = address_signals(email)
    assert signals.free_mail
    assert not signals.is_company_domain


def test_disposable_addresses_are_flagged_as_disposable() -> None:
    signals = address_signals("bot@mailinator.com")
    assert signals.disposable
    assert not signals.free_mail


def test_a_company_domain_is_neither() -> None:
    signals = address_signals("buyer@importadora-sol.es")
    assert signals.is_company_domain
    assert signals.domain == "importadora-sol.es"


def test_email_key_folds_case_and_whitespace_but_not_gmail_dots() -> None:
    assert normalise_email("  Ana.Garcia@GMail.com ") == "ana.garcia@gmail.com"
    assert normalise_email("anagarcia@gmail.com") != normalise_email("ana.garcia@gmail.com")


@pytest.mark.parametrize(
    ("typed", "country", "e164"),
    [
        ("+86 138 0013 8000", None, "+8613800138000"),
        ("0049 30 1234567", None, "+49301234567"),
        ("(555) 010-9999", "US", "+15550109999"),
        ("030 1234567", "DE", "+49301234567"),
        ("+971 50 123 4567", None, "+971501234567"),
    ],
)
def test_phones_in_any_format_become_e164(typed: str, country: str | None, e164: str) -> None:
    assert normalise_phone(typed, country)[0] == e164


@pytest.mark.parametrize("typed", ["(555) 010-9999", "call me after 5", "12"])
def test_unparseable_phones_are_not_normalised(typed: str) -> None:
    assert normalise_phone(typed, None) == (None, None)
