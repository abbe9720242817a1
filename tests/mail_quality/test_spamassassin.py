"""Our own mails must not look like spam: SpamAssassin, with local rules only, scores each one.

Network tests (DNS blocklists, SPF, DKIM) judge the deployment, not the templates, so they stay
off (-L); what is left judges our composition: MIME structure, headers, HTML and wording. When a
rule fires, fix the template or the composition, not the threshold.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from inquiry_router.mail.compose import compose_message
from inquiry_router.mail.render import (
    RenderedMail,
    render_acknowledgement,
    render_notification,
    render_reply_forward,
    render_unreadable_notice,
)
from tests.unit.mail import samples

MOST_POINTS_ALLOWED = 1.0
LANGUAGES = ("en", "zh", "es", "pt", "fr", "de", "it", "tr")
KINDS = ("acknowledgement", "notification", "notification-by-mail", "reply-forward", "unreadable-notice")
# No user preferences and no Bayes database: the score must not depend on what this machine learnt.
OPTIONS = ["-L", "-x", "-t", "--cf=use_bayes 0", "--cf=bayes_auto_learn 0"]
_STATUS = re.compile(
    rb"^X-Spam-Status: .*?score=(?P<score>-?[\d.]+).*?tests=(?P<rules>.*?)\s+autolearn=",
    re.MULTILINE | re.DOTALL,
)


@pytest.fixture(scope="module")
def spam_reports() -> dict[tuple[str, str], bytes]:
    spamassassin = shutil.which("spamassassin")
    if spamassassin is None:
        pytest.fail("SpamAssassin is missing: apt-get install spamassassin")
    messages = {(kind, language): _composed(kind, language) for kind in KINDS for language in LANGUAGES}
    # About 2 s of rule loading per process: run them side by side rather than one after another.
    with ThreadPoolExecutor(max_workers=4) as pool:
        reports = pool.map(lambda raw: _spam_report(spamassassin, raw), messages.values())
        return dict(zip(messages, reports, strict=True))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_our_mail_is_not_taken_for_spam(
    spam_reports: dict[tuple[str, str], bytes], kind: str, language: str
) -> None:
    report = spam_reports[kind, language]
    status = _STATUS.search(report)
    assert status, f"no X-Spam-Status in SpamAssassin's answer:\n{report.decode(errors='replace')[:2000]}"
    score, rules = float(status["score"]), "".join(status["rules"].decode().split())
    print(f"{kind} ({language}): score {score}, rules {rules}")
    assert score <= MOST_POINTS_ALLOWED, (
        f"{kind} ({language}) scored {score} with {rules}\n{_analysis(report)}"
    )


def _composed(kind: str, language: str) -> bytes:
    buyer, rep = ("Ana García", samples.BUYER_EMAIL), (samples.REP.name, samples.REP.email)
    via = f"Ana García via {samples.COMPANY.name}"
    if kind == "acknowledgement":
        rendered: RenderedMail = render_acknowledgement(samples.acknowledgement(language))
        to, reply_to, sender_name = buyer, rep, samples.COMPANY.name
    elif kind == "notification":
        rendered = render_notification(samples.notification(language))
        to, reply_to, sender_name = rep, buyer, f"{samples.COMPANY.name} inquiries"
    elif kind == "notification-by-mail":
        rendered = render_notification(samples.mailed_notification(language))
        to, reply_to, sender_name = rep, buyer, via
    elif kind == "reply-forward":
        rendered = render_reply_forward(samples.reply_forward(language))
        to, reply_to, sender_name = rep, buyer, via
    else:
        rendered = render_unreadable_notice(samples.unreadable_notice(language))
        fallback = (samples.TEAM.name, samples.TEAM.fallback_address)
        to, reply_to, sender_name = fallback, fallback, f"{samples.COMPANY.name} inquiries"
    return compose_message(
        rendered,
        sender=(sender_name, samples.TEAM.sending_address),
        to=to,
        reply_to=reply_to,
        message_id_domain=samples.COMPANY.domain,
        auto_reply=kind == "acknowledgement",
    ).raw


def _spam_report(spamassassin: str, raw: bytes) -> bytes:
    return subprocess.run(
        [spamassassin, *OPTIONS], input=raw, capture_output=True, check=True, timeout=60
    ).stdout


def _analysis(report: bytes) -> str:
    text = report.decode(errors="replace")
    start = text.find("Content analysis details")
    return text[start : start + 3000] if start >= 0 else text[-3000:]
