"""Intake function: API Gateway HTTP API event in, HTTP response out.

Its composition root, entry/intake_function.py, is built once here, at init: the settings are
validated (a missing variable fails the start, naming itself) and the clients are made.
"""

import os

from inquiry_router.entry.intake_function import build_intake

function = build_intake(os.environ)
handler = function.handler
