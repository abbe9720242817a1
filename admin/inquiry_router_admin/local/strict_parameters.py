"""Every AWS request made on the local stack or in the tests is validated against the service
model, as botocore would.

The functions' clients skip botocore's client-side validation to save the intake's time
(inquiry_router/adapters/clients.py): AWS validates on its side, but moto is lenient, so without
this hook a malformed request (a number where a string belongs, a missing member) could pass the
suite and the local stack and fail only once deployed.
"""

from __future__ import annotations

from typing import Any


def validate_every_request(params: Any, model: Any, **_: Any) -> None:
    from botocore.validate import validate_parameters

    if model.input_shape is not None:
        validate_parameters(params, model.input_shape)


def install() -> None:
    """Register the check on every botocore session created from now on (before any client)."""
    from botocore.handlers import BUILTIN_HANDLERS

    hook = ("before-parameter-build", validate_every_request)
    if hook not in BUILTIN_HANDLERS:
        BUILTIN_HANDLERS.append(hook)
