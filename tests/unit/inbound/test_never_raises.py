"""parse_message and screen never raise, whatever arrives: random bytes, cut fixtures, header soup.

The documented contract is "no exception at all": a hopeless message is `unparseable`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inquiry_router.inbound.parse import parse_message
from inquiry_router.inbound.triage import SesVerdicts, screen
from tests.unit.inbound.mails import COMPANY_DOMAINS, FIXTURES, LOG_ADDRESS

FIXTURE_BYTES = [path.read_bytes() for path in sorted(FIXTURES.glob("*.eml"))]
FLANKER = Path(os.environ.get("FLANKER_CORPUS", "/work/shared/corpus/flanker"))
FUZZ = settings(max_examples=2500, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HEADER_NAMES = [
    "From", "To", "Cc", "Subject", "Content-Type", "Content-Transfer-Encoding", "Content-Disposition",
    "Auto-Submitted", "Precedence", "Return-Path", "In-Reply-To", "References", "Authentication-Results",
    "X-SES-Spam-Verdict", "MIME-Version", "Date", "Message-ID", "List-Id",
]  # fmt: skip
HEADER_VALUES = [
    "multipart/mixed; boundary=x", "multipart/report; report-type=delivery-status; boundary=x",
    "text/plain; charset=x-unknown", "text/html; charset=gb2312", "message/rfc822", "base64",
    "quoted-printable", "=?GBK?B?1uzE4w==?=", "=?utf-8?Q?broken", "=?ISO-2022-JP?B?GyRCJDMbKEI=?=",
    "<>", "attachment; filename*=x-bad''%FF%FE", "a@b.c, , <@>", "dmarc=fail (p=reject)", "FAIL",
]  # fmt: skip


def check(raw: bytes) -> None:
    parsed = parse_message(raw)
    screen(
        parsed,
        company_domains=COMPANY_DOMAINS,
        log_address=LOG_ADDRESS,
        verdicts=SesVerdicts(spam="PASS", virus="PASS"),
        envelope_recipients=(LOG_ADDRESS,),
    )
    parsed.as_json()


@pytest.mark.slow
@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes(raw: bytes) -> None:
    check(raw)


@pytest.mark.slow
@FUZZ
@given(st.sampled_from(FIXTURE_BYTES), st.data())
def test_truncated_fixtures(raw: bytes, data: st.DataObject) -> None:
    cut = data.draw(st.integers(min_value=0, max_value=len(raw)))
    check(raw[:cut])


@pytest.mark.slow
@FUZZ
@given(st.sampled_from(FIXTURE_BYTES), st.data())
def test_mutated_fixtures(raw: bytes, data: st.DataObject) -> None:
    mutated = bytearray(raw)
    for _ in range(data.draw(st.integers(min_value=1, max_value=20))):
        position = data.draw(st.integers(min_value=0, max_value=len(mutated) - 1))
        mutated[position] = data.draw(st.integers(min_value=0, max_value=255))
    check(bytes(mutated))


@pytest.mark.slow
@FUZZ
@given(
    st.lists(
        st.tuples(
            st.sampled_from(HEADER_NAMES) | st.text(min_size=1, max_size=20),
            st.sampled_from(HEADER_VALUES) | st.text(max_size=80),
        ),
        max_size=25,
    ),
    st.binary(max_size=500),
)
def test_header_soup(headers: list[tuple[str, str]], body: bytes) -> None:
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    check(head.encode("utf-8", "surrogatepass") + b"\r\n" + body)


@pytest.mark.skipif(not FLANKER.is_dir(), reason="the flanker mail corpus is not present")
def test_every_flanker_corpus_message_parses_and_screens() -> None:
    paths = sorted(path for path in FLANKER.rglob("*") if path.is_file())
    assert paths
    for path in paths:
        check(path.read_bytes())
