"""References, fingerprints and timestamps of stored inquiries."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from inquiry_router.base.references import new_reference
from inquiry_router.base.timestamps import iso_timestamp
from inquiry_router.models.inquiry_record import (
    RequestFacts,
    payload_digest,
    submission_fingerprint,
)
from inquiry_router.models.submission import InquirySubmission

NOW = datetime(2026, 11, 22, 6, 0, 1, 234567, tzinfo=UTC)
SUBMISSION = InquirySubmission.model_validate({"email": "ana@example.com", "message": "hi"})


def test_references_are_short_and_unambiguous() -> None:
    references = {new_reference() for _ in range(2_000)}
    assert all(re.fullmatch(r"INQ-[2-9A-HJKMNP-TV-Z]{6}", r) for r in references)
    assert len(references) > 1_990  # random enough that collisions are rare (and retried when they happen)


def test_timestamps_sort_as_text() -> None:
    assert iso_timestamp(NOW) == "2026-11-22T06:00:01.234Z"


def test_same_payload_from_the_same_client_has_the_same_fingerprint() -> None:
    facts = RequestFacts(received_at=NOW, source_ip="203.0.113.7", user_agent="ua")
    again = RequestFacts(received_at=NOW, source_ip="203.0.113.7", user_agent="ua", request_id="other")
    assert submission_fingerprint(SUBMISSION, facts) == submission_fingerprint(SUBMISSION, again)


def test_same_payload_from_another_client_is_a_new_submission() -> None:
    one = RequestFacts(received_at=NOW, source_ip="203.0.113.7")
    other = RequestFacts(received_at=NOW, source_ip="198.51.100.1")
    assert submission_fingerprint(SUBMISSION, one) != submission_fingerprint(SUBMISSION, other)


def test_an_idempotency_key_decides_alone() -> None:
    one = RequestFacts(received_at=NOW, source_ip="203.0.113.7", idempotency_key="k-1")
    other = RequestFacts(received_at=NOW, source_ip="198.51.100.1", idempotency_key="k-1")
    assert submission_fingerprint(SUBMISSION, one) == submission_fingerprint(SUBMISSION, other)


def test_payload_digest_ignores_render_time_but_not_content() -> None:
    later = SUBMISSION.model_copy(update={"rendered_at": NOW})
    changed = SUBMISSION.model_copy(update={"message": "hello"})
    assert payload_digest(SUBMISSION) == payload_digest(later)
    assert payload_digest(SUBMISSION) != payload_digest(changed)
