"""Every function's composition root, by the name of its folder under functions/.

What the local stack, the tests and the benchmarks build a function with, from the function's
own environment mapping (and, where they hook botocore, their own session): the same root its
functions/<name>/app.py calls with `os.environ` at init. Lambda never imports this module, so a
function's cold start imports only its own root.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol

from inquiry_router.base.observability import Handler
from inquiry_router.entry.actions_function import build_actions
from inquiry_router.entry.feedback_function import build_feedback
from inquiry_router.entry.files_function import build_files
from inquiry_router.entry.inbound_function import build_inbound
from inquiry_router.entry.intake_function import build_intake
from inquiry_router.entry.mailer_function import build_mailer
from inquiry_router.entry.reconciliation_function import build_reconciliation
from inquiry_router.entry.router_function import build_router
from inquiry_router.entry.timer_function import build_timer

if TYPE_CHECKING:
    from inquiry_router.adapters.clients import AwsSession


class Function(Protocol):
    """A built function: its handler is what Lambda calls as `app.handler`."""

    @property
    def handler(self) -> Handler: ...


class CompositionRoot(Protocol):
    def __call__(self, environ: Mapping[str, str], session: AwsSession | None = None) -> Function: ...


COMPOSITION_ROOTS: Mapping[str, CompositionRoot] = MappingProxyType(
    {
        "intake": build_intake,
        "router": build_router,
        "mailer": build_mailer,
        "inbound": build_inbound,
        "files": build_files,
        "actions": build_actions,
        "reconciliation": build_reconciliation,
        "timer": build_timer,
        "feedback": build_feedback,
    }
)


def build_function(name: str, environ: Mapping[str, str], session: AwsSession | None = None) -> Function:
    """The function in functions/<name>/, built from `environ` (KeyError for one without a root,
    such as the self-contained receipt_rule_set_activation)."""
    return COMPOSITION_ROOTS[name](environ, session)
