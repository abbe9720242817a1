"""Rep actions as data: command lines a rep types, and the tokens of the notification's links."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inquiry_router.actions.pages import confirm_page, gone_page, page_translations, result_page
from inquiry_router.models.action_key import ActionKey, key_id_of
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.lifecycle import Status
from inquiry_router.models.rep_actions import (
    COMMAND_WORDS,
    MAX_SNOOZE,
    TARGET_STATUS,
    ActionOutcome,
    CommandNotUnderstood,
    CommandRecord,
    RepAction,
    parse_command,
)

# -- command lines ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "action", "note", "snooze"),
    [
        ("#won", RepAction.WON, None, timedelta(days=1)),
        ("  #WON!  ", RepAction.WON, None, timedelta(days=1)),
        ("# won", RepAction.WON, None, timedelta(days=1)),
        ("#lost price too high", RepAction.LOST, "price too high", timedelta(days=1)),
        ("#lost: price too high", RepAction.LOST, "price too high", timedelta(days=1)),
        ("#lost — 交期太长", RepAction.LOST, "交期太长", timedelta(days=1)),
        ("#quoted", RepAction.QUOTED, None, timedelta(days=1)),
        ("#quote FOB Ningbo", RepAction.QUOTED, "FOB Ningbo", timedelta(days=1)),
        ("#sample sent", RepAction.SAMPLE_SENT, None, timedelta(days=1)),
        ("#sample-sent via DHL", RepAction.SAMPLE_SENT, "via DHL", timedelta(days=1)),
        ("#snooze", RepAction.SNOOZE, None, timedelta(days=1)),
        ("#snooze 2d", RepAction.SNOOZE, None, timedelta(days=2)),
        ("#snooze 3 days fair in Canton", RepAction.SNOOZE, "fair in Canton", timedelta(days=3)),
        ("#snooze 4h", RepAction.SNOOZE, None, timedelta(hours=4)),
        ("#snooze 1w", RepAction.SNOOZE, None, timedelta(weeks=1)),
        ("#snooze 400d", RepAction.SNOOZE, None, MAX_SNOOZE),
        ("#not an inquiry", RepAction.NOT_AN_INQUIRY, None, timedelta(days=1)),
        ("#spam", RepAction.NOT_AN_INQUIRY, None, timedelta(days=1)),
        ("#team", RepAction.GIVE_TO_TEAM, None, timedelta(days=1)),
        ("#give to the team", RepAction.GIVE_TO_TEAM, None, timedelta(days=1)),
        ("#negotiating", RepAction.NEGOTIATING, None, timedelta(days=1)),
    ],
)
def test_command_lines_as_reps_write_them(
    line: str, action: RepAction, note: str | None, snooze: timedelta
) -> None:
    request = parse_command(line)

    assert request is not None
    assert (request.action, request.note) == (action, note)
    if action is RepAction.SNOOZE:
        assert request.snooze_for == snooze


@pytest.mark.parametrize("line", ["#wno", "#", "#1 priority", "#offer attached", "##"])
def test_a_hash_line_that_names_no_action_is_not_understood_and_lists_the_commands(line: str) -> None:
    with pytest.raises(CommandNotUnderstood, match="#won") as refused:
        parse_command(line)

    assert "#snooze" in str(refused.value)


@given(st.text())
def test_any_line_is_a_command_none_or_not_understood(line: str) -> None:
    try:
        request = parse_command(line)
    except CommandNotUnderstood:
        assert line.strip().startswith("#")
        return
    if not line.strip().startswith("#"):
        assert request is None
    else:
        assert request is not None
        assert request.note is None or ("\n" not in request.note and len(request.note) <= 500)
        assert timedelta(hours=1) <= request.snooze_for <= MAX_SNOOZE


@given(st.sampled_from(sorted(COMMAND_WORDS)), st.text(alphabet=st.characters(blacklist_categories=["Cs"])))
def test_every_command_word_with_any_note_names_its_action(word: str, note: str) -> None:
    request = parse_command(f"#{word.replace('_', ' ')} {note}")

    assert request is not None
    assert request.action is COMMAND_WORDS[word] or word in {"give", "sample", "not_inquiry"}


def test_every_action_but_give_to_team_has_a_target_status() -> None:
    assert set(TARGET_STATUS) == set(RepAction) - {RepAction.GIVE_TO_TEAM}


# -- tokens -------------------------------------------------------------------------------------


def key(**fields: object) -> ActionKey:
    defaults: dict[str, object] = {
        "key_id": secrets.token_urlsafe(16),
        "inquiry_id": "inq-1",
        "rep_email": "ana@sunrise-lighting.com",
        "language": "en",
        "secret": secrets.token_urlsafe(32),
        "expires_at": int((datetime.now(UTC) + timedelta(days=30)).timestamp()),
    }
    return ActionKey(**{**defaults, **fields})  # type: ignore[arg-type]


def test_each_token_opens_its_own_action_only() -> None:
    k = key()
    tokens = {action: k.token(action) for action in RepAction}

    assert len(set(tokens.values())) == len(RepAction)
    for action, token in tokens.items():
        assert k.action_of(token) is action
        assert key_id_of(token) == k.key_id


def test_a_token_does_not_open_another_key_inquiry_or_rep() -> None:
    k = key()
    token = k.token(RepAction.WON)

    assert key(key_id=k.key_id).action_of(token) is None  # another secret
    assert key(key_id=k.key_id, secret=k.secret, inquiry_id="inq-2").action_of(token) is None
    assert (
        key(key_id=k.key_id, secret=k.secret, rep_email="bob@sunrise-lighting.com").action_of(token) is None
    )
    assert key().action_of(token) is None


@given(st.text(max_size=80))
def test_no_made_up_token_opens_anything(token: str) -> None:
    assert key().action_of(token) is None


def test_the_form_mac_is_bound_to_its_action_and_differs_from_the_token() -> None:
    k = key()

    assert k.accepts_form(RepAction.WON, k.form_mac(RepAction.WON))
    assert not k.accepts_form(RepAction.WON, k.form_mac(RepAction.LOST))
    assert k.form_mac(RepAction.WON) not in k.token(RepAction.WON)
    assert not k.accepts_form(RepAction.WON, "")


def test_a_key_expires_and_survives_its_item() -> None:
    k = key(expires_at=1_000)

    assert k.expired(datetime.now(UTC))
    assert ActionKey.from_item(k.to_item()) == k


def test_a_command_record_survives_its_item() -> None:
    outcome = ActionOutcome("done", RepAction.WON, "INQ-7K3M9Q", Status.WON, "ana@x.com")
    record = CommandRecord.of("#won", outcome)

    assert CommandRecord.from_item(record.to_item()) == record
    assert CommandRecord.from_item(None) is None


# -- pages --------------------------------------------------------------------------------------


def inquiry(**fields: object) -> Inquiry:
    defaults: dict[str, object] = {
        "id": "inq-1",
        "reference": "INQ-7K3M9Q",
        "status": "assigned",
        "received_at": "2026-12-01T08:00:00.000000Z",
        "contact_key": "wei@example.cn",
        "email": "wei@example.cn",
        "owner_email": "ana@sunrise-lighting.com",
    }
    return Inquiry(**{**defaults, **fields})  # type: ignore[arg-type]


def test_every_page_language_says_everything_english_does() -> None:
    catalogs = page_translations().catalogs

    assert {"en", "es", "zh"} <= set(catalogs)
    for language, catalog in catalogs.items():
        assert set(catalog) == set(catalogs["en"]), language


@pytest.mark.parametrize("language", ["en", "es", "zh", "de", "fr", "it", "pt", "tr"])
@pytest.mark.parametrize("action", list(RepAction))
def test_every_confirmation_page_renders_in_every_language(language: str, action: RepAction) -> None:
    page = confirm_page(inquiry(), action, "mac", language=language, company="Sunrise <Lighting>")

    assert f'<html lang="{language}"' in page
    assert '<form method="post">' in page
    assert "Sunrise &lt;Lighting&gt;" in page
    assert "<script" not in page


def test_the_buyer_s_words_are_escaped_on_the_page() -> None:
    page = confirm_page(
        inquiry(name='"><script>alert(1)</script>', subject="<b>LED</b>"),
        RepAction.WON,
        'm"ac',
        language="en",
        company="Sunrise",
    )

    assert "<script>" not in page
    assert "&lt;b&gt;LED&lt;/b&gt;" in page
    assert 'value="m&quot;ac"' in page


def test_result_and_gone_pages_say_what_happened_and_what_to_do() -> None:
    done = result_page(
        ActionOutcome("done", RepAction.GIVE_TO_TEAM, "INQ-7K3M9Q", Status.ASSIGNED, "bob@x.com"),
        language="zh",
        company="Sunrise",
    )
    gone = gone_page(language="es", days=30, command_address="log@in.x.com")

    assert "bob@x.com" in done
    assert "已完成" in done
    assert "30 días" in gone
    assert "log@in.x.com" in gone
