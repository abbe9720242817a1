"""Authenticated as the From domain, DMARC's way: aligned DKIM or SPF, from SES's evidence only.

The forged shapes are the ways a stranger would try to pass as a rep of example.com."""

from __future__ import annotations

import pytest

from inquiry_router.inbound.authentication import (
    SesVerdicts,
    aligned,
    authenticate_sender,
    dmarc_failure,
    ses_results,
)
from inquiry_router.inbound.parse import parse_message

# How SES stamps a message it received (folded, with its SPF explanation in a comment).
SES_RESULTS = (
    "Authentication-Results: amazonses.com;\r\n"
    " spf={spf} (spfCheck: domain of {mail_from_domain} designates 203.0.113.7 as permitted sender;\r\n"
    " see=1) client-ip=203.0.113.7; envelope-from=bounce@{mail_from_domain}; helo=mx.{mail_from_domain};\r\n"
    " dkim={dkim} header.i=@{signer};\r\n"
    " dmarc={dmarc} header.from={from_domain};\r\n"
)
GRAY = SesVerdicts(dmarc="GRAY")


def message(
    *top: str,
    sender: str = "Tom Rep <tom@example.com>",
    signature: str | None = "v=1; a=rsa-sha256; d=example.com; s=google; h=from:to; bh=x; b=y",
    extra: str = "",
) -> bytes:
    headers = "".join(top)
    if signature:
        headers += f"DKIM-Signature: {signature}\r\n"
    return (
        f"{headers}{extra}From: {sender}\r\nTo: buyer@importer.example\r\nSubject: Re: offer\r\n\r\nDone.\r\n"
    ).encode()


def ses(
    *,
    spf: str = "fail",
    mail_from_domain: str = "example.com",
    dkim: str = "fail",
    signer: str = "example.com",
    dmarc: str = "none",
    from_domain: str = "example.com",
) -> str:
    return SES_RESULTS.format(
        spf=spf,
        mail_from_domain=mail_from_domain,
        dkim=dkim,
        signer=signer,
        dmarc=dmarc,
        from_domain=from_domain,
    )


def passes(raw: bytes, verdicts: SesVerdicts = GRAY) -> bool:
    return authenticate_sender(parse_message(raw), verdicts).passed


def test_aligned_dkim_or_spf_in_ses_results_authenticates_a_domain_without_dmarc() -> None:
    assert passes(message(ses(dkim="pass")))
    assert passes(message(ses(spf="pass")))
    assert authenticate_sender(parse_message(message(ses(dkim="pass"))), GRAY).reason == (
        "DKIM passed for d=example.com, aligned with example.com"
    )


def test_ses_dmarc_pass_counts() -> None:
    assert passes(message(signature=None), SesVerdicts(dmarc="PASS"))
    assert passes(message(ses(dmarc="pass"), signature=None), SesVerdicts(dmarc="PASS"))


def test_spf_passing_for_the_senders_own_envelope_domain_proves_nothing() -> None:
    assert not passes(message(ses(spf="pass", mail_from_domain="evil.com")))
    assert not passes(message(), SesVerdicts(dmarc="GRAY", spf="PASS", mail_from="bounce@evil.com"))


def test_dkim_passing_for_another_domain_proves_nothing() -> None:
    evil = "v=1; a=rsa-sha256; d=evil.com; s=s1; h=from; bh=x; b=y"
    assert not passes(message(ses(dkim="pass", signer="evil.com"), signature=evil))


def test_a_forged_authentication_results_below_ses_is_never_read() -> None:
    forged = (
        "Authentication-Results: amazonses.com; dkim=pass header.i=@example.com;"
        " dmarc=pass header.from=example.com\r\n"
    )
    assert not passes(message(ses(), extra=forged))
    assert not passes(message(ses(), extra=forged), SesVerdicts(dmarc="GRAY", dkim="PASS"))


def test_an_authentication_results_not_written_by_ses_is_never_read() -> None:
    upstream = "Authentication-Results: mx.example.com; dkim=pass header.i=@example.com\r\n"
    assert ses_results(parse_message(message(upstream))) is None
    assert not passes(message(upstream))


def test_a_dkim_signature_of_the_company_without_ses_pass_proves_nothing() -> None:
    assert not passes(message(ses(dkim="fail")))
    assert not passes(message())  # a signature, and no result at all
    assert authenticate_sender(parse_message(message()), SesVerdicts()).reason == (
        "there is no authentication result from SES"
    )


def test_a_pass_in_the_header_contradicted_by_the_event_is_not_believed() -> None:
    assert not passes(message(ses(dkim="pass")), SesVerdicts(dmarc="GRAY", dkim="FAIL"))
    assert not passes(message(ses(spf="pass")), SesVerdicts(dmarc="GRAY", spf="FAIL"))


def test_ses_dmarc_pass_for_another_from_domain_is_not_for_ours() -> None:
    # SES read the From header differently from us (a parser differential): its pass is not ours.
    raw = message(ses(dmarc="pass", from_domain="evil.com"), signature=None)
    assert not passes(raw, SesVerdicts(dmarc="PASS"))


def test_subdomains_of_the_same_organisation_are_aligned() -> None:
    assert passes(message(ses(dkim="pass", signer="mail.example.com")))
    assert passes(message(ses(dkim="pass"), sender="tom@eu.example.com"))
    assert passes(message(), SesVerdicts(dmarc="GRAY", spf="PASS", mail_from="bounce@em.example.com"))


@pytest.mark.parametrize(
    "signer",
    ["example.com.evil.com", "evil-example.com", "examp1e.com", "xn--exmple-cua.com", "example.co", "com"],
)
def test_look_alike_signing_domains_are_not_aligned(signer: str) -> None:
    signature = f"v=1; a=rsa-sha256; d={signer}; s=s1; h=from; bh=x; b=y"
    assert not passes(message(ses(dkim="pass", signer=signer), signature=signature))


def test_organisational_domains_come_from_the_public_suffix_list() -> None:
    assert aligned("mail.example.com.cn", "example.com.cn")
    assert not aligned("evil.com.cn", "example.com.cn")
    assert not aligned("evil.co.uk", "example.co.uk")
    assert not aligned("co.uk", "example.co.uk")
    assert aligned("Bücher.de.", "xn--bcher-kva.de")


def test_the_signing_domain_is_the_dkim_signature_the_result_refers_to() -> None:
    # SES names the signature by its identity (i=); its d= is what must align.
    signature = "v=1; a=rsa-sha256; d=example.com; i=sales@mail.example.com; s=s1; h=from; bh=x; b=y"
    assert passes(message(ses(dkim="pass", signer="sales@mail.example.com"), signature=signature))


def test_more_than_one_sender_is_never_authenticated() -> None:
    assert not passes(message(sender="tom@example.com, mallory@evil.com"), SesVerdicts(dmarc="PASS"))
    two_froms = message(extra="From: mallory@evil.com\r\n", signature=None)
    assert not passes(two_froms, SesVerdicts(dmarc="PASS"))


def test_dmarc_failure_and_its_policy_from_the_event_or_ses_header() -> None:
    plain = parse_message(message(signature=None))
    assert dmarc_failure(plain, SesVerdicts(dmarc="PASS")) is None
    failure = dmarc_failure(plain, SesVerdicts(dmarc="FAIL", dmarc_policy="QUARANTINE"))
    assert failure is not None
    assert (failure.domain, failure.policy) == ("example.com", "quarantine")
    stated = ses().replace("dmarc=none", "dmarc=fail (p=REJECT sp=REJECT pct=100)")
    failure = dmarc_failure(parse_message(message(stated)), SesVerdicts())
    assert failure is not None
    assert failure.policy == "reject"
    forged_below = "Authentication-Results: amazonses.com; dmarc=fail (p=reject) header.from=example.com\r\n"
    assert dmarc_failure(parse_message(message(ses(dmarc="pass"), extra=forged_below)), SesVerdicts()) is None
