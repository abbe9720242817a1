"""The mail queue: what the router (and a redrive) puts on it for the mailer (models/mail_job.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from inquiry_router.models.mail_job import MailJob

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


MAX_BATCH = 10  # SendMessageBatch's limit


def enqueue_mail_jobs(sqs: SQSClient, queue_url: str, jobs: list[MailJob]) -> None:
    """One SendMessageBatch per ten jobs (one, for an inquiry's few); raises when any job was not
    accepted, so the caller's retry re-sends (the mailer sends each job id once)."""
    for start in range(0, len(jobs), MAX_BATCH):
        batch = jobs[start : start + MAX_BATCH]
        answer = sqs.send_message_batch(
            QueueUrl=queue_url,
            Entries=[
                {"Id": str(n), "MessageBody": json.dumps(job.model_dump())} for n, job in enumerate(batch)
            ],
        )
        failed = answer.get("Failed") or []
        if failed:
            codes = ", ".join(sorted({f.get("Code", "?") for f in failed}))
            raise RuntimeError(f"{len(failed)} of {len(batch)} mail jobs were not queued ({codes})")


@dataclass(frozen=True)
class MailQueue:
    """The queue a composition root hands to the router and the inbound function."""

    client: SQSClient
    queue_url: str  # empty when the function's environment has no MAIL_QUEUE_URL

    def enqueue(self, jobs: list[MailJob]) -> None:
        if not self.queue_url:
            raise RuntimeError("MAIL_QUEUE_URL is not set: the router cannot queue mail (see template.yaml)")
        enqueue_mail_jobs(self.client, self.queue_url, jobs)
