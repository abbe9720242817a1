"""What each mail shows, as plain data: the assembler fills these from stored items, the renderer
turns them into words. Buyer-supplied fields arrive raw; escaping is the renderer's job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from inquiry_router.mail.promise import Promise
from inquiry_router.models.rep_actions import CommandRecord, RepAction


@dataclass(frozen=True, slots=True)
class CompanyView:
    name: str
    domain: str
    website: str | None


@dataclass(frozen=True, slots=True)
class RepView:
    name: str
    email: str
    phone: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class PreviousInquiry:
    reference: str
    received_at: datetime
    topic: str | None


@dataclass(frozen=True, slots=True)
class AttachmentLink:
    name: str
    size: int
    content_type: str
    url: str | None  # None for an inline image (part of the message) or without a bucket


@dataclass(frozen=True, slots=True)
class OriginalMail:
    """What came by mail besides its text: the attachments, and the full original to download."""

    attachments: Sequence[AttachmentLink] = ()
    original_url: str | None = None
    link_hours: int = 72
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class AcknowledgementView:
    """To the buyer, in their language. Deliberately has no field for their message: it is never echoed."""

    reference: str
    language: str
    buyer_name: str | None
    topic: str | None  # the form's subject, else its product
    quantity: str | None
    promise: Promise
    rep: RepView
    team_name: str
    company: CompanyView


NotificationPurpose = Literal["assignment", "reminder", "escalation", "bounced"]


@dataclass(frozen=True, slots=True)
class NotificationView:
    """To the owning rep, in the team's language: everything the buyer sent and what we know of them."""

    reference: str
    language: str
    received_at: datetime
    channel: str
    buyer_name: str | None
    buyer_email: str
    buyer_company: str | None
    country: str | None
    phone: str | None
    website: str | None
    subject: str | None
    product: str | None
    quantity: str | None
    message: str
    page_url: str | None
    utm: Mapping[str, str]
    extra: Mapping[str, str]
    free_mail: bool
    disposable: bool
    detected_language: str | None
    assignment_reason: str
    team_name: str
    rep: RepView
    previous_inquiries: Sequence[PreviousInquiry]
    reply_bcc: str | None
    company: CompanyView
    original: OriginalMail | None = None  # set when the inquiry came by mail
    # False when the buyer's address cannot be sent to (josé@…): no Reply-To, and the mail says why.
    can_reply_directly: bool = True
    sender_unverified: str | None = None  # why the sender could not be verified (DMARC failed)
    # The one-click actions' URLs (each opens a confirmation page), and where commands by mail go.
    actions: Mapping[RepAction, str] = field(default_factory=dict)
    command_address: str | None = None
    # A reminder to the owner, an escalation to the team's manager, or the owner told that the
    # buyer's address bounced (with SES's reason), instead of the assignment.
    purpose: NotificationPurpose = "assignment"
    bounce_reason: str | None = None
    waited_hours: float | None = None  # working hours the buyer has waited so far
    target_hours: int | None = None  # the team's first-response target
    owner: RepView | None = None  # for an escalation: the owner who has not answered

    @property
    def topic(self) -> str | None:
        return self.subject or self.product


@dataclass(frozen=True, slots=True)
class CommandReplyView:
    """To a rep, in their team's language: what came of the command they mailed (#won)."""

    language: str
    subject: str  # of their command mail
    command: CommandRecord
    reference: str | None
    command_address: str | None  # where commands go (the logging address)
    company: CompanyView


@dataclass(frozen=True, slots=True)
class ReplyForwardView:
    """To the owning rep: a new message on one of their inquiries, ready to answer."""

    reference: str
    language: str
    received_at: datetime
    sender_name: str | None
    sender_email: str
    buyer_email: str  # the inquiry's buyer: the sender may be a colleague of theirs
    subject: str
    message: str
    original: OriginalMail
    topic: str | None  # the inquiry's subject or product
    rep: RepView
    reply_bcc: str | None
    company: CompanyView
    can_reply_directly: bool = True  # as in NotificationView, for the sender's address


@dataclass(frozen=True, slots=True)
class UnreadableMailView:
    """To the default team's fallback address: a received message that could not be read."""

    language: str
    received_at: datetime
    sender: str | None
    recipients: Sequence[str]
    subject: str | None
    problem: str
    original: OriginalMail
    company: CompanyView
