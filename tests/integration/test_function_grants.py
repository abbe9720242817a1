"""Every AWS call a function makes is granted by its own role in template.yaml.

moto enforces no IAM, so a grant the code needs but the template lacks would only show on a
deployed stack, as AccessDenied on a buyer's inquiry. Here every handler runs the paths a stack
runs (a form post, a mail with an attachment, a buyer's reply, a rep's logged answer, a bounce,
unreadable mail, a download click) with each AWS call recorded under the function that made it, and
each call is matched against that function's policy statements: action and resource. The check
reads the template symbolically (`InquiryTable`, `InquiryTable/index/*`, `RawMailBucket/raw/*`).
"""

from __future__ import annotations

import contextvars
import fnmatch
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TABLE_NAME, LambdaFunction, new_session
from tests.integration.test_inbound_mail import (
    BUYER,
    LOG,
    Inbox,
    _acknowledged,
    _dsn,
    buyer_mail,
    download,
)
from tests.support.pipeline import RAW_MAIL_BUCKET, sent_mails, start_pipeline
from tests.support.routing import DOMAIN
from tests.support.template import load_template

_running: contextvars.ContextVar[str | None] = contextvars.ContextVar("running", default=None)


@dataclass(frozen=True)
class Call:
    function: str
    action: str  # as IAM names it: dynamodb:PutItem
    resource: str  # symbolic: InquiryTable, InquiryTable/index/GSI1, RawMailBucket/raw/<key>, MailQueue


class CallLog:
    """Records every AWS call made while a handler runs, in IAM's terms."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names  # physical name or URL -> logical id
        self.calls: list[Call] = []

    def record(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        function = _running.get()
        if function is None:  # the test's own setup and checks
            return
        service = model.service_model.service_name
        for action, resource in self._requested(service, model.name, params):
            self.calls.append(Call(function, action, resource))

    def _requested(self, service: str, operation: str, params: dict[str, Any]) -> Iterator[tuple[str, str]]:
        if service == "dynamodb":
            if operation == "TransactWriteItems":
                kinds = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem"}
                kinds["ConditionCheck"] = "ConditionCheckItem"
                for item in params["TransactItems"]:
                    (kind, request), *_ = item.items()
                    yield f"dynamodb:{kinds[kind]}", self.names[request["TableName"]]
            elif operation == "BatchGetItem":
                for table in params["RequestItems"]:
                    yield "dynamodb:BatchGetItem", self.names[table]
            else:
                table = self.names[params["TableName"]]
                index = params.get("IndexName")
                yield f"dynamodb:{operation}", f"{table}/index/{index}" if index else table
        elif service == "sqs":
            action = "SendMessage" if operation == "SendMessageBatch" else operation
            yield f"sqs:{action}", self.names[params["QueueUrl"]]
        elif service == "s3":
            bucket = self.names[params["Bucket"]]
            if operation in ("GetObject", "HeadObject"):
                yield "s3:GetObject", f"{bucket}/{params['Key']}"
            elif operation in ("PutObject", "CopyObject"):
                yield "s3:PutObject", f"{bucket}/{params['Key']}"
            elif operation in ("ListObjects", "ListObjectsV2"):
                yield "s3:ListBucket", bucket
            else:
                yield f"s3:{operation}", bucket
        elif service == "sesv2":
            yield f"ses:{operation}", "SendingIdentity"
        else:
            yield f"{service}:{operation}", "?"


def symbolic(resource: Any) -> str:
    """A policy Resource as the names the call log uses."""
    if isinstance(resource, dict) and "Fn::GetAtt" in resource:
        target = resource["Fn::GetAtt"]
        name, attribute = target if isinstance(target, list) else target.split(".", 1)
        return name if attribute == "Arn" else f"{name}/{attribute}"
    if isinstance(resource, dict) and "Fn::Sub" in resource:
        text = resource["Fn::Sub"]
        text = text[0] if isinstance(text, list) else text
        if ":ses:" in text:
            return "SendingIdentity" if "identity/" in text else "ConfigurationSet"
        return text.replace("${", "").replace(".Arn}", "")
    if isinstance(resource, dict) and "Ref" in resource:
        return str(resource["Ref"])
    return str(resource)


def grants(function: str) -> list[tuple[set[str], list[str]]]:
    """(actions, symbolic resources) of each Allow statement of the function's inline policies."""
    properties = load_template()["Resources"][function]["Properties"]
    found = []
    for policy in properties.get("Policies", []):
        for statement in policy.get("Statement", []) if isinstance(policy, dict) else []:
            branches = statement["Fn::If"][1:] if "Fn::If" in statement else [statement]
            for branch in branches:
                if not isinstance(branch, dict) or branch.get("Effect") != "Allow":
                    continue
                actions = branch["Action"] if isinstance(branch["Action"], list) else [branch["Action"]]
                resources = (
                    branch["Resource"] if isinstance(branch["Resource"], list) else [branch["Resource"]]
                )
                found.append((set(actions), [symbolic(r) for r in resources]))
    return found


def granted(call: Call) -> bool:
    return any(
        call.action in actions and any(fnmatch.fnmatchcase(call.resource, pattern) for pattern in resources)
        for actions, resources in grants(call.function)
    )


def as_function(function: str, handler: Callable[..., Any]) -> Callable[..., Any]:
    """`handler`, with the calls it makes recorded under `function` (the template's logical id)."""

    def run(*args: Any, **kwargs: Any) -> Any:
        token = _running.set(function)
        try:
            return handler(*args, **kwargs)
        finally:
            _running.reset(token)

    return run


@dataclass
class Recorded:
    inbox: Inbox
    log: CallLog
    session: Any  # every function here is built with it: its hook records their calls


@pytest.fixture
def recorded(dynamodb: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Recorded:
    pipeline = start_pipeline(dynamodb, monkeypatch, tmp_path)
    log = CallLog(
        {TABLE_NAME: "InquiryTable", pipeline.mail_queue_url: "MailQueue", RAW_MAIL_BUCKET: "RawMailBucket"}
    )
    session = new_session()
    session.register("provide-client-params", log.record)
    pipeline.router = as_function("RouterFunction", LambdaFunction("router", session=session))
    pipeline.mailer = as_function("MailerFunction", LambdaFunction("mailer", session=session))
    inbox = Inbox(pipeline)
    inbox.handler = as_function("InboundFunction", LambdaFunction("inbound", session=session))
    return Recorded(inbox, log, session)


def test_every_call_of_every_function_is_granted_by_its_own_role(recorded: Recorded) -> None:
    from tests.support.events import json_post

    inbox, log = recorded.inbox, recorded.log
    submit = as_function("IntakeFunction", LambdaFunction("intake", session=recorded.session))
    files_function = LambdaFunction("files", session=recorded.session)
    files = as_function("FilesFunction", lambda link: download(link, files_function))

    # A form inquiry, assigned and mailed
    assert (
        submit(json_post({"email": "ana@importadora-sol.es", "message": "Quote 2,000 panels"}))["statusCode"]
        == 202
    )
    inbox.pipeline.run()
    # A mailed inquiry with an attachment, a click on its link, the buyer's reply, a rep's logged answer
    acknowledgement = _acknowledged(inbox, BUYER)
    inbox.receive(buyer_mail("Drawings", attachment=("drawing.pdf", b"%PDF drawing")))
    inbox.pipeline.run()
    link = next(word.strip('<>"') for m in sent_mails() for word in m.text.split() if "/files/" in word)
    assert files(link)["statusCode"] in (302, 303, 307)
    reply = buyer_mail(
        f"Re: {acknowledgement['Subject']}",
        "Thanks, and 50 flood lights too.",
        In_Reply_To=acknowledgement["Message-ID"],
    )
    inbox.receive(reply)
    rep = next(
        m.message["To"].addresses[0].addr_spec
        for m in sent_mails()
        if m.message["To"].addresses[0].addr_spec.endswith(DOMAIN)
    )
    inbox.receive(
        buyer_mail("Re: your inquiry", "Dear Wei, our offer is attached.", sender=rep, to=BUYER, Bcc=LOG),
        recipients=[LOG],
    )
    # A bounce of our acknowledgement, and a message nobody can read
    inbox.receive(_dsn(BUYER, acknowledgement["Message-ID"]))
    inbox.receive(b"\x00\x01 not a message")
    inbox.pipeline.run()

    functions = {call.function for call in log.calls}
    assert functions == {
        "IntakeFunction",
        "RouterFunction",
        "MailerFunction",
        "InboundFunction",
        "FilesFunction",
    }
    missing = sorted({call for call in log.calls if not granted(call)}, key=str)
    assert not missing, "calls no grant of the function's role allows:\n" + "\n".join(map(str, missing))


def test_the_check_catches_a_grant_the_template_lacks() -> None:
    # The router never deletes: were it to, its role would not allow it
    assert not granted(Call("RouterFunction", "dynamodb:DeleteItem", "InquiryTable"))
    assert not granted(Call("InboundFunction", "dynamodb:Query", "InquiryTable/index/GSI1"))
    assert not granted(Call("FilesFunction", "s3:PutObject", "RawMailBucket/raw/abc"))
    assert granted(Call("InboundFunction", "s3:GetObject", "RawMailBucket/raw/abc"))
    assert granted(Call("MailerFunction", "ses:SendEmail", "SendingIdentity"))
