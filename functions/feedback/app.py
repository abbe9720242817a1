"""Feedback function: SES's sending events about our mail (bounces, complaints, deliveries) from
SQS in, the contact and the timeline updated, partial batch failures out.

Its composition root, entry/feedback_function.py, is built once here, at init.
"""

import os

from inquiry_router.entry.feedback_function import build_feedback

function = build_feedback(os.environ)
handler = function.handler
