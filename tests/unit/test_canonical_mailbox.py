"""Limits key on the mailbox an address delivers to, and guard digests are keyed by the stack."""

from __future__ import annotations

import pytest

from inquiry_router.base.addresses import canonical_mailbox, normalise_email
from inquiry_router.base.digests import guard_digest


@pytest.mark.parametrize(
    ("typed", "mailbox"),
    [
        ("Name+1@Example.com", "name@example.com"),
        ("name+2@example.com", "name@example.com"),
        ("n.a.m.e@gmail.com", "name@gmail.com"),
        ("N.Ame+promo@GoogleMail.com", "name@gmail.com"),
        ("first.last@example.com", "first.last@example.com"),  # dots matter off Gmail
        ("+only@example.com", "+only@example.com"),  # nothing before the tag: kept as it is
        ("li.ming@163.com", "li.ming@163.com"),
    ],
)
def test_spellings_of_one_mailbox_share_one_key(typed: str, mailbox: str) -> None:
    assert canonical_mailbox(typed) == mailbox


def test_the_contact_keeps_the_address_as_typed() -> None:
    assert normalise_email("N.Ame+promo@gmail.com") == "n.ame+promo@gmail.com"


def test_guard_digests_depend_on_the_stack_secret() -> None:
    address = "ana@importadora.es"
    assert guard_digest(address, "stack-a") == guard_digest(address, "stack-a")
    assert guard_digest(address, "stack-a") != guard_digest(address, "stack-b")
    assert address not in guard_digest(address, "stack-a")
    assert len(guard_digest(address, "")) == 24
