"""Load reconciliation function: once a day (EventBridge Scheduler), every rep's load recounted from
the stored inquiries and repaired where it drifted.

Its composition root, entry/reconciliation_function.py, is built once here, at init.
"""

import os

from inquiry_router.entry.reconciliation_function import build_reconciliation

function = build_reconciliation(os.environ)
handler = function.handler
