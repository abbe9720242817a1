"""The mail queue (SQS) the router and the inbound function hand mail jobs to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from inquiry_router.models.mail_job import MailJob, enqueue_mail_jobs

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


@dataclass(frozen=True)
class MailQueue:
    client: SQSClient
    queue_url: str  # empty when the function's environment has no MAIL_QUEUE_URL

    def enqueue(self, jobs: list[MailJob]) -> None:
        if not self.queue_url:
            raise RuntimeError("MAIL_QUEUE_URL is not set: the router cannot queue mail (see template.yaml)")
        enqueue_mail_jobs(self.client, self.queue_url, jobs)
