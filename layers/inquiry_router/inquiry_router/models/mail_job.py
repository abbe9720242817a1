"""Mail jobs: what the router puts on the mail queue and the mailer takes off it.

A job names an inquiry and what to send; the mailer reads everything else fresh from the table.
Job ids are deterministic, so re-enqueueing after a redelivered stream record is harmless: the
mailer sends each job id at most once. Putting jobs on the queue is adapters/queues.py's.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

MailKind = Literal[
    "acknowledgement",
    "notification",
    "forward",
    "unparseable_notice",
    "command_reply",
    "sla_reminder",
    "sla_escalation",
    "weekly_digest",
    "morning_digest",
    "bounce_notice",
]


class MailJob(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    job_id: str
    kind: MailKind
    inquiry_id: str = ""  # empty for a notice about a message that became no inquiry
    mail_id: str | None = None  # the received mail (SES message id) a forward or notice is about
    team: str | None = None  # a weekly digest's team
    rep_email: str | None = None  # a morning digest's rep
    day: str | None = None  # a digest's day (ISO date, where the team works): its week's Monday, or today
    note: str | None = None  # a bounce notice's reason, as SES gave it

    @classmethod
    def acknowledgement(cls, inquiry_id: str) -> MailJob:
        return cls(job_id=f"ack:{inquiry_id}", kind="acknowledgement", inquiry_id=inquiry_id)

    @classmethod
    def notification(cls, inquiry_id: str, owner_email: str, assignment: int | None = None) -> MailJob:
        """One per assignment (`assignment` counts them on the inquiry): handing an inquiry back to
        its first owner notifies them again, while a redelivered record names the same job.
        Without a count (an inquiry assigned before counting began), one per owner."""
        job_id = f"notify:{inquiry_id}:{owner_email}" + (f":{assignment}" if assignment else "")
        return cls(job_id=job_id, kind="notification", inquiry_id=inquiry_id)

    @classmethod
    def forward(cls, inquiry_id: str, mail_id: str) -> MailJob:
        """A buyer's reply, forwarded to the inquiry's owner."""
        return cls(job_id=f"forward:{mail_id}", kind="forward", inquiry_id=inquiry_id, mail_id=mail_id)

    @classmethod
    def unparseable_notice(cls, mail_id: str) -> MailJob:
        """The default team's fallback address told that a message could not be read."""
        return cls(job_id=f"unparseable:{mail_id}", kind="unparseable_notice", mail_id=mail_id)

    @classmethod
    def command_reply(cls, mail_id: str) -> MailJob:
        """A rep told what came of their command mail (#won): done, or why not."""
        return cls(job_id=f"command:{mail_id}", kind="command_reply", mail_id=mail_id)

    @classmethod
    def sla_reminder(cls, inquiry_id: str) -> MailJob:
        """The owner reminded that the buyer waits for a first answer (once per inquiry)."""
        return cls(job_id=f"remind:{inquiry_id}", kind="sla_reminder", inquiry_id=inquiry_id)

    @classmethod
    def sla_escalation(cls, inquiry_id: str) -> MailJob:
        """The team's manager told that the first answer is late (once per inquiry)."""
        return cls(job_id=f"escalate:{inquiry_id}", kind="sla_escalation", inquiry_id=inquiry_id)

    @classmethod
    def bounce_notice(cls, inquiry_id: str, event_key: str, reason: str) -> MailJob:
        """The owner told that the buyer's address bounced (once per SES event)."""
        return cls(
            job_id=f"bounced:{inquiry_id}:{event_key}",
            kind="bounce_notice",
            inquiry_id=inquiry_id,
            note=reason[:500],
        )

    @classmethod
    def weekly_digest(cls, team: str, week_start: str) -> MailJob:
        """A team's week (from Monday `week_start`) to its manager, once."""
        return cls(
            job_id=f"digest:weekly:{team}:{week_start}", kind="weekly_digest", team=team, day=week_start
        )

    @classmethod
    def morning_digest(cls, rep_email: str, day: str) -> MailJob:
        """A rep's open inquiries on the morning of `day`, once."""
        return cls(
            job_id=f"digest:morning:{rep_email}:{day}", kind="morning_digest", rep_email=rep_email, day=day
        )
