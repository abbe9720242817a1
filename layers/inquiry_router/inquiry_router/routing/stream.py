"""What the router does with one table stream record (the Lambda edge adds batching and retries)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from inquiry_router.adapters.stream_records import inquiry_change
from inquiry_router.base.observability import logger
from inquiry_router.models.mail_job import MailJob
from inquiry_router.routing.service import Router, mail_jobs_for_change


def handle_stream_record(
    record: Mapping[str, Any], router: Router, enqueue: Callable[[list[MailJob]], None]
) -> None:
    """A new inquiry is assigned; a stored change of owner queues its mails. Anything else is ignored
    (the event source's filter lets only these through; the check here keeps replays harmless)."""
    change = inquiry_change(record)
    if change is None:
        return
    old, new = change
    if record.get("eventName") == "INSERT" and new.status == "new":
        result = router.route_new_inquiry(new)
        logger.info(
            "inquiry assigned",
            extra={"inquiry_id": result.inquiry_id, "kind": result.kind, "replayed": result.replayed},
        )
    elif record.get("eventName") == "MODIFY":
        jobs = mail_jobs_for_change(old, new)
        if jobs:
            enqueue(jobs)
            logger.info("mail jobs queued", extra={"inquiry_id": new.id, "jobs": [j.kind for j in jobs]})
