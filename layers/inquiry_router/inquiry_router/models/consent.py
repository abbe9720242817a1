"""What a buyer agreed to, kept as evidence: the consent to answer their inquiry, and, apart from
it, the opt-in to marketing mail.

A proof says what was agreed (the version or SHA-256 of the text shown beside the checkbox, and the
privacy policy's URL), when (the server's time, never the browser's), on which page, and from
where (a keyed digest of the client's IP, base/digests.py: the same IP gives the same digest, so it
can be matched to a request the admin is asked about, but the table never holds the IP). It is
stored on the inquiry (`consent_proof`, `marketing_proof`) and, as the contact's latest, flat on
the contact (`consent_*`, `marketing_opt_in_*`), so it outlives an inquiry that expires.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from inquiry_router.models.stored import optional_flag, present, text
from inquiry_router.models.submission import InquirySubmission


@dataclass(frozen=True, slots=True)
class ConsentProof:
    at: str  # ISO timestamp of the request, by the server's clock
    text_version: str | None = None
    text_sha256: str | None = None
    policy_url: str | None = None
    page_url: str | None = None
    # False: the page's origin is not one of AllowedOrigins (kept, not refused: noted for review).
    page_origin_listed: bool | None = None
    ip_digest: str | None = None

    def to_item(self) -> dict[str, Any]:
        return present(
            {
                "at": self.at,
                "text_version": self.text_version,
                "text_sha256": self.text_sha256,
                "policy_url": self.policy_url,
                "page_url": self.page_url,
                "page_origin_listed": self.page_origin_listed,
                "ip_digest": self.ip_digest,
            }
        )

    @classmethod
    def from_item(cls, item: Mapping[str, Any] | None) -> ConsentProof | None:
        if not item or not item.get("at"):
            return None
        return cls(
            at=str(item["at"]),
            text_version=text(item, "text_version"),
            text_sha256=text(item, "text_sha256"),
            policy_url=text(item, "policy_url"),
            page_url=text(item, "page_url"),
            page_origin_listed=optional_flag(item, "page_origin_listed"),
            ip_digest=text(item, "ip_digest"),
        )

    def flat(self, prefix: str) -> dict[str, Any]:
        """As the contact keeps it: `<prefix>_at`, `<prefix>_text_version`…, every part named,
        None where this proof has none (so the latest replaces the one before as a whole)."""
        return {f"{prefix}_{name}": value for name, value in self._parts().items()}

    @classmethod
    def from_flat(cls, item: Mapping[str, Any], prefix: str) -> ConsentProof | None:
        return cls.from_item({name: item.get(f"{prefix}_{name}") for name in PARTS})

    def _parts(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in PARTS}


PARTS = ("at", "text_version", "text_sha256", "policy_url", "page_url", "page_origin_listed", "ip_digest")


@dataclass(frozen=True, slots=True)
class ConsentProofs:
    """The two proofs of one submission: each present only when its box was ticked."""

    consent: ConsentProof | None = None
    marketing: ConsentProof | None = None


def consent_proofs(
    submission: InquirySubmission, *, at: str, page_origin_listed: bool | None, ip_digest: str | None
) -> ConsentProofs:
    """The proofs of what was ticked; a version sent beside an unticked box proves nothing."""
    s = submission
    consent = ConsentProof(
        at=at,
        text_version=s.consent_text_version,
        text_sha256=s.consent_text_sha256,
        policy_url=s.privacy_policy_url,
        page_url=s.page_url,
        page_origin_listed=page_origin_listed,
        ip_digest=ip_digest,
    )
    marketing = replace(
        consent, text_version=s.marketing_text_version, text_sha256=s.marketing_text_sha256, policy_url=None
    )
    return ConsentProofs(consent if s.consent else None, marketing if s.marketing_opt_in else None)
