"""Lambda's Invoke API on the local gateway, as `sam local start-lambda` offers it: a boto3 Lambda
client with `endpoint_url` at the gateway can call any function of the stack by name or ARN.

`InvocationType=Event` answers 202 at once and runs the function in the background with Lambda's
two retries for asynchronous events; `RequestResponse` answers with the function's result, or with
`X-Amz-Function-Error: Unhandled` and the error when it raised. This is how `inquiry-router mail
replay` hands a message to the inbound function, as SES's receipt rule does in AWS.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from urllib.parse import unquote

from inquiry_router_admin.local.function_runner import FunctionRunner, Invocation
from inquiry_router_admin.local.http_events import HttpRequest, HttpResponse

INVOKE_PATH = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations$")
ASYNC_RETRIES = 2  # Lambda's default (and the template's EventInvokeConfig)

Log = Callable[[str], None]


def invoke_response(request: HttpRequest, runner: FunctionRunner, log_error: Log) -> HttpResponse | None:
    """The answer to a Lambda Invoke request, or None when `request` is not one."""
    match = INVOKE_PATH.match(request.raw_path)
    if request.method != "POST" or match is None:
        return None
    wanted = unquote(match.group("name"))
    function_id = next(
        (fid for fid, spec in runner.specs.items() if wanted in (fid, spec.name, spec.arn)), None
    )
    if function_id is None:
        known = ", ".join(sorted(spec.name for spec in runner.specs.values()))
        return _json(404, {"Type": "User", "message": f"Function not found: {wanted} (known: {known})"})
    try:
        event = json.loads(request.body or b"{}")
    except ValueError:
        return _json(400, {"Type": "User", "message": "the payload is not JSON"})
    invocation_type = {k.lower(): v for k, v in request.headers}.get("x-amz-invocation-type")
    if invocation_type == "Event":
        threading.Thread(
            target=_run_async,
            args=(runner, function_id, event, log_error),
            name=f"local: {function_id}",
            daemon=True,
        ).start()
        return HttpResponse(202, [("Content-Type", "application/json")], b"")
    invocation = runner.invoke(function_id, event)
    if invocation.error is not None:
        response = _json(200, _error_payload(invocation))
        response.headers.append(("X-Amz-Function-Error", "Unhandled"))
        return response
    return _json(200, invocation.result)


def _run_async(runner: FunctionRunner, function_id: str, event: object, log_error: Log) -> None:
    for _ in range(1 + ASYNC_RETRIES):
        if runner.invoke(function_id, event).error is None:
            return
    log_error(
        f"{function_id}: the asynchronous event failed {1 + ASYNC_RETRIES} times; in AWS it goes to the DLQ"
    )


def _error_payload(invocation: Invocation) -> dict[str, str]:
    error = invocation.error
    return {"errorMessage": str(error), "errorType": type(error).__name__}


def _json(status: int, payload: object) -> HttpResponse:
    return HttpResponse(
        status, [("Content-Type", "application/json")], json.dumps(payload, default=str).encode()
    )
