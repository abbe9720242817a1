"""Each function's composition (`entry/<function>_wiring.py`) caches its settings and clients per
process, with a `reset_wiring()`; this resets them all after the environment changed (the local
stack between functions, tests between cases).

Issue 10 replaces these caches with one composition built per function at init; until then, this
is the one place that knows they exist."""

from __future__ import annotations

import sys


def reset_all_wiring() -> None:
    for name, module in list(sys.modules.items()):
        if name.startswith("inquiry_router.entry.") and name.endswith("_wiring"):
            reset = getattr(module, "reset_wiring", None)
            if callable(reset):
                reset()
