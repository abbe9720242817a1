"""template.yaml as CloudFormation will create it: SAM's own translator, run offline, then the IAM roles.

The inline `Policies` are only part of a function's rights: SAM adds managed policies for its event
sources and tracing, and policies for destinations. These tests read the *transformed* roles, so a
managed policy SAM attaches (AWSLambdaDynamoDBExecutionRole gives every stream in the account)
fails here even though template.yaml never names it.
"""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.template import load_template

ROOT = Path(__file__).resolve().parents[2]
SAM_PYTHON = ROOT / ".venv-sam" / "bin" / "python"
TRANSFORM = ROOT / "tests" / "support" / "sam_transform.py"
# Every condition of the template on, so conditional roles (the rule set activation, the CAPTCHA
# secret grant) and SnapStart's alias are transformed and checked too.
PARAMETERS = {
    "CompanyName": "Example Export Co.",
    "CompanyDomains": "example.com",
    "InboundDomain": "in.example.com",
    "InboundRecipients": "sales@in.example.com",
    "ActivateReceiptRuleSet": "true",
    "CaptchaSecretParameter": "/inquiry-router/captcha-secret",
    "AlarmEmail": "ops@example.com",
    "SnapStart": "true",
}
ALLOWED_MANAGED_POLICIES = frozenset(
    {
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",  # its own log group
        "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",  # Tracing: Active
    }
)
# SES defines no resource type for these account-level actions: "*" is the only Resource they take.
ACCOUNT_LEVEL_ACTIONS = frozenset({"ses:SetActiveReceiptRuleSet", "ses:DescribeActiveReceiptRuleSet"})


def transform(template: Path, parameters: dict[str, str]) -> dict[str, Any]:
    """The CloudFormation SAM makes of `template` (tests/support/sam_transform.py, in .venv-sam)."""
    made = subprocess.run(
        ["make", "--no-print-directory", "sam-venv"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert made.returncode == 0, made.stdout[-2000:] + made.stderr[-2000:]
    # No credentials and a fake region: the translator has nothing to reach AWS with.
    environment = {
        "PATH": os.environ["PATH"],
        "AWS_DEFAULT_REGION": "eu-west-1",
        "HOME": os.environ.get("HOME", "/tmp"),
    }
    arguments = [f"{name}={value}" for name, value in parameters.items()]
    result = subprocess.run(
        [str(SAM_PYTHON), str(TRANSFORM), str(template), *arguments],
        capture_output=True,
        text=True,
        check=False,
        env=environment,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    transformed: dict[str, Any] = json.loads(result.stdout)
    return transformed


@pytest.fixture(scope="module")
def cloudformation() -> dict[str, Any]:
    return transform(ROOT / "template.yaml", PARAMETERS)


def roles(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource["Properties"]
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::IAM::Role"
    }


def statements(role: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(policy name, statement) of every inline statement; both branches of a conditional one."""
    for policy in role.get("Policies", []):
        for statement in policy["PolicyDocument"]["Statement"]:
            if "Fn::If" in statement:
                branches = statement["Fn::If"][1:]
                yield from (
                    (policy["PolicyName"], b) for b in branches if isinstance(b, dict) and "Effect" in b
                )
            else:
                yield policy["PolicyName"], statement


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def unexpected_managed_policies(template: dict[str, Any]) -> list[str]:
    problems = []
    for name, role in roles(template).items():
        attached = set(role.get("ManagedPolicyArns", []))
        problems += [f"{name}: {arn}" for arn in sorted(attached - ALLOWED_MANAGED_POLICIES, key=str)]
        lambda_role = "lambda.amazonaws.com" in json.dumps(role.get("AssumeRolePolicyDocument", {}))
        if lambda_role and "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" not in attached:
            problems.append(f"{name}: no AWSLambdaBasicExecutionRole (the function could not log)")
    return problems


def wildcard_grants(template: dict[str, Any]) -> list[str]:
    """Allow statements on Resource "*" (or with NotResource / NotAction), except the SES exception."""
    problems = []
    for name, role in roles(template).items():
        for policy, statement in statements(role):
            actions = set(as_list(statement.get("Action", [])))
            if "NotResource" in statement or "NotAction" in statement:
                problems.append(f"{name}.{policy}: NotResource/NotAction")
            elif "*" in as_list(statement["Resource"]) and not actions <= ACCOUNT_LEVEL_ACTIONS:
                problems.append(f"{name}.{policy}: {sorted(actions)} on *")
    return problems


def grants(template: dict[str, Any], role: str) -> dict[str, list[Any]]:
    """Action -> the Resources it is allowed on, over all of a role's inline statements."""
    found: dict[str, list[Any]] = {}
    for _, statement in statements(roles(template)[role]):
        for action in as_list(statement["Action"]):
            found.setdefault(action, []).extend(as_list(statement["Resource"]))
    return found


# -- the project's template -------------------------------------------------------------------


def test_every_function_of_the_template_has_a_role_in_the_transformed_template(
    cloudformation: dict[str, Any],
) -> None:
    declared = {
        name
        for name, resource in load_template()["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }
    functions = {
        name: resource["Properties"]["Role"]
        for name, resource in cloudformation["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Function"
    }

    assert set(functions) == declared  # the conditional activation function included
    for name, role in functions.items():
        assert role == {"Fn::GetAtt": [f"{name}Role", "Arn"]}, name
    lambda_roles = {n for n, r in roles(cloudformation).items() if "lambda.amazonaws.com" in json.dumps(r)}
    assert lambda_roles == {f"{name}Role" for name in declared}


def test_the_only_other_roles_let_the_scheduler_invoke_its_function_and_nothing_else(
    cloudformation: dict[str, Any],
) -> None:
    others = {n: r for n, r in roles(cloudformation).items() if "lambda.amazonaws.com" not in json.dumps(r)}
    scheduled = {"LoadReconciliationFunctionDailyRole": "LoadReconciliationFunction"}
    scheduled["TimerFunctionEveryFiveMinutesRole"] = "TimerFunction"
    assert set(others) == set(scheduled)
    for role, function in scheduled.items():
        trust = others[role]["AssumeRolePolicyDocument"]["Statement"]
        assert [s["Principal"] for s in trust] == [{"Service": ["scheduler.amazonaws.com"]}]
        assert grants(cloudformation, role) == {"lambda:InvokeFunction": [{"Fn::GetAtt": [function, "Arn"]}]}


def test_roles_attach_only_basic_execution_and_xray_write(cloudformation: dict[str, Any]) -> None:
    assert unexpected_managed_policies(cloudformation) == []


def test_a_wildcard_resource_is_granted_only_for_the_account_level_ses_actions(
    cloudformation: dict[str, Any],
) -> None:
    assert wildcard_grants(cloudformation) == []
    activation = grants(cloudformation, "ReceiptRuleSetActivationFunctionRole")
    assert activation == {action: ["*"] for action in ACCOUNT_LEVEL_ACTIONS}


def test_the_router_polls_only_the_tables_stream(cloudformation: dict[str, Any]) -> None:
    router = grants(cloudformation, "RouterFunctionRole")
    stream = {"Fn::GetAtt": ["InquiryTable", "StreamArn"]}
    for action in ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"):
        assert router[action] == [stream], action
    assert router["dynamodb:ListStreams"] == [{"Fn::Sub": "${InquiryTable.Arn}/stream/*"}]
    assert router["sqs:SendMessage"] == [
        {"Fn::GetAtt": ["MailQueue", "Arn"]},
        {"Fn::GetAtt": ["RouterDeadLetterQueue", "Arn"]},  # the mapping's OnFailure destination
    ]
    mapping = cloudformation["Resources"]["RouterFunctionStoredInquiries"]["Properties"]
    assert mapping["EventSourceArn"] == stream
    assert mapping["FunctionName"] == {"Ref": "RouterFunction"}


def test_the_mailer_receives_only_from_the_mail_queue(cloudformation: dict[str, Any]) -> None:
    mailer = grants(cloudformation, "MailerFunctionRole")
    queue = {"Fn::GetAtt": ["MailQueue", "Arn"]}
    for action in ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"):
        assert mailer[action] == [queue], action
    mapping = cloudformation["Resources"]["MailerFunctionMailJobs"]["Properties"]
    assert mapping["EventSourceArn"] == queue
    assert mapping["FunctionName"] == {"Ref": "MailerFunction"}


def test_the_inbound_function_may_park_failed_events_on_its_dead_letter_queue(
    cloudformation: dict[str, Any],
) -> None:
    inbound = grants(cloudformation, "InboundFunctionRole")
    assert {"Fn::GetAtt": ["InboundDeadLetterQueue", "Arn"]} in inbound["sqs:SendMessage"]


# -- the checks can fail ----------------------------------------------------------------------


def test_the_checks_catch_what_sam_adds_for_event_sources(tmp_path: Path) -> None:
    # Given functions with SAM `Events` on a stream and a queue, as the router and mailer had
    template = tmp_path / "template.yaml"
    template.write_text(
        textwrap.dedent(
            """
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Table:
                Type: AWS::DynamoDB::Table
                Properties:
                  BillingMode: PAY_PER_REQUEST
                  AttributeDefinitions: [{ AttributeName: PK, AttributeType: S }]
                  KeySchema: [{ AttributeName: PK, KeyType: HASH }]
                  StreamSpecification: { StreamViewType: NEW_IMAGE }
              Queue: { Type: AWS::SQS::Queue }
              Router:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: python3.13
                  Handler: app.handler
                  CodeUri: functions/router/
                  Events:
                    Stream:
                      Type: DynamoDB
                      Properties: { Stream: !GetAtt Table.StreamArn, StartingPosition: LATEST }
              Mailer:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: python3.13
                  Handler: app.handler
                  CodeUri: functions/mailer/
                  Policies:
                    - Statement: [{ Effect: Allow, Action: "dynamodb:*", Resource: "*" }]
                  Events:
                    Jobs: { Type: SQS, Properties: { Queue: !GetAtt Queue.Arn } }
            """
        )
    )

    # When it is transformed
    transformed = transform(template, {})

    # Then the managed policies SAM attached, and the inline wildcard, are reported
    assert unexpected_managed_policies(transformed) == [
        "RouterRole: arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole",
        "MailerRole: arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
    ]
    assert wildcard_grants(transformed) == ["MailerRole.MailerRolePolicy0: ['dynamodb:*'] on *"]
