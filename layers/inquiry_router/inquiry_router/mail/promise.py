"""When the buyer will hear from us, promised in words they can hold us to.

A team that works during the response window promises its usual time ("within 24 hours"); one
that does not (a weekend, a long holiday) promises its next opening plus an hour, in its own
clock ("by Monday 10:00 GMT+8"), rather than a window it cannot meet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from inquiry_router.mail.translations import phrase
from inquiry_router.models.business_time import next_opening, working_time
from inquiry_router.models.routing_config import WEEKDAYS, Team

_WORK_NEEDED = timedelta(hours=1)
_FIRST_ANSWER_AFTER_OPENING = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Promise:
    deadline: datetime
    text: str


def response_promise(received_at: datetime, team: Team, language: str) -> Promise:
    received = received_at.astimezone(UTC)
    window_end = received + timedelta(hours=team.response_time_hours)
    if working_time(team, received, window_end) >= _WORK_NEEDED:
        text = phrase(language, "promise.within").format(hours=team.response_time_hours)
        return Promise(deadline=window_end, text=text)
    deadline = (next_opening(team, received) + _FIRST_ANSWER_AFTER_OPENING).astimezone(
        ZoneInfo(team.timezone)
    )
    text = phrase(language, "promise.by").format(
        weekday=phrase(language, f"weekday.{WEEKDAYS[deadline.weekday()]}"),
        time=f"{deadline:%H:%M}",
        offset=gmt_offset(deadline),
    )
    return Promise(deadline=deadline, text=text)


def gmt_offset(moment: datetime) -> str:
    """The zone as people read it in a mail: GMT, GMT+8, GMT-5, GMT+5:30."""
    minutes = round((moment.utcoffset() or timedelta()).total_seconds() / 60)
    if minutes == 0:
        return "GMT"
    hours, rest = divmod(abs(minutes), 60)
    return f"GMT{'+' if minutes > 0 else '-'}{hours}" + (f":{rest:02d}" if rest else "")
