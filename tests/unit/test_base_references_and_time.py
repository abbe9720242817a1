"""The neutral base's one reference format, one timestamp form and one company-domain check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inquiry_router.base.addresses import on_company_domain
from inquiry_router.base.references import (
    REFERENCE_ALPHABET,
    REFERENCE_IN_TEXT,
    REFERENCE_SCHEMA_PATTERN,
    new_reference,
)
from inquiry_router.base.timestamps import iso_timestamp


def test_a_new_reference_matches_both_patterns_and_avoids_lookalikes() -> None:
    import re

    for _ in range(200):
        reference = new_reference()
        assert re.fullmatch(REFERENCE_SCHEMA_PATTERN, reference)
        assert REFERENCE_IN_TEXT.search(f"Re: Your inquiry [{reference}]")
        assert not set(reference[4:]) & set("01ILOU")
    assert set(REFERENCE_ALPHABET).isdisjoint("01ILOU")


@pytest.mark.parametrize("subject", ["INQ-7KQ2M", "INQ-7KQ2MXY", "xINQ-7KQ2MX", "inq-7kq2mx", "INQ-7KQ2M-"])
def test_a_subject_names_a_reference_only_in_its_exact_form(subject: str) -> None:
    assert REFERENCE_IN_TEXT.search(subject) is None


def test_timestamps_are_utc_milliseconds_whatever_the_zone() -> None:
    moment = datetime(2026, 11, 22, 5, 50, 12, 123456, tzinfo=UTC)
    assert iso_timestamp(moment) == "2026-11-22T05:50:12.123Z"
    assert iso_timestamp(moment.astimezone(timezone(timedelta(hours=8)))) == "2026-11-22T05:50:12.123Z"
    assert iso_timestamp(moment.replace(tzinfo=None)) == "2026-11-22T05:50:12.123Z"


# Four-digit years: the table's timestamps are of this millennium.
moments = st.datetimes(min_value=datetime(1970, 1, 1), timezones=st.just(UTC)).map(
    lambda m: m.replace(microsecond=m.microsecond // 1000 * 1000)
)


@given(moments, moments)
def test_timestamps_sort_as_their_moments(a: datetime, b: datetime) -> None:
    assert (iso_timestamp(a) < iso_timestamp(b)) == (a < b)


@pytest.mark.parametrize(
    ("address", "ours"),
    [
        ("ana@sunrise-lighting.com", True),
        ("ana@EU.Sunrise-Lighting.com", True),
        ("sunrise-lighting.com.", True),
        ("ana@evilsunrise-lighting.com", False),
        ("ana@sunrise-lighting.com.evil.example", False),
        ("ana@", False),
        ("", False),
    ],
)
def test_the_company_domain_check(address: str, ours: bool) -> None:
    assert on_company_domain(address, ["Sunrise-Lighting.com", " "]) is ours
