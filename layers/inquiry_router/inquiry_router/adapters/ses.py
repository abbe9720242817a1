"""Sending through SES v2: one raw mail per call, its answers turned into what the mailer acts on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError, ReadTimeoutError

if TYPE_CHECKING:
    from mypy_boto3_sesv2 import SESV2Client

# SES answers that retrying cannot fix: recorded, never retried.
PERMANENT_SES_ERRORS = frozenset(
    {
        "MessageRejected",
        "MailFromDomainNotVerifiedException",
        "NotFoundException",
        "BadRequestException",
        "AccountSuspendedException",
    }
)

# Any failure of an AWS call that a retry may cure (throttling, 5xx, connection trouble).
AWS_CALL_ERRORS = (ClientError, BotoCoreError)


class SesRefused(Exception):
    """SES refused the mail for good (PERMANENT_SES_ERRORS): recorded, never retried."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class SesTimedOut(Exception):
    """SES did not answer in time: the mail may or may not have gone out."""


class SesUnavailable(Exception):
    """A transient failure (throttling, 5xx, connection): the queue's retry sends again."""


@dataclass
class SesSender:
    client: SESV2Client
    configuration_set: str | None = None

    def send_raw(self, sender: str, recipient: str, raw: bytes) -> str | None:
        """SES's message id once it accepted the mail."""
        request: dict[str, object] = {
            "FromEmailAddress": sender,
            "Destination": {"ToAddresses": [recipient]},
            "Content": {"Raw": {"Data": raw}},
        }
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        try:
            answer = self.client.send_email(**request)  # type: ignore[arg-type]
        except ReadTimeoutError as error:
            raise SesTimedOut(str(error)) from error
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in PERMANENT_SES_ERRORS:
                raise SesRefused(code, error.response.get("Error", {}).get("Message", "")) from error
            raise SesUnavailable(code or str(error)) from error
        except BotoCoreError as error:
            raise SesUnavailable(str(error)) from error
        return answer.get("MessageId")
