"""The SLA sweep, every five minutes (TimerFunction): what is due on the SLA schedule gets its step.

For each inquiry due (adapters/sla_schedule.py):
- snoozed and its time is up: it wakes, back to the status it left (an automatic status change);
- its next step is due (models/sla.py): the reminder to the owner, the escalation to the team's
  fallback address, or the reassign to the next eligible rep; otherwise it is looked at again
  when that step will be due, or leaves the schedule when nothing is left.

Exactly once, under redelivery, overlapping sweeps and clock skew: the mail steps due queue their
mail jobs (ten to a request; a job id names the inquiry and the step, so the mailer sends it once)
and then each records its step with a write conditioned on the step not being recorded and the
inquiry unchanged. A reassign records the step and the owner it leaves first, then hands over; a
sweep finding the step recorded and the inquiry still with that owner finishes the hand-over, so a
crash in between neither loses nor repeats it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from inquiry_router.adapters.sla_schedule import SlaSchedule
from inquiry_router.adapters.status_changes import StatusChanges
from inquiry_router.base.observability import logger
from inquiry_router.base.timestamps import parse_timestamp
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.lifecycle import Channel, Status, TransitionRefused, allowed_moves
from inquiry_router.models.mail_job import MailJob
from inquiry_router.models.routing_config import RoutingConfig
from inquiry_router.models.sla import SlaStep, plan

AUTOMATIC_BY = "inquiry-router"
# Hands an inquiry to the next eligible rep of its team; the new owner, or an error message.
HandOver = Callable[[Inquiry, datetime], tuple[str | None, str | None]]


@dataclass(frozen=True)
class SlaSweep:
    schedule: SlaSchedule
    changes: StatusChanges
    enqueue: Callable[[list[MailJob]], None]
    load_config: Callable[[], RoutingConfig | None]
    hand_over: HandOver

    def run(self, now: datetime, config: RoutingConfig | None = None) -> Counter[str]:
        """Everything due by `now`; what was done, counted by kind (for the log and the tests).
        `config`: the routing config the caller read already (else it is read here)."""
        config = config or self.load_config()
        done: Counter[str] = Counter()
        if config is None:
            return done
        mail_steps: list[tuple[Inquiry, SlaStep, datetime | None]] = []
        for inquiry in self.schedule.due(now):
            try:
                outcome = self._look_at(inquiry, config, now, mail_steps)
                if outcome is not None:  # a mail step counts once it is recorded, below
                    done[outcome] += 1
            except Exception:  # one inquiry's failure must not stop the others; the next sweep retries
                logger.exception("SLA step failed", extra={"reference": inquiry.reference})
                done["failed"] += 1
        # The mail steps' jobs first, ten to a request: a job queued twice is sent once, while a
        # step recorded but never queued would be a reminder lost.
        self.enqueue([_job(inquiry, step) for inquiry, step, _ in mail_steps])
        for inquiry, step, look_next in mail_steps:
            done[str(step) if self.schedule.take_step(inquiry, step, look_next) else "changed"] += 1
        if done:
            logger.info("SLA sweep", extra={"done": dict(done)})
        return done

    def _look_at(
        self,
        inquiry: Inquiry,
        config: RoutingConfig,
        now: datetime,
        mail_steps: list[tuple[Inquiry, SlaStep, datetime | None]],
    ) -> str | None:
        """Wake, finish a reassign, reschedule, or take a step (a mail step is queued in
        `mail_steps`, for `run` to send the jobs together and then record the steps)."""
        if inquiry.status == Status.SNOOZED and _woken(inquiry, now):
            return self._wake(inquiry, now)
        if self._reassign_unfinished(inquiry):
            return self._reassign(inquiry, now)
        team = config.team_or_default(inquiry.team)
        rep = config.rep(inquiry.owner_email)
        step_plan = plan(inquiry, team, rep, now)
        waiting_for_a_rep = inquiry.status == Status.ASSIGNED and inquiry.assignment_kind == "fallback"
        if step_plan.step is None and waiting_for_a_rep and inquiry.awaits_answer:
            self.schedule.to_backlog(inquiry)  # woken, and still waiting for a rep: the drain's again
            return "to_backlog"
        if step_plan.step is None:
            self.schedule.look_again(inquiry, step_plan.look_again)
            return "rescheduled" if step_plan.look_again else "finished"
        after = replace(inquiry, sla_steps=(*inquiry.sla_steps, str(step_plan.step)))
        following = plan(after, team, rep, now)
        # Look again at once when the next step is due too (one step a run), or after a reassign.
        due_now = following.step is not None or step_plan.step is SlaStep.REASSIGN
        look_next = now if due_now else following.look_again
        if step_plan.step is SlaStep.REASSIGN:
            if not self.schedule.take_step(inquiry, SlaStep.REASSIGN, look_next):
                return "changed"
            return self._reassign(replace(after, sla_reassign_from=inquiry.owner_email), now)
        mail_steps.append((inquiry, step_plan.step, look_next))
        return None

    def _wake(self, inquiry: Inquiry, now: datetime) -> str:
        back = Status(inquiry.snoozed_from) if inquiry.snoozed_from else Status.ASSIGNED
        if back not in allowed_moves(Status.SNOOZED, back):
            back = Status.ASSIGNED
        try:
            outcome = self.changes.change(
                inquiry, back, by=AUTOMATIC_BY, channel=Channel.AUTOMATIC, now=now, note="the snooze ended"
            )
        except TransitionRefused:
            self.schedule.look_again(inquiry, None)
            return "finished"
        return "woken" if outcome.kind == "changed" else "changed"

    def _reassign_unfinished(self, inquiry: Inquiry) -> bool:
        return (
            str(SlaStep.REASSIGN) in inquiry.sla_steps
            and inquiry.sla_reassign_from is not None
            and inquiry.sla_reassign_from == inquiry.owner_email
            and inquiry.awaits_answer
        )

    def _reassign(self, inquiry: Inquiry, now: datetime) -> str:
        new_owner, error = self.hand_over(inquiry, now)
        if new_owner is None:
            logger.warning("SLA reassign found no rep", extra={"reference": inquiry.reference, "why": error})
            self.schedule.look_again(inquiry, None)
            return "not_reassigned"
        return "reassigned"


def _job(inquiry: Inquiry, step: SlaStep) -> MailJob:
    return MailJob.sla_reminder(inquiry.id) if step is SlaStep.REMIND else MailJob.sla_escalation(inquiry.id)


def _woken(inquiry: Inquiry, now: datetime) -> bool:
    return not inquiry.snoozed_until or parse_timestamp(inquiry.snoozed_until) <= now
