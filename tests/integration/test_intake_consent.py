"""Consent is evidence: when a buyer ticked the boxes is stored on the contact, and never erased by
a later inquiry that did not tick them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from inquiry_router.adapters import keys
from inquiry_router.adapters.serialization import from_attributes
from tests.conftest import TABLE_NAME
from tests.support.events import form_post, json_post
from tests.support.items import get_contact

Invoke = Callable[[dict[str, Any]], dict[str, Any]]
BUYER = {"name": "Ana García", "email": "ana@importadora-sol.es", "message": "Please quote 2,000 panels."}


def stored_inquiry(dynamodb: Any, response: dict[str, Any]) -> dict[str, Any]:
    inquiry_id = json.loads(response["body"])["id"]
    answer = dynamodb.get_item(
        TableName=TABLE_NAME, Key={k: {"S": v} for k, v in keys.inquiry_key(inquiry_id).items()}
    )
    return from_attributes(answer["Item"])


def test_consent_and_opt_in_are_stamped_with_the_inquirys_time(intake: Invoke, dynamodb: Any) -> None:
    response = intake(json_post({**BUYER, "consent": True, "marketing_opt_in": True}))
    assert response["statusCode"] == 202
    inquiry = stored_inquiry(dynamodb, response)
    contact = get_contact(dynamodb, TABLE_NAME, "ana@importadora-sol.es") or {}
    assert inquiry["consent"] is True
    assert inquiry["marketing_opt_in"] is True
    assert contact["consent_at"] == inquiry["received_at"]
    assert contact["marketing_opt_in"] is True
    assert contact["marketing_opt_in_at"] == inquiry["received_at"]


def test_a_later_inquiry_without_the_boxes_keeps_the_first_consent(intake: Invoke, dynamodb: Any) -> None:
    first = stored_inquiry(dynamodb, intake(json_post({**BUYER, "consent": True, "marketing_opt_in": True})))
    later = stored_inquiry(dynamodb, intake(json_post({**BUYER, "message": "And 500 downlights?"})))
    contact = get_contact(dynamodb, TABLE_NAME, "ana@importadora-sol.es") or {}
    assert later["consent"] is False
    assert contact["consent_at"] == first["received_at"]
    assert contact["marketing_opt_in_at"] == first["received_at"]
    assert contact["inquiry_count"] == 2


def test_a_checkbox_posted_by_a_plain_form_counts_and_an_unticked_one_stores_no_time(
    intake: Invoke, dynamodb: Any
) -> None:
    intake(form_post({**BUYER, "consent": "on"}))
    contact = get_contact(dynamodb, TABLE_NAME, "ana@importadora-sol.es") or {}
    assert contact["consent_at"].endswith("Z")
    intake(form_post({**BUYER, "email": "li@shenzhen-trading.cn"}))
    other = get_contact(dynamodb, TABLE_NAME, "li@shenzhen-trading.cn") or {}
    assert "consent_at" not in other
    assert "marketing_opt_in_at" not in other
