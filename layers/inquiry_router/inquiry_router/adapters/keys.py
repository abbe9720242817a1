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
| the whole routing config (one read)    | Query    PK=CONFIG  (SK TEAM#<key> | REP#<email> | RULES) |
| one team / rep                         | GetItem  PK=CONFIG  SK=TEAM#<key> | REP#<email>       |
| a team's rotation state                | GetItem  PK=TEAM#<key>       SK=ROTATION              |
| a rep's open (unanswered) load         | GetItem  PK=REP#<email>      SK=LOAD                  |
| idempotency and rate-limit guards      | GetItem  PK=GUARD#…  (TTL-expired)                     |
| a mail job's send record               | GetItem  PK=GUARD#MAIL#<job id>  SK=GUARD             |
| acknowledgements sent to a mailbox     | GetItem  PK=GUARD#ACK#<digest>   SK=GUARD (24 h TTL)  |
| outbound Message-ID -> inquiry         | GetItem  PK=MSGID#<message-id>   SK=MSGID             |
| outbound SES message id -> inquiry     | GetItem  PK=SESMSG#<SES id>      SK=SESMSG            |
| one received mail and its decision     | GetItem  PK=MAIL#<SES message id> SK=MAIL             |
| received mail by decision and date     | Query    GSI1  GSI1PK=MAIL#<decision> GSI1SK=<received_at>#<id> |
| assignments by date (router redrive)   | Query    GSI1  GSI1PK=ASSIGNED#<yyyy-mm-dd> GSI1SK=<at>#<id> |
| a company's contacts                   | Query    PK=ACCOUNT#<domain>  SK begins_with CONTACT#   |
| mail from one sender in 10 minutes     | GetItem  PK=GUARD#FLOOD#<hash>   SK=WINDOW#<start>     |
| a download link in a rep's mail        | GetItem  PK=LINK#<token>         SK=LINK (TTL)         |
| a notification's action links (key)    | GetItem  PK=ACTIONKEY#<key id>   SK=ACTIONKEY (TTL)    |
| inquiries the SLA sweep looks at now   | Query    GSI3  GSI3PK=SLA  GSI3SK <= <now>  (sparse)   |
| a team's backlog (with the fallback)   | Query    GSI3  GSI3PK=BACKLOG#<team>, oldest first     |
| received mail from one address         | Query    GSI2  GSI2PK=FROM#<email>  GSI2SK=<received_at>#<id> |
| the download links to one stored file  | Query    GSI1  GSI1PK=LINKS#<S3 key>  GSI1SK=<token>   |
| the action keys of one inquiry         | Query    GSI1  GSI1PK=ACTIONKEYS#<inquiry id>  GSI1SK=<key id> |
| an erased address (digest only)        | GetItem  PK=ERASED#<digest>       SK=ERASED            |

The last rows are what a data subject's export and erasure (adapters/data_subject.py) find a
person's items by, besides the contact partition and what its items name.

The routing config lives in one partition (a few dozen items) so the router reads all of it with
one Query; rotation and load items live apart because they are written on every assignment.
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


def account_contact_key(domain: str, email_key: str) -> dict[str, str]:
    """A contact of a company account: one item each, so the account never grows with its contacts."""
    return {"PK": f"ACCOUNT#{domain}", "SK": f"{ACCOUNT_CONTACT_PREFIX}{email_key}"}


ACCOUNT_CONTACT_PREFIX = "CONTACT#"
CONFIG_PARTITION = "CONFIG"


def team_config_key(team: str) -> dict[str, str]:
    return {"PK": CONFIG_PARTITION, "SK": f"TEAM#{team}"}


def rep_config_key(email_key: str) -> dict[str, str]:
    return {"PK": CONFIG_PARTITION, "SK": f"REP#{email_key}"}


def rules_config_key() -> dict[str, str]:
    return {"PK": CONFIG_PARTITION, "SK": "RULES"}


def rotation_key(team: str) -> dict[str, str]:
    return {"PK": f"TEAM#{team}", "SK": "ROTATION"}


def rep_load_key(email_key: str) -> dict[str, str]:
    return {"PK": f"REP#{email_key}", "SK": "LOAD"}


def assignment_index_key(at_iso: str, inquiry_id: str) -> dict[str, str]:
    """On each assignment's timeline event: one day's assignments in one GSI1 partition."""
    return {"GSI1PK": f"{ASSIGNED_PREFIX}{at_iso[:10]}", "GSI1SK": f"{at_iso}#{inquiry_id}"}


ASSIGNED_PREFIX = "ASSIGNED#"


def mail_job_guard_key(job_id: str) -> dict[str, str]:
    return {"PK": f"GUARD#MAIL#{job_id}", "SK": "GUARD"}


def acknowledgement_guard_key(mailbox_digest: str) -> dict[str, str]:
    """Keyed by guard_digest(canonical_mailbox(address)): one slot per mailbox, no address in clear."""
    return {"PK": f"GUARD#ACK#{mailbox_digest}", "SK": "GUARD"}


def message_id_key(message_id: str) -> dict[str, str]:
    return {"PK": f"MSGID#{message_id.strip('<>').lower()}", "SK": "MSGID"}


def ses_message_key(ses_message_id: str) -> dict[str, str]:
    """Our mail by SES's id for it: what SES's sending events (bounces, deliveries) name."""
    return {"PK": f"SESMSG#{ses_message_id}", "SK": "SESMSG"}


def status_index_key(status: str, received_at: str, inquiry_id: str) -> dict[str, str]:
    return {"GSI1PK": f"STATUS#{status}", "GSI1SK": f"{received_at}#{inquiry_id}"}


def owner_index_key(owner_email: str, received_at: str, inquiry_id: str) -> dict[str, str]:
    return {"GSI2PK": f"OWNER#{owner_email}", "GSI2SK": f"{received_at}#{inquiry_id}"}


def idempotency_guard_key(fingerprint: str) -> dict[str, str]:
    return {"PK": f"GUARD#IDEMPOTENCY#{fingerprint}", "SK": "GUARD"}


def rate_guard_key(scope: str, subject_hash: str, window_start: int) -> dict[str, str]:
    return {"PK": f"GUARD#RATE#{scope}#{subject_hash}", "SK": f"WINDOW#{window_start}"}


def inbound_mail_key(ses_message_id: str) -> dict[str, str]:
    return {"PK": f"MAIL#{ses_message_id}", "SK": "MAIL"}


def mail_decision_index_key(decision: str, received_at: str, ses_message_id: str) -> dict[str, str]:
    return {"GSI1PK": f"MAIL#{decision}", "GSI1SK": f"{received_at}#{ses_message_id}"}


def flood_guard_key(sender_hash: str, window_start: int) -> dict[str, str]:
    return {"PK": f"GUARD#FLOOD#{sender_hash}", "SK": f"WINDOW#{window_start}"}


def download_link_key(token: str) -> dict[str, str]:
    return {"PK": f"LINK#{token}", "SK": "LINK"}


def action_key_key(key_id: str) -> dict[str, str]:
    return {"PK": f"ACTIONKEY#{key_id}", "SK": "ACTIONKEY"}


SLA_INDEX = "GSI3"
SLA_PARTITION = "SLA"


def sla_schedule_key(look_at_iso: str, inquiry_id: str) -> dict[str, str]:
    """An inquiry's place on the SLA schedule (adapters/sla_schedule.py)."""
    return {"GSI3PK": SLA_PARTITION, "GSI3SK": f"{look_at_iso}#{inquiry_id}"}


def backlog_key(team_key: str, received_at: str, inquiry_id: str) -> dict[str, str]:
    """An inquiry waiting with a team's fallback address for a rep, oldest first (the backlog drain)."""
    return {"GSI3PK": f"BACKLOG#{team_key}", "GSI3SK": f"{received_at}#{inquiry_id}"}


def sender_index_key(email_key: str, received_at: str, ses_message_id: str) -> dict[str, str]:
    """On a received mail's record: every message from one address (a data subject's export)."""
    return {"GSI2PK": f"{SENDER_PREFIX}{email_key}", "GSI2SK": f"{received_at}#{ses_message_id}"}


SENDER_PREFIX = "FROM#"


def download_links_index_key(object_key: str, token: str) -> dict[str, str]:
    """On a LINK# item: the links issued to one stored object, so erasing the object finds them."""
    return {"GSI1PK": f"LINKS#{object_key}", "GSI1SK": token}


def action_keys_index_key(inquiry_id: str, key_id: str) -> dict[str, str]:
    """On an ACTIONKEY# item: the keys issued for one inquiry's notifications."""
    return {"GSI1PK": f"ACTIONKEYS#{inquiry_id}", "GSI1SK": key_id}


def erasure_record_key(address_digest: str) -> dict[str, str]:
    """What is left of an erased address: guard_digest of it, a date and counts (no address)."""
    return {"PK": f"ERASED#{address_digest}", "SK": "ERASED"}
