"""Build each function in this process and invoke it as Lambda would, one at a time.

A function with a composition root (functions/<name>/app.py, see inquiry_router/entry/compositions.py)
is built once, by that root, from its own environment and a botocore session of its own, exactly
as its app.py builds it in Lambda from `os.environ`; a self-contained one is imported by file path.
Each function keeps its composition (settings, clients, cached routing config) for the runner's
life: the stack makes a new runner, and so new compositions, whenever it starts.

Botocore and Powertools still read their own variables (region, credentials, endpoint, log level)
from the process environment, which all functions share: so building and every invocation run
under one lock with the function's environment swapped in.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from inquiry_router.entry.compositions import COMPOSITION_ROOTS
from inquiry_router_admin.local.functions import FunctionSpec
from inquiry_router_admin.local.template import TemplateError

Log = Callable[[str], None]
Handler = Callable[[Any, Any], Any]

# Lambda's environment holds no AWS_* variable of the user's (profile, real credentials, endpoints),
# and no shared config file: the functions see only what the local stack gives them.
_ISOLATION = {"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}


class LambdaContext:
    """The attributes and method of Lambda's context object that handlers and Powertools use."""

    def __init__(self, spec: FunctionSpec) -> None:
        self.function_name = spec.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = spec.arn
        self.memory_limit_in_mb = spec.memory_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{spec.name}"
        self.log_stream_name = f"local/[$LATEST]{uuid.uuid4().hex}"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + spec.timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass(frozen=True)
class Invocation:
    function_id: str
    result: Any
    error: Exception | None
    duration_ms: float


class FunctionRunner:
    def __init__(
        self,
        specs: Iterable[FunctionSpec],
        log: Log,
        log_error: Log,
        session_factory: Callable[[], Any] | None = None,
    ) -> None:
        """`session_factory` makes the botocore session each function's clients come from (default:
        a new one per function); the fault injector hands one whose hooks fail calls."""
        self.specs = {spec.logical_id: spec for spec in specs}
        self._log = log
        self._log_error = log_error
        self._session_factory = session_factory
        self._handlers: dict[str, Handler] = {}
        self.functions: dict[str, Any] = {}  # the built compositions, by logical id
        self._lock = threading.Lock()
        self._completed = 0
        self._running = 0

    @property
    def completed_invocations(self) -> int:
        return self._completed

    @property
    def busy(self) -> bool:
        return self._running > 0

    def load(self) -> None:
        """Build every function now, each from its own environment, so a broken one fails the start."""
        for spec in self.specs.values():
            with self._lock, _SwappedEnvironment(_environment(spec)):
                try:
                    self._handlers[spec.logical_id] = self._build(spec)
                except TemplateError:
                    raise
                except Exception as error:  # the function's own import failed: show where
                    self._log_error(traceback.format_exc().rstrip())
                    raise TemplateError(
                        f"{spec.logical_id}: importing {spec.code_file} failed ({error}); traceback above"
                    ) from error

    def invoke(self, function_id: str, event: Any) -> Invocation:
        spec = self.specs[function_id]
        handler = self._handlers[function_id]
        with self._lock, _SwappedEnvironment(_environment(spec)):
            self._running += 1
            started = time.monotonic()
            try:
                result, error = handler(event, LambdaContext(spec)), None
            except Exception as raised:  # the edge: a handler's failure becomes Lambda's function error
                result, error = None, raised
                self._log_error(f"{function_id} failed:\n{traceback.format_exc().rstrip()}")
            finally:
                self._running -= 1
                self._completed += 1
        elapsed = time.monotonic() - started
        if elapsed > spec.timeout_seconds:
            self._log(
                f"{function_id} ran {elapsed:.1f} s, over its Timeout of {spec.timeout_seconds:g} s: "
                "Lambda would have stopped it"
            )
        return Invocation(function_id, result, error, elapsed * 1000)

    def _build(self, spec: FunctionSpec) -> Handler:
        folder = _function_folder(spec)
        root = COMPOSITION_ROOTS.get(folder) if folder else None
        if root is None:
            return _load_handler(spec)
        session = self._session_factory() if self._session_factory else None
        function = self.functions[spec.logical_id] = root(_environment(spec), session)
        handler: Handler = function.handler
        return handler


def _environment(spec: FunctionSpec) -> dict[str, str]:
    return {**spec.environment, **_ISOLATION}


def _function_folder(spec: FunctionSpec) -> str | None:
    """`intake` for functions/intake/app.py with Handler `app.handler`: the project's functions
    whose app.py does nothing but build their composition root (tests/unit/test_compositions.py)."""
    code = spec.code_file
    if (
        code.name == "app.py"
        and code.parent.parent.name == "functions"
        and spec.handler_attribute == "handler"
    ):
        return code.parent.name
    return None


class _SwappedEnvironment:
    """Puts a function's environment into os.environ and restores the previous one afterwards."""

    def __init__(self, environment: Mapping[str, str]) -> None:
        self._environment = environment
        self._saved: dict[str, str | None] = {}

    def __enter__(self) -> None:
        for key in [k for k in os.environ if k.startswith("AWS_") and k not in self._environment]:
            self._saved[key] = os.environ.pop(key)
        for key, value in self._environment.items():
            self._saved.setdefault(key, os.environ.get(key))
            os.environ[key] = value

    def __exit__(self, *_: object) -> None:
        for key, value in self._saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _load_handler(spec: FunctionSpec) -> Handler:
    # A unique module name per function: every function's file is called app.py.
    module_name = "inquiry_router_local_" + re.sub(r"\W", "_", spec.logical_id)
    module_spec = importlib.util.spec_from_file_location(module_name, spec.code_file)
    if module_spec is None or module_spec.loader is None:
        raise TemplateError(f"{spec.logical_id}: cannot load {spec.code_file}")
    module: ModuleType = importlib.util.module_from_spec(module_spec)
    sys.modules[module_name] = module  # so tracebacks and pickling can find it
    module_spec.loader.exec_module(module)
    handler = getattr(module, spec.handler_attribute, None)
    if not callable(handler):
        raise TemplateError(f"{spec.logical_id}: {spec.code_file} has no function {spec.handler_attribute}")
    return handler  # type: ignore[no-any-return]
