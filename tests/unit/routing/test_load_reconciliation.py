"""routing/load_reconciliation.py with adapters/open_load.LoadBook on moto: each rep's load is
recounted from the inquiries they own awaiting a first answer, repaired where it drifted (up, down,
or never written), left alone where right, and left for the next run where it just changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from inquiry_router.adapters import keys
from inquiry_router.adapters.config_store import apply_config
from inquiry_router.adapters.open_load import LoadBook
from inquiry_router.adapters.serialization import from_attributes, to_attributes
from inquiry_router.base.timestamps import iso_timestamp
from inquiry_router.entry.compositions import build_function
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.routing.load_reconciliation import SETTLE, LoadCheck, reconcile_loads
from tests.conftest import RETENTION_ENVIRONMENT, TABLE_NAME, FakeLambdaContext
from tests.support.events import load_event
from tests.support.routing import DOMAIN, rep, routing_config

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
ANNA, BO, CHEN = "anna@sunrise-lighting.com", "bo@sunrise-lighting.com", "chen@sunrise-lighting.com"
_ids = iter(range(1, 1000))


def _inquiry(dynamodb: Any, owner: str, status: str, *, answered: bool = False) -> None:
    number = next(_ids)
    inquiry = Inquiry(
        id=f"inq-{number:04d}",
        reference=f"INQ-{number:06d}",
        status=status,
        received_at=f"2026-11-{1 + number % 28:02d}T08:00:00.000Z",
        contact_key=f"buyer{number}@example.com",
        email=f"buyer{number}@example.com",
        owner_email=owner,
        assignment_kind="round_robin",
        responded_at="2026-11-30T08:00:00.000Z" if answered else None,
    )
    item = {
        **keys.inquiry_key(inquiry.id),
        **keys.owner_index_key(owner, inquiry.received_at, inquiry.id),
        **inquiry.to_item(),
    }
    dynamodb.put_item(TableName=TABLE_NAME, Item=to_attributes(item))


def _set_load(dynamodb: Any, owner: str, open_: int, changed: datetime | None = None) -> None:
    item = {**keys.rep_load_key(owner), "entity": "rep_load", "open": open_}
    if changed:
        item["changed_at"] = iso_timestamp(changed)
    dynamodb.put_item(TableName=TABLE_NAME, Item=to_attributes(item))


def _load(dynamodb: Any, owner: str) -> int | None:
    item = dynamodb.get_item(TableName=TABLE_NAME, Key=to_attributes(keys.rep_load_key(owner))).get("Item")
    return int(from_attributes(item)["open"]) if item else None


def test_drifted_loads_are_repaired_to_what_the_inquiries_say(dynamodb: Any) -> None:
    # Anna: two awaiting an answer (one snoozed before one), the rest answered or ended; load says 5
    _inquiry(dynamodb, ANNA, "assigned")
    _inquiry(dynamodb, ANNA, "snoozed")
    _inquiry(dynamodb, ANNA, "snoozed", answered=True)
    _inquiry(dynamodb, ANNA, "quoted", answered=True)
    _inquiry(dynamodb, ANNA, "lost")
    _set_load(dynamodb, ANNA, 5, NOW - timedelta(days=3))
    # Bo: one awaiting, and no load item at all; Chen: right
    _inquiry(dynamodb, BO, "assigned")
    _inquiry(dynamodb, CHEN, "assigned")
    _set_load(dynamodb, CHEN, 1, NOW - timedelta(hours=1))

    checks = reconcile_loads(LoadBook(dynamodb, TABLE_NAME), [ANNA, BO, CHEN], NOW)

    assert checks == [
        LoadCheck(ANNA, 5, 2, "repaired"),
        LoadCheck(BO, 0, 1, "repaired"),
        LoadCheck(CHEN, 1, 1, "right"),
    ]
    assert (_load(dynamodb, ANNA), _load(dynamodb, BO), _load(dynamodb, CHEN)) == (2, 1, 1)
    # and a second run finds nothing to do
    later = reconcile_loads(LoadBook(dynamodb, TABLE_NAME), [ANNA, BO, CHEN], NOW + SETTLE * 2)
    assert [c.outcome for c in later] == ["right"] * 3


def test_a_load_that_just_changed_is_left_for_the_next_run(dynamodb: Any) -> None:
    _set_load(dynamodb, ANNA, 4, NOW - timedelta(minutes=1))
    assert reconcile_loads(LoadBook(dynamodb, TABLE_NAME), [ANNA], NOW) == [
        LoadCheck(ANNA, 4, None, "settling")
    ]
    assert _load(dynamodb, ANNA) == 4


class _AssignmentMeanwhile(LoadBook):
    """An assignment lands between the recount and the repair."""

    def count_awaiting(self, email: str) -> int:
        counted = super().count_awaiting(email)
        _set_load(self._client, email, 3)
        return counted


def test_a_load_that_changes_during_the_recount_is_not_overwritten(dynamodb: Any) -> None:
    _inquiry(dynamodb, ANNA, "assigned")
    _set_load(dynamodb, ANNA, 2, NOW - timedelta(days=1))

    checks = reconcile_loads(_AssignmentMeanwhile(dynamodb, TABLE_NAME), [ANNA], NOW)

    assert checks == [LoadCheck(ANNA, 2, 1, "moved")]
    assert _load(dynamodb, ANNA) == 3


def test_the_daily_function_repairs_the_configured_reps_and_logs_no_address(
    dynamodb: Any, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    apply_config(dynamodb, TABLE_NAME, routing_config(rep("ana"), rep("bob")), NOW)
    ana, bob = f"ana@{DOMAIN}", f"bob@{DOMAIN}"
    _inquiry(dynamodb, ana, "assigned")
    _set_load(dynamodb, ana, 6, NOW - timedelta(days=2))
    _set_load(dynamodb, bob, 0, NOW - timedelta(days=2))
    environ = {
        **RETENTION_ENVIRONMENT,  # template.yaml's Globals give every function these
        "TABLE_NAME": TABLE_NAME,
        "POWERTOOLS_SERVICE_NAME": "reconciliation",
        "POWERTOOLS_TRACE_DISABLED": "1",
    }
    function = build_function("reconciliation", environ)
    capsys.readouterr()

    summary = function.handler(load_event("reconciliation-schedule.json"), FakeLambdaContext())

    assert summary == {"reps": 2, "repaired": 1, "next_run": 0}
    assert (_load(dynamodb, ana), _load(dynamodb, bob)) == (1, 0)
    assert '"LoadRepaired":[1.0]' in capsys.readouterr().out  # the EMF metric
    (repaired,) = [r for r in caplog.records if r.getMessage() == "rep load repaired"]
    assert (repaired.stored, repaired.counted) == (6, 1)  # type: ignore[attr-defined]
    assert repaired.rep != ana  # type: ignore[attr-defined]
    assert repaired.rep.endswith(f"@{DOMAIN}")  # type: ignore[attr-defined]  # masked: a***#…@domain
