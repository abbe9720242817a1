"""Timer function: every five minutes, what is due by then: snoozes that end, SLA reminders,
escalations and reassigns.

Its composition root, entry/timer_function.py, is built once here, at init: the settings are
validated (a missing variable fails the start, naming itself) and the clients are made.
"""

import os

from inquiry_router.entry.timer_function import build_timer

function = build_timer(os.environ)
handler = function.handler
