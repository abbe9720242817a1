"""Inbound mail function: one SES receipt event in (the raw message is already in S3), one decision out.

Its composition root, entry/inbound_function.py, is built once here, at init: the settings are
validated (a missing variable fails the start, naming itself) and the clients are made.
"""

import os

from inquiry_router.entry.inbound_function import build_inbound

function = build_inbound(os.environ)
handler = function.handler
