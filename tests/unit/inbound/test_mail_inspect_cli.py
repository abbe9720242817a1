"""`inquiry-router mail inspect FILE`: no AWS, no store, just the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inquiry_router_admin.cli.main import main
from tests.unit.inbound.mails import FIXTURES


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_inspect_json_prints_decision_reason_and_the_parse(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(FIXTURES / "reply_with_reference.eml")
    code, out, _ = run(capsys, "mail", "inspect", path, "--json", "--company-domain", "example.com")
    assert code == 0
    printed = json.loads(out)
    assert printed["decision"] == "new_inquiry"
    assert printed["would_thread"] == (
        "would thread if inquiry INQ-7K3M9Q (named in the subject) is ours (the store was not consulted)"
    )
    assert printed["store_consulted"] is False
    assert printed["message"]["from"] == {"name": "Ahmed Karim", "address": "ahmed@gulf-electrics.ae"}


def test_inspect_never_calls_a_reply_a_thread_from_its_in_reply_to_alone(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Without the store, an In-Reply-To on the company's domain proves nothing: it may be anyone's.
    mail = tmp_path / "reply.eml"
    mail.write_bytes(
        b"From: Ana <ana@importadora-sol.es>\r\nTo: sales@example.com\r\nSubject: Re: LED panels\r\n"
        b"In-Reply-To: <171234.acknowledgement@mail.example.com>\r\n\r\nPlease send the price list.\r\n"
    )
    code, out, _ = run(capsys, "mail", "inspect", str(mail), "--company-domain", "example.com")
    assert code == 0
    assert "Decision: new_inquiry: " in out
    assert "thread_reply" not in out
    assert (
        "would thread if the Message-ID <171234.acknowledgement@mail.example.com> is ours "
        "(the store was not consulted)"
    ) in out


def test_inspect_says_a_bounce_counts_only_for_a_message_we_sent(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "mail", "inspect", str(FIXTURES / "dsn_bounce.eml"))
    assert code == 0
    assert "Decision: bounce: delivery failed for no.such.buyer@gmail.com" in out
    assert (
        "Trust:    suppresses no.such.buyer@gmail.com only if <171234.acknowledgement@example.com> "
        "is a message we sent to them; the store was not consulted"
    ) in out


def test_inspect_uses_environment_for_the_log_address(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COMPANY_DOMAINS", "lumiere-pro.fr, example.com")
    monkeypatch.setenv("REPLY_BCC_ADDRESS", "quotation@example.com")
    # As stored by SES: its results on top, DKIM passing for the sender's domain.
    stored = tmp_path / "stored.eml"
    stored.write_bytes(
        b"Authentication-Results: amazonses.com; dkim=pass header.i=@lumiere-pro.fr\r\n"
        + (FIXTURES / "apple_mail.eml").read_bytes()
    )
    code, out, _ = run(capsys, "mail", "inspect", str(stored))
    assert code == 0
    assert "Decision: rep_log" in out
    assert "René Dubois <rene.dubois@lumiere-pro.fr>" in out

    # Without SES's results nothing proves the mail left the company: it may act as nobody.
    code, out, _ = run(capsys, "mail", "inspect", str(FIXTURES / "apple_mail.eml"))
    assert "Decision: spoofed" in out


def test_inspect_lists_attachments_for_people(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "mail", "inspect", str(FIXTURES / "winmail_inline_image.eml"))
    assert code == 0
    assert "winmail.dat (application/ms-tnef, 1028 bytes)" in out
    assert "logo.png (image/png, 70 bytes, inline)" in out


def test_unreadable_file_is_a_clear_error_with_exit_code_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "mail", "inspect", str(tmp_path / "missing.eml"))
    assert code == 2
    assert out == ""
    assert err.startswith("inquiry-router: cannot read ")
    assert "missing.eml" in err
