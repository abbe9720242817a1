"""Mailer function: mail jobs from SQS in, one SES send per job, partial batch failures out.

Its composition root, entry/mailer_function.py, is built once here, at init: the settings are
validated (a missing variable fails the start, naming itself) and the clients are made.
"""

import os

from inquiry_router.entry.mailer_function import build_mailer

function = build_mailer(os.environ)
handler = function.handler
