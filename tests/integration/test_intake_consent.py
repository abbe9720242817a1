"""Consent is evidence: when a buyer ticked the boxes, which text they saw, on which page and from
which (digested) IP is stored on the inquiry and as the latest on the contact, and never erased by
a later inquiry that did not tick them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from inquiry_router.adapters import keys
from inquiry_router.adapters.serialization import from_attributes
from inquiry_router.base.digests import guard_digest
from inquiry_router.base.timestamps import parse_timestamp
from tests.conftest import TABLE_NAME, intake_function
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


# -- the proof of what was agreed ------------------------------------------------------------------

PROOF = {
    "consent": True,
    "consent_text_version": "2026-01",
    "consent_text_sha256": "AB" * 32,
    "privacy_policy_url": "https://www.example.com/privacy",
    "page_url": "https://www.example.com/contact?utm_source=fair",
}


def test_the_proof_says_what_was_agreed_when_where_and_from_which_ip_digest(
    intake: Invoke, dynamodb: Any, aws_calls: list[str]
) -> None:
    response = intake(json_post({**BUYER, **PROOF}, source_ip="198.51.100.23"))
    assert response["statusCode"] == 202
    # Still one round trip: the proof rides on the intake's one transaction.
    assert aws_calls == ["DynamoDB_20120810.TransactWriteItems"]
    inquiry = stored_inquiry(dynamodb, response)
    proof = inquiry["consent_proof"]
    assert proof == {
        "at": inquiry["received_at"],
        "text_version": "2026-01",
        "text_sha256": "ab" * 32,
        "policy_url": "https://www.example.com/privacy",
        "page_url": "https://www.example.com/contact?utm_source=fair",
        "page_origin_listed": True,
        "ip_digest": guard_digest("198.51.100.23", ""),
    }
    assert "marketing_proof" not in inquiry  # not ticked: nothing to prove
    contact = get_contact(dynamodb, TABLE_NAME, "ana@importadora-sol.es") or {}
    assert {k: v for k, v in contact.items() if k.startswith("consent_")} == {
        f"consent_{part}": value for part, value in proof.items()
    }
    # The proof holds no IP in clear anywhere (the inquiry's own source_ip is another matter).
    assert "198.51.100.23" not in json.dumps(contact)
    assert "198.51.100.23" not in json.dumps(proof)


def test_the_marketing_opt_in_has_its_own_proof(intake: Invoke, dynamodb: Any) -> None:
    fields = {**BUYER, **PROOF, "marketing_opt_in": "yes", "marketing_text_version": "news-3"}
    inquiry = stored_inquiry(dynamodb, intake(json_post(fields)))
    assert inquiry["marketing_proof"]["text_version"] == "news-3"
    assert "policy_url" not in inquiry["marketing_proof"]
    assert inquiry["consent_proof"]["text_version"] == "2026-01"
    contact = get_contact(dynamodb, TABLE_NAME, "ana@importadora-sol.es") or {}
    assert contact["marketing_opt_in_text_version"] == "news-3"
    assert contact["marketing_opt_in_at"] == inquiry["received_at"]


def test_a_version_sent_beside_an_unticked_box_proves_nothing(intake: Invoke, dynamodb: Any) -> None:
    fields = {**BUYER, **PROOF, "consent": False, "marketing_text_version": "news-3"}
    inquiry = stored_inquiry(dynamodb, intake(json_post(fields)))
    assert "consent_proof" not in inquiry
    assert "marketing_proof" not in inquiry
    contact = get_contact(dynamodb, TABLE_NAME, "ana@importadora-sol.es") or {}
    assert not [k for k in contact if k.startswith(("consent_", "marketing_opt_in_"))]


def test_a_page_outside_the_allowed_origins_is_kept_and_noted(intake: Invoke, dynamodb: Any) -> None:
    page = "https://new-site.example.org/kontakt"
    inquiry = stored_inquiry(dynamodb, intake(json_post({**BUYER, **PROOF, "page_url": page})))
    assert inquiry["status"] == "new"  # an honest buyer on a site not listed yet is not refused
    assert inquiry["page_url"] == page
    assert inquiry["consent_proof"]["page_origin_listed"] is False


def test_a_later_consent_replaces_the_contacts_proof_as_a_whole(intake: Invoke, dynamodb: Any) -> None:
    intake(json_post({**BUYER, **PROOF}))
    later = {**BUYER, "consent": True, "consent_text_version": "2026-02", "message": "And downlights?"}
    second = stored_inquiry(dynamodb, intake(json_post(later)))
    contact = get_contact(dynamodb, TABLE_NAME, "ana@importadora-sol.es") or {}
    assert contact["consent_at"] == second["received_at"]
    assert contact["consent_text_version"] == "2026-02"
    # the first text's hash and policy were not agreed to this time
    assert "consent_text_sha256" not in contact
    assert "consent_policy_url" not in contact
    assert "consent_page_url" not in contact


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("page_url", "javascript:alert(1)", "absolute http(s) URL"),
        ("page_url", "file:///Users/ana/form.html", "absolute http(s) URL"),
        ("privacy_policy_url", "https://www.example.com/privacy policy", "absolute http(s) URL"),
        ("page_url", "https://www.example.com/" + "a" * 2_000, "limit is 2,000"),
        ("consent_text_sha256", "ab" * 31, "64 hexadecimal digits"),
        ("consent_text_sha256", "zz" * 32, "64 hexadecimal digits"),
        ("marketing_text_sha256", "ab" * 33, "64 hexadecimal digits"),
        ("consent_text_version", "version 1", "version name"),
        ("marketing_text_version", "v" * 65, "up to 64"),
        ("page_url", "https://www.example.com/contact\n", "absolute http(s) URL"),
    ],
)
def test_a_malformed_proof_is_a_422_naming_the_field(
    intake: Invoke, dynamodb: Any, field: str, value: str, says: str
) -> None:
    response = intake(json_post({**BUYER, **PROOF, field: value}))
    assert response["statusCode"] == 422
    errors = json.loads(response["body"])["errors"]
    assert list(errors) == [field]
    assert says in errors[field]


def test_spam_expires_after_the_stacks_spam_retention(dynamodb: Any) -> None:
    intake = intake_function(SPAM_RETENTION_DAYS="7")
    inquiry = stored_inquiry(dynamodb, intake(json_post({**BUYER, "_gotcha": "https://seo.example"})))
    assert inquiry["status"] == "spam"
    received = parse_timestamp(inquiry["received_at"]).timestamp()
    assert inquiry["expires_at"] - received == pytest.approx(7 * 86_400, abs=2)


def test_the_text_null_a_scripts_formdata_sends_means_not_given(intake: Invoke, dynamodb: Any) -> None:
    fields = {**BUYER, "consent": "on", "page_url": "null", "consent_text_version": "null"}
    inquiry = stored_inquiry(dynamodb, intake(json_post(fields)))
    assert "page_url" not in inquiry
    assert set(inquiry["consent_proof"]) == {"at", "ip_digest"}
