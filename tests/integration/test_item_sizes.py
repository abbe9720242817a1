"""No item grows with input until DynamoDB refuses it: with DynamoDB's 400 KB limit enforced (a stub
computing item sizes as DynamoDB does, tests/support/item_size.py), the form and the mail paths
take maximum-size and over-size input, store the inquiry, and the mails go."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from inquiry_router.adapters import keys
from inquiry_router.adapters.item_size import MAX_ITEM_BYTES, fit_item
from inquiry_router.adapters.item_size import item_size as estimated_size
from inquiry_router.adapters.serialization import from_attributes, to_attributes
from tests.conftest import TABLE_NAME, LambdaFunction
from tests.integration.test_inbound_mail import SALES, Inbox
from tests.support.events import json_post
from tests.support.item_size import DynamoDbItemLimit, item_size
from tests.support.pipeline import Pipeline, sent_mails, start_pipeline
from tests.support.routing import DOMAIN

Invoke = Callable[[dict[str, Any]], dict[str, Any]]
BIG_DOMAIN = "bigcorp-trading.example"


@pytest.fixture
def limit() -> Iterator[DynamoDbItemLimit]:
    with DynamoDbItemLimit() as installed:
        yield installed


@pytest.fixture
def pipeline(dynamodb: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Pipeline:
    return start_pipeline(dynamodb, monkeypatch, tmp_path)


def stored(dynamodb: Any, key: dict[str, str]) -> dict[str, Any]:
    answer = dynamodb.get_item(TableName=TABLE_NAME, Key=to_attributes(key))
    return from_attributes(answer.get("Item", {}))


def mail_kinds() -> list[tuple[str, str]]:
    return sorted(
        (
            "acknowledgement" if "Auto-Submitted" in m.message else "to the rep",
            m.message["To"].addresses[0].addr_spec,
        )
        for m in sent_mails()
    )


# -- the stub refuses what DynamoDB refuses -----------------------------------------------------


def test_the_stub_refuses_items_over_400_kb_as_dynamodb_does(dynamodb: Any, limit: DynamoDbItemLimit) -> None:
    client = boto3.client("dynamodb")
    key = {"PK": {"S": "TEST#1"}, "SK": {"S": "TEST"}}
    room = MAX_ITEM_BYTES - item_size({**key, "payload": {"S": ""}})
    client.put_item(TableName=TABLE_NAME, Item={**key, "payload": {"S": "x" * room}})  # exactly full

    with pytest.raises(ClientError, match="Item size has exceeded the maximum allowed size"):
        client.put_item(TableName=TABLE_NAME, Item={**key, "payload": {"S": "x" * (room + 1)}})
    with pytest.raises(ClientError, match="Item size to update has exceeded"):
        client.update_item(
            TableName=TABLE_NAME,
            Key=key,
            UpdateExpression="ADD tags :t",
            ExpressionAttributeValues={":t": {"SS": ["one more"]}},
        )
    with pytest.raises(ClientError) as cancelled:
        client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": TABLE_NAME, "Item": {"PK": {"S": "TEST#2"}, "SK": {"S": "T"}}}},
                {
                    "Update": {
                        "TableName": TABLE_NAME,
                        "Key": key,
                        "UpdateExpression": "SET payload = :b",
                        "ExpressionAttributeValues": {":b": {"S": "y" * (room + 1)}},
                    }
                },
            ]
        )
    reasons = cancelled.value.response["CancellationReasons"]  # type: ignore[typeddict-item]
    assert [r["Code"] for r in reasons] == ["None", "ValidationError"]
    # A shrinking update of a full item passes: the resulting item is what counts
    client.update_item(TableName=TABLE_NAME, Key=key, UpdateExpression="REMOVE payload")
    assert [operation for operation, _ in limit.refused] == ["PutItem", "UpdateItem", "TransactWriteItems"]


def test_the_packages_estimate_matches_dynamodbs_count() -> None:
    item = {
        "PK": "MAIL#1",
        "count": 12345,
        "ratio": Decimal("0.5"),
        "flag": True,
        "none": None,
        "names": ["Ana", "李明"],
        "address": {"name": "Zoë", "address": "zoe@example.com"},
        "ids": {"a", "bb"},
    }
    assert estimated_size(item) == item_size(to_attributes(item) | {"none": {"NULL": True}})
    huge = {"PK": "X", "subject": "Ω" * 300_000, "to": [{"name": "n" * 100, "address": "a@b.c"}] * 5000}
    fitted = fit_item(huge)
    assert item_size(to_attributes(fitted)) <= 300 * 1024
    assert fitted["subject"].endswith("…")
    assert fitted["truncated_fields"] == ["subject", "to"]


# -- the form: a domain with 10,000 contacts ----------------------------------------------------


def legacy_account_with_10_000_contacts(dynamodb: Any) -> int:
    """The company account as an older version left it after 10,000 buyers of one domain: every
    address in one string set, the item filled to within a few bytes of the limit."""
    account = {
        **keys.account_key(BIG_DOMAIN),
        "entity": "account",
        "domain": BIG_DOMAIN,
        "first_seen_at": "2026-01-05T08:00:00.000Z",
        "last_seen_at": "2026-11-30T08:00:00.000Z",
        "inquiry_count": 10_000,
        "company_name": "BigCorp Trading",
    }
    contacts = [f"purchasing.{n:05d}@{BIG_DOMAIN}" for n in range(10_000)]
    room = MAX_ITEM_BYTES - item_size(to_attributes({**account, "contact_keys": set(contacts)}))
    while room > 30:  # top the set up with longer addresses, as real names would
        filler = f"{'x' * min(60, room - 1 - len(BIG_DOMAIN))}@{BIG_DOMAIN}"
        contacts.append(f"{len(contacts)}{filler}"[:room])
        room = MAX_ITEM_BYTES - item_size(to_attributes({**account, "contact_keys": set(contacts)}))
    dynamodb.put_item(TableName=TABLE_NAME, Item=to_attributes({**account, "contact_keys": set(contacts)}))
    return len(contacts)


def test_a_company_domain_with_10_000_contacts_still_takes_the_next_buyer(
    pipeline: Pipeline, limit: DynamoDbItemLimit
) -> None:
    # Given a company account an older version filled with 10,000 contact addresses, and the
    # functions' clients held to DynamoDB's limit
    assert legacy_account_with_10_000_contacts(pipeline.dynamodb) >= 10_000
    intake = LambdaFunction("intake", session=limit.session)
    pipeline.build_functions(limit.session)

    # When buyer 10,001 of that domain sends the form
    buyer = f"new.buyer@{BIG_DOMAIN}"
    response = intake(
        json_post({"email": buyer, "message": "Please quote 500 panels.", "company": "BigCorp"})
    )

    # Then the inquiry is stored, the account no longer grows with its contacts, and both mails go
    assert response["statusCode"] == 202, response["body"]
    account = stored(pipeline.dynamodb, keys.account_key(BIG_DOMAIN))
    assert "contact_keys" not in account
    assert account["inquiry_count"] == 10_001
    member = stored(pipeline.dynamodb, keys.account_contact_key(BIG_DOMAIN, buyer))
    assert member["email_key"] == buyer
    pipeline.run()
    owner = next(m for m in mail_kinds() if m[0] == "to the rep")[1]
    assert mail_kinds() == sorted([("acknowledgement", buyer), ("to the rep", owner)])
    assert limit.refused == []
    assert limit.largest > 0  # the functions' own writes were measured


def test_the_company_account_does_not_grow_with_its_contacts(intake: Invoke, pipeline: Pipeline) -> None:
    sizes = []
    for n in range(3):
        email = f"buyer{n}@{BIG_DOMAIN}"
        assert intake(json_post({"email": email, "message": "Quote please."}))["statusCode"] == 202
        sizes.append(estimated_size(stored(pipeline.dynamodb, keys.account_key(BIG_DOMAIN))))
    assert sizes[0] == sizes[1] == sizes[2]
    members = pipeline.dynamodb.query(
        TableName=TABLE_NAME,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :contact)",
        ExpressionAttributeValues=to_attributes(
            {":pk": keys.account_key(BIG_DOMAIN)["PK"], ":contact": keys.ACCOUNT_CONTACT_PREFIX}
        ),
    )["Items"]
    assert sorted(item["email_key"]["S"] for item in members) == [f"buyer{n}@{BIG_DOMAIN}" for n in range(3)]


# -- mail: attacker-sized subjects, headers and lists ------------------------------------------


def oversized_mail(subject: str, sender: str, recipients: list[str], attachments: int = 0) -> bytes:
    """Built by hand: the stdlib's header parser takes minutes to build headers this large."""

    def folded(text: str) -> str:  # lines under 998 characters, as RFC 5322 wants
        return "\r\n ".join(text[i : i + 900] for i in range(0, len(text), 900))

    boundary = uuid.uuid4().hex
    headers = [
        f"From: {sender}",
        "To: " + ",\r\n ".join(recipients),
        f"Subject: {folded(subject)}",
        f"Message-ID: <{'m' * 900}.{uuid.uuid4().hex}@mail.example.net>",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/mixed; boundary="{boundary}"',
    ]
    parts = [
        f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Hello,\r\n\r\nPlease quote 300 solar street lights, FOB Shenzhen.\r\n"
    ]
    parts += [
        f"--{boundary}\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
        f'Content-Disposition: attachment; filename="{"a" * 900}{n}.pdf"\r\n\r\nJVBERi0xLjQgdGlueQ==\r\n'
        for n in range(attachments)
    ]
    body = "".join(parts) + f"--{boundary}--\r\n"
    return ("\r\n".join(headers) + "\r\n\r\n" + body).encode("utf-8")


@pytest.fixture
def inbox(pipeline: Pipeline) -> Inbox:
    return Inbox(pipeline)


@pytest.mark.parametrize(
    ("subject", "name", "recipients", "attachments"),
    [
        pytest.param("LED panels " * 95_000, "Wei Li", 1, 0, id="1 MB subject"),
        pytest.param("LED panels", "Wei Li", 5_000, 0, id="5,000 To addresses"),
        pytest.param("LED panels", "W" * 450_000, 1, 0, id="huge display name"),
        pytest.param("LED panels", "Wei Li", 1, 400, id="400 attachments with long names"),
    ],
)
def test_an_oversized_mail_is_stored_shortened_and_both_mails_go(
    inbox: Inbox, limit: DynamoDbItemLimit, subject: str, name: str, recipients: int, attachments: int
) -> None:
    inbox.handler = LambdaFunction("inbound", session=limit.session)
    inbox.pipeline.build_functions(limit.session)
    buyer = "li.wei.trading@gmail.com"
    to = [f"sales@{DOMAIN}"] + [f'"{"Recipient " * 20}{n}" <r{n}@example.net>' for n in range(recipients - 1)]
    raw = oversized_mail(subject, f'"{name}" <{buyer}>', to, attachments)

    outcome = inbox.receive(raw, recipients=[SALES])

    assert outcome["decision"] == "new_inquiry", outcome
    record = inbox.record(outcome["id"])
    assert record["state"] == "done"
    inquiry = stored(inbox.pipeline.dynamodb, keys.inquiry_key(outcome["inquiry_id"]))
    assert inquiry["email"] == buyer
    if len(raw) > MAX_ITEM_BYTES:
        # Shortened where it is read (a header over 64,000 characters) or where it is stored
        # (adapters/item_size.py): either way the record shows that something was cut.
        assert record.get("truncated_fields") or record.get("headers_cut"), "the record says what was cut"
    inbox.pipeline.run()
    assert [kind for kind, _ in mail_kinds()] == ["acknowledgement", "to the rep"]
    assert limit.refused == []
    assert 0 < limit.largest <= MAX_ITEM_BYTES  # the functions' own writes were measured
    assert json.dumps(record, ensure_ascii=False).count("…") >= (1 if record.get("truncated_fields") else 0)


def test_the_flood_counter_stops_growing_at_its_bound(dynamodb: Any) -> None:
    from datetime import UTC, datetime

    from inquiry_router.adapters.inbound_records import MAX_COUNTED_MESSAGES, InboundRecords

    records, now = InboundRecords(dynamodb, TABLE_NAME), datetime.now(UTC)
    counts = [
        records.count_from_sender("sender-hash", f"msg-{n}", now) for n in range(MAX_COUNTED_MESSAGES + 5)
    ]

    assert counts[:3] == [1, 2, 3]
    assert counts[-1] > MAX_COUNTED_MESSAGES
    assert records.count_from_sender("sender-hash", "msg-0", now) == MAX_COUNTED_MESSAGES  # counted once
    window = dynamodb.query(
        TableName=TABLE_NAME,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": keys.flood_guard_key("sender-hash", 0)["PK"]}},
    )["Items"]
    assert [len(item["message_ids"]["SS"]) for item in window] == [MAX_COUNTED_MESSAGES]
