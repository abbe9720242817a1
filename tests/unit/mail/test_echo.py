"""What a stranger can make the acknowledgement say to someone else's address: names and summaries
that pass the allow-list, nothing that leads anywhere, in any spelling of a host, link or number."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inquiry_router.mail.assemble import assemble_acknowledgement
from inquiry_router.mail.echo import echoable
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.settings import PipelineSettings
from tests.support.routing import DOMAIN, rep, routing_config

CONFIG = routing_config(rep("ana"))
SETTINGS = PipelineSettings(
    table_name="t", company_name="Sunrise Lighting Co.", company_domains=[DOMAIN], guard_salt="s"
)

# A destination, and the pieces of it that must never reach the victim in any spelling.
HOST_SPELLINGS = [
    "parcel-fee.example",
    "parcel-fee.example.",
    "PARCEL-FEE.EXAMPLE",
    "parcel-fee[.]example",
    "parcel-fee(.)example",
    "parcel-fee{.}example",
    "parcel-fee [dot] example",
    "parcel-fee(dot)example",
    "parcel-fee dot example",
    "parcel-fee DOT example",
    "parcel-fee . example",
    "parcel-fee. com",
    "parcel-fee．example",  # fullwidth full stop
    "parcel-fee。example",  # ideographic full stop, a dot for IDNA
    "parcel-fee｡example",  # halfwidth ideographic full stop
    "parcel-fee·com",
    "ｐａｒｃｅｌ-ｆｅｅ.ｅｘａｍｐｌｅ",  # fullwidth letters
    "parcel-fee.xn--p1ai",
    "www parcel-fee",
    "https parcel-fee",
    "parcel-fee.com/pay",
    "https://parcel-fee.example/pay",
    "pay@parcel-fee.example",
    "pay [at] parcel-fee",
    "pay＠parcel-fee",
    "p a r c e l f e e",
    "parcel-fee whatsapp",
    "parcel-fee\u200b.example",  # zero-width space
    "parcel-fee\u202e.example",  # right-to-left override
    "parcel-fee com",  # the dot left out
    "parcel-fee,com",
    "parcel-fee dotcom",
    "parcel-fee d0t c0m",  # digits for letters
    "parcel-fee dot net",
    "parcel-fee点com",  # the Chinese "dot"
    "parcel-fee點com",
]
IDN_HOSTS = [
    "почта.рф",
    "例子.中国",
    "例子。中国",
    "bücher.de",
    "उदाहरण.भारत",
    "مثال.إختبار",
    "ドメイン.テスト",
]
PHONE_SPELLINGS = [
    "+1 739 182 64",
    "7391 8264",
    "7391-8264",
    "(739) 18264",
    "739.182.64",
    "７３９１８２６４",  # fullwidth digits
    "739 1826 4",
    "tel 73918",
]
MARKERS = ("parcel", "ｐａｒｃｅｌ", "p a r c", "7391", "8264", "73918", "７３９")

NAMES = [
    "Ana María O'Neil-García",
    "李明",
    "Müller & Söhne",
    "J. R. Smith",
    "Dr. Müller-Lüdenscheidt",
    "Prof. Dr. Hans Meier",
    "Иван Петров",
    "محمد عبد الله",
    "राहुल शर्मा",
    "José Luis Rodríguez Zapatero",
    "Nguyễn Văn An",
    "Zoë D’Arcy",
    "ジョン・スミス",
    "Şükrü Öztürk",
    "Dr. Li",
    "Ngũgĩ wa Thiong’o",
    "Mr. Wu",
]


@pytest.mark.parametrize("name", NAMES)
def test_plain_names_in_any_script_are_greeted_by_name(name: str) -> None:
    assert echoable(name, "name") == name


@pytest.mark.parametrize(
    "topic",
    [
        "LED panels 2.5W, IP65",
        "LED panel 600x600",
        "Painéis LED, certificação CE",
        "LED面板，600×600",
        "CE/RoHS",
    ],
)
def test_plain_product_summaries_are_echoed(topic: str) -> None:
    assert echoable(topic, "topic") == topic


@pytest.mark.parametrize(
    "topic", ["Painéis LED com certificação CE", "Panels, net weight 5 kg", "Iron dot pattern"]
)
def test_a_word_that_is_also_a_spelled_out_host_part_is_not_echoed(topic: str) -> None:
    # The price of "no host in any spelling": Portuguese "com" (with) reads like "parcel-fee com",
    # so such a summary is not repeated ("your inquiry" instead); the rep still sees it all.
    assert echoable(topic, "topic") == ""


@pytest.mark.parametrize("carrier", HOST_SPELLINGS + IDN_HOSTS + PHONE_SPELLINGS)
def test_no_host_link_address_or_phone_number_passes_in_any_spelling(carrier: str) -> None:
    for text in (carrier, f"Pay your fee at {carrier} now", f"Ana {carrier}"):
        assert echoable(text, "name") == ""
        assert echoable(text, "topic") == ""


@pytest.mark.parametrize(
    "text",
    [
        "Pay your parcel fee at parcel-fee.example now",
        "x" * 51,  # a name is short
        "Ana\x00García",
        "Ana!",
        "Urgent: call us",
        "Ana García 2",  # no digits in a name
    ],
)
def test_a_name_outside_the_allow_list_is_not_echoed(text: str) -> None:
    assert echoable(text, "name") == ""


@pytest.mark.parametrize(
    ("quantity", "shown"),
    [
        ("2,000 pcs", "2,000 pcs"),
        ("500 Stück", "500 Stück"),
        ("1000件", "1000件"),
        ("2.5 t", "2.5 t"),
        ("40", "40"),
    ],
)
def test_a_quantity_is_echoed_only_as_a_number_and_a_unit(quantity: str, shown: str) -> None:
    assert echoable(quantity, "quantity") == shown


@pytest.mark.parametrize(
    "quantity",
    [
        "7391 8264",
        "+1 555 0100",
        "2000 pcs, see parcel-fee.example",
        "2000 pcs please",
        "1,000,000 pcs",
        "2000 com",
    ],
)
def test_anything_else_in_the_quantity_field_is_not_echoed(quantity: str) -> None:
    assert echoable(quantity, "quantity") == ""


# -- the whole acknowledgement, as bytes on the wire -----------------------------------------------

FILLER = st.sampled_from(["Ana", "Pay your fee", "García", "at", "now", "李明", "Иван", "&", "-", ""])
CARRIERS = st.sampled_from(HOST_SPELLINGS + IDN_HOSTS + PHONE_SPELLINGS)


@st.composite
def carrying(draw: st.DrawFn) -> str:
    before, after = draw(st.lists(FILLER, max_size=3)), draw(st.lists(FILLER, max_size=3))
    return " ".join([*before, draw(CARRIERS), *after])


def acknowledgement(**fields: Any) -> EmailMessage:
    inquiry = {
        "id": "0b7c",
        "reference": "INQ-7K3M9Q",
        "status": "new",
        "email": "victim@example.org",
        "contact_key": "victim@example.org",
        "received_at": "2026-11-20T12:00:12Z",
        **fields,
    }
    raw = assemble_acknowledgement(Inquiry.from_item(inquiry), CONFIG, SETTINGS).raw
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    message["X-Test-Raw"] = raw.decode("ascii").replace("\r\n", " ")  # searched as well, undecoded
    return message


def everything_the_victim_reads(message: EmailMessage) -> str:
    headers = " ".join(f"{name}: {value}" for name, value in message.items())
    parts = [str(part.get_content()) for part in message.walk() if not part.is_multipart()]
    shown = headers + " ".join(parts)
    # The Message-ID and the MIME boundaries are random digits that no buyer wrote: "7391" turns
    # up in them about once in a hundred mails, so they are taken out before the search.
    for random_token in [message["Message-ID"], *(part.get_boundary() for part in message.walk())]:
        if random_token:
            shown = shown.replace(str(random_token), "")
    return shown.casefold()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=carrying(), topic=carrying(), quantity=carrying(), field=st.sampled_from(["subject", "product"]))
def test_no_spelling_of_a_destination_reaches_the_acknowledgement(
    name: str, topic: str, quantity: str, field: str
) -> None:
    shown = everything_the_victim_reads(acknowledgement(name=name, quantity=quantity, **{field: topic}))

    for marker in (*MARKERS, *IDN_HOSTS):
        assert marker.casefold() not in shown
    assert "hello," in shown


@pytest.mark.parametrize("name", NAMES)
def test_a_plain_name_greets_the_buyer_and_stands_in_to(name: str) -> None:
    message = acknowledgement(name=name, subject="LED panels", quantity="2,000 pcs")

    assert message["To"].addresses[0].display_name == name
    assert f"Dear {name}," in str(message.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    assert message["Subject"].endswith(" — LED panels")


def test_a_name_that_is_not_echoed_leaves_the_bare_address_in_to() -> None:
    message = acknowledgement(name="Pay your parcel fee at parcel-fee.example now")

    assert message["To"].addresses[0].display_name == ""
    assert str(message["To"]) == "victim@example.org"
