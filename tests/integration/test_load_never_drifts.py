"""Capacity that never drifts: weeks of simulated use through the real paths (the intake and the
router for new inquiries, including returning buyers; reps' BCC copies; answers by plain Reply,
which leave no trace; status changes from the CLI; snoozes and wake-ups; a rep away, handed over
and back), then every rep's stored load equals what the stored inquiries say, and the recount
finds nothing to repair. A hand edit that made loads wrong is repaired by the next recount."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from inquiry_router.adapters import keys
from inquiry_router.adapters.inbound_records import InboundRecords, TimelineEntry
from inquiry_router.adapters.open_load import LoadBook
from inquiry_router.adapters.queries import get_inquiry
from inquiry_router.adapters.serialization import to_attributes
from inquiry_router.routing.load_reconciliation import SETTLE, reconcile_loads
from tests.conftest import TABLE_NAME
from tests.support.cli import fake_stack, run
from tests.support.events import json_post
from tests.support.pipeline import start_pipeline
from tests.support.routing import DOMAIN

Invoke = Callable[[dict[str, Any]], dict[str, Any]]
REPS = [f"{name}@{DOMAIN}" for name in ("ana", "bob", "chen")]
DAYS = 21
SEED = 20261204


def _recount(dynamodb: Any) -> dict[str, tuple[int, int]]:
    """Each rep's (stored load, what the inquiries say)."""
    book = LoadBook(dynamodb, TABLE_NAME)
    return {
        email: (reading.open, book.count_awaiting(email)) for email, reading in book.readings(REPS).items()
    }


@pytest.mark.slow
def test_weeks_of_use_leave_every_reps_load_exactly_right(
    intake: Invoke,
    dynamodb: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pipeline = start_pipeline(dynamodb, monkeypatch, tmp_path)
    monkeypatch.setenv("RATE_LIMIT_PER_EMAIL", "1000")  # returning buyers write often here
    fake_stack({"TableName": TABLE_NAME, "CompanyDomains": DOMAIN})
    chance = random.Random(SEED)
    inbound = InboundRecords(dynamodb, TABLE_NAME)
    inquiries: list[str] = []
    buyers: list[str] = []
    happened: dict[str, int] = {}

    def did(what: str) -> None:
        happened[what] = happened.get(what, 0) + 1

    for day in range(DAYS):
        for n in range(chance.randint(1, 4)):
            returning = buyers and chance.random() < 0.2
            buyer = chance.choice(buyers) if returning else f"buyer{day}-{n}@importer{day}-{n}.example"
            buyers.append(buyer)
            body = {
                "name": "Buyer",
                "email": buyer,
                "message": f"Please quote item {day}-{n}.",
                "consent": True,
            }
            answer = intake(json_post(body, source_ip=f"198.51.100.{day * 4 + n + 1}"))
            assert answer["statusCode"] == 202, answer["body"]
            inquiries.append(json.loads(answer["body"])["id"])
            did("returning buyer" if returning else "new buyer")
        pipeline.run()
        for inquiry_id in inquiries:
            inquiry = get_inquiry(dynamodb, TABLE_NAME, inquiry_id, consistent=True)
            assert inquiry is not None
            roll = chance.random()
            if inquiry.status == "assigned" and roll < 0.15 and inquiry.owner_email:
                entry = TimelineEntry(
                    inquiry.contact_key, datetime.now(UTC), f"bcc-{inquiry_id}-{day}", "rep_replied",
                    "answer", inquiry.id, inquiry.reference, inquiry.owner_email,
                )  # fmt: skip
                inbound.log_rep_answer(entry, inquiry)
                did("BCC copy")
            elif roll < 0.25:
                did("plain reply, no trace")
            elif roll < 0.45 and inquiry.status not in ("won", "lost", "closed", "spam", "new"):
                moves = {
                    "assigned": ["quoted", "lost", "closed", "snoozed", "responded"],
                    "snoozed": ["quoted", "lost", inquiry.snoozed_from or "assigned"],
                    "responded": ["quoted", "sample_sent", "won", "lost", "snoozed"],
                    "quoted": ["sample_sent", "negotiating", "won", "lost", "snoozed"],
                    "sample_sent": ["negotiating", "won", "lost"],
                    "negotiating": ["won", "lost", "snoozed"],
                }[inquiry.status]
                status = chance.choice(moves)
                code, _, err = run(
                    capsys, "inquiries", "set-status", inquiry.reference, status, "--by", "sim"
                )
                assert code == 0, err
                did(f"{inquiry.status} → {status}")
        if day == 7:  # bob goes on holiday; his waiting inquiries go to the team
            until = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
            assert run(capsys, "reps", "away", REPS[1], "--until", until)[0] == 0
            code, _, err = run(capsys, "reps", "hand-over", REPS[1], "--to", "team")
            assert code == 0, err
            pipeline.run()  # the new owners' notifications
            did("away and handed over")
        if day == 14:
            assert run(capsys, "reps", "back", REPS[1])[0] == 0
            did("back")

    # Every kind of event happened, and every load is what the inquiries say.
    assert {"BCC copy", "plain reply, no trace", "returning buyer", "away and handed over", "back"} <= set(
        happened
    ), happened
    assert len(happened) >= 12, happened
    loads = _recount(dynamodb)
    assert all(stored == counted for stored, counted in loads.values()), loads
    assert sum(counted for _, counted in loads.values()) > 0  # something still waits
    later = datetime.now(UTC) + SETTLE * 2
    checks = reconcile_loads(LoadBook(dynamodb, TABLE_NAME), REPS, later)
    assert [c.outcome for c in checks] == ["right"] * len(REPS)

    # A hand edit makes two loads wrong, one too high, one too low (or missing one); the next
    # recount repairs exactly those.
    chen_counted = loads[REPS[2]][1]
    for email, wrong in ((REPS[0], 40), (REPS[2], chen_counted - 1 if chen_counted else 3)):
        item = {**keys.rep_load_key(email), "entity": "rep_load", "open": wrong}
        dynamodb.put_item(TableName=TABLE_NAME, Item=to_attributes(item))
    checks = reconcile_loads(LoadBook(dynamodb, TABLE_NAME), REPS, later)
    assert {c.email: c.outcome for c in checks} == {
        REPS[0]: "repaired",
        REPS[1]: "right",
        REPS[2]: "repaired",
    }
    assert all(stored == counted for stored, counted in _recount(dynamodb).values())
