"""Cheap spam signals checked before anything is stored or sent.

A flagged submission is still stored (status `spam`, kept 30 days for review) and the bot gets
the normal success answer, so it learns nothing; it is never assigned or acknowledged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from inquiry_router.models.submission import InquirySubmission

MAX_LINKS_IN_MESSAGE = 3
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MARKUP_LINK = re.compile(r"\[url[=\]]|<a\s+href", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SpamVerdict:
    reasons: tuple[str, ...]

    @property
    def is_spam(self) -> bool:
        return bool(self.reasons)


def screen_submission(
    submission: InquirySubmission, received_at: datetime, min_fill_seconds: float
) -> SpamVerdict:
    reasons: list[str] = []
    if submission.honeypot:
        reasons.append("honeypot_filled")
    if submission.rendered_at is not None:
        elapsed = received_at - submission.rendered_at
        if elapsed < timedelta(seconds=min_fill_seconds):
            # Also catches timestamps from the future, which no real browser sends.
            reasons.append("submitted_too_fast")
    message = submission.message
    links = _URL.findall(message)
    if len(links) > MAX_LINKS_IN_MESSAGE:
        reasons.append("link_stuffed")
    if links and not _URL.sub("", message).strip(" \t\r\n.,;:!-"):
        reasons.append("url_only_message")
    if _MARKUP_LINK.search(message):
        reasons.append("markup_links")
    if submission.name and _URL.search(submission.name):
        reasons.append("url_in_name")
    return SpamVerdict(reasons=tuple(reasons))
