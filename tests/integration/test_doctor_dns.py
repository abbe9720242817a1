"""The doctor's DNS checks against a real resolver: dnspython asking a DNS server on 127.0.0.1
that serves a zone set up as the stack asks, or broken in one way."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from inquiry_router_admin.doctor import dns_checks
from inquiry_router_admin.doctor.dns_lookup import DnsResolver, DnsUnreachable
from inquiry_router_admin.doctor.results import CheckResult, Record
from tests.support import mail_dns
from tests.support.dns_server import ZoneServer, silent_server
from tests.support.mail_dns import DOMAIN, INBOUND, MAIL_FROM, REGION, TOKENS


def all_dns_checks(drop: Sequence[str] = (), add: Sequence[str] = ()) -> list[CheckResult]:
    with ZoneServer(mail_dns.zones(drop=drop, add=add)) as server:
        lookup = DnsResolver(server.address, lookup_seconds=2)
        return [
            dns_checks.check_spf(lookup, DOMAIN, mail_from_domain=MAIL_FROM),
            *dns_checks.check_dkim(lookup, DOMAIN, TOKENS),
            *dns_checks.check_dmarc(lookup, DOMAIN),
            *dns_checks.check_mail_from(lookup, MAIL_FROM, REGION),
            dns_checks.check_inbound(lookup, INBOUND, REGION),
        ]


def problems(results: list[CheckResult]) -> list[CheckResult]:
    return [r for r in results if r.status == "problem"]


def only_problem(results: list[CheckResult], check: str) -> CheckResult:
    found = problems(results)
    assert [r.check for r in found] == [check], [r.detail for r in found]
    return found[0]


def only_warning(results: list[CheckResult], check: str) -> CheckResult:
    found = [r for r in results if r.status == "warning"]
    assert [r.check for r in found] == [check], [r.detail for r in found]
    return found[0]


def test_a_zone_set_up_as_the_stack_asks_is_all_ok() -> None:
    results = all_dns_checks()

    assert {r.status for r in results} == {"ok"}, [r.detail for r in results if r.status != "ok"]
    # The company's own record, tightened: the detail says not to add the stack's beside it.
    assert "Do not also publish the stack's DnsDmarcRecord output" in results[4].detail
    assert [r.check for r in results] == [
        "spf",
        "dkim",
        "dkim",
        "dkim",
        "dmarc",
        "mail-from-mx",
        "mail-from-spf",
        "inbound-mx",
    ]
    # google's include counts with its three nested includes: the count goes through includes.
    assert "4 DNS lookups of 10" in results[0].detail


def test_the_doctor_finds_a_missing_dkim_record_and_gives_the_cname_to_publish() -> None:
    results = all_dns_checks(drop=[mail_dns.DKIM[1]])

    problem = only_problem(results, "dkim")
    assert problem.fix == Record(
        f"{TOKENS[1]}._domainkey.{DOMAIN}", "CNAME", f"{TOKENS[1]}.dkim.amazonses.com"
    )
    assert problem.fix.zone_line() == (
        f"{TOKENS[1]}._domainkey.sunrise-lighting.com CNAME {TOKENS[1]}.dkim.amazonses.com"
    )
    assert sum(r.check == "dkim" and r.status == "ok" for r in results) == 2


def test_a_dkim_cname_pointing_elsewhere_is_replaced() -> None:
    wrong = f"{TOKENS[0]}._domainkey CNAME {TOKENS[0]}.dkim.example.net."
    problem = only_problem(all_dns_checks(drop=[mail_dns.DKIM[0]], add=[wrong]), "dkim")

    assert problem.fix == Record(
        f"{TOKENS[0]}._domainkey.{DOMAIN}",
        "CNAME",
        f"{TOKENS[0]}.dkim.amazonses.com",
        remove=(f"{TOKENS[0]}.dkim.example.net",),
    )


def test_two_spf_records_are_merged_into_one() -> None:
    second = '@ TXT "v=spf1 include:amazonses.com -all"'
    problem = only_problem(all_dns_checks(add=[second]), "spf")

    assert "2 SPF records" in problem.detail
    assert isinstance(problem.fix, Record)
    assert problem.fix.value == "v=spf1 include:_spf.google.com include:amazonses.com ~all"
    assert set(problem.fix.remove) == {
        "v=spf1 include:_spf.google.com ~all",
        "v=spf1 include:amazonses.com -all",
    }


def test_spf_over_ten_lookups_counted_through_includes_is_a_problem() -> None:
    problem = only_problem(all_dns_checks(drop=[mail_dns.SPF], add=[mail_dns.SPF_TOO_MANY]), "spf")

    assert "needs 12 DNS lookups" in problem.detail
    assert "include:_spf.google.com 4" in problem.detail
    assert "include:mailgun.org 2" in problem.detail


def test_spf_including_a_domain_without_spf_fails() -> None:
    broken = '@ TXT "v=spf1 include:_spf.gone-provider.example ~all"'
    problem = only_problem(all_dns_checks(drop=[mail_dns.SPF], add=[broken]), "spf")

    assert "_spf.gone-provider.example (included) publishes no SPF record" in problem.detail


def test_two_dmarc_records_keep_one() -> None:
    second = '_dmarc TXT "v=DMARC1; p=none"'
    results = all_dns_checks(add=[second])
    problem = only_problem(results, "dmarc")

    assert problem.fix == Record(
        f"_dmarc.{DOMAIN}",
        "TXT",
        f"v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@{DOMAIN}",
        remove=("v=DMARC1; p=none",),
    )


def test_dmarc_without_rua_gets_one() -> None:
    no_reports = '_dmarc TXT "v=DMARC1; p=reject"'
    problem = only_problem(all_dns_checks(drop=[mail_dns.DMARC], add=[no_reports]), "dmarc")

    assert "no rua" in problem.detail
    assert isinstance(problem.fix, Record)
    assert problem.fix.zone_line() == (
        f'_dmarc.{DOMAIN} TXT "v=DMARC1; p=reject; rua=mailto:dmarc-reports@{DOMAIN}"'
    )
    assert problem.fix.remove == ("v=DMARC1; p=reject",)


def test_missing_dmarc_gets_the_stacks_record() -> None:
    problem = only_problem(all_dns_checks(drop=[mail_dns.DMARC]), "dmarc")

    assert problem.fix == Record(f"_dmarc.{DOMAIN}", "TXT", dns_checks.default_dmarc(DOMAIN))


def test_dmarc_p_none_is_a_warning_and_the_stacks_record_would_be_a_second_one() -> None:
    monitoring = f'_dmarc TXT "v=DMARC1; p=none; rua=mailto:postmaster@{DOMAIN}"'
    results = all_dns_checks(drop=[mail_dns.DMARC], add=[monitoring])
    warning = only_warning(results, "dmarc")

    assert problems(results) == []
    assert "p=none only monitors" in warning.detail
    assert "Do not also publish the stack's DnsDmarcRecord output" in warning.detail
    assert isinstance(warning.fix, Record)
    assert warning.fix.value == f"v=DMARC1; p=quarantine; rua=mailto:postmaster@{DOMAIN}"


def test_publishing_the_stacks_own_dmarc_record_draws_no_second_record_note() -> None:
    stacks = f'_dmarc TXT "{dns_checks.default_dmarc(DOMAIN)}"'
    warning = only_warning(all_dns_checks(drop=[mail_dns.DMARC], add=[stacks]), "dmarc")

    assert "Do not also publish" not in warning.detail


def test_the_stacks_record_beside_the_companys_is_the_one_to_remove() -> None:
    stacks = f'_dmarc TXT "{dns_checks.default_dmarc(DOMAIN)}"'
    problem = only_problem(all_dns_checks(add=[stacks]), "dmarc")

    assert "One of them is the record the stack suggests" in problem.detail
    assert problem.fix == Record(
        f"_dmarc.{DOMAIN}",
        "TXT",
        f"v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@{DOMAIN}",
        remove=(dns_checks.default_dmarc(DOMAIN),),
    )


def test_no_mx_on_the_inbound_domain() -> None:
    problem = only_problem(all_dns_checks(drop=[mail_dns.INBOUND_MX]), "inbound-mx")

    assert problem.fix == Record(INBOUND, "MX", f"10 inbound-smtp.{REGION}.amazonaws.com")
    assert "nothing sent to sales@ arrives" in problem.detail


def test_wrong_mail_from_mx_is_replaced() -> None:
    wrong = "mail MX 10 aspmx.l.google.com."
    problem = only_problem(all_dns_checks(drop=[mail_dns.MAIL_FROM_MX], add=[wrong]), "mail-from-mx")

    assert "points to aspmx.l.google.com" in problem.detail
    assert problem.fix == Record(
        MAIL_FROM, "MX", f"10 feedback-smtp.{REGION}.amazonses.com", remove=("10 aspmx.l.google.com",)
    )


def test_mail_from_spf_without_ses() -> None:
    wrong = 'mail TXT "v=spf1 mx -all"'
    problem = only_problem(all_dns_checks(drop=[mail_dns.MAIL_FROM_SPF], add=[wrong]), "mail-from-spf")

    assert isinstance(problem.fix, Record)
    assert problem.fix.value == "v=spf1 mx include:amazonses.com -all"


def test_a_resolver_that_does_not_answer_is_named() -> None:
    with silent_server() as address:
        lookup = DnsResolver(address, lookup_seconds=0.3)
        with pytest.raises(DnsUnreachable, match=f"the DNS server {address} did not answer"):
            dns_checks.check_spf(lookup, DOMAIN, mail_from_domain=MAIL_FROM)
