"""POST /inquiries through the real handler, against the stack's table in moto."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from inquiry_router.adapters.serialization import from_attributes
from inquiry_router.intake.request_body import MAX_BODY_BYTES
from tests.conftest import SITE, TABLE_NAME, LambdaFunction, intake_function
from tests.support.events import form_post, http_event, json_post, load_event

Invoke = Callable[[dict[str, Any]], dict[str, Any]]
BUYER = {"name": "Ana García", "email": "ana@importadora-sol.es", "message": "Please quote 2,000 LED panels."}


def items(dynamodb: Any) -> list[dict[str, Any]]:
    return [from_attributes(i) for i in dynamodb.scan(TableName=TABLE_NAME)["Items"]]


def item(dynamodb: Any, pk: str, sk: str) -> dict[str, Any] | None:
    answer = dynamodb.get_item(TableName=TABLE_NAME, Key={"PK": {"S": pk}, "SK": {"S": sk}})
    return from_attributes(answer["Item"]) if "Item" in answer else None


def body(response: dict[str, Any]) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(response["body"])
    return parsed


def inquiry_of(dynamodb: Any, response: dict[str, Any]) -> dict[str, Any]:
    stored = item(dynamodb, f"INQUIRY#{body(response)['id']}", "INQUIRY")
    assert stored is not None
    return stored


# -- accepted inquiries ------------------------------------------------------------------------


def test_json_inquiry_is_stored_in_one_round_trip(
    intake: Invoke, dynamodb: Any, aws_calls: list[str]
) -> None:
    # Given the sample event a website's fetch() produces
    event = load_event("intake-post-json.json")
    # When it reaches the intake
    response = intake(event)
    # Then the buyer gets 202 with the id and a short reference
    assert response["statusCode"] == 202
    answer = body(response)
    assert set(answer) == {"id", "reference"}
    assert answer["reference"].startswith("INQ-")
    # And exactly one AWS request was made: one TransactWriteItems
    assert aws_calls == ["DynamoDB_20120810.TransactWriteItems"]
    # And inquiry, reference, contact, timeline event and company account were stored together
    inquiry = inquiry_of(dynamodb, response)
    assert inquiry["status"] == "new"
    assert inquiry["name"] == "Ana García"
    assert inquiry["phone"] == "+34612345678"
    assert inquiry["accept_language"].startswith("es-ES")
    assert item(dynamodb, f"REF#{answer['reference']}", "REF") == {
        "PK": f"REF#{answer['reference']}",
        "SK": "REF",
        "inquiry_id": answer["id"],
    }
    contact = item(dynamodb, "CONTACT#ana@importadora-sol.es", "PROFILE")
    assert contact is not None
    assert contact["inquiry_count"] == 1
    assert contact["free_mail"] is False
    account = item(dynamodb, "ACCOUNT#importadora-sol.es", "PROFILE")
    assert account is not None
    assert account["company_name"] == "Importadora Sol S.L."


def test_inquiry_is_listed_by_status_and_date(intake: Invoke, dynamodb: Any) -> None:
    response = intake(json_post(BUYER))
    answer = dynamodb.query(
        TableName=TABLE_NAME,
        IndexName="GSI1",
        KeyConditionExpression="GSI1PK = :s",
        ExpressionAttributeValues={":s": {"S": "STATUS#new"}},
    )
    assert [i["id"]["S"] for i in answer["Items"]] == [body(response)["id"]]


def test_plain_form_post_redirects_to_the_thank_you_url(dynamodb: Any) -> None:
    intake = intake_function(THANK_YOU_URL=f"{SITE}/thanks?lang=zh")
    response = intake(load_event("intake-post-form.json"))
    assert response["statusCode"] == 303
    location = urlsplit(response["headers"]["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{SITE}/thanks"
    query = parse_qs(location.query)
    assert query["lang"] == ["zh"]
    assert query["reference"][0].startswith("INQ-")
    stored = next(i for i in items(dynamodb) if i.get("entity") == "inquiry")
    assert stored["name"] == "李明"
    assert stored["message"] == "请报价 500 套太阳能路灯。"
    assert stored["phone"] == "+8613800138000"
    assert stored["subject"] == "Solar street lights"


def test_form_post_without_a_thank_you_url_gets_our_own_page(intake: Invoke) -> None:
    response = intake(form_post(BUYER))
    assert response["statusCode"] == 200
    assert response["headers"]["Content-Type"].startswith("text/html")
    assert "Thank you" in response["body"]
    assert "INQ-" in response["body"]


def test_redirect_field_is_followed_only_to_an_allowed_origin(intake: Invoke) -> None:
    allowed = intake(form_post({**BUYER, "_next": f"{SITE}/merci"}))
    assert allowed["statusCode"] == 303
    assert allowed["headers"]["Location"].startswith(f"{SITE}/merci?reference=INQ-")

    foreign = intake(form_post({**BUYER, "message": "again", "redirect": "https://evil.example/phish"}))
    assert foreign["statusCode"] == 200  # our own thank-you page, never the foreign URL
    assert "evil.example" not in json.dumps(foreign)


def test_script_posting_form_encoding_with_accept_json_gets_json(intake: Invoke) -> None:
    response = intake(form_post(BUYER, headers={"accept": "application/json"}))
    assert response["statusCode"] == 202
    assert body(response)["reference"].startswith("INQ-")


def test_multipart_form_posts_are_accepted(intake: Invoke, dynamodb: Any) -> None:
    boundary = "----form"
    parts = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in BUYER.items()
    )
    event = http_event(
        f"{parts}--{boundary}--\r\n".encode(),
        f"multipart/form-data; boundary={boundary}",
        headers={"accept": "application/json"},
        base64_body=True,
    )
    response = intake(event)
    assert response["statusCode"] == 202
    assert inquiry_of(dynamodb, response)["name"] == "Ana García"


def test_unknown_fields_are_kept_on_the_inquiry(intake: Invoke, dynamodb: Any) -> None:
    response = intake(json_post({**BUYER, "incoterm": "CIF", "port_of_discharge": "Valencia"}))
    assert inquiry_of(dynamodb, response)["extra"] == {"incoterm": "CIF", "port_of_discharge": "Valencia"}


# -- contacts ----------------------------------------------------------------------------------


def test_the_same_person_again_updates_one_contact_and_adds_a_timeline_event(
    intake: Invoke, dynamodb: Any
) -> None:
    intake(json_post(BUYER))
    intake(json_post({**BUYER, "email": "  ANA@Importadora-Sol.es", "message": "And 500 downlights?"}))
    contacts = [i for i in items(dynamodb) if i.get("entity") == "contact"]
    assert len(contacts) == 1
    assert contacts[0]["inquiry_count"] == 2
    events = dynamodb.query(
        TableName=TABLE_NAME,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :e)",
        ExpressionAttributeValues={":pk": {"S": "CONTACT#ana@importadora-sol.es"}, ":e": {"S": "EVENT#"}},
        ScanIndexForward=False,
    )["Items"]
    assert [e["kind"]["S"] for e in events] == ["inquiry_received", "inquiry_received"]
    account = item(dynamodb, "ACCOUNT#importadora-sol.es", "PROFILE")
    assert account is not None
    assert account["inquiry_count"] == 2


def test_free_mail_is_flagged_and_gets_no_company_account(intake: Invoke, dynamodb: Any) -> None:
    intake(json_post({**BUYER, "email": "li.ming@qq.com"}))
    contact = item(dynamodb, "CONTACT#li.ming@qq.com", "PROFILE")
    assert contact is not None
    assert contact["free_mail"] is True
    assert item(dynamodb, "ACCOUNT#qq.com", "PROFILE") is None


def test_gmail_dots_are_not_folded(intake: Invoke, dynamodb: Any) -> None:
    intake(json_post({**BUYER, "email": "ana.garcia@gmail.com"}))
    intake(json_post({**BUYER, "email": "anagarcia@gmail.com"}))
    assert len([i for i in items(dynamodb) if i.get("entity") == "contact"]) == 2


# -- spam ----------------------------------------------------------------------------------------


def test_a_filled_honeypot_gets_the_normal_answer_but_is_stored_as_spam(
    intake: Invoke, dynamodb: Any
) -> None:
    response = intake(json_post({**BUYER, "_gotcha": "https://seo.example"}))
    assert response["statusCode"] == 202
    stored = inquiry_of(dynamodb, response)
    assert stored["status"] == "spam"
    assert stored["spam_reasons"] == ["honeypot_filled"]
    # kept 30 days for review, then expired by TTL
    received = stored["received_at"]
    assert stored["expires_at"] - _epoch(received) == pytest.approx(30 * 86_400, abs=2)
    # and a bot never touches the contact it typed in
    assert item(dynamodb, "CONTACT#ana@importadora-sol.es", "PROFILE") is None


def test_a_form_filled_in_one_second_is_spam(intake: Invoke, dynamodb: Any) -> None:
    import time

    response = intake(json_post({**BUYER, "rendered_at": int(time.time() * 1000) - 1000}))
    assert inquiry_of(dynamodb, response)["spam_reasons"] == ["submitted_too_fast"]


def test_honeypot_form_post_still_redirects_like_success(intake: Invoke) -> None:
    response = intake(form_post({**BUYER, "_gotcha": "x", "_next": f"{SITE}/thanks"}))
    assert response["statusCode"] == 303


def _epoch(iso: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())


# -- idempotency -------------------------------------------------------------------------------


def test_a_retry_with_the_same_idempotency_key_returns_the_first_answer(
    intake: Invoke, dynamodb: Any
) -> None:
    first = intake(json_post(BUYER, headers={"idempotency-key": "3f1c-retry"}))
    count = len(items(dynamodb))
    again = intake(json_post(BUYER, headers={"idempotency-key": "3f1c-retry"}, source_ip="198.51.100.9"))
    assert again["statusCode"] == 202
    assert body(again) == body(first)
    assert len(items(dynamodb)) == count


def test_the_same_payload_from_the_same_client_is_stored_once(intake: Invoke, dynamodb: Any) -> None:
    first = intake(json_post(BUYER))
    count = len(items(dynamodb))
    again = intake(json_post(BUYER))
    assert body(again) == body(first)
    assert len(items(dynamodb)) == count


def test_an_idempotency_key_reused_for_other_content_is_refused(intake: Invoke) -> None:
    intake(json_post(BUYER, headers={"idempotency-key": "k-9"}))
    response = intake(json_post({**BUYER, "message": "Different"}, headers={"idempotency-key": "k-9"}))
    assert response["statusCode"] == 409
    assert "Idempotency-Key" in body(response)["message"]


# -- bad input ---------------------------------------------------------------------------------


def test_invalid_fields_get_422_with_field_level_errors(intake: Invoke, dynamodb: Any) -> None:
    response = intake(json_post({"email": "not-an-address", "message": "x" * 10_001}))
    assert response["statusCode"] == 422
    errors = body(response)["errors"]
    assert set(errors) == {"email", "message"}
    assert "10,000" in errors["message"]
    assert items(dynamodb) == []


def test_missing_required_fields_are_named(intake: Invoke) -> None:
    response = intake(json_post({"name": "Ana"}))
    assert body(response)["errors"] == {
        "email": "This field is required.",
        "message": "This field is required.",
    }


def test_a_json_array_body_is_422_not_500(intake: Invoke) -> None:
    response = intake(http_event("[1, 2]", "application/json"))
    assert response["statusCode"] == 422


def test_form_post_with_errors_gets_a_readable_page(intake: Invoke) -> None:
    response = intake(
        form_post({"email": "nope", "message": ""}, headers={"referer": f"{SITE}/contact?x=<b>"})
    )
    assert response["statusCode"] == 422
    page = response["body"]
    assert "Please check the form" in page
    assert "Email" in page
    assert "Message" in page
    assert "not sent yet" in page
    assert "<b>" not in page  # the referer is escaped in the back link


def test_form_post_with_errors_goes_to_the_error_url_when_configured(dynamodb: Any) -> None:
    intake = intake_function(ERROR_URL=f"{SITE}/form-error")
    response = intake(form_post({"email": "nope", "message": "hi"}))
    assert response["statusCode"] == 303
    assert response["headers"]["Location"] == f"{SITE}/form-error?error=invalid&fields=email"


def test_malformed_json_is_400(intake: Invoke) -> None:
    response = intake(http_event('{"email": ', "application/json"))
    assert response["statusCode"] == 400
    assert "not valid JSON" in body(response)["message"]


def test_a_body_over_the_limit_is_413(intake: Invoke, dynamodb: Any) -> None:
    response = intake(json_post({**BUYER, "message": "x" * (MAX_BODY_BYTES + 1)}))
    assert response["statusCode"] == 413
    assert f"{MAX_BODY_BYTES:,}" in body(response)["message"]
    assert response["headers"]["Access-Control-Allow-Origin"] == SITE  # the page's script can read it
    assert items(dynamodb) == []


def test_other_content_types_are_415(intake: Invoke) -> None:
    response = intake(http_event("<inquiry/>", "application/xml"))
    assert response["statusCode"] == 415
    assert "application/json" in body(response)["message"]


def test_too_many_submissions_from_one_address_are_429_with_retry_after(dynamodb: Any) -> None:
    intake = intake_function(RATE_LIMIT_PER_EMAIL="2")
    for n in range(2):
        assert intake(json_post({**BUYER, "message": f"inquiry {n}"}))["statusCode"] == 202
    stored = len(items(dynamodb))
    response = intake(json_post({**BUYER, "message": "inquiry 3"}))
    assert response["statusCode"] == 429
    assert 1 <= int(response["headers"]["Retry-After"]) <= 600
    assert body(response)["retry_after"] == int(response["headers"]["Retry-After"])
    assert len(items(dynamodb)) == stored


def test_sub_addresses_and_gmail_dots_share_the_sender_window(dynamodb: Any) -> None:
    intake = intake_function(RATE_LIMIT_PER_EMAIL="2")
    spellings = ["ana.garcia+1@gmail.com", "anagarcia+2@googlemail.com", "a.n.a.garcia@gmail.com"]
    statuses = [
        intake(json_post({**BUYER, "email": email, "message": f"inquiry {n}"}))["statusCode"]
        for n, email in enumerate(spellings)
    ]
    assert statuses == [202, 202, 429]
    contacts = sorted(i["email"] for i in items(dynamodb) if i.get("entity") == "contact")
    assert contacts == ["ana.garcia+1@gmail.com", "anagarcia+2@googlemail.com"]  # kept as typed


def test_guard_items_hold_no_address_or_ip_in_clear(intake: Invoke, dynamodb: Any) -> None:
    assert intake(json_post(BUYER))["statusCode"] == 202
    guards = [i for i in items(dynamodb) if i["PK"].startswith("GUARD#")]
    assert guards
    for guard in guards:
        text = str(guard).lower()
        assert "importadora" not in text
        assert "203.0.113.7" not in text


def test_too_many_submissions_from_one_ip_are_429(dynamodb: Any) -> None:
    intake = intake_function(RATE_LIMIT_PER_IP="3")
    statuses = [
        intake(json_post({**BUYER, "email": f"buyer{n}@example.org"}))["statusCode"] for n in range(4)
    ]
    assert statuses == [202, 202, 202, 429]


def test_a_busy_table_is_503_with_retry_after(
    intake: LambdaFunction, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.exceptions import ClientError

    def throttled(**_: Any) -> None:
        raise ClientError(
            {"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "TransactWriteItems"
        )

    monkeypatch.setattr(intake.composition.dynamodb, "transact_write_items", throttled)
    response = intake(json_post(BUYER))
    assert response["statusCode"] == 503
    assert response["headers"]["Retry-After"] == "2"


# -- CORS --------------------------------------------------------------------------------------


def test_preflight_from_an_allowed_origin_is_answered(intake: Invoke) -> None:
    response = intake(load_event("intake-preflight.json"))
    assert response["statusCode"] == 204
    headers = response["headers"]
    assert headers["Access-Control-Allow-Origin"] == SITE
    assert "Idempotency-Key" in headers["Access-Control-Allow-Headers"]


def test_other_origins_get_no_cors_headers(intake: Invoke) -> None:
    event = load_event("intake-preflight.json")
    event["headers"]["origin"] = "https://evil.example"
    assert "Access-Control-Allow-Origin" not in intake(event).get("headers", {})
    response = intake(json_post(BUYER, headers={"origin": "https://evil.example"}))
    assert "Access-Control-Allow-Origin" not in response["headers"]


# -- privacy -----------------------------------------------------------------------------------


def test_logs_carry_no_address_and_no_message(
    intake: Invoke, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    intake(json_post({**BUYER, "message": "Secret project Falcon: 9,000 units"}))
    intake(json_post({"email": "ana@importadora-sol.es", "message": "x" * 10_001}))
    records = "\n".join(json.dumps(r.__dict__, default=str) for r in caplog.records)
    logs = capsys.readouterr().out + records
    assert "inquiry stored" in logs
    assert "ana@importadora-sol.es" not in logs
    assert "Falcon" not in logs
