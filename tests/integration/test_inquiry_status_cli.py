"""`inquiry-router inquiries set-status` and `inquiries show`: an assigned inquiry run from the CLI
to won, through the real intake and router, each change on the inquiry and the contact's timeline,
the first response recorded once, the rep's open load down by one, and every wrong move refused
with what would be right."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inquiry_router.adapters import keys
from inquiry_router.adapters.serialization import from_attributes, to_attributes
from tests.conftest import TABLE_NAME
from tests.support.cli import fake_stack, run
from tests.support.events import json_post
from tests.support.items import get_inquiry
from tests.support.pipeline import Pipeline, sent_mails, start_pipeline
from tests.support.routing import DOMAIN

Invoke = Callable[[dict[str, Any]], dict[str, Any]]
BUYER = {
    "name": "Ana García",
    "email": "ana@importadora-sol.es",
    "company": "Importadora Sol",
    "subject": "LED panels",
    "message": "Please quote 2,000 panels, CIF Valencia.",
    "consent": True,
}


def _load(dynamodb: Any, owner: str) -> int:
    item = dynamodb.get_item(TableName=TABLE_NAME, Key=to_attributes(keys.rep_load_key(owner))).get("Item")
    return int(from_attributes(item)["open"]) if item else 0  # never assigned anything


@pytest.fixture
def pipeline(dynamodb: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Pipeline:
    started = start_pipeline(dynamodb, monkeypatch, tmp_path)
    fake_stack({"TableName": TABLE_NAME, "CompanyDomains": DOMAIN})
    return started


@pytest.fixture
def accepted(intake: Invoke, pipeline: Pipeline, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """The buyer's inquiry, stored, assigned to a rep and both mails sent, as the intake answered it."""
    answer: dict[str, Any] = json.loads(intake(json_post(BUYER))["body"])
    pipeline.run()
    capsys.readouterr()  # the pipeline's own output
    return answer


def test_an_inquiry_runs_from_assigned_to_won_and_every_change_is_kept(
    accepted: dict[str, Any], pipeline: Pipeline, dynamodb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    reference = accepted["reference"]
    mailed = len(sent_mails())
    owner = (get_inquiry(dynamodb, TABLE_NAME, accepted["id"]) or {})["owner_email"]
    load = _load(dynamodb, owner)

    steps = [
        ("quoted", "--note", "FOB Ningbo 2.10 USD"),
        ("quoted",),  # again: nothing changes
        ("Sample sent",),
        ("snoozed", "--note", "buyer at the Canton Fair"),
        ("negotiating",),
        ("won", "--note", "PO 4471"),
    ]
    outputs = []
    for status, *options in steps:
        code, out, err = run(
            capsys, "inquiries", "set-status", reference.lower(), status, "--by", owner, *options
        )
        assert code == 0, err
        outputs.append(out)

    assert outputs[0] == f"{reference}: awaiting first answer → quote sent, the first response.\n"
    assert outputs[1] == f"{reference} is quoted already; nothing changed.\n"
    assert outputs[5] == f"{reference}: negotiating → won.\n"
    stored = get_inquiry(dynamodb, TABLE_NAME, accepted["id"]) or {}
    assert stored["status"] == "won"
    assert stored["first_response_via"] == "cli"
    assert [(t["from"], t["to"]) for t in stored["transitions"]] == [
        ("assigned", "quoted"),
        ("quoted", "sample_sent"),
        ("sample_sent", "snoozed"),
        ("snoozed", "negotiating"),
        ("negotiating", "won"),
    ]
    assert {t["by"] for t in stored["transitions"]} == {owner}
    assert _load(dynamodb, owner) == load - 1  # once, at the first response
    pipeline.run()  # the router sees each change on the stream
    assert len(sent_mails()) == mailed  # and mails nobody about a status change

    code, out, _ = run(capsys, "inquiries", "show", reference)
    assert code == 0
    assert re.search(r"^status +won$", out, re.MULTILINE)
    assert "PO 4471" in out
    assert "buyer at the Canton Fair" in out
    assert "via cli" in out
    code, out, _ = run(capsys, "inquiries", "show", accepted["id"], "--json")
    shown = json.loads(out)
    assert shown["inquiry"]["reference"] == reference
    kinds = [event["kind"] for event in shown["timeline"]]
    assert kinds.count("status_changed") == 5
    assert {"inquiry_received", "assigned"} <= set(kinds)

    # found by its new status (GSI1), and no longer among the open ones
    assert reference in run(capsys, "inquiries", "list", "--status", "won")[1]
    assert reference not in run(capsys, "inquiries", "list")[1]


def test_wrong_moves_are_refused_with_what_is_allowed(
    accepted: dict[str, Any], dynamodb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    reference = accepted["reference"]

    code, _, err = run(capsys, "inquiries", "set-status", reference, "done")
    assert code == 2
    assert "'done' is not a status; the statuses are new, assigned, responded" in err

    code, _, err = run(capsys, "inquiries", "set-status", reference, "new")
    assert code == 2
    assert "can move to closed, lost, negotiating, quoted, responded, sample_sent, snoozed, spam, won" in err

    assert run(capsys, "inquiries", "set-status", reference, "lost", "--note", "price too high")[0] == 0
    code, _, err = run(capsys, "inquiries", "set-status", reference, "negotiating")
    assert code == 2
    assert "final" in err

    code, _, err = run(capsys, "inquiries", "set-status", "INQ-NOSUCH", "won")
    assert code == 2
    assert "no inquiry 'INQ-NOSUCH'" in err
    code, _, err = run(capsys, "inquiries", "show", "INQ-NOSUCH")
    assert code == 2
    assert "no inquiry 'INQ-NOSUCH'" in err
    stored = get_inquiry(dynamodb, TABLE_NAME, accepted["id"]) or {}
    assert [t["to"] for t in stored["transitions"]] == ["lost"]


def _other_rep(owner: str) -> str:
    return next(r for r in (f"{n}@{DOMAIN}" for n in ("ana", "bob", "chen")) if r != owner)


def test_an_inquiry_awaiting_its_answer_moves_to_the_new_owner_and_their_load(
    accepted: dict[str, Any], pipeline: Pipeline, dynamodb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assigned = get_inquiry(dynamodb, TABLE_NAME, accepted["id"]) or {}
    owner, due = assigned["owner_email"], assigned["first_response_due_at"]
    assert due > assigned["received_at"]  # the team's target, in its working time
    shown = run(capsys, "inquiries", "show", accepted["reference"])[1]
    assert re.search(rf"^answer due +{re.escape(due)}$", shown, re.MULTILINE)
    new_owner = _other_rep(owner)
    loads = (_load(dynamodb, owner), _load(dynamodb, new_owner))
    mailed = len(sent_mails())

    code, out, err = run(capsys, "inquiries", "reassign", accepted["reference"], "--to", new_owner.upper())
    pipeline.run()

    assert code == 0, err
    assert out == f"{accepted['reference']}: {owner} → {new_owner}; they are notified by mail.\n"
    stored = get_inquiry(dynamodb, TABLE_NAME, accepted["id"]) or {}
    assert (stored["owner_email"], stored["status"]) == (new_owner, "assigned")
    assert stored["first_response_due_at"] == due  # a hand-over does not move the buyer's deadline
    assert (_load(dynamodb, owner), _load(dynamodb, new_owner)) == (loads[0] - 1, loads[1] + 1)
    (notification,) = sent_mails()[mailed:]
    assert notification.message["To"].addresses[0].addr_spec == new_owner
    assert accepted["reference"] in str(notification.message["Subject"])


def test_an_answered_inquiry_keeps_its_status_and_counts_in_no_load(
    accepted: dict[str, Any], pipeline: Pipeline, dynamodb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    reference = accepted["reference"]
    assert run(capsys, "inquiries", "set-status", reference, "quoted")[0] == 0
    owner = (get_inquiry(dynamodb, TABLE_NAME, accepted["id"]) or {})["owner_email"]
    before = {rep: _load(dynamodb, rep) for rep in (f"{n}@{DOMAIN}" for n in ("ana", "bob", "chen"))}

    code, _, err = run(capsys, "inquiries", "reassign", reference, "--to", "team")
    pipeline.run()

    assert code == 0, err
    stored = get_inquiry(dynamodb, TABLE_NAME, accepted["id"]) or {}
    assert stored["status"] == "quoted"
    assert stored["owner_email"] != owner
    assert {rep: _load(dynamodb, rep) for rep in before} == before
    assert reference in run(capsys, "inquiries", "list", "--status", "quoted")[1]
    assert sent_mails()[-1].message["To"].addresses[0].addr_spec == stored["owner_email"]


def test_a_reassignment_that_cannot_be_done_says_why(
    accepted: dict[str, Any], dynamodb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    reference = accepted["reference"]
    owner = (get_inquiry(dynamodb, TABLE_NAME, accepted["id"]) or {})["owner_email"]
    assert run(capsys, "inquiries", "reassign", reference, "--to", owner)[1] == (
        f"{reference} is {owner}'s already; nothing changed.\n"
    )
    code, _, err = run(capsys, "inquiries", "reassign", reference, "--to", f"nobody@{DOMAIN}")
    assert code == 2
    assert "nobody@" in err
    assert run(capsys, "inquiries", "set-status", reference, "won")[0] == 0
    code, _, err = run(capsys, "inquiries", "reassign", reference, "--to", "team")
    assert code == 2
    assert "final" in err
    assert (get_inquiry(dynamodb, TABLE_NAME, accepted["id"]) or {})["owner_email"] == owner
