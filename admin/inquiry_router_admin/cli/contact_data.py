"""A data subject's requests: `contacts export EMAIL [--json]` (everything held on an address) and
`contacts erase EMAIL [--yes]` (all of it taken out, a digest-only erasure record left).

The finding and erasing is adapters/data_subject.py's; this module reads the stack's names and
its guard salt, prints, and asks before erasing.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from inquiry_router_admin.cli.output import print_json, print_table
from inquiry_router_admin.cli.prompts import confirm
from inquiry_router_admin.cli.target import Target, TargetError, resolve_target

if TYPE_CHECKING:
    from inquiry_router.adapters.data_subject import DataSubjects, Holdings

# How each kind is named for a person reading the summary.
KIND_NAMES = {
    "contact": "contact profile",
    "timeline": "timeline events",
    "inquiries": "inquiries",
    "references": "inquiry references",
    "received_mail": "received mail records",
    "mail_jobs": "mail send records",
    "sent_messages": "sent Message-ID index items",
    "ses_messages": "sent mail by SES id",
    "guards": "guards (by digest)",
    "action_keys": "action link keys",
    "download_links": "download links",
    "account_membership": "account membership",
    "files": "stored files (raw mail, attachments)",
}
SECRET_FIELDS = ("secret",)  # an action key's secret: a rep's, never part of an export


def register_commands(commands: Any) -> None:
    export = commands.add_parser(
        "export",
        help="everything held on an address (a data subject's access request)",
        description="The contact, inquiries, timeline, mail records, stored files, links, account "
        "membership and guards held on EMAIL, found by key (no scan).",
    )
    export.add_argument("email")
    export.add_argument("--json", action="store_true", help="print JSON (machine-readable, complete)")
    export.set_defaults(run=export_contact)
    erase = commands.add_parser(
        "erase",
        help="erase everything held on an address (a data subject's erasure request)",
        description="Deletes what `contacts export` shows, raw mail and attachments included, and "
        "leaves an erasure record holding only a keyed digest of the address. Running it again "
        "finds nothing left.",
    )
    erase.add_argument("email")
    erase.add_argument("--yes", action="store_true", help="erase without asking (scripts, no terminal)")
    erase.set_defaults(run=erase_contact)


def export_contact(args: argparse.Namespace) -> int:
    address = valid_address(args.email)
    held = data_subjects(resolve_target(args)).find(address)
    if held.empty:
        erased = f" (erased {held.erased.erased_at})" if held.erased else ""
        raise TargetError(f"nothing is held on {address!r}{erased}")
    if args.json:
        print_json(export_document(held))
        return 0
    print(f"Held on {held.email_key}:")
    print_summary(held)
    return 0


def erase_contact(args: argparse.Namespace) -> int:
    from inquiry_router.adapters.data_subject import ErasureConflict

    address = valid_address(args.email)
    subjects = data_subjects(resolve_target(args))
    held = subjects.find(address)
    if held.empty:
        erased = f" (erased {held.erased.erased_at})" if held.erased else ""
        print(f"Nothing left to erase for {held.email_key}{erased}.")
        return 0
    print(f"Erasing {held.email_key} deletes:")
    print_summary(held)
    refusal = "not erased: pass --yes to erase without a terminal"
    if not args.yes and not confirm(f"Erase all of this for {held.email_key}?", without_terminal=refusal):
        print("Nothing erased.")
        return 1
    try:
        _, record = subjects.erase(address, datetime.now(UTC))
    except ErasureConflict as error:
        raise TargetError(str(error)) from None
    assert record is not None
    taken = ", ".join(f"{n} {KIND_NAMES.get(kind, kind)}" for kind, n in record.counts.items())
    print(f"Erased {held.email_key}: {taken}.")
    print(f"Left: the erasure record ERASED#{record.digest} ({record.erased_at}; no address).")
    return 0


def valid_address(raw: str) -> str:
    """The address as the contact is keyed, or a clear refusal (nothing is looked up)."""
    from email_validator import EmailNotValidError, validate_email

    from inquiry_router.base.addresses import normalise_email

    try:
        validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise TargetError(f"{raw!r} is not an email address: {error}") from None
    return normalise_email(raw)


def data_subjects(target: Target) -> DataSubjects:
    from inquiry_router.adapters.data_subject import DataSubjects

    return DataSubjects(
        target.dynamodb(),
        target.table_name,
        target.client("s3"),
        target.output("RawMailBucketName"),
        target.guard_salt(),
    )


def export_document(held: Holdings) -> dict[str, Any]:
    """Every item as stored (keys included), by kind; the files by bucket and key."""
    document: dict[str, Any] = {"email": held.email_key}
    for kind in KIND_NAMES:
        if kind in ("contact", "files"):
            continue
        document[kind] = [_shown(item.item) for item in held.of_kind(kind)]
    profile = held.of_kind("contact")
    document["contact"] = _shown(profile[0].item) if profile else None
    document["files"] = [{"bucket": f.bucket, "key": f.key, "size": f.size} for f in held.files]
    if held.unlisted_files:
        document["files_not_listed"] = list(held.unlisted_files)
    share = held.account
    document["account"] = (
        {
            "domain": share.domain,
            "other_contacts": share.other_members,
            "inquiries_counted": share.inquiries,
            "deleted_on_erasure": share.profile is not None and not share.other_members,
        }
        if share
        else None
    )
    document["erasure_record"] = held.erased.to_item() if held.erased else None
    return document


def print_summary(held: Holdings) -> None:
    contact = held.contact
    if contact is not None:
        who = ", ".join(p for p in (contact.name, contact.company, contact.country) if p)
        print(f"  contact: {contact.email or held.email_key}" + (f" ({who})" if who else ""))
    for inquiry in held.inquiries:
        about = inquiry.subject or inquiry.product or ""
        print(f"  inquiry {inquiry.reference}: {inquiry.status}, {inquiry.received_at[:10]}, {about}")
    share = held.account
    if share is not None:
        if share.profile is not None and not share.other_members:
            print(f"  account {share.domain}: nobody else in it, the account goes too")
        else:
            print(
                f"  account {share.domain}: {share.other_members} other contact(s) stay; "
                f"its inquiry count goes down by {share.inquiries}"
            )
    if held.erased is not None:
        print(f"  erased before: {held.erased.erased_at}")
    print()
    counts = held.counts()
    print_table(
        [(KIND_NAMES.get(kind, kind), n) for kind, n in counts.items()],
        ["what", "how many"],
    )
    print()
    rows = [(KIND_NAMES.get(i.kind, i.kind), i.label) for i in held.items]
    rows += [("stored file", f"s3://{f.bucket}/{f.key} ({f.size} bytes)") for f in held.files]
    print_table(rows, ["what", "where"])


def _shown(item: Any) -> dict[str, Any]:
    """An item for JSON: string sets (an inquiry's labels) as sorted lists, secrets left out."""
    return {
        k: sorted(v) if isinstance(v, set | frozenset) else v
        for k, v in dict(item).items()
        if k not in SECRET_FIELDS
    }
