"""Actions function: `GET /actions/{token}` answers a rep's click in their notification with a
confirmation page (a GET changes nothing), `POST /actions/{token}` carries the action out.

Its composition root, entry/actions_function.py, is built once here, at init: the settings are
validated (a missing variable fails the start, naming itself) and the clients are made.
"""

import os

from inquiry_router.entry.actions_function import build_actions

function = build_actions(os.environ)
handler = function.handler
