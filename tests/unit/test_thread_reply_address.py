"""The thread address named in acknowledgements' Reply-To: explicit, or derived from what the
functions already know (the mailer has the logging address, the inbound function the domain)."""

from __future__ import annotations

from inquiry_router.models.settings import PipelineSettings
from tests.conftest import RETENTION_ENVIRONMENT


def address(**environ: str) -> str | None:
    return PipelineSettings.from_environment(
        {"TABLE_NAME": "t", **RETENTION_ENVIRONMENT, **environ}
    ).thread_reply_address


def test_explicit_then_inbound_domain_then_the_logging_addresss_domain() -> None:
    assert address(THREAD_REPLY_ADDRESS="Replies@In.Example.com", INBOUND_DOMAIN="x.example") == (
        "replies@in.example.com"
    )
    assert (
        address(INBOUND_DOMAIN="In.Example.com", REPLY_BCC_ADDRESS="log@other.example")
        == "reply@in.example.com"
    )
    assert address(REPLY_BCC_ADDRESS="log@in.example.com") == "reply@in.example.com"
    assert address() is None  # a stack that receives no mail: Reply-To is the rep alone
