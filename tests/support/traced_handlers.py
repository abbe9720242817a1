"""Run handlers through `instrument()` with the X-Ray SDK really recording, and print what it sends.

Run in a process of its own (the SDK patches botocore for good):

    python -m tests.support.traced_handlers

Prints one JSON object: `sent` (the documents the daemon would receive) and `raw` (the same
segments as the SDK recorded them, before the emitter), so a test can see both sides. Nothing
leaves the machine: the emitter's send is captured, and AWS is moto's in-process mock.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from typing import Any

BUYER = "buyer@example.com"
ATTACHMENT_KEY = "attachments/0000/1-CV-Jane-Doe.pdf"

os.environ.update(
    {
        # Powertools and the X-Ray SDK trace only "in Lambda": its variables, a sampled trace header
        "AWS_LAMBDA_FUNCTION_NAME": "traced",
        "LAMBDA_TASK_ROOT": os.getcwd(),
        "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
        "POWERTOOLS_TRACE_DISABLED": "false",
        "POWERTOOLS_SERVICE_NAME": "inbound",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
)


@dataclass
class Context:
    function_name: str = "traced"
    memory_limit_in_mb: int = 128
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:traced"
    aws_request_id: str = "request-1"


def main() -> None:
    import boto3
    from aws_xray_sdk.core import xray_recorder
    from botocore.exceptions import ClientError
    from moto import mock_aws

    from inquiry_router.base import observability

    observability.tracer()  # configures the recorder's emitter, patches botocore
    emitter = xray_recorder.emitter
    sent: list[Any] = []
    raw: list[Any] = []
    emitter._send_data = lambda data: sent.append(json.loads(data.split("\n", 1)[1]))
    original_send = emitter.send_entity

    def send_entity(entity: Any) -> None:
        raw.append(json.loads(json.dumps(entity.to_dict(), default=str)))
        original_send(entity)

    emitter.send_entity = send_entity

    def answer(event: dict[str, Any], context: Any) -> dict[str, str]:
        return {"decision": "inquiry", "buyer": BUYER}

    def fail(event: dict[str, Any], context: Any) -> None:
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="mail", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        s3.put_object(Bucket="mail", Key=ATTACHMENT_KEY, Body=b"%PDF")
        with contextlib.suppress(ClientError):  # moto refuses an unverified sender, naming it, as SES does
            boto3.client("sesv2").send_email(
                FromEmailAddress=BUYER,
                Destination={"ToAddresses": [BUYER]},
                Content={"Simple": {"Subject": {"Data": "x"}, "Body": {"Text": {"Data": "x"}}}},
            )
        raise RuntimeError(f"cannot file the mail of {BUYER}")

    with mock_aws():
        settings = observability.ObservabilitySettings.from_environment(os.environ)
        for handler in (observability.instrument(answer, settings), observability.instrument(fail, settings)):
            with contextlib.suppress(RuntimeError):
                handler({}, Context())
    print(json.dumps({"sent": sent, "raw": raw}))


if __name__ == "__main__":
    main()
