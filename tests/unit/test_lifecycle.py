"""The lifecycle as data (models/lifecycle.py): every status named and labelled, every path ends,
final means final, a snooze returns where it left, and a refused move says what is allowed."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inquiry_router.models.lifecycle import (
    FINAL,
    LABELS,
    MAX_NOTE_CHARS,
    OPEN,
    SHOWS_AN_ANSWER,
    TRANSITIONS,
    Channel,
    Status,
    StatusChange,
    TransitionRefused,
    allowed_moves,
    check_move,
    first_response_in,
    parse_status,
)


def test_every_status_has_a_label_and_a_row_of_moves() -> None:
    assert set(LABELS) == set(Status) == set(TRANSITIONS)
    assert set(Status) == OPEN | FINAL
    assert not OPEN & FINAL


def test_final_statuses_have_no_way_out() -> None:
    for status in FINAL:
        assert allowed_moves(status) == frozenset()
        with pytest.raises(TransitionRefused, match="final"):
            check_move(status, Status.NEGOTIATING)


def test_nothing_goes_back_to_new() -> None:
    assert all(Status.NEW not in allowed_moves(s, before) for s in Status for before in [None, *OPEN])


def _reachable(start: Status) -> set[Status]:
    """Every status some path of allowed moves leads to from `start`."""
    seen: set[tuple[Status, Status | None]] = set()
    todo: list[tuple[Status, Status | None]] = [(start, None)]
    while todo:
        state = todo.pop()
        if state in seen:
            continue
        seen.add(state)
        status, before = state
        todo += [(f, status if f is Status.SNOOZED else None) for f in allowed_moves(status, before)]
    return {status for status, _ in seen}


def test_every_status_is_reachable_from_new_and_every_open_one_can_end() -> None:
    assert _reachable(Status.NEW) == set(Status)
    for status in OPEN - {Status.SNOOZED}:
        assert _reachable(status) & FINAL, status


@st.composite
def walks(draw: st.DrawFn) -> list[tuple[Status, Status | None]]:
    """A path from new through allowed moves: (status, the status a snooze left) at each step."""
    path: list[tuple[Status, Status | None]] = [(Status.NEW, None)]
    for _ in range(draw(st.integers(0, 12))):
        status, before = path[-1]
        moves = sorted(allowed_moves(status, before))
        if not moves:
            break
        following = draw(st.sampled_from(moves))
        path.append((following, status if following is Status.SNOOZED else None))
    return path


@given(walks(), st.sampled_from(list(Status)))
def test_a_walk_keeps_the_rules(path: list[tuple[Status, Status | None]], attempt: Status) -> None:
    answered = False
    first_responses = 0
    for (status, before), (following, _) in itertools.pairwise(path):
        check_move(status, following, before)  # every step of the walk is allowed
        assert status not in FINAL
        if following is Status.SNOOZED:
            # asleep, it may go back to where it was
            assert status in allowed_moves(Status.SNOOZED, status)
            assert Status.SNOOZED not in allowed_moves(Status.SNOOZED, status)
        if first_response_in(status, following, answered):
            first_responses += 1
            answered = True
        if following in SHOWS_AN_ANSWER:
            assert answered
    assert first_responses <= 1
    status, before = path[-1]
    if attempt in allowed_moves(status, before):
        check_move(status, attempt, before)
    else:
        with pytest.raises(TransitionRefused) as refused:
            check_move(status, attempt, before)
        message = str(refused.value)
        assert (
            "final" in message
            if status in FINAL
            else all(m in message for m in allowed_moves(status, before))
        )


@pytest.mark.parametrize("typed", ["sample_sent", "Sample sent", "SAMPLE-SENT", "  sample sent "])
def test_a_status_is_read_as_people_type_it(typed: str) -> None:
    assert parse_status(typed) is Status.SAMPLE_SENT


def test_an_unknown_status_is_refused_with_the_list() -> None:
    with pytest.raises(TransitionRefused) as refused:
        parse_status("done")
    assert "'done' is not a status" in str(refused.value)
    assert all(s in str(refused.value) for s in Status)


@given(
    st.sampled_from(list(Status)),
    st.sampled_from(list(Status)),
    st.sampled_from(list(Channel)),
    st.text(max_size=MAX_NOTE_CHARS * 2) | st.none(),
)
def test_a_status_change_maps_to_its_item_and_back(
    before: Status, after: Status, channel: Channel, note: str | None
) -> None:
    change = StatusChange(before, after, "2026-12-04T01:02:03.000Z", "anna@example.com", channel, note)
    assert StatusChange.from_item(change.to_item()) == change
    assert change.note is None or len(change.note) <= MAX_NOTE_CHARS
    assert LABELS[after] in change.summary
