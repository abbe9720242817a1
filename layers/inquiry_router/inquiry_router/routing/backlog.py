"""The backlog drain: inquiries that went to a team's fallback address because no rep was eligible
(all away, at capacity, or outside the team's hours with `working_hours_only`) are assigned, oldest
first, as soon as reps can take them again: a rep back from leave, capacity freed by answers, the
team's hours beginning. The timer runs it every five minutes, after the SLA sweep.

Fair, and without bursts: each run hands out at most one inquiry per rep eligible at that moment,
through the same rotation as any assignment (a rep returning from leave rejoins at the rotation's
current virtual time, routing/rotation.py), so a backlog of twenty does not land on the first rep
to come back; the rest waits five minutes for the next run. Each hand-over is the router's own,
conditioned on the inquiry still being with the fallback address, so overlapping runs cannot
assign one twice; the new owner is notified like any assignment.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from inquiry_router.adapters.open_load import LoadBook
from inquiry_router.adapters.sla_schedule import SlaSchedule
from inquiry_router.base.observability import logger
from inquiry_router.models.routing_config import RoutingConfig
from inquiry_router.routing.decision import eligible_reps, team_reps
from inquiry_router.routing.service import Router


@dataclass(frozen=True)
class BacklogDrain:
    schedule: SlaSchedule
    loads: LoadBook
    router: Router

    def run(self, config: RoutingConfig, now: datetime) -> Counter[str]:
        done: Counter[str] = Counter()
        for team in config.teams:
            reps = team_reps(config, team)
            readings = self.loads.readings([rep.email for rep in reps]) if reps else {}
            loads = {email: reading.open for email, reading in readings.items()}
            room = len(eligible_reps(team, reps, loads, now).eligible)
            for inquiry in self.schedule.backlog(team.key, room):
                if not inquiry.awaits_answer or inquiry.owner_email != team.fallback_address:
                    self.schedule.look_again(inquiry, None)  # answered or moved meanwhile
                    continue
                try:
                    result = self.router.hand_over(inquiry, team.fallback_address, None)
                except (ValueError, RuntimeError) as error:
                    logger.warning(
                        "backlog hand-over failed", extra={"reference": inquiry.reference, "why": str(error)}
                    )
                    done["failed"] += 1
                    continue
                done["drained" if result.kind != "fallback" else "still_waiting"] += 1
        if done:
            logger.info("backlog drained", extra={"done": dict(done)})
        return done
