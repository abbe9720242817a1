"""Every capability caches its settings and clients per process in a `<capability>/wiring.py`
module with a `reset_wiring()`; this resets them all after the environment changed (the local
stack between functions, tests between cases)."""

from __future__ import annotations

import sys


def reset_all_wiring() -> None:
    for name, module in list(sys.modules.items()):
        if name.startswith("inquiry_router.") and name.endswith(".wiring"):
            reset = getattr(module, "reset_wiring", None)
            if callable(reset):
                reset()
