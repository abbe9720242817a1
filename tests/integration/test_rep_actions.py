"""A rep runs an inquiry from the notification, on moto: every link a mail scanner opens changes
nothing; the confirmation page's button does, once; tokens open one action, for one rep, until
they expire; and the pages speak the team's language."""

from __future__ import annotations

import base64
import copy
import html
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from inquiry_router.adapters.config_store import apply_config
from inquiry_router.adapters.queries import get_inquiry
from inquiry_router.entry.actions_api import http_app
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.rep_actions import BUTTONS, RepAction
from inquiry_router.routing.hand_over import reassign_inquiry
from tests.conftest import TABLE_NAME, LambdaFunction
from tests.integration.test_mail_pipeline import submit
from tests.support.events import load_event
from tests.support.pipeline import (
    ACTIONS_URL,
    FILES_URL,
    Pipeline,
    lambda_context,
    sent_mails,
    start_pipeline,
)
from tests.support.routing import DOMAIN, rep, routing_config

Invoke = Any
HOST = "abc123.execute-api.eu-west-1.amazonaws.com"


@pytest.fixture
def pipeline(dynamodb: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Pipeline:
    return start_pipeline(dynamodb, monkeypatch, tmp_path)


@pytest.fixture
def actions(pipeline: Pipeline) -> LambdaFunction:
    return LambdaFunction("actions")


def assigned(intake: Invoke, pipeline: Pipeline, **fields: Any) -> Inquiry:
    inquiry_id = submit(intake, **fields)
    pipeline.run()
    return stored(pipeline, inquiry_id)


def stored(pipeline: Pipeline, inquiry_id: str) -> Inquiry:
    inquiry = get_inquiry(pipeline.dynamodb, TABLE_NAME, inquiry_id, consistent=True)
    assert inquiry is not None
    return inquiry


def notification_links(inquiry: Inquiry, *, to: str | None = None) -> dict[RepAction, str]:
    """The action links of the last notification about `inquiry` to its owner (or `to`), by action."""
    owner = to or str(inquiry.owner_email)
    mails = [
        m
        for m in sent_mails()
        if m.message["To"].addresses[0].addr_spec == owner and inquiry.reference in str(m.message["Subject"])
    ]
    assert mails, f"no notification to {owner}"
    body = mails[-1].message.get_body(("html",))
    assert body is not None
    found = [html.unescape(h) for h in re.findall(r'href="([^"]+)"', body.get_content())]
    links = [h for h in found if h.startswith(ACTIONS_URL + "/")]
    assert len(links) == len(BUTTONS)
    return dict(zip(BUTTONS, links, strict=True))


def all_links(inquiry: Inquiry) -> list[str]:
    mail = [m for m in sent_mails() if m.message["To"].addresses[0].addr_spec == inquiry.owner_email][-1]
    body = mail.message.get_body(("html",))
    assert body is not None
    return [html.unescape(h) for h in re.findall(r'href="([^"]+)"', body.get_content())]


def visit(
    actions: LambdaFunction,
    link: str,
    method: str = "GET",
    form: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    token = link.rsplit("/", 1)[1]
    event = copy.deepcopy(load_event("actions-post.json" if method == "POST" else "actions-get.json"))
    event["rawPath"] = event["requestContext"]["http"]["path"] = f"/actions/{token}"
    event["pathParameters"] = {"token": token}
    if headers is not None:
        event["headers"] = {"host": HOST, **headers}
    if method == "POST":
        event["body"] = base64.b64encode(urlencode(form or {}).encode()).decode()
    answer: dict[str, Any] = actions(event, lambda_context("actions"))
    return answer


def form_of(page: dict[str, Any]) -> dict[str, str]:
    """The hidden fields of a confirmation page, as its form would send them."""
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page["body"]))
    assert "form" in fields, "not a confirmation page"
    return {name: html.unescape(value) for name, value in fields.items()}


def confirm(actions: LambdaFunction, link: str, **extra: str) -> dict[str, Any]:
    """What a rep does: open the link, press the button."""
    page = visit(actions, link)
    assert page["statusCode"] == 200
    return visit(actions, link, "POST", {**form_of(page), **extra})


def table_items(dynamodb: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": TABLE_NAME, "ConsistentRead": True}
    while True:
        answer = dynamodb.scan(**kwargs)
        items += answer["Items"]
        if "LastEvaluatedKey" not in answer:
            return sorted(items, key=lambda item: (item["PK"]["S"], item["SK"]["S"]))
        kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


# -- a mail scanner opens every link ------------------------------------------------------------


def test_a_mail_scanner_opening_every_link_of_the_notification_changes_nothing(
    intake: Invoke, pipeline: Pipeline, actions: LambdaFunction
) -> None:
    inquiry = assigned(intake, pipeline)
    links = all_links(inquiry)
    ours = [link for link in links if link.startswith(ACTIONS_URL)]
    assert len(ours) == len(BUTTONS)
    before = table_items(pipeline.dynamodb)

    # Safe Links, Mimecast and Proofpoint fetch each link, some twice, some with HEAD-less GETs
    for link in ours * 2:
        answer = visit(actions, link, headers={"user-agent": "Mozilla/5.0 (compatible; scanner)"})
        assert answer["statusCode"] == 200
        assert "<form" in answer["body"]
        assert answer["headers"]["Cache-Control"] == "no-store"
    files = [link for link in links if link.startswith(FILES_URL)]
    for link in files:  # none for a form inquiry; a mailed one has its original
        token = link.rsplit("/", 1)[1]
        event = copy.deepcopy(load_event("files-get.json"))
        event["rawPath"] = event["requestContext"]["http"]["path"] = f"/files/{token}"
        event["pathParameters"] = {"token": token}
        LambdaFunction("files")(event, lambda_context("files"))

    assert table_items(pipeline.dynamodb) == before
    assert stored(pipeline, inquiry.id).status == "assigned"


# -- the button: once, by the owner, idempotent -------------------------------------------------


def test_won_by_the_button_is_written_once_with_who_when_and_how(
    intake: Invoke, pipeline: Pipeline, actions: LambdaFunction
) -> None:
    inquiry = assigned(intake, pipeline)
    links = notification_links(inquiry)

    answer = confirm(actions, links[RepAction.RESPONDED])
    again = visit(
        actions, links[RepAction.RESPONDED], "POST", form_of(visit(actions, links[RepAction.QUOTED]))
    )
    won = confirm(actions, links[RepAction.WON], note="Order of 2,000 pcs <b>signed</b>")
    twice = visit(actions, links[RepAction.WON], "POST", {"form": "x"})

    assert answer["statusCode"] == 200
    assert "Done" in answer["body"]
    assert again["statusCode"] == 400  # the QUOTED page's form does not fit the RESPONDED link
    assert won["statusCode"] == 200
    assert "is now: won" in won["body"]
    assert twice["statusCode"] == 400
    final = stored(pipeline, inquiry.id)
    assert final.status == "won"
    assert [(c.from_status, c.to_status, c.channel, c.by) for c in final.transitions] == [
        ("assigned", "responded", "mail_action", inquiry.owner_email),
        ("responded", "won", "mail_action", inquiry.owner_email),
    ]
    assert final.transitions[1].note == "Order of 2,000 pcs <b>signed</b>"
    assert final.first_response_via == "mail_action"
    # Opened again later, the won link says it is done; nothing changes
    reopened = visit(actions, links[RepAction.WON])
    assert "Already done" in reopened["body"]
    assert "<form" not in reopened["body"]


def test_the_same_confirmation_sent_twice_changes_the_inquiry_once(
    intake: Invoke, pipeline: Pipeline, actions: LambdaFunction
) -> None:
    inquiry = assigned(intake, pipeline)
    link = notification_links(inquiry)[RepAction.QUOTED]
    form = form_of(visit(actions, link))

    first = visit(actions, link, "POST", form)
    second = visit(actions, link, "POST", form)  # a double click, a refresh, a retried request

    assert "Done" in first["body"]
    assert second["statusCode"] == 200
    assert "Already done" in second["body"]
    assert len(stored(pipeline, inquiry.id).transitions) == 1


def test_an_action_the_lifecycle_no_longer_allows_is_explained_not_applied(
    intake: Invoke, pipeline: Pipeline, actions: LambdaFunction
) -> None:
    inquiry = assigned(intake, pipeline)
    links = notification_links(inquiry)
    quoted_form = form_of(visit(actions, links[RepAction.QUOTED]))
    confirm(actions, links[RepAction.LOST], note="price too high")

    page = visit(actions, links[RepAction.QUOTED])
    late = visit(actions, links[RepAction.QUOTED], "POST", quoted_form)

    assert "Not possible now" in page["body"]
    assert "<form" not in page["body"]
    assert "Not possible now" in late["body"]
    assert stored(pipeline, inquiry.id).status == "lost"


# -- refused: another site, another rep, an expired or made-up token ----------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "cross-site", "content-type": "application/x-www-form-urlencoded"},
        {"sec-fetch-site": "same-site", "content-type": "application/x-www-form-urlencoded"},
        {"origin": "https://evil.example", "content-type": "application/x-www-form-urlencoded"},
        {"origin": f"https://{HOST}.evil.example", "content-type": "application/x-www-form-urlencoded"},
    ],
)
def test_a_post_from_another_site_is_refused(
    intake: Invoke, pipeline: Pipeline, actions: LambdaFunction, headers: dict[str, str]
) -> None:
    inquiry = assigned(intake, pipeline)
    link = notification_links(inquiry)[RepAction.WON]
    form = form_of(visit(actions, link))

    answer = visit(actions, link, "POST", form, headers=headers)

    assert answer["statusCode"] == 403
    assert stored(pipeline, inquiry.id).status == "assigned"


def test_a_post_without_the_page_s_form_is_refused(
    intake: Invoke, pipeline: Pipeline, actions: LambdaFunction
) -> None:
    inquiry = assigned(intake, pipeline)
    link = notification_links(inquiry)[RepAction.WON]

    for form in ({}, {"form": ""}, {"form": "A" * 22}, {"note": "won"}):
        assert visit(actions, link, "POST", form)["statusCode"] == 400
    assert stored(pipeline, inquiry.id).status == "assigned"


def test_links_of_a_reassigned_inquiry_no_longer_work_for_the_old_owner(
    intake: Invoke, pipeline: Pipeline, actions: LambdaFunction
) -> None:
    inquiry = assigned(intake, pipeline)
    old_links = notification_links(inquiry)
    reassign_inquiry(pipeline.dynamodb, TABLE_NAME, inquiry, None, datetime.now(UTC))
    pipeline.run()
    moved = stored(pipeline, inquiry.id)
    assert moved.owner_email != inquiry.owner_email

    page = visit(actions, old_links[RepAction.WON])
    new_links = notification_links(moved)
    done = confirm(actions, new_links[RepAction.WON])

    assert "No longer yours" in page["body"]
    assert str(moved.owner_email) in page["body"]
    assert "Done" in done["body"]
    assert stored(pipeline, inquiry.id).status == "won"


def test_unknown_and_tampered_tokens_get_the_same_page(
    intake: Invoke, pipeline: Pipeline, actions: LambdaFunction
) -> None:
    inquiry = assigned(intake, pipeline)
    link = notification_links(inquiry)[RepAction.WON]
    key_id, mac = link.rsplit("/", 1)[1].split(".")
    tampered = [
        f"{ACTIONS_URL}/{key_id}.{mac[:-1]}{'A' if mac[-1] != 'A' else 'B'}",
        f"{ACTIONS_URL}/{'B' * 22}.{mac}",
        f"{ACTIONS_URL}/{key_id}",
        f"{ACTIONS_URL}/..%2F..%2Fetc",
    ]
    pages = {visit(actions, bad)["body"] for bad in tampered}

    assert len(pages) == 1
    (page,) = pages
    assert "This link does not work any more" in page
    assert f"log@in.{DOMAIN}" in page  # what to do instead: a command by mail
    assert stored(pipeline, inquiry.id).status == "assigned"


def test_an_expired_link_gets_the_page_that_says_what_to_do(
    intake: Invoke, pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    inquiry = assigned(intake, pipeline)
    link = notification_links(inquiry)[RepAction.WON]
    monkeypatch.setenv("ACTION_LINK_DAYS", "30")
    handler = LambdaFunction("actions").composition
    month_later = datetime.now(UTC) + timedelta(days=31)
    app = http_app(
        handler.settings, dynamodb=handler.dynamodb, actions=handler.actions, clock=lambda: month_later
    )
    token = link.rsplit("/", 1)[1]
    event = copy.deepcopy(load_event("actions-get.json"))
    event["rawPath"] = event["requestContext"]["http"]["path"] = f"/actions/{token}"
    event["pathParameters"] = {"token": token}

    answer = app.resolve(event, lambda_context("actions"))

    assert answer["statusCode"] == 410
    assert "30 days" in answer["body"]
    assert stored(pipeline, inquiry.id).status == "assigned"


# -- what each action does ----------------------------------------------------------------------


def test_snooze_keeps_the_inquiry_and_sets_when_it_wakes(
    intake: Invoke, pipeline: Pipeline, actions: LambdaFunction
) -> None:
    inquiry = assigned(intake, pipeline)
    before = datetime.now(UTC)

    answer = confirm(actions, notification_links(inquiry)[RepAction.SNOOZE], snooze="2d")

    snoozed = stored(pipeline, inquiry.id)
    assert snoozed.status == "snoozed"
    assert snoozed.snoozed_from == "assigned"
    assert snoozed.owner_email == inquiry.owner_email
    assert snoozed.snoozed_until is not None
    until = datetime.fromisoformat(snoozed.snoozed_until)
    assert before + timedelta(days=2) - timedelta(minutes=1) <= until <= datetime.now(UTC) + timedelta(days=2)
    assert "snoozed until" in answer["body"]


def test_give_to_the_team_hands_it_to_another_rep_who_is_notified(
    intake: Invoke, pipeline: Pipeline, actions: LambdaFunction
) -> None:
    inquiry = assigned(intake, pipeline)
    mails_before = len(sent_mails())

    answer = confirm(actions, notification_links(inquiry)[RepAction.GIVE_TO_TEAM])
    pipeline.run()

    moved = stored(pipeline, inquiry.id)
    assert moved.owner_email not in (None, inquiry.owner_email)
    assert str(moved.owner_email) in answer["body"]
    new = sent_mails()[mails_before:]
    assert [m.message["To"].addresses[0].addr_spec for m in new] == [moved.owner_email]


def test_not_an_inquiry_takes_it_out_of_the_owner_s_load(
    intake: Invoke, pipeline: Pipeline, actions: LambdaFunction
) -> None:
    from inquiry_router.adapters.open_load import LoadBook

    inquiry = assigned(intake, pipeline)
    book = LoadBook(pipeline.dynamodb, TABLE_NAME)
    owner = str(inquiry.owner_email)
    assert book.readings([owner])[owner].open == 1

    confirm(actions, notification_links(inquiry)[RepAction.NOT_AN_INQUIRY])

    assert stored(pipeline, inquiry.id).status == "spam"
    assert book.readings([owner])[owner].open == 0


def test_the_pages_speak_the_team_s_language_and_escape_the_buyer_s_words(
    intake: Invoke, pipeline: Pipeline, actions: LambdaFunction
) -> None:
    config = routing_config(rep("ana"), rep("luis", teams=["latam"]), rep("maria", teams=["latam"]))
    apply_config(pipeline.dynamodb, TABLE_NAME, config, datetime.now(UTC))
    inquiry = assigned(
        intake, pipeline, country="MX", name='<img src=x onerror="alert(1)">', company="Acme & Co"
    )

    page = visit(actions, notification_links(inquiry)[RepAction.WON])

    assert inquiry.team == "latam"
    assert '<html lang="es"' in page["body"]
    assert "¿Marcar" in page["body"]
    assert "Confirmar: Ganada" in page["body"]
    assert "<img" not in page["body"]
    assert "&lt;img src=x" in page["body"]
    assert "Acme &amp; Co" in page["body"]
