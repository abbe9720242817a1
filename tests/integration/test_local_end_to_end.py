"""`make local`, end to end, as a newcomer meets it: `inquiry-router local up` in its own process
with the example routing config, a plain HTML form post, and within seconds the buyer's
acknowledgement and the rep's notification in the outbox, the inquiry listed as assigned."""

from __future__ import annotations

import email
import html
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import yaml

from tests.integration.test_local_stack import Answer, call

ROOT = Path(__file__).resolve().parents[2]
CLI = Path(sys.executable).parent / "inquiry-router"
MAIL_DEADLINE_SECONDS = 5.0
EXAMPLE_REPS = {rep["email"] for rep in yaml.safe_load((ROOT / "routing.example.yaml").read_text())["reps"]}

pytestmark = pytest.mark.slow


class RunningStack:
    def __init__(self, process: subprocess.Popen[str], state_dir: Path, api_url: str) -> None:
        self.process, self.state_dir, self.api_url = process, state_dir, api_url

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        environment = {**os.environ, "INQUIRY_ROUTER_LOCAL_DIR": str(self.state_dir)}
        return subprocess.run(
            [str(CLI), "--local", *args], env=environment, capture_output=True, text=True, check=False
        )


@pytest.fixture(scope="module")
def running_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    state_dir = tmp_path_factory.mktemp("local")
    process = subprocess.Popen(
        [str(CLI), "local", "up", "--api-port", "0", "--aws-port", "0", "--state-dir", str(state_dir)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
    )
    assert process.stdout is not None
    output: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        output.append(line)
        if line.startswith("Ctrl-C stops everything"):
            break
    welcome = "".join(output)
    found = re.search(r"API\s+(http://127\.0\.0\.1:\d+)", welcome)
    assert found, f"the local stack did not come up:\n{welcome}"
    try:
        yield RunningStack(process, state_dir, found.group(1))
    finally:
        process.terminate()
        process.communicate(timeout=30)
    assert process.returncode == 0
    assert "Routing       " in welcome
    assert "routing.example.yaml" in welcome


def outbox_mails(state_dir: Path) -> list[EmailMessage]:
    mails = []
    for path in sorted((state_dir / "outbox").glob("*.eml")):
        parsed = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        mails.append(parsed)
    return mails


def test_a_form_post_reaches_buyer_and_rep_within_five_seconds(running_stack: RunningStack) -> None:
    form = {
        "name": "Ana García",
        "email": "ana@importadora-sol.example",
        "country": "ES",
        "product": "LED panels",
        "quantity": "2,000 pcs",
        "message": "Please quote 2,000 LED panels, CIF Valencia.",
        "rendered_at": str(int(time.time() * 1000) - 30_000),
        "_gotcha": "",
    }
    posted = time.monotonic()

    answer = call(
        running_stack.api_url,
        "POST",
        "/inquiries",
        urlencode(form),
        [("Content-Type", "application/x-www-form-urlencoded"), ("Origin", running_stack.api_url)],
    )

    assert answer.status == 303
    mails: list[EmailMessage] = []
    while time.monotonic() - posted < MAIL_DEADLINE_SECONDS and len(mails) < 2:
        time.sleep(0.05)
        mails = outbox_mails(running_stack.state_dir)
    assert len(mails) == 2, f"{len(mails)} mail(s) in the outbox after {MAIL_DEADLINE_SECONDS} s"

    listed = running_stack.cli("inquiries", "list", "--status", "assigned", "--json")
    assert listed.returncode == 0, listed.stderr
    (inquiry,) = json.loads(listed.stdout)
    owner, reference = inquiry["owner_email"], inquiry["reference"]
    assert owner in EXAMPLE_REPS
    by_recipient = {mail["To"].addresses[0].addr_spec: mail for mail in mails}
    acknowledgement, notification = by_recipient[form["email"]], by_recipient[owner]
    assert acknowledgement["Reply-To"].addresses[0].addr_spec == owner
    assert acknowledgement["Subject"].startswith(f"[{reference}]")
    assert notification["Reply-To"].addresses[0].addr_spec == form["email"]
    assert notification["Subject"].startswith(f"[{reference}] New inquiry from Ana García (ES)")
    html_copies = sorted(p.name for p in (running_stack.state_dir / "outbox").glob("*.html"))
    assert len(html_copies) == 2


def test_the_example_team_is_applied_and_listed(running_stack: RunningStack) -> None:
    listed = running_stack.cli("reps", "list", "--json")

    assert listed.returncode == 0, listed.stderr
    assert {rep["email"] for rep in json.loads(listed.stdout)} == EXAMPLE_REPS


def _mails_about(state_dir: Path, reference: str, count: int) -> list[EmailMessage]:
    deadline = time.monotonic() + MAIL_DEADLINE_SECONDS
    while True:
        mails = [m for m in outbox_mails(state_dir) if reference in str(m["Subject"])]
        if len(mails) >= count or time.monotonic() > deadline:
            return mails
        time.sleep(0.05)


def test_mail_replay_new_mail_reply_and_vacation_reply(running_stack: RunningStack, tmp_path: Path) -> None:
    fixtures = ROOT / "tests" / "fixtures" / "mail"
    new_mail = tmp_path / "new.eml"
    new_mail.write_bytes((fixtures / "gmail_alternative.eml").read_bytes().replace(b"info@", b"sales@"))

    # A new mail to sales@ becomes an assigned inquiry: the buyer's acknowledgement and the rep's forward
    replayed = running_stack.cli("mail", "replay", str(new_mail), "--json")
    assert replayed.returncode == 0, replayed.stderr
    outcome = json.loads(replayed.stdout)
    assert outcome["decision"] == "new_inquiry"
    reference = outcome["reference"]
    mails = _mails_about(running_stack.state_dir, reference, 2)
    by_recipient = {mail["To"].addresses[0].addr_spec: mail for mail in mails}
    assert set(by_recipient) - EXAMPLE_REPS == {"li.wei.trading@gmail.com"}
    (owner,) = set(by_recipient) & EXAMPLE_REPS
    forward = by_recipient[owner]
    assert forward["From"].addresses[0].display_name.startswith("Wei Li via ")
    assert forward["Reply-To"].addresses[0].addr_spec == "li.wei.trading@gmail.com"

    # Its link to the full original downloads the message through the local gateway and S3
    text = forward.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    (link,) = re.findall(re.escape(running_stack.api_url) + r"/files/[A-Za-z0-9_-]+", text)
    redirect = call(running_stack.api_url, "GET", urlsplit(link).path)
    assert redirect.status == 302
    presigned = urlsplit(redirect.header("Location") or "")
    original = call(f"{presigned.scheme}://{presigned.netloc}", "GET", f"{presigned.path}?{presigned.query}")
    assert original.status == 200
    assert original.body == new_mail.read_bytes()

    # The buyer's reply to the acknowledgement threads: forwarded to the owner, nothing else
    acknowledgement = by_recipient["li.wei.trading@gmail.com"]
    reply = tmp_path / "reply.eml"
    reply.write_bytes(
        b"From: Wei Li <li.wei.trading@gmail.com>\r\nTo: sales@example.com\r\n"
        b"Subject: Re: your confirmation\r\nMessage-ID: <reply-1@mail.gmail.com>\r\n"
        + f"In-Reply-To: {acknowledgement['Message-ID']}\r\n\r\n".encode()
        + b"Please add 50 poles.\r\n"
    )
    threaded = running_stack.cli("mail", "replay", str(reply), "--json")
    assert threaded.returncode == 0, threaded.stderr
    assert json.loads(threaded.stdout)["decision"] == "thread_reply"
    mails = _mails_about(running_stack.state_dir, reference, 3)
    assert len(mails) == 3
    assert mails[-1]["To"].addresses[0].addr_spec == owner
    assert "Please add 50 poles." in mails[-1].get_body(("plain",)).get_content()  # type: ignore[union-attr]

    # A vacation auto-reply produces nothing in the outbox
    before = len(outbox_mails(running_stack.state_dir))
    vacation = tmp_path / "vacation.eml"
    vacation.write_bytes((fixtures / "gmail_vacation.eml").read_bytes())
    answered = running_stack.cli("mail", "replay", str(vacation), "--json")
    assert answered.returncode == 0, answered.stderr
    assert json.loads(answered.stdout)["decision"] == "automated"
    time.sleep(1.0)
    assert len(outbox_mails(running_stack.state_dir)) == before

    # And the admin finds it, with its reason and a link to the original
    listed = running_stack.cli("mail", "list", "--decision", "automated", "--json")
    assert listed.returncode == 0, listed.stderr
    (automated,) = json.loads(listed.stdout)
    assert automated["reason"].startswith("Auto-Submitted")
    shown = running_stack.cli("mail", "show", automated["id"])
    assert shown.returncode == 0, shown.stderr
    assert f"raw/{automated['id']}" in shown.stdout
    assert running_stack.cli("mail", "show", "nope").stderr.strip().endswith("shows the ids")


def _hrefs(mail: EmailMessage) -> list[str]:
    body = mail.get_body(("html",))
    assert body is not None
    return [html.unescape(h) for h in re.findall(r'href="([^"]+)"', body.get_content())]


def _follow(url: str, limit: int = 5) -> Answer:
    """GET `url` as a mail scanner does: following redirects (to the local S3 too)."""
    for _ in range(limit):
        parts = urlsplit(url)
        answer = call(
            f"{parts.scheme}://{parts.netloc}",
            "GET",
            f"{parts.path}?{parts.query}" if parts.query else parts.path,
        )
        location = answer.header("Location")
        if answer.status not in (301, 302, 303, 307, 308) or not location:
            return answer
        url = location
    raise AssertionError(f"{url}: more than {limit} redirects")


def test_a_rep_runs_the_inquiry_from_the_notification_through_the_local_gateway(
    running_stack: RunningStack,
) -> None:
    form = {
        "name": "Kenji Sato",
        "email": "kenji@sato-trading.example",
        "country": "JP",
        "product": "Solar street lights",
        "message": "Please quote 300 units, FOB Shenzhen.",
        "rendered_at": str(int(time.time() * 1000) - 30_000),
    }
    headers = [("Content-Type", "application/x-www-form-urlencoded"), ("Origin", running_stack.api_url)]
    assert call(running_stack.api_url, "POST", "/inquiries", urlencode(form), headers).status == 303
    deadline = time.monotonic() + MAIL_DEADLINE_SECONDS
    notification: EmailMessage | None = None
    while notification is None and time.monotonic() < deadline:
        time.sleep(0.05)
        notification = next(
            (m for m in outbox_mails(running_stack.state_dir) if "Kenji Sato" in str(m["Subject"])), None
        )
    assert notification is not None, "no notification in the outbox"
    reference = str(notification["Subject"]).split("]")[0].lstrip("[")

    def shown() -> dict[str, Any]:
        answer = running_stack.cli("inquiries", "show", reference, "--json")
        assert answer.returncode == 0, answer.stderr
        result: dict[str, Any] = json.loads(answer.stdout)
        return result

    # A mail scanner opens every link of the notification, following redirects: nothing changes
    before = shown()
    links = [h for h in _hrefs(notification) if h.startswith("http://127.0.0.1")]
    actions = [h for h in links if "/actions/" in h]
    assert len(actions) == 8
    for link in links:
        assert _follow(link).status == 200, link
    assert shown() == before

    # The rep clicks "Won", reads the page, and confirms
    won = next(h for h in actions if "Won" in _label_of(notification, h))
    page = _follow(won)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.body.decode()))
    done = call(
        running_stack.api_url,
        "POST",
        urlsplit(won).path,
        urlencode({**fields, "note": "300 units, deposit received"}),
        [
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Origin", running_stack.api_url),
            ("Sec-Fetch-Site", "same-origin"),
        ],
    )
    assert done.status == 200
    assert b"is now: won" in done.body
    after = shown()["inquiry"]
    assert after["status"] == "won"
    assert after["transitions"][-1]["channel"] == "mail_action"
    assert after["transitions"][-1]["note"] == "300 units, deposit received"


def _label_of(mail: EmailMessage, href: str) -> str:
    body = mail.get_body(("html",))
    assert body is not None
    source = html.unescape(body.get_content())
    found = re.search(re.escape(href) + r'"[^>]*>([^<]+)</a>', source)
    return found.group(1) if found else ""


def test_the_local_scheduler_drains_the_backlog_when_a_rep_comes_back(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The local stack runs the five-minute timer (here every second) in Scheduler's event shape:
    an inquiry that waited with the fallback address goes to the first rep back."""
    state_dir = tmp_path_factory.mktemp("scheduled")
    process = subprocess.Popen(
        [str(CLI), "local", "up", "--api-port", "0", "--aws-port", "0", "--state-dir", str(state_dir),
         "--schedules-every", "1"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
    )  # fmt: skip
    assert process.stdout is not None
    welcome = ""
    while not welcome.endswith("Ctrl-C stops everything.\n"):
        line = process.stdout.readline()
        assert line, f"the local stack did not come up:\n{welcome}"
        welcome += line
    found = re.search(r"API\s+(http://127\.0\.0\.1:\d+)", welcome)
    assert found, welcome
    assert "Schedule      TimerFunction: every 1 s (--schedules-every)" in welcome
    stack = RunningStack(process, state_dir, found.group(1))
    try:
        until = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
        for rep in ("li.wei@example.com", "emma.brown@example.com", "carlos.ruiz@example.com"):
            assert stack.cli("reps", "away", rep, "--until", until).returncode == 0
        form = {
            "name": "Omar Haddad",
            "email": "omar@haddad-trading.example",
            "message": "Please quote 50 floodlights.",
            "rendered_at": str(int(time.time() * 1000) - 30_000),
        }
        headers = [("Content-Type", "application/x-www-form-urlencoded"), ("Origin", stack.api_url)]
        assert call(stack.api_url, "POST", "/inquiries", urlencode(form), headers).status == 303

        def owner() -> str | None:
            listed = stack.cli("inquiries", "list", "--json")
            assert listed.returncode == 0, listed.stderr
            found = [i for i in json.loads(listed.stdout) if i["email"] == form["email"]]
            return found[0].get("owner_email") if found else None

        deadline = time.monotonic() + 15
        while owner() != "sales-manager@example.com" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert owner() == "sales-manager@example.com"  # nobody eligible: the fallback holds it

        assert stack.cli("reps", "back", "li.wei@example.com").returncode == 0
        while owner() != "li.wei@example.com" and time.monotonic() < deadline + 15:
            time.sleep(0.2)
        assert owner() == "li.wei@example.com"
        notified = [
            m for m in outbox_mails(state_dir) if m["To"].addresses[0].addr_spec == "li.wei@example.com"
        ]
        assert any("Omar Haddad" in str(m["Subject"]) for m in notified)
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_a_bounce_reaches_the_contact_the_timeline_and_the_owner_within_a_minute(
    running_stack: RunningStack,
) -> None:
    """SES's bounce event, in SES's shape, through the local default bus, the stack's rule, the
    feedback queue and the feedback function (the path a real bounce takes in AWS)."""
    buyer = "nobody@importadora-muerta.example"
    form = {
        "name": "Ana Muerta",
        "email": buyer,
        "phone": "+34 961 234 567",
        "product": "LED strips",
        "message": "Please quote 500 m of LED strips.",
        "rendered_at": str(int(time.time() * 1000) - 30_000),
    }
    answer = call(
        running_stack.api_url,
        "POST",
        "/inquiries",
        json.dumps(form),
        [("Content-Type", "application/json"), ("Origin", running_stack.api_url)],
    )
    assert answer.status == 202
    reference = json.loads(answer.body)["reference"]
    _mails_about(running_stack.state_dir, reference, 2)

    bounced = time.monotonic()
    put = running_stack.cli("local", "ses-event", "bounce", reference)
    assert put.returncode == 0, put.stderr

    notice: list[EmailMessage] = []
    while time.monotonic() - bounced < 60 and not notice:
        time.sleep(0.2)
        notice = [
            m
            for m in outbox_mails(running_stack.state_dir)
            if reference in str(m["Subject"]) and "Undeliverable" in str(m["Subject"])
        ]
    assert notice, "no bounce notice to the owner within a minute"
    shown = running_stack.cli("contacts", "show", buyer, "--json")
    assert shown.returncode == 0, shown.stderr
    profile = json.loads(shown.stdout)
    assert profile["contact"]["bounced"] is True
    assert profile["contact"]["suppressed"] is True
    assert "acknowledgement_bounced" in [event["kind"] for event in profile["timeline"]]
    assert notice[0]["To"].addresses[0].addr_spec in EXAMPLE_REPS
