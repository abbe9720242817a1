"""The local stack's reading of templates: short tags, intrinsic functions, parameters, order, functions."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from inquiry_router_admin.local.aws_clients import AwsClients
from inquiry_router_admin.local.dynamic_references import DynamicReferences
from inquiry_router_admin.local.event_sources import declared_mappings, event_source_mappings
from inquiry_router_admin.local.functions import function_specs
from inquiry_router_admin.local.http_routes import Route, find_route, http_routes
from inquiry_router_admin.local.resources import (
    CreationContext,
    LocalResource,
    StackResources,
    create_resources,
    creation_order,
)
from inquiry_router_admin.local.template import (
    TemplateError,
    TemplateResolver,
    load_template,
    resolve_parameters,
)

ROOT = Path(__file__).resolve().parents[2]
PSEUDO = {
    "AWS::Region": "eu-west-1",
    "AWS::AccountId": "123456789012",
    "AWS::StackName": "local",
    "AWS::URLSuffix": "amazonaws.com",
}


def write_template(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "template.yaml"
    path.write_text(textwrap.dedent(text))
    return path


class FakeResources:
    """Refs and attributes as the local stack would give them, without an endpoint."""

    def ref(self, logical_id: str) -> Any:
        return f"local-{logical_id}"

    def get_att(self, logical_id: str, attribute: str) -> Any:
        return f"arn:local:{logical_id}:{attribute}"


def resolver_for(template: dict[str, Any], parameters: dict[str, str] | None = None) -> TemplateResolver:
    return TemplateResolver(template, parameters or {}, PSEUDO, FakeResources())


SAMPLE = """
    Parameters:
      Stage: { Type: String, Default: dev }
      Origins: { Type: CommaDelimitedList, Default: "https://a.example,https://b.example" }
    Conditions:
      IsProd: !Equals [!Ref Stage, prod]
      IsDev: !Not [!Condition IsProd]
      Both: !And [!Condition IsDev, !Equals [eu-west-1, !Ref "AWS::Region"]]
    Mappings:
      Sizes: { dev: { Memory: 256 } }
    Resources:
      Table: { Type: AWS::DynamoDB::Table }
      Queue: { Type: AWS::SQS::Queue }
"""


def test_short_tags_become_the_long_form(tmp_path: Path) -> None:
    template = load_template(
        write_template(
            tmp_path,
            """
            Resources:
              Thing:
                Type: AWS::SQS::Queue
                Properties:
                  A: !Ref Other
                  B: !GetAtt Other.Arn
                  C: !GetAtt [Other, StreamArn]
                  D: !Sub "${Other}-x"
                  E: !If [Cond, !Select [0, !Split [",", "a,b"]], !Ref "AWS::NoValue"]
                  F: !Not [!Equals [!Ref Other, ""]]
            """,
        )
    )

    properties = template["Resources"]["Thing"]["Properties"]
    assert properties["A"] == {"Ref": "Other"}
    assert properties["B"] == {"Fn::GetAtt": ["Other", "Arn"]}
    assert properties["C"] == {"Fn::GetAtt": ["Other", "StreamArn"]}
    assert properties["D"] == {"Fn::Sub": "${Other}-x"}
    assert properties["E"] == {
        "Fn::If": ["Cond", {"Fn::Select": [0, {"Fn::Split": [",", "a,b"]}]}, {"Ref": "AWS::NoValue"}]
    }
    assert properties["F"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "Other"}, ""]}]}


def test_unknown_intrinsic_function_fails_at_load_naming_the_place(tmp_path: Path) -> None:
    path = write_template(
        tmp_path,
        """
        Resources:
          Thing:
            Type: AWS::SQS::Queue
            Properties:
              QueueName: !Refs Other
        """,
    )

    with pytest.raises(
        TemplateError, match=r"Resources\.Thing\.Properties\.QueueName: unknown intrinsic function Fn::Refs"
    ):
        load_template(path)


def test_a_file_without_resources_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="no Resources section"):
        load_template(write_template(tmp_path, "Description: nothing here\n"))


def test_sub_resolves_parameters_resources_attributes_and_pseudo_parameters(tmp_path: Path) -> None:
    template = load_template(write_template(tmp_path, SAMPLE))
    resolver = resolver_for(template, resolve_parameters(template, {}))

    assert resolver.resolve({"Fn::Sub": "${Stage}/${Table}/${Queue.Arn}/${AWS::Region}/${!Literal}"}) == (
        "dev/local-Table/arn:local:Queue:Arn/eu-west-1/${Literal}"
    )
    assert (
        resolver.resolve({"Fn::Sub": ["${Name}-${Stage}", {"Name": {"Ref": "Table"}}]}) == "local-Table-dev"
    )


def test_list_functions_and_list_parameters(tmp_path: Path) -> None:
    template = load_template(write_template(tmp_path, SAMPLE))
    resolver = resolver_for(template, resolve_parameters(template, {}))

    assert resolver.resolve({"Ref": "Origins"}) == ["https://a.example", "https://b.example"]
    assert resolver.resolve({"Fn::Join": [" ", {"Ref": "Origins"}]}) == "https://a.example https://b.example"
    assert resolver.resolve({"Fn::Select": ["1", {"Fn::Split": ["-", "a-b-c"]}]}) == "b"
    assert resolver.resolve({"Fn::FindInMap": ["Sizes", {"Ref": "Stage"}, "Memory"]}) == 256
    assert resolver.resolve({"Fn::Base64": "hi"}) == "aGk="


def test_conditions_choose_branches_and_novalue_removes_what_it_stands_in(tmp_path: Path) -> None:
    template = load_template(write_template(tmp_path, SAMPLE))
    resolver = resolver_for(template, resolve_parameters(template, {}))

    assert resolver.condition("IsProd") is False
    assert resolver.condition("IsDev") is True
    assert resolver.condition("Both") is True
    resolved = resolver.resolve(
        {
            "Kept": {"Fn::If": ["IsDev", "small", "large"]},
            # The branch not taken is never evaluated, so an import there does no harm.
            "Lazy": {"Fn::If": ["IsProd", {"Fn::ImportValue": "shared-vpc"}, "none"]},
            "Dropped": {"Fn::If": ["IsProd", "x", {"Ref": "AWS::NoValue"}]},
            "List": ["a", {"Ref": "AWS::NoValue"}, "b"],
        }
    )
    assert resolved == {"Kept": "small", "Lazy": "none", "List": ["a", "b"]}


def test_parameter_values_change_conditions(tmp_path: Path) -> None:
    template = load_template(write_template(tmp_path, SAMPLE))
    resolver = resolver_for(template, resolve_parameters(template, {"Stage": "prod"}))

    assert resolver.condition("IsProd") is True
    assert resolver.is_included({"Condition": "IsDev"}) is False


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"Fn::ImportValue": "x"}, "Fn::ImportValue cannot be evaluated by the local stack"),
        ({"Ref": "Nowhere"}, "!Ref Nowhere: no parameter or resource"),
        ({"Fn::GetAtt": ["Nowhere", "Arn"]}, "no resource Nowhere"),
        ({"Fn::If": ["Undeclared", 1, 2]}, "condition Undeclared is not declared"),
        ({"Fn::Select": [5, ["a"]]}, "index 5 is outside a list of 1"),
        ({"Fn::Join": [","]}, "Fn::Join needs a list of 2"),
    ],
)
def test_unresolvable_values_fail_clearly(tmp_path: Path, value: Any, message: str) -> None:
    template = load_template(write_template(tmp_path, SAMPLE))

    with pytest.raises(TemplateError, match=message):
        resolver_for(template, resolve_parameters(template, {})).resolve(value)


def test_parameters_take_overrides_then_defaults_as_strings() -> None:
    template = {
        "Parameters": {
            "Name": {"Type": "String"},
            "Limit": {"Type": "Number", "Default": 20},
            "Flag": {"Type": "String", "Default": True},
        }
    }

    assert resolve_parameters(template, {"Name": "Sunrise"}) == {
        "Name": "Sunrise",
        "Limit": "20",
        "Flag": "true",
    }


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, r"parameter Name has no Default: give it a value \(--parameter Name=VALUE\)"),
        ({"Name": "x", "Provider": "other"}, r"Provider='other' is not one of \['none', 'turnstile'\]"),
        ({"Name": "x", "Domains": "Bad Domain"}, "lower-case domains only"),
        ({"Name": "x", "Typo": "1"}, "declares no parameter Typo"),
    ],
)
def test_parameters_are_checked_like_cloudformation(values: dict[str, str], message: str) -> None:
    template = {
        "Parameters": {
            "Name": {"Type": "String"},
            "Provider": {"Type": "String", "Default": "none", "AllowedValues": ["none", "turnstile"]},
            "Domains": {
                "Type": "String",
                "Default": "example.com",
                "AllowedPattern": "^[a-z0-9.-]+(,[a-z0-9.-]+)*$",
                "ConstraintDescription": "lower-case domains only",
            },
        }
    }

    with pytest.raises(TemplateError, match=message):
        resolve_parameters(template, values)


def test_resources_are_created_after_what_they_refer_to() -> None:
    declared = {
        "Queue": {
            "Type": "AWS::SQS::Queue",
            "Properties": {"RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["DeadLetters", "Arn"]}}},
        },
        "Bucket": {"Type": "AWS::S3::Bucket", "DependsOn": "Queue"},
        "Alarm": {
            "Type": "AWS::SQS::Queue",
            "Properties": {"QueueName": {"Fn::Sub": "${Bucket}-${!Escaped}"}},
        },
        "DeadLetters": {"Type": "AWS::SQS::Queue"},
    }

    order = creation_order(declared, declared)

    assert order.index("DeadLetters") < order.index("Queue") < order.index("Bucket") < order.index("Alarm")


def test_a_reference_cycle_is_refused() -> None:
    declared = {
        "A": {"Type": "AWS::SQS::Queue", "Properties": {"X": {"Ref": "B"}}},
        "B": {"Type": "AWS::SQS::Queue", "Properties": {"X": {"Fn::GetAtt": ["A", "Arn"]}}},
    }

    with pytest.raises(TemplateError, match="cycle: A -> B -> A"):
        creation_order(declared, declared)


# -- the project's template ------------------------------------------------------------------------


class FakeSecrets:
    """Secrets Manager's GetSecretValue over a dict, as the local endpoint would answer it."""

    def __init__(self, secrets: dict[str, str]) -> None:
        self.secrets = secrets
        self.asked: list[dict[str, str]] = []

    def get_secret_value(self, **request: str) -> dict[str, str]:
        self.asked.append(request)
        return {"SecretString": self.secrets[request["SecretId"]]}


SALT_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:inquiry-router-local-GuardSaltSecret-AbCdEf"


def read_project(**parameters: str) -> dict[str, Any]:
    """The project's template.yaml read by the local stack as `make local` reads it, endpoint aside."""
    template = load_template(ROOT / "template.yaml")
    context = CreationContext(
        "inquiry-router-local", "eu-west-1", AwsClients("http://127.0.0.1:1", "eu-west-1")
    )
    resources = StackResources(template, context)
    table_arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/inquiry-router-local-InquiryTable"
    resources.created["InquiryTable"] = LocalResource(
        "InquiryTable",
        "AWS::DynamoDB::Table",
        "inquiry-router-local-InquiryTable",
        {"Arn": table_arn, "StreamArn": f"{table_arn}/stream/2026-01-01T00:00:00.000"},
    )
    queues = ("MailQueue", "MailDeadLetterQueue", "RouterDeadLetterQueue", "InboundDeadLetterQueue")
    for queue in (*queues, "FeedbackQueue", "FeedbackDeadLetterQueue"):
        url = f"http://127.0.0.1:4566/123456789012/inquiry-router-local-{queue}"
        arn = f"arn:aws:sqs:eu-west-1:123456789012:inquiry-router-local-{queue}"
        resources.created[queue] = LocalResource(queue, "AWS::SQS::Queue", url, {"Arn": arn, "QueueUrl": url})
    resources.created["MailConfigurationSet"] = LocalResource(
        "MailConfigurationSet", "AWS::SES::ConfigurationSet", "inquiry-router-local-MailConfigurationSet", {}
    )
    resources.created["SendingIdentity"] = LocalResource(
        "SendingIdentity", "AWS::SES::EmailIdentity", "example.com", {}
    )
    resources.created["RawMailBucket"] = LocalResource(
        "RawMailBucket",
        "AWS::S3::Bucket",
        "inquiry-router-local-rawmailbucket",
        {"Arn": "arn:aws:s3:::inquiry-router-local-rawmailbucket"},
    )
    resources.created["GuardSaltSecret"] = LocalResource(
        "GuardSaltSecret", "AWS::SecretsManager::Secret", SALT_ARN, {"Id": SALT_ARN}
    )
    parameters = resolve_parameters(
        template,
        {
            "CompanyName": "Example Export Co.",
            "CompanyDomains": "example.com",
            "AllowedOrigins": "http://127.0.0.1:3000,http://localhost:3000",
            "ThankYouUrl": "http://127.0.0.1:3000/examples/thank-you.html",
            "InboundDomain": "in.example.com",
        }
        | parameters,
    )
    resolver = TemplateResolver(template, parameters, PSEUDO, resources)
    secrets = DynamicReferences(FakeSecrets({SALT_ARN: "generated-salt"}))  # type: ignore[arg-type]
    specs, notes = function_specs(
        template,
        resolver,
        resources,
        ROOT,
        {"AWS_ENDPOINT_URL": "http://127.0.0.1:4566"},
        dynamic_references=secrets,
    )
    return {
        "template": template,
        "resolver": resolver,
        "resources": resources,
        "specs": specs,
        "notes": notes,
    }


@pytest.fixture
def project() -> Any:
    return read_project()


@pytest.fixture
def project_functions(project: Any) -> Any:
    return {spec.logical_id: spec for spec in project["specs"]}, project["notes"]


def test_intake_function_environment_is_globals_plus_its_own_resolved_locally(project_functions: Any) -> None:
    specs, notes = project_functions
    intake = specs["IntakeFunction"]

    assert notes == []
    assert intake.code_file == ROOT / "functions" / "intake" / "app.py"
    assert intake.handler_attribute == "handler"
    assert (intake.timeout_seconds, intake.memory_mb) == (10, 1024)
    assert intake.name == "inquiry-router-local-IntakeFunction"
    assert intake.arn == "arn:aws:lambda:eu-west-1:123456789012:function:inquiry-router-local-IntakeFunction"
    environment = dict(intake.environment)
    assert environment["TABLE_NAME"] == "inquiry-router-local-InquiryTable"
    assert environment["COMPANY_NAME"] == "Example Export Co."
    assert environment["COMPANY_DOMAINS"] == "example.com"
    assert environment["ALLOWED_ORIGINS"] == "http://127.0.0.1:3000,http://localhost:3000"
    assert environment["THANK_YOU_URL"] == "http://127.0.0.1:3000/examples/thank-you.html"
    assert environment["ERROR_URL"] == ""
    assert environment["RATE_LIMIT_PER_IP"] == "20"
    assert environment["CAPTCHA_PROVIDER"] == "none"
    assert environment["POWERTOOLS_SERVICE_NAME"] == "intake"
    assert environment["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4566"
    assert environment["AWS_LAMBDA_FUNCTION_NAME"] == "inquiry-router-local-IntakeFunction"


def test_inbound_function_gets_the_raw_mail_bucket_and_no_events(project_functions: Any) -> None:
    specs, _ = project_functions
    inbound = specs["InboundFunction"]

    assert inbound.code_file == ROOT / "functions" / "inbound" / "app.py"
    assert (inbound.timeout_seconds, inbound.memory_mb) == (120, 1024)
    assert inbound.events == {}  # SES invokes it in the cloud; locally `mail replay` does
    environment = dict(inbound.environment)
    assert environment["RAW_MAIL_BUCKET"] == "inquiry-router-local-rawmailbucket"
    assert environment["RAW_MAIL_PREFIX"] == "raw/"
    assert environment["INBOUND_DOMAIN"] == "in.example.com"
    assert environment["MAIL_QUEUE_URL"].endswith("/inquiry-router-local-MailQueue")
    assert specs["MailerFunction"].environment["RAW_MAIL_BUCKET"] == "inquiry-router-local-rawmailbucket"
    # ActivateReceiptRuleSet defaults to "false": the activation function is not part of the stack
    assert "ReceiptRuleSetActivationFunction" not in specs


def test_a_resource_whose_condition_is_false_is_neither_created_nor_reported(tmp_path: Path) -> None:
    template = load_template(
        write_template(
            tmp_path,
            """
            Parameters:
              Activate: { Type: String, Default: "false", AllowedValues: ["true", "false"] }
            Conditions:
              Activating: !Equals [!Ref Activate, "true"]
            Resources:
              Bucket: { Type: AWS::S3::Bucket, Condition: Activating }
              Permission: { Type: AWS::Lambda::Permission }
              Activator:
                Type: AWS::Serverless::Function
                Condition: Activating
                Properties: { Runtime: python3.13, CodeUri: nowhere/, Handler: app.handler }
              Activation:
                Type: Custom::Activation
                Condition: Activating
                Properties: { ServiceToken: !GetAtt Activator.Arn, Bucket: !Ref Bucket }
            """,
        )
    )
    # No endpoint behind the clients: nothing may be created
    resources = StackResources(template, CreationContext("local", "eu-west-1", AwsClients("http://x:1", "x")))
    resolver = TemplateResolver(template, resolve_parameters(template, {}), PSEUDO, resources)

    not_created = create_resources(template, resolver, resources)
    specs, notes = function_specs(template, resolver, resources, tmp_path, {})

    assert resources.created == {}
    assert not_created == ["Permission (AWS::Lambda::Permission)"]
    assert (specs, notes) == ([], [])


def test_snapstart_on_runs_the_same_functions_locally() -> None:
    # Lambda resumes a published version from its snapshot; locally each cold start runs the
    # handler's init, so the parameter changes what Lambda keeps, not what the local stack runs.
    off, on = read_project(), read_project(SnapStart="true")

    assert on["notes"] == []
    assert on["specs"] == off["specs"]
    assert {s.logical_id for s in on["specs"]} >= {"IntakeFunction", "FilesFunction"}


def test_the_api_routes_come_from_the_functions_http_api_events(project_functions: Any) -> None:
    specs, _ = project_functions

    routes = {r.route_key: r.function_id for r in http_routes(specs.values())}

    assert routes == {
        "OPTIONS /inquiries": "IntakeFunction",
        "POST /inquiries": "IntakeFunction",
        "ANY /inquiries": "IntakeFunction",
        "GET /files/{token}": "FilesFunction",
        "GET /actions/{token}": "ActionsFunction",
        "POST /actions/{token}": "ActionsFunction",
    }


def test_the_most_specific_route_wins() -> None:
    routes = sorted(
        [
            Route("ANY", "$default", "Fallback", "api"),
            Route("GET", "/files/{path+}", "Greedy", "api"),
            Route("ANY", "/files/{name}", "AnyMethod", "api"),
            Route("GET", "/files/{name}", "Parameter", "api"),
            Route("GET", "/files/readme", "Literal", "api"),
        ],
        key=lambda r: r.specificity,
    )

    def chosen(method: str, path: str) -> tuple[str, dict[str, str]] | None:
        found = find_route(routes, method, path)
        return (found[0].function_id, found[1]) if found else None

    assert chosen("GET", "/files/readme") == ("Literal", {})
    assert chosen("GET", "/files/a%20b") == ("Parameter", {"name": "a b"})
    assert chosen("POST", "/files/x") == ("AnyMethod", {"name": "x"})
    assert chosen("GET", "/files/a/b") == ("Greedy", {"path": "a/b"})
    assert chosen("DELETE", "/other") == ("Fallback", {})


# -- event source mappings and dynamic references ---------------------------------------------------


def test_the_projects_mapping_resources_are_run_with_every_setting(project: Any) -> None:
    mappings = declared_mappings(project["template"], project["resolver"])

    streams, queues, notes = event_source_mappings(project["specs"], project["resources"], mappings)

    assert notes == []  # the schedules run too (local/schedules.py)
    (stream,) = streams
    assert (stream.function_id, stream.event_name, stream.table_id) == (
        "RouterFunction",
        "RouterFunctionStoredInquiries",
        "InquiryTable",
    )
    assert stream.stream_arn.endswith("/stream/2026-01-01T00:00:00.000")
    assert (stream.starting_position, stream.batch_size, stream.max_retries) == ("TRIM_HORIZON", 10, 5)
    assert stream.bisect_on_error is True
    assert stream.report_item_failures is True
    assert stream.on_failure_queue_url is not None
    assert stream.on_failure_queue_url.endswith("/inquiry-router-local-RouterDeadLetterQueue")

    def change(event_name: str, **image: str) -> dict[str, Any]:
        return {"eventName": event_name, "dynamodb": {"NewImage": {k: {"S": v} for k, v in image.items()}}}

    assert stream.event_filter.matches(change("INSERT", entity="inquiry", status="new"))
    assert not stream.event_filter.matches(change("INSERT", entity="inquiry", status="spam"))
    assert stream.event_filter.matches(change("MODIFY", entity="inquiry", owner_email="rep@example.com"))
    assert not stream.event_filter.matches(change("MODIFY", entity="contact", owner_email="rep@example.com"))
    queue, feedback = sorted(queues, key=lambda q: q.function_id != "MailerFunction")
    assert (queue.function_id, queue.queue_id, queue.batch_size) == ("MailerFunction", "MailQueue", 10)
    assert queue.report_item_failures is True
    assert queue.queue_url.endswith("/inquiry-router-local-MailQueue")
    assert (feedback.function_id, feedback.queue_id) == ("FeedbackFunction", "FeedbackQueue")
    assert feedback.report_item_failures is True


def test_a_mapping_resource_naming_no_function_of_the_stack_is_refused(project: Any) -> None:
    mappings = {"Stray": {"FunctionName": "someone-elses-function", "EventSourceArn": "arn:aws:sqs:x"}}

    with pytest.raises(TemplateError, match="Stray: FunctionName 'someone-elses-function' is not a function"):
        event_source_mappings(project["specs"], project["resources"], mappings)


def test_a_mapping_resource_on_a_source_the_stack_lacks_is_noted_not_run(project: Any) -> None:
    mappings = {
        "Kinesis": {
            "FunctionName": "inquiry-router-local-RouterFunction",
            "EventSourceArn": "arn:aws:kinesis:eu-west-1:1:stream/s",
        },
        "Off": {"FunctionName": "inquiry-router-local-MailerFunction", "Enabled": False},
    }

    streams, queues, notes = event_source_mappings(project["specs"], project["resources"], mappings)

    assert (streams, queues) == ([], [])
    assert notes == [
        "Kinesis (arn:aws:kinesis:eu-west-1:1:stream/s) is not run locally: not a table stream or queue here",
        "Off is disabled",
    ]


def test_the_guard_salt_is_read_from_the_stacks_secret_for_the_functions_that_hash_guards(
    project_functions: Any,
) -> None:
    specs, _ = project_functions

    salted = {name for name, spec in specs.items() if spec.environment.get("GUARD_SALT") == "generated-salt"}

    assert salted == {"IntakeFunction", "InboundFunction", "MailerFunction"}
    assert "GUARD_SALT" not in specs["RouterFunction"].environment


@pytest.mark.parametrize(
    ("text", "expected", "request_"),
    [
        ("{{resolve:secretsmanager:salt:SecretString}}", "plain", {"SecretId": "salt"}),
        (f"{{{{resolve:secretsmanager:{SALT_ARN}:SecretString}}}}", "by-arn", {"SecretId": SALT_ARN}),
        ("x-{{resolve:secretsmanager:json:SecretString:user}}-y", "x-admin-y", {"SecretId": "json"}),
        (
            "{{resolve:secretsmanager:json:SecretString:user:AWSPREVIOUS}}",
            "admin",
            {"SecretId": "json", "VersionStage": "AWSPREVIOUS"},
        ),
    ],
)
def test_dynamic_references_are_read_as_cloudformation_reads_them(
    text: str, expected: str, request_: dict[str, str]
) -> None:
    secrets = FakeSecrets({"salt": "plain", SALT_ARN: "by-arn", "json": '{"user": "admin"}'})

    assert DynamicReferences(secrets).resolve(text, "Fn.Environment.Variables.X") == expected  # type: ignore[arg-type]
    assert secrets.asked == [request_]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{{resolve:ssm:/param}}", r"Fn.X: \{\{resolve:ssm:...\}\} is not resolved locally"),
        ("{{resolve:secretsmanager:salt}}", "names no SecretString"),
        ("{{resolve:secretsmanager:json:SecretString:missing}}", "has no JSON key missing"),
    ],
)
def test_dynamic_references_the_local_stack_cannot_read_fail_naming_the_place(
    text: str, message: str
) -> None:
    secrets = FakeSecrets({"salt": "plain", "json": '{"user": "admin"}'})

    with pytest.raises(TemplateError, match=message):
        DynamicReferences(secrets).resolve(text, "Fn.X")  # type: ignore[arg-type]
