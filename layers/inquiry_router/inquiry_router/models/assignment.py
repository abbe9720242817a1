"""What an assignment is made of: the facts routing reads, the rotation state, the decision.

Routing decides (routing/decision.py, routing/rotation.py); the table commits the decision
(adapters/assignment_write.py). Both sides share these types, so they live here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.routing_config import Team

# How the owner was chosen.
OwnerDecisionKind = Literal["returning_customer", "round_robin", "fallback", "named"]


@dataclass(frozen=True, slots=True)
class InquiryFacts:
    """What routing looks at, taken from the stored inquiry."""

    inquiry_id: str
    reference: str
    contact_key: str
    received_at: str
    channel: str = "form"
    topic: str | None = None
    recipient: str | None = None
    country: str | None = None
    language: str | None = None
    account_domain: str | None = None  # None for free-mail and disposable addresses
    # For a hand-over: whether it still awaits its owner's first answer (then it counts in the
    # owners' loads, and goes to the new owner as `assigned`), and how the owner had it.
    awaits_answer: bool = True
    assignment_kind: str | None = None

    @classmethod
    def of(cls, inquiry: Inquiry, language: str | None) -> InquiryFacts:
        personal = inquiry.free_mail or inquiry.disposable
        email = inquiry.email
        return cls(
            inquiry_id=inquiry.id,
            reference=inquiry.reference,
            contact_key=inquiry.contact_key,
            received_at=inquiry.received_at,
            channel=inquiry.channel or "form",
            topic=inquiry.topic,
            recipient=inquiry.recipient,
            country=inquiry.country,
            language=language,
            account_domain=None if personal or "@" not in email else email.rsplit("@", 1)[1].lower(),
            awaits_answer=inquiry.status == "new" or inquiry.awaits_answer,
            assignment_kind=inquiry.assignment_kind,
        )


@dataclass(frozen=True, slots=True)
class RotationState:
    """What the table keeps per team (item TEAM#<key> / ROTATION). No attribute besides these is
    kept: the item is rewritten whole, so one added here must be added to its mapping too."""

    version: int = 0
    virtual_time: int = 0
    finish: Mapping[str, int] = field(default_factory=dict)
    assigned: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_item(cls, item: Mapping[str, Any] | None) -> RotationState:
        """A team never assigned to has no item: it starts at version 0."""
        if not item:
            return cls()
        return cls(
            version=int(item["version"]),
            virtual_time=int(item["virtual_time"]),
            finish={k: int(v) for k, v in (item.get("finish") or {}).items()},
            assigned={k: int(v) for k, v in (item.get("assigned") or {}).items()},
        )

    def to_item(self) -> dict[str, Any]:
        """Written whole on every round-robin pick (conditioned on the version read)."""
        return {
            "entity": "rotation",
            "version": self.version,
            "virtual_time": self.virtual_time,
            "finish": dict(self.finish),
            "assigned": dict(self.assigned),
        }


@dataclass(frozen=True, slots=True)
class OwnerDecision:
    """Who owns an inquiry now, and why: what the router commits (adapters/assignment_write.py)."""

    team: Team
    owner_email: str
    owner_name: str | None
    kind: OwnerDecisionKind
    reason: str
    rotation: RotationState | None = None  # the state to write after a round-robin pick
    capacity: int | None = None  # the owner's capacity, checked again when the load is written

    @property
    def is_rep(self) -> bool:
        return self.kind != "fallback"
