"""Everything the stack holds on one address, found by key (a data subject's export), and taken out
(their erasure). Used by the admin CLI (`inquiry-router contacts export|erase`), with the admin's
credentials; no function calls it.

Found without a scan, from the contact's partition outwards (adapters/keys.py):

- the contact and every item of its partition (profile, timeline events of every kind);
- its inquiries: those the timeline names, the profile's latest, and spam carrying the address
  (one filtered Query of the `STATUS#spam` partition, which expires after 30 days);
- per inquiry: its reference, the send records of its mail jobs (job ids are derived from the
  inquiry, its owners and its mails), the Message-ID index items and SESMSG items those name, its
  idempotency guard and its action keys (GSI1 `ACTIONKEYS#<id>`);
- received mail: what the timeline and the inquiries name, what came from the address (GSI2
  `FROM#<email>`) and rep command mails about the inquiries (a filtered Query of `MAIL#rep_command`);
  their raw messages and attachments in the raw mail bucket, and the download links to each file
  (GSI1 `LINKS#<S3 key>`);
- the account membership, and guards keyed by digests of the address (acknowledgement slot,
  flood and rate windows) or of the inquiries' client IPs;
- the erasure record of an earlier erasure.

Erasure deletes all of it, dependents first and the contact partition last (everything is found
from it, so an erasure cut short is finished by running it again); a rep's open load gives back the
inquiries erased before their answer (adapters/open_load.py), and the company account keeps its
other contacts with its count lowered (deleted once nobody is left). It ends with the digest-only
erasure record (models/erasure.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from inquiry_router.adapters import keys
from inquiry_router.adapters.mail_records import SENT_FIELDS
from inquiry_router.adapters.open_load import load_decrement, write_with_load
from inquiry_router.adapters.serialization import from_attributes, to_attribute, to_attributes
from inquiry_router.adapters.table import batch_get, get_item
from inquiry_router.base.addresses import address_signals, canonical_mailbox, normalise_email
from inquiry_router.base.digests import guard_digest
from inquiry_router.base.timestamps import iso_timestamp
from inquiry_router.models.contact import Contact
from inquiry_router.models.erasure import ErasureRecord, erased_address_digest
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.mail_record import MailJobRecord
from inquiry_router.models.received_mail import ReceivedMail

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client

# Kinds of what is held, in the order an erasure takes them out: what points at something first,
# the contact partition (where everything is found from) last.
KINDS = (
    "download_links",
    "action_keys",
    "ses_messages",
    "sent_messages",
    "mail_jobs",
    "received_mail",
    "guards",
    "references",
    "inquiries",
    "account_membership",
    "timeline",
    "contact",
)
BATCH_WRITE_KEYS = 25  # BatchWriteItem's limit per request
DELETE_OBJECTS_KEYS = 1000  # DeleteObjects' limit per request
BATCH_WRITE_ATTEMPTS = 8
ERASE_ROUNDS = 3  # an item written while erasing (a late mail event) is found by the next round


class ErasureConflict(RuntimeError):
    """Something changed while erasing (a rep acted on an inquiry, the account took a new
    inquiry, the table throttled): what was erased stays erased; running it again finishes."""


@dataclass(frozen=True, slots=True)
class HeldItem:
    kind: str
    key: Mapping[str, str]  # PK and SK
    item: Mapping[str, Any]  # as stored, in plain values

    @property
    def label(self) -> str:
        return f"{self.key['PK']} / {self.key['SK']}"


@dataclass(frozen=True, slots=True)
class StoredFile:
    bucket: str
    key: str
    size: int


@dataclass(frozen=True, slots=True)
class AccountShare:
    """The person's part in a company account: its profile counts their inquiries."""

    domain: str
    profile: Mapping[str, Any] | None  # None: the account has no profile item
    member: bool  # has a membership item (ACCOUNT#<domain> / CONTACT#<email>)
    other_members: int
    inquiries: int  # the person's inquiries the profile counted (spam is never counted)
    in_legacy_set: bool  # named in the contact_keys set an older version kept on the profile


@dataclass(frozen=True, slots=True)
class Holdings:
    email_key: str
    items: tuple[HeldItem, ...] = ()
    files: tuple[StoredFile, ...] = ()
    inquiries: tuple[Inquiry, ...] = ()
    account: AccountShare | None = None
    erased: ErasureRecord | None = None
    unlisted_files: tuple[str, ...] = ()  # named by the records, unlisted: no bucket to look in

    @property
    def empty(self) -> bool:
        return not self.items and not self.files and self.account is None

    def of_kind(self, kind: str) -> list[HeldItem]:
        return [item for item in self.items if item.kind == kind]

    def counts(self) -> dict[str, int]:
        counted = {kind: len(self.of_kind(kind)) for kind in KINDS}
        counted["files"] = len(self.files)
        return {kind: n for kind, n in counted.items() if n}

    @property
    def contact(self) -> Contact | None:
        profile = next(iter(self.of_kind("contact")), None)
        return Contact.from_item(profile.item) if profile else None


class DataSubjects:
    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        s3: S3Client | None,
        bucket: str | None,
        guard_salt: str,
        *,
        attachment_prefix: str = "attachments/",
    ) -> None:
        self._client = client
        self._table = table_name
        self._s3 = s3
        self._bucket = bucket
        self._salt = guard_salt
        self._attachment_prefix = attachment_prefix

    # -- finding ------------------------------------------------------------------------------

    def find(self, address: str) -> Holdings:
        email_key = normalise_email(address)
        found: dict[tuple[str, str], HeldItem] = {}

        def hold(kind: str, items: Iterable[Mapping[str, Any]]) -> None:
            for item in items:
                key = {"PK": str(item["PK"]), "SK": str(item["SK"])}
                found.setdefault((key["PK"], key["SK"]), HeldItem(kind, key, dict(item)))

        partition = list(self._query({"KeyConditionExpression": "PK = :pk"}, {":pk": f"CONTACT#{email_key}"}))
        profile = next((i for i in partition if i["SK"] == keys.PROFILE), None)
        events = [i for i in partition if i["SK"] != keys.PROFILE]
        hold("contact", [profile] if profile else [])
        hold("timeline", events)  # every kind of event, and whatever else the partition holds

        inquiries, fragments = self._inquiries(email_key, profile, events)
        hold("inquiries", [i.to_item() | keys.inquiry_key(i.id) for i in inquiries] + fragments)
        hold("references", self._references(inquiries))
        mails = self._received_mails(email_key, inquiries, events)
        hold("received_mail", [m.to_item() | keys.inbound_mail_key(m.id) for m in mails])
        jobs = self._mail_jobs(
            inquiries, events, mails, [str(f["PK"]).removeprefix("INQUIRY#") for f in fragments]
        )
        hold("mail_jobs", jobs)
        inquiry_items = [i.to_item() for i in inquiries] + fragments
        sent, ses = self._sent_messages(inquiry_items, [MailJobRecord.from_item(job) for job in jobs])
        hold("sent_messages", sent)
        hold("ses_messages", ses)
        hold("guards", self._guards(email_key, inquiries))
        for inquiry in inquiries:
            hold("action_keys", self._index(keys.STATUS_INDEX, "GSI1PK", f"ACTIONKEYS#{inquiry.id}"))
        files, object_keys = self._files(inquiries, mails)
        for object_key in sorted(object_keys):
            hold("download_links", self._index(keys.STATUS_INDEX, "GSI1PK", f"LINKS#{object_key}"))
        account = self._account(email_key, profile, inquiries)
        if account is not None and account.member:
            membership = keys.account_contact_key(account.domain, email_key)
            hold("account_membership", batch_get(self._client, self._table, [membership], consistent=True))
        return Holdings(
            email_key=email_key,
            items=tuple(sorted(found.values(), key=lambda h: (KINDS.index(h.kind), h.label))),
            files=tuple(files),
            inquiries=tuple(sorted(inquiries, key=lambda i: i.received_at)),
            account=account,
            erased=self.erasure_record(email_key),
            unlisted_files=() if self._s3 and self._bucket else tuple(sorted(object_keys)),
        )

    def _references(self, inquiries: Sequence[Inquiry]) -> list[dict[str, Any]]:
        ids = {inquiry.id for inquiry in inquiries}
        pointers = batch_get(self._client, self._table, [keys.reference_key(i.reference) for i in inquiries])
        return [item for item in pointers if item.get("inquiry_id") in ids]

    def _sent_messages(
        self, inquiry_items: Sequence[Mapping[str, Any]], jobs: Sequence[MailJobRecord]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The Message-ID index items of the mails sent about the inquiries (named by the send
        records, and by the inquiry items for the latest of each kind), and the SESMSG items."""
        message_ids = {job.message_id for job in jobs if job.message_id}
        named = [message_field for _, message_field, _ in SENT_FIELDS.values()]
        message_ids |= {str(item[f]) for item in inquiry_items for f in named if item.get(f)}
        sent = batch_get(self._client, self._table, [keys.message_id_key(m) for m in message_ids])
        ses_ids = {job.ses_message_id for job in jobs if job.ses_message_id}
        return sent, batch_get(self._client, self._table, [keys.ses_message_key(s) for s in ses_ids])

    def _inquiries(
        self, email_key: str, profile: Mapping[str, Any] | None, events: Sequence[Mapping[str, Any]]
    ) -> tuple[list[Inquiry], list[dict[str, Any]]]:
        """The person's inquiries; and fragments their timeline names: an inquiry item holding no
        inquiry, re-created by a mail recorded after its erasure (the mailer's update of it)."""
        ids = {str(e["inquiry_id"]) for e in events if e.get("inquiry_id")}
        if profile and profile.get("last_inquiry_id"):
            ids.add(str(profile["last_inquiry_id"]))
        # Spam never touches the contact: only the inquiry carries the address (kept 30 days).
        spam = self._index(
            keys.STATUS_INDEX,
            "GSI1PK",
            "STATUS#spam",
            filter_expression="contact_key = :contact",
            values={":contact": email_key},
        )
        ids |= {str(item["id"]) for item in spam}
        items = batch_get(self._client, self._table, [keys.inquiry_key(i) for i in ids], consistent=True)
        # An event may name another contact's inquiry (a rep's answer to two buyers): not theirs.
        inquiries = [Inquiry.from_item(item) for item in items if item.get("contact_key") == email_key]
        return inquiries, [item for item in items if "contact_key" not in item]

    def _received_mails(
        self, email_key: str, inquiries: Sequence[Inquiry], events: Sequence[Mapping[str, Any]]
    ) -> list[ReceivedMail]:
        ids = {str(e["mail_id"]) for e in events if e.get("mail_id")}
        for inquiry in inquiries:
            ids |= {m for m in (inquiry.mail_id, inquiry.last_reply_mail_id) if m}
        ids |= {
            str(item["PK"]).removeprefix("MAIL#")
            for item in self._index(keys.OWNER_INDEX, "GSI2PK", f"{keys.SENDER_PREFIX}{email_key}")
        }
        inquiry_ids = {inquiry.id for inquiry in inquiries}
        if inquiry_ids:
            # A rep's command mail (#won) names the inquiry only; its text may quote the buyer.
            commands = self._index(keys.STATUS_INDEX, "GSI1PK", "MAIL#rep_command")
            ids |= {str(item["id"]) for item in commands if item.get("inquiry_id") in inquiry_ids}
        items = batch_get(self._client, self._table, [keys.inbound_mail_key(i) for i in ids], consistent=True)
        return [ReceivedMail.from_item(item) for item in items]

    def _mail_jobs(
        self,
        inquiries: Sequence[Inquiry],
        events: Sequence[Mapping[str, Any]],
        mails: Sequence[ReceivedMail],
        fragment_ids: Sequence[str],
    ) -> list[dict[str, Any]]:
        """The send records of every job that can concern the person (models/mail_job.py's ids)."""
        job_ids: set[str] = set()
        for inquiry_id in fragment_ids:  # a notification's id needs its owner: not derivable here
            job_ids |= {f"ack:{inquiry_id}", f"remind:{inquiry_id}", f"escalate:{inquiry_id}"}
        for inquiry in inquiries:
            job_ids |= {f"ack:{inquiry.id}", f"remind:{inquiry.id}", f"escalate:{inquiry.id}"}
            owners = {
                str(e["owner_email"])
                for e in events
                if e.get("inquiry_id") == inquiry.id and e.get("owner_email")
            }
            owners |= {inquiry.owner_email} if inquiry.owner_email else set()
            assignments = sum(1 for e in events if e.get("inquiry_id") == inquiry.id and e.get("owner_email"))
            for owner in owners:
                job_ids.add(f"notify:{inquiry.id}:{owner}")
                for number in range(1, max(assignments, inquiry.assignment_seq or 0) + 1):
                    job_ids.add(f"notify:{inquiry.id}:{owner}:{number}")
        for mail in mails:
            job_ids |= {f"forward:{mail.id}", f"command:{mail.id}", f"unparseable:{mail.id}"}
        for event in events:  # an SES bounce's timeline event names the owner's notice it queued
            sort_key = str(event.get("SK", ""))
            if "#ses-" in sort_key and event.get("inquiry_id"):
                event_key = sort_key.rsplit("#ses-", 1)[1]
                job_ids.add(f"bounced:{event['inquiry_id']}:{event_key}")
        wanted = {job_id: keys.mail_job_guard_key(job_id) for job_id in job_ids}
        return batch_get(self._client, self._table, wanted.values(), consistent=True)

    def _guards(self, email_key: str, inquiries: Sequence[Inquiry]) -> list[dict[str, Any]]:
        mailbox = guard_digest(canonical_mailbox(email_key), self._salt)
        found = [
            *batch_get(self._client, self._table, [keys.acknowledgement_guard_key(mailbox)]),
            *self._query({"KeyConditionExpression": "PK = :pk"}, {":pk": f"GUARD#FLOOD#{mailbox}"}),
            *self._query({"KeyConditionExpression": "PK = :pk"}, {":pk": f"GUARD#RATE#email#{mailbox}"}),
        ]
        for ip in {inquiry.source_ip for inquiry in inquiries if inquiry.source_ip}:
            found += self._query(
                {"KeyConditionExpression": "PK = :pk"},
                {":pk": f"GUARD#RATE#ip#{guard_digest(ip, self._salt)}"},
            )
        ids = {inquiry.id for inquiry in inquiries}
        fingerprints = set()
        for inquiry in inquiries:
            fingerprints.add(f"release:{inquiry.id}")
            if inquiry.idempotency_fingerprint:
                fingerprints.add(inquiry.idempotency_fingerprint)
            if inquiry.mail_id:  # the inbound function's key (inbound/processing.py), for older items
                fingerprints.add("key:" + hashlib.sha256(f"ses:{inquiry.mail_id}".encode()).hexdigest())
        idempotency = batch_get(
            self._client, self._table, [keys.idempotency_guard_key(f) for f in fingerprints]
        )
        return found + [item for item in idempotency if item.get("inquiry_id") in ids]

    def _files(
        self, inquiries: Sequence[Inquiry], mails: Sequence[ReceivedMail]
    ) -> tuple[list[StoredFile], set[str]]:
        """The raw messages and attachments the records name, and whatever else the bucket holds
        under a message's attachment prefix; and every key named (for the download links)."""
        named = {k for m in mails for k in (m.raw_mail_key, *(a.key for a in m.attachments)) if k}
        named |= {k for i in inquiries for k in (i.raw_mail_key, *(a.key for a in i.attachments)) if k}
        mail_ids = {m.id for m in mails} | {i.mail_id for i in inquiries if i.mail_id}
        if self._s3 is None or not self._bucket:
            return [], named
        files: dict[str, StoredFile] = {}
        for key in named:
            files |= {f.key: f for f in self._listed(key) if f.key == key}
        for mail_id in mail_ids:
            files |= {f.key: f for f in self._listed(f"{self._attachment_prefix}{mail_id}/")}
        return sorted(files.values(), key=lambda f: f.key), named | set(files)

    def _listed(self, prefix: str) -> Iterator[StoredFile]:
        assert self._s3 is not None
        assert self._bucket
        for page in self._s3.get_paginator("list_objects_v2").paginate(Bucket=self._bucket, Prefix=prefix):
            for entry in page.get("Contents", []):
                yield StoredFile(self._bucket, entry["Key"], int(entry.get("Size", 0)))

    def _account(
        self, email_key: str, profile: Mapping[str, Any] | None, inquiries: Sequence[Inquiry]
    ) -> AccountShare | None:
        """The person's part in their company's account, if they are in one (free mail and
        disposable addresses never are)."""
        domain = str((profile or {}).get("domain") or email_key.rpartition("@")[2])
        if not domain or not address_signals(email_key).is_company_domain:
            return None
        account = get_item(self._client, self._table, keys.account_key(domain), consistent=True)
        members = {
            str(item["SK"]).removeprefix(keys.ACCOUNT_CONTACT_PREFIX)
            for item in self._query(
                {
                    "KeyConditionExpression": "PK = :pk AND begins_with(SK, :members)",
                    "ProjectionExpression": "SK",
                },
                {":pk": f"ACCOUNT#{domain}", ":members": keys.ACCOUNT_CONTACT_PREFIX},
            )
        }
        legacy = {str(k) for k in (account or {}).get("contact_keys") or ()}
        if email_key not in members | legacy:
            return None
        return AccountShare(
            domain=domain,
            profile=account,
            member=email_key in members,
            other_members=len((members | legacy) - {email_key}),
            inquiries=sum(1 for i in inquiries if i.status != "spam"),
            in_legacy_set=email_key in legacy,
        )

    def erasure_record(self, address: str) -> ErasureRecord | None:
        digest = self._erasure_digest(address)
        item = get_item(self._client, self._table, keys.erasure_record_key(digest), consistent=True)
        return ErasureRecord.from_item(item) if item else None

    def _erasure_digest(self, address: str) -> str:
        return erased_address_digest(address, self._salt)

    # -- erasing ------------------------------------------------------------------------------

    def erase(self, address: str, now: datetime) -> tuple[Holdings, ErasureRecord | None]:
        """Take out everything held on `address`; what an erasure found first, and the erasure
        record (None when there was nothing to erase: then nothing is written)."""
        first = held = self.find(address)
        if held.empty:
            return held, held.erased
        totals: dict[str, int] = {}
        for _ in range(ERASE_ROUNDS):
            self._erase(held, now)
            for kind, n in held.counts().items():
                totals[kind] = totals.get(kind, 0) + n
            held = self.find(address)
            if held.empty:
                break
        else:
            raise ErasureConflict(f"items of {held.email_key} kept appearing while erasing: run it again")
        return first, self._record(held.email_key, now, totals)

    def _erase(self, held: Holdings, now: datetime) -> None:
        self._delete_files(held.files)
        at = iso_timestamp(now)
        for kind in KINDS:
            if kind == "account_membership":  # with the account's count, in one transaction
                if held.account is not None:
                    self._leave_account(held.email_key, held.account)
            elif kind == "inquiries":
                for inquiry in held.inquiries:
                    self._delete_inquiry(inquiry, at)
                whole = {keys.inquiry_key(i.id)["PK"] for i in held.inquiries}
                self._delete_items([i.key for i in held.of_kind(kind) if i.key["PK"] not in whole])
            else:
                self._delete_items([item.key for item in held.of_kind(kind)])

    def _delete_inquiry(self, inquiry: Inquiry, at: str) -> None:
        """The inquiry (its status and owner index entries and SLA place are on the item), and one
        fewer in its owner's open load when it still awaited their answer."""
        delete = {
            "Delete": {
                "TableName": self._table,
                "Key": to_attributes(keys.inquiry_key(inquiry.id)),
                "ConditionExpression": "attribute_not_exists(PK) OR (#status = :read AND "
                + ("owner_email = :owner)" if inquiry.owner_email else "attribute_not_exists(owner_email))"),
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": to_attributes(
                    {":read": inquiry.status}
                    | ({":owner": inquiry.owner_email} if inquiry.owner_email else {})
                ),
            }
        }
        owner = inquiry.owner_email
        counted = owner and inquiry.awaits_answer and inquiry.assignment_kind != "fallback"
        load = load_decrement(self._table, owner, at) if counted and owner else None
        try:
            write_with_load(self._client, [delete], load)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            raise ErasureConflict(
                f"{inquiry.reference} changed while it was being erased (its status or owner): run it again"
            ) from None

    def _leave_account(self, email_key: str, share: AccountShare) -> None:
        """The person out of their company's account, in one transaction: their membership item,
        and the profile deleted when nobody else is in it, else its count of inquiries lowered by
        theirs (never below zero; only from the count read) and their address out of the set an
        older version kept. Taken out before the inquiries, so a run cut short never lowers twice."""
        items: list[Any] = []
        if share.member:
            membership = keys.account_contact_key(share.domain, email_key)
            items.append({"Delete": {"TableName": self._table, "Key": to_attributes(membership)}})
        profile = share.profile
        key = to_attributes(keys.account_key(share.domain))
        if profile is not None and not share.other_members:
            items.append({"Delete": {"TableName": self._table, "Key": key}})
        elif profile is not None:
            count = int(profile.get("inquiry_count") or 0)
            update: dict[str, Any] = {
                "TableName": self._table,
                "Key": key,
                "UpdateExpression": "SET inquiry_count = :count",
                "ConditionExpression": "inquiry_count = :read"
                if "inquiry_count" in profile
                else "attribute_exists(PK) AND attribute_not_exists(inquiry_count)",
                "ExpressionAttributeValues": to_attributes({":count": max(0, count - share.inquiries)})
                | ({":read": to_attribute(count)} if "inquiry_count" in profile else {}),
            }
            if share.in_legacy_set:
                update["UpdateExpression"] += " DELETE contact_keys :me"
                update["ExpressionAttributeValues"][":me"] = {"SS": [email_key]}
            items.append({"Update": update})
        if not items:
            return
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            raise ErasureConflict(f"the account {share.domain} changed while erasing: run it again") from None

    def _delete_items(self, item_keys: Sequence[Mapping[str, str]]) -> None:
        for start in range(0, len(item_keys), BATCH_WRITE_KEYS):
            requests: Any = {
                self._table: [
                    {"DeleteRequest": {"Key": to_attributes(dict(k))}}
                    for k in item_keys[start : start + BATCH_WRITE_KEYS]
                ]
            }
            for _ in range(BATCH_WRITE_ATTEMPTS):
                answer = self._client.batch_write_item(RequestItems=requests)
                requests = answer.get("UnprocessedItems") or None
                if not requests:
                    break
            else:
                raise ErasureConflict("the table kept refusing deletes (throttled): run the erasure again")

    def _delete_files(self, files: Sequence[StoredFile]) -> None:
        if not files or self._s3 is None:
            return
        for start in range(0, len(files), DELETE_OBJECTS_KEYS):
            chunk = files[start : start + DELETE_OBJECTS_KEYS]
            answer = self._s3.delete_objects(
                Bucket=chunk[0].bucket, Delete={"Objects": [{"Key": f.key} for f in chunk], "Quiet": True}
            )
            if answer.get("Errors"):
                failed = ", ".join(str(e.get("Key")) for e in answer["Errors"])
                raise ErasureConflict(f"the raw mail bucket refused to delete {failed}: run it again")

    def _record(self, email_key: str, now: datetime, counts: Mapping[str, int]) -> ErasureRecord:
        digest = self._erasure_digest(email_key)
        at = iso_timestamp(now)
        answer = self._client.update_item(
            TableName=self._table,
            Key=to_attributes(keys.erasure_record_key(digest)),
            UpdateExpression="SET entity = :entity, digest = :digest, erased_at = :at, counts = :counts, "
            "first_erased_at = if_not_exists(first_erased_at, :at) ADD times :one",
            ExpressionAttributeValues=to_attributes(
                {":entity": "erasure", ":digest": digest, ":at": at, ":counts": dict(counts), ":one": 1}
            ),
            ReturnValues="ALL_NEW",
        )
        return ErasureRecord.from_item(from_attributes(answer["Attributes"]))

    # -- reading helpers ----------------------------------------------------------------------

    def _query(self, params: Mapping[str, Any], values: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        request: dict[str, Any] = {
            "TableName": self._table,
            **params,
            "ExpressionAttributeValues": to_attributes(dict(values)),
            "ConsistentRead": "IndexName" not in params,
        }
        while True:
            answer = self._client.query(**request)
            yield from (from_attributes(item) for item in answer.get("Items", []))
            if not answer.get("LastEvaluatedKey"):
                return
            request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def _index(
        self,
        index: str,
        key_name: str,
        key_value: str,
        *,
        filter_expression: str | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"IndexName": index, "KeyConditionExpression": f"{key_name} = :key"}
        if filter_expression:
            params["FilterExpression"] = filter_expression
        return list(self._query(params, {":key": key_value, **(values or {})}))
