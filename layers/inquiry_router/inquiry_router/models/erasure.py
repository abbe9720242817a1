"""What an erasure leaves (`ERASED#<digest>` / `ERASED`): no address, only a keyed digest of it
(base/digests.py, under the stack's guard salt), when it was erased and how much was taken out.

It proves the erasure was done and lets a second run say so; it links to nothing. A later mail or
form post from the same address starts a new contact: every item it could have joined is gone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from inquiry_router.base.addresses import normalise_email
from inquiry_router.base.digests import guard_digest
from inquiry_router.models.stored import attribute_names, number, present, text, unmapped

ENTITY = "erasure"


def erased_address_digest(address: str, salt: str) -> str:
    """The erasure record's key: the address as the contact was keyed, digested for this purpose
    only (so it matches no guard's digest)."""
    return guard_digest(f"erased:{normalise_email(address)}", salt)


@dataclass(frozen=True, slots=True)
class ErasureRecord:
    digest: str
    erased_at: str  # the latest erasure (ISO)
    first_erased_at: str | None = None
    times: int | None = None  # erasures that took something out
    counts: Mapping[str, int] = field(default_factory=dict)  # items and files, by kind, last time
    other: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> ErasureRecord:
        return cls(
            digest=str(item.get("digest") or ""),
            erased_at=str(item.get("erased_at") or ""),
            first_erased_at=text(item, "first_erased_at"),
            times=number(item, "times"),
            counts={str(k): int(v) for k, v in (item.get("counts") or {}).items()},
            other=unmapped(item, _MAPPED),
        )

    def to_item(self) -> dict[str, Any]:
        return present(
            {
                "entity": ENTITY,
                "digest": self.digest,
                "erased_at": self.erased_at,
                "first_erased_at": self.first_erased_at,
                "times": self.times,
                "counts": dict(self.counts) or None,
                **self.other,
            }
        )


_MAPPED = attribute_names(ErasureRecord)
