"""The items the intake, the inbound function, the router and the mailer write, attribute by
attribute and type by type, are those the code wrote before the stored items became typed models
(tests/integration/golden/stored_items.json was written by that code): items already in users'
tables keep working, and nothing new is written differently.

Every source of chance (ids, references, claim ids, event ids, the clock) is fixed, so the whole
table is compared as DynamoDB holds it (attribute values with their types). Run with
`UPDATE_GOLDEN=1` only when a stored item is meant to change, and say so in the commit.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from itertools import count
from pathlib import Path
from typing import Any

import boto3
import pytest

from inquiry_router.adapters.assignment_write import AssignmentStore
from inquiry_router.adapters.config_store import apply_config, load_routing_config
from inquiry_router.adapters.inbound_records import InboundRecords
from inquiry_router.adapters.intake_write import IntakeGuards, IntakeWriter, RateWindow
from inquiry_router.adapters.mail_records import MailRecords
from inquiry_router.adapters.queries import get_inquiry
from inquiry_router.adapters.raw_mail import RawMailStore
from inquiry_router.base.timestamps import iso_timestamp
from inquiry_router.inbound.processing import InboundProcessor
from inquiry_router.inbound.receipt import SesReceipt, receipt_event
from inquiry_router.mail.sending import Mailer
from inquiry_router.models import inquiry_record
from inquiry_router.models.consent import consent_proofs
from inquiry_router.models.inquiry_record import RequestFacts, build_inquiry_record
from inquiry_router.models.mail_job import MailJob
from inquiry_router.models.settings import PipelineSettings
from inquiry_router.models.submission import InquirySubmission
from inquiry_router.routing.service import Router
from tests.conftest import TABLE_NAME
from tests.support.routing import DOMAIN, rep, routing_config

GOLDEN = Path(__file__).resolve().parent / "golden" / "stored_items.json"
BUCKET = "raw-mail-golden"
REGION = "eu-west-1"
START = datetime(2026, 11, 20, 12, 0, 12, 345000, tzinfo=UTC)
CONFIG = routing_config(rep("li.wei", languages=["en", "zh"]), rep("ana", teams=["latam"], languages=["es"]))
SETTINGS = PipelineSettings(
    table_name=TABLE_NAME,
    company_name="Sunrise Lighting Co.",
    company_domains=[DOMAIN],
    reply_bcc_address=f"log@in.{DOMAIN}",
    thread_reply_address=f"reply@in.{DOMAIN}",
    inbound_domain=f"in.{DOMAIN}",
    raw_mail_bucket=BUCKET,
    guard_salt="golden-salt",
)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: int = 61) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


class FakeSes:
    def __init__(self) -> None:
        self.numbers = count(1)

    def send_raw(self, sender: str, recipient: str, raw: bytes) -> str | None:
        return f"ses-{next(self.numbers):04d}"


@pytest.fixture
def fixed_chance(monkeypatch: pytest.MonkeyPatch) -> None:
    ids = count(1)
    references = count(1)
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=next(ids)))
    monkeypatch.setattr(inquiry_record, "new_reference", lambda: f"INQ-GOLD{next(references):02d}")


def form_submission(**fields: Any) -> InquirySubmission:
    document = {
        "name": "Ana García",
        "email": "Ana.Garcia@importadora-sol.es",
        "company": "Importadora Sol S.L.",
        "country": "ES",
        "phone": "+34 912 345 678",
        "website": "https://importadora-sol.es",
        "subject": "LED panels",
        "product": "LED panel 600x600",
        "quantity": "2,000 pcs",
        "message": "We need 2,000 LED panels with CE and RoHS. Please quote FOB Shanghai.",
        "locale": "es-ES",
        "consent": True,
        "marketing_opt_in": True,
        "page_url": "https://www.sunrise-lighting.com/products?utm_source=google",
        "utm_source": "google",
        "utm_campaign": "eu-panels",
        "incoterm": "FOB",
        **fields,
    }
    return InquirySubmission.model_validate(document)


def guards(fingerprint: str) -> IntakeGuards:
    return IntakeGuards(
        fingerprint=fingerprint,
        payload_digest="digest-" + fingerprint,
        idempotency_ttl=timedelta(hours=24),
        rate_windows=(RateWindow("ip", "ip-hash", 20, 600),),
    )


def mail(subject: str, body: str, *, sender: str, to: str, message_id: str, **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = "Fri, 20 Nov 2026 12:00:00 +0000"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    if "offer" in subject.lower():
        message.add_attachment(b"%PDF offer", maintype="application", subtype="pdf", filename="offer.pdf")
    return message.as_bytes()


def table_items(client: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"TableName": TABLE_NAME}
    while True:
        answer = client.scan(**params)
        items += answer["Items"]
        if "LastEvaluatedKey" not in answer:
            break
        params["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
    return sorted((_canonical(item) for item in items), key=lambda i: (i["PK"]["S"], i["SK"]["S"]))


def _canonical(value: Any) -> Any:
    """Sets in a stable order (DynamoDB keeps none), everything else as stored."""
    if isinstance(value, dict):
        return {k: sorted(v) if k in ("SS", "NS") else _canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


@pytest.fixture
def stack(dynamodb: Any, fixed_chance: None) -> dict[str, Any]:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    return {"dynamodb": dynamodb, "s3": s3}


def test_every_stored_item_is_written_as_before(stack: dict[str, Any]) -> None:
    dynamodb, s3 = stack["dynamodb"], stack["s3"]
    clock = Clock()
    apply_config(dynamodb, TABLE_NAME, CONFIG, clock())
    assert load_routing_config(dynamodb, TABLE_NAME) is not None
    queued: list[MailJob] = []
    writer = IntakeWriter(dynamodb, TABLE_NAME)
    router = Router(AssignmentStore(dynamodb, TABLE_NAME), lambda: CONFIG, clock=clock)
    mailer = Mailer(
        MailRecords(dynamodb, TABLE_NAME, sleep=lambda _: None),
        FakeSes(),  # type: ignore[arg-type]
        SETTINGS,
        lambda: CONFIG,
        clock=clock,
        sleep=lambda _: None,
    )
    inbound = InboundProcessor(
        records=InboundRecords(dynamodb, TABLE_NAME),
        raw_mail=RawMailStore(s3, BUCKET, "raw/", "attachments/"),
        writer=writer,
        enqueue=queued.extend,
        settings=SETTINGS,
        load_config=lambda: CONFIG,
    )

    def receive(message_id: str, raw: bytes, recipients: list[str]) -> None:
        s3.put_object(Bucket=BUCKET, Key=f"raw/{message_id}", Body=raw)
        event = receipt_event(message_id, recipients=recipients, received_at=clock.advance())
        inbound.process(SesReceipt.from_event(event))

    # The intake: a buyer on a company domain (contact, account, membership, timeline, guards)…
    facts = RequestFacts(
        received_at=clock(),
        source_ip="203.0.113.7",
        user_agent="Mozilla/5.0",
        origin="https://www.sunrise-lighting.com",
        accept_language="es-ES,es;q=0.9",
        idempotency_key="key-1",
        request_id="req-1",
    )
    # …with the proof of what they agreed to (the intake's own, models/consent.py)…
    proven = form_submission(
        consent_text_version="2026-01",
        consent_text_sha256="ab" * 32,
        privacy_policy_url="https://www.sunrise-lighting.com/privacy",
        marketing_text_version="news-2026-01",
    )
    proofs = consent_proofs(
        proven, at=iso_timestamp(facts.received_at), page_origin_listed=True, ip_digest="ip-hash"
    )
    record = build_inquiry_record(proven, facts, spam_reasons=(), captcha="passed", proofs=proofs)
    form = writer.record_inquiry(record, guards("key:one"))
    # …a free-mail buyer, and spam (which expires and leaves the contact alone).
    free = build_inquiry_record(
        form_submission(email="li.wei.trading@gmail.com", company=None, country="MY", locale=None),
        replace(facts, received_at=clock.advance(), idempotency_key=None, request_id="req-2"),
        spam_reasons=(),
        captcha=None,
    )
    writer.record_inquiry(free, guards("payload:two"))
    spam = build_inquiry_record(
        form_submission(email="bot@example.net", message="cheap pills"),
        replace(facts, received_at=clock.advance(), request_id="req-3"),
        spam_reasons=("honeypot filled",),
        captcha=None,
    )
    writer.record_inquiry(spam, guards("payload:three"))

    # The router assigns both buyers; the mailer acknowledges and notifies.
    for inquiry_id in (form.inquiry_id, free.id):
        item = get_inquiry(dynamodb, TABLE_NAME, inquiry_id, consistent=True)
        assert item is not None
        router.route_new_inquiry(item)
        clock.advance()
        mailer.send(MailJob.acknowledgement(inquiry_id))
        clock.advance()
        assigned = get_inquiry(dynamodb, TABLE_NAME, inquiry_id, consistent=True)
        assert assigned is not None
        mailer.send(MailJob.notification(inquiry_id, str(assigned.owner_email), 1))
    # The same mailbox within a day: recorded as skipped.
    mailer.send(MailJob.acknowledgement(spam.id))

    # Inbound mail: a new inquiry with an attachment, the buyer's reply, a rep's logged answer,
    # something unreadable and spam.
    buyer = "Wei Li <li.wei.trading@gmail.com>"
    receive(
        "ses-new",
        mail(
            "Offer for street lights",
            "Please quote 300 solar street lights.",
            sender=buyer,
            to=f"quotation@{DOMAIN}",
            message_id="<first@mail.gmail.com>",
        ),
        [f"quotation@in.{DOMAIN}"],
    )
    receive(
        "ses-reply",
        mail(
            f"Re: Your inquiry {form.reference}",
            "Also 50 pcs of the 40 W panel, please.",
            sender="Ana García <ana.garcia@importadora-sol.es>",
            to=f"reply@in.{DOMAIN}",
            message_id="<reply@importadora-sol.es>",
        ),
        [f"reply@in.{DOMAIN}"],
    )
    owner = get_inquiry(dynamodb, TABLE_NAME, form.inquiry_id, consistent=True)
    assert owner is not None
    receive(
        "ses-rep-log",
        mail(
            f"Re: {form.reference} LED panels",
            "Dear Ana, our offer is attached.",
            sender=f"Owner <{owner.owner_email}>",
            to="ana.garcia@importadora-sol.es",
            message_id=f"<answer@{DOMAIN}>",
            Authentication_Results=f"mx.amazonses.com; dkim=pass header.d={DOMAIN}; spf=pass; dmarc=pass",
        ),
        [f"log@in.{DOMAIN}"],
    )
    s3.put_object(Bucket=BUCKET, Key="raw/ses-unreadable", Body=b"\x00\x01 not a mail at all")
    inbound.process(
        SesReceipt.from_event(
            receipt_event("ses-unreadable", recipients=[f"sales@in.{DOMAIN}"], received_at=clock.advance())
        )
    )
    for job in list(queued):
        clock.advance()
        mailer.send(job)

    stored = table_items(dynamodb)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(stored, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
    expected = json.loads(GOLDEN.read_text())
    assert len(stored) == len(expected)
    for item, before in zip(stored, expected, strict=True):
        assert item == before, f"{item['PK']['S']} / {item['SK']['S']} is written differently"
