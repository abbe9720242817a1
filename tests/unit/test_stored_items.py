"""The stored items' models: each mapping reads back what it writes (through the table's attribute
encoding too), keeps attributes it does not know, and reads the items the code wrote before the
models existed (tests/integration/golden/stored_items.json) into exactly what they hold."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inquiry_router.adapters.serialization import from_attributes, to_attributes
from inquiry_router.models.action_key import ActionKey
from inquiry_router.models.assignment import RotationState
from inquiry_router.models.attachment import MailAttachment
from inquiry_router.models.consent import ConsentProof
from inquiry_router.models.contact import Account, Contact, TimelineEvent
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.lifecycle import Channel, Status, StatusChange
from inquiry_router.models.mail_record import MailJobRecord, SentMessage
from inquiry_router.models.received_mail import MailAddress, ReceivedMail
from inquiry_router.models.rep_actions import CommandRecord, RepAction
from inquiry_router.models.stored import KEY_ATTRIBUTES

GOLDEN = Path(__file__).resolve().parents[1] / "integration" / "golden" / "stored_items.json"

# What DynamoDB can carry as text (a lone surrogate is not UTF-8; the serializer replaces it).
TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=20)
NAME = st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1, max_size=20)
PLAIN = st.recursive(
    st.one_of(st.booleans(), st.integers(-(10**12), 10**12), TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(NAME, inner, max_size=3)),
    max_leaves=6,
)
# Attributes a newer version (or a hand) may have added: never one of ours, never None.
OTHER = st.dictionaries(NAME.map(lambda n: f"x_{n}"), PLAIN, max_size=3)
ATTACHMENT = st.builds(
    MailAttachment,
    name=TEXT,
    size=st.integers(0, 40 * 2**20),
    content_type=TEXT,
    inline=st.booleans(),
    key=st.none() | TEXT,
)
ADDRESS = st.builds(MailAddress, name=TEXT, address=TEXT)
STATUS_CHANGE = st.builds(
    StatusChange,
    from_status=st.sampled_from(list(Status)),
    to_status=st.sampled_from(list(Status)),
    at=NAME,
    by=NAME,
    channel=st.sampled_from(list(Channel)),
    note=st.none() | TEXT,
)
BY_TYPE: dict[str, st.SearchStrategy[Any]] = {
    "str": NAME,
    "str | None": st.none() | TEXT,
    "bool": st.booleans(),
    "bool | None": st.none() | st.booleans(),
    "int": st.integers(0, 10**12),
    "int | None": st.none() | st.integers(-(10**12), 10**12),
    "tuple[str, ...]": st.lists(TEXT, max_size=3).map(tuple),
    "frozenset[str]": st.frozensets(NAME, max_size=3),
    "Mapping[str, str]": st.dictionaries(NAME, TEXT, max_size=3),
    "Mapping[str, int]": st.dictionaries(NAME, st.integers(0, 10**9), max_size=3),
    "Mapping[str, Any]": OTHER,
    "tuple[MailAttachment, ...]": st.lists(ATTACHMENT, max_size=3).map(tuple),
    "MailAddress | None": st.none() | ADDRESS,
    "tuple[MailAddress, ...]": st.lists(ADDRESS, max_size=3).map(tuple),
    "tuple[StatusChange, ...]": st.lists(STATUS_CHANGE, max_size=3).map(tuple),
    "CommandRecord | None": st.none()
    | st.builds(
        CommandRecord,
        line=TEXT,
        outcome=st.sampled_from(["done", "already", "refused", "not_yours", "moved", "not_understood"]),
        action=st.none() | st.sampled_from(list(RepAction)),
        status=st.none() | st.sampled_from(list(Status)),
        owner_email=st.none() | NAME,
    ),
}


def every_field(model: type, **special: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Instances with every field drawn, optional ones included (st.builds alone leaves them out)."""
    drawn = {f.name: special[f.name] if f.name in special else BY_TYPE[str(f.type)] for f in fields(model)}
    return st.builds(model, **drawn)


BY_TYPE["ConsentProof | None"] = st.none() | every_field(ConsentProof)
STATES = st.sampled_from(["done", "queueing"])
MODELS: dict[str, st.SearchStrategy[Any]] = {
    "inquiry": every_field(Inquiry),
    "contact": every_field(Contact),
    "account": every_field(Account),
    "event": every_field(TimelineEvent),
    "received mail": every_field(ReceivedMail, state=STATES),
    "mail job": every_field(MailJobRecord),
    "rotation": every_field(RotationState),
    "attachment": ATTACHMENT,
    "action key": every_field(ActionKey),
}


def through_the_table(item: dict[str, Any]) -> dict[str, Any]:
    return from_attributes(dict(to_attributes(item)))


@pytest.mark.parametrize("kind", sorted(MODELS))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_every_model_reads_back_what_it_writes(kind: str, data: st.DataObject) -> None:
    stored = data.draw(MODELS[kind])
    assert type(stored).from_item(through_the_table(stored.to_item())) == stored


@settings(max_examples=60, deadline=None)
@given(message=every_field(SentMessage))
def test_the_message_index_reads_back_what_it_writes(message: SentMessage) -> None:
    # The Message-ID is the item's key: the adapter hands it over, the item does not hold it.
    assert "message_id" not in message.to_item()
    item = through_the_table(message.to_item())
    assert SentMessage.from_item(item, message.message_id) == message


def golden_items() -> list[dict[str, Any]]:
    return [from_attributes(item) for item in json.loads(GOLDEN.read_text())]


def model_of(item: dict[str, Any]) -> Any:
    """The model an item of the golden table is read with, by its entity (None: not modelled)."""
    entity = item.get("entity")
    message_id = str(item["PK"]).removeprefix("MSGID#")
    readers: dict[str, Any] = {
        "inquiry": Inquiry.from_item,
        "contact": Contact.from_item,
        "account": Account.from_item,
        "event": TimelineEvent.from_item,
        "inbound_mail": ReceivedMail.from_item,
        "mail_job": MailJobRecord.from_item,
        "rotation": RotationState.from_item,
        "message_index": lambda i: SentMessage.from_item(i, message_id),
    }
    reader = readers.get(str(entity))
    return reader(item) if reader else None


def test_every_item_the_previous_code_wrote_reads_into_what_it_holds() -> None:
    modelled = 0
    for item in golden_items():
        stored = model_of(item)
        if stored is None:
            continue
        modelled += 1
        without_keys = {k: v for k, v in item.items() if k not in KEY_ATTRIBUTES}
        assert stored.to_item() == without_keys, f"{item['PK']} / {item['SK']}"
        assert not getattr(stored, "other", {}), f"{item['PK']}: attributes no field names"
    assert modelled >= 35  # inquiries, contacts, events, mails, jobs, the index: all of them


def test_the_previous_code_s_items_read_as_their_fields() -> None:
    items = {(i["PK"], i["SK"]): i for i in golden_items()}
    inquiries = [Inquiry.from_item(i) for i in items.values() if i.get("entity") == "inquiry"]
    [form] = [i for i in inquiries if i.status == "responded"]
    assert (form.status, form.owner_email, form.assignment_seq) == (
        "responded",
        "ana@sunrise-lighting.com",
        1,
    )
    assert form.utm == {"source": "google", "campaign": "eu-panels"}
    assert form.extra == {"incoterm": "FOB"}
    assert form.first_response_seconds is not None
    assert form.acknowledgement_message_id
    [by_mail] = [i for i in inquiries if i.channel == "mail"]
    assert by_mail.by_mail
    assert by_mail.mail_id == "ses-new"
    assert [a.name for a in by_mail.attachments] == ["offer.pdf"]
    assert by_mail.attachments[0].key
    [spam] = [i for i in inquiries if i.status == "spam"]
    assert spam.spam_reasons == ("honeypot filled",)
    assert spam.expires_at
    contact = Contact.from_item(items[("CONTACT#ana.garcia@importadora-sol.es", "PROFILE")])
    assert (contact.inquiry_count, contact.owner_email, contact.consent_at) == (
        1,
        "ana@sunrise-lighting.com",
        "2026-11-20T12:00:12.345Z",
    )
    reply = ReceivedMail.from_item(items[("MAIL#ses-reply", "MAIL")])
    assert reply.sender == MailAddress("Ana García", "ana.garcia@importadora-sol.es")
    assert reply.decision == "thread_reply"
    assert reply.is_done
    assert reply.reference == "INQ-GOLD01"


def test_an_inquiry_stored_with_only_what_the_first_versions_wrote_still_reads() -> None:
    """Optional attributes absent (no channel before mail arrived, no flags, no assignment)."""
    item = {
        "PK": "INQUIRY#i-1",
        "SK": "INQUIRY",
        "entity": "inquiry",
        "id": "i-1",
        "reference": "INQ-7K3M9Q",
        "status": "new",
        "received_at": "2026-11-20T12:00:12Z",
        "contact_key": "ana@example.com",
        "email": "ana@example.com",
        "message": "Hello",
    }
    inquiry = Inquiry.from_item(item)
    assert (inquiry.channel, inquiry.free_mail, inquiry.owner_email, inquiry.attachments) == (
        "form",
        False,
        None,
        (),
    )
    assert inquiry.received_moment.year == 2026
    assert Contact.from_item({"entity": "contact"}).is_suppressed is False
    assert RotationState.from_item(None) == RotationState()


def test_attributes_no_field_names_are_written_back() -> None:
    item = {
        "entity": "contact",
        "email": "ana@example.com",
        "erased_at": "2027-01-01T00:00:00.000Z",
        "tags": ["vip"],
    }
    contact = Contact.from_item({**item, "PK": "CONTACT#ana@example.com", "SK": "PROFILE"})
    assert contact.other == {"erased_at": "2027-01-01T00:00:00.000Z", "tags": ["vip"]}
    assert contact.to_item() == item


def test_an_accepted_claim_names_the_mail_to_finish_recording() -> None:
    record = MailJobRecord.from_item(
        {
            "state": "accepted",
            "job_id": "ack:i-1",
            "kind": "acknowledgement",
            "inquiry_id": "i-1",
            "recipient": "ana@example.com",
            "message_id": "m@x",
            "ses_message_id": "",
            "accepted_at": "2026-11-20T12:00:12.345Z",
        }
    )
    sent = record.sent_mail()
    assert (sent.job_id, sent.reference, sent.ses_message_id) == ("ack:i-1", "", "")
    assert record.accepted_moment.microsecond == 345000
    with pytest.raises(ValueError, match="names no accepted mail"):
        MailJobRecord(state="sending").sent_mail()


def test_a_received_mail_record_without_a_state_is_not_taken_for_done() -> None:
    """The inbound function replays only a record marked done; any other is processed again."""
    item = {"id": "m-1", "received_at": "2026-11-20T12:00:12.345Z", "decision": "spam", "reason": "spam"}
    assert not ReceivedMail.from_item(item).is_done
    assert ReceivedMail.from_item({**item, "state": "queueing"}).is_done is False
    assert ReceivedMail.from_item({**item, "state": "done"}).is_done


def test_a_download_link_round_trips_and_expires_by_its_time() -> None:
    from datetime import UTC, datetime

    from inquiry_router.models.download_link import DownloadLink

    link = DownloadLink("raw/abc/1-quote.pdf", "quote.pdf", "application/pdf", 1_800_000_000)
    assert DownloadLink.from_item(link.to_item()) == link
    assert link.to_item()["entity"] == "download_link"
    assert not link.expired(datetime.fromtimestamp(1_799_999_999, UTC))
    assert link.expired(datetime.fromtimestamp(1_800_000_001, UTC))
    # An item written without a name or type (by hand, or by an older version) still opens.
    assert DownloadLink.from_item({"object_key": "raw/x", "expires_at": 5}) == DownloadLink(
        "raw/x", "download", "application/octet-stream", 5
    )
