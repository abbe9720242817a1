"""Key design of the single table. Every access pattern is a GetItem or a Query — no scans.

| access pattern                         | how                                                   |
|----------------------------------------|-------------------------------------------------------|
| contact by email                       | GetItem  PK=CONTACT#<email>  SK=PROFILE               |
| a contact's timeline, newest first     | Query    PK=CONTACT#<email>  SK begins_with EVENT#, descending |
| inquiry by id                          | GetItem  PK=INQUIRY#<id>     SK=INQUIRY               |
| inquiry by reference (INQ-7K3M9Q)      | GetItem  PK=REF#<reference>  SK=REF  → inquiry id      |
| inquiries by status and date           | Query    GSI1  GSI1PK=STATUS#<status>  GSI1SK=<received_at>#<id> |
| inquiries by owner and date            | Query    GSI2  GSI2PK=OWNER#<email>    GSI2SK=<received_at>#<id> |
| company account by email domain        | GetItem  PK=ACCOUNT#<domain> SK=PROFILE               |
| team / rep / routing rules             | GetItem  PK=TEAM#<key> | REP#<email> | RULES  SK=CONFIG |
| all teams / all reps                   | Query    GSI1  GSI1PK=CONFIG#TEAM | CONFIG#REP       |
| idempotency and rate-limit guards      | GetItem  PK=GUARD#…  (TTL-expired)                     |
"""

from __future__ import annotations

STATUS_INDEX = "GSI1"
OWNER_INDEX = "GSI2"
PROFILE = "PROFILE"
EVENT_PREFIX = "EVENT#"


def contact_key(email_key: str) -> dict[str, str]:
    return {"PK": f"CONTACT#{email_key}", "SK": PROFILE}


def timeline_event_key(email_key: str, at_iso: str, event_id: str) -> dict[str, str]:
    return {"PK": f"CONTACT#{email_key}", "SK": f"{EVENT_PREFIX}{at_iso}#{event_id}"}


def inquiry_key(inquiry_id: str) -> dict[str, str]:
    return {"PK": f"INQUIRY#{inquiry_id}", "SK": "INQUIRY"}


def reference_key(reference: str) -> dict[str, str]:
    return {"PK": f"REF#{reference}", "SK": "REF"}


def account_key(domain: str) -> dict[str, str]:
    return {"PK": f"ACCOUNT#{domain}", "SK": PROFILE}


def team_key(team: str) -> dict[str, str]:
    return {"PK": f"TEAM#{team}", "SK": "CONFIG"}


def rep_key(email_key: str) -> dict[str, str]:
    return {"PK": f"REP#{email_key}", "SK": "CONFIG"}


def rules_key() -> dict[str, str]:
    return {"PK": "RULES", "SK": "CONFIG"}


def status_index_key(status: str, received_at: str, inquiry_id: str) -> dict[str, str]:
    return {"GSI1PK": f"STATUS#{status}", "GSI1SK": f"{received_at}#{inquiry_id}"}


def owner_index_key(owner_email: str, received_at: str, inquiry_id: str) -> dict[str, str]:
    return {"GSI2PK": f"OWNER#{owner_email}", "GSI2SK": f"{received_at}#{inquiry_id}"}


def idempotency_guard_key(fingerprint: str) -> dict[str, str]:
    return {"PK": f"GUARD#IDEMPOTENCY#{fingerprint}", "SK": "GUARD"}


def rate_guard_key(scope: str, subject_hash: str, window_start: int) -> dict[str, str]:
    return {"PK": f"GUARD#RATE#{scope}#{subject_hash}", "SK": f"WINDOW#{window_start}"}
