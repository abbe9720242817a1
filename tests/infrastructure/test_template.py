"""What matters in template.yaml: runtime, least privilege, durability, retries, parameters."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from inquiry_router.models.settings import (
    CLOSED_INQUIRY_RETENTION_MAX_DAYS,
    SPAM_RETENTION_MAX_DAYS,
    Retention,
)
from tests.support.template import load_template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = load_template()
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
SCOPED_SERVICES = ("dynamodb:", "ses:", "s3:", "sqs:", "ssm:", "sns:", "events:")
# The one documented exception to "scoped to the stack's resources": SES defines no resource type for
# these account-level actions (Service Authorization Reference, Amazon SES), so they take "*" only.
ACCOUNT_LEVEL_ACTIONS = frozenset({"ses:SetActiveReceiptRuleSet", "ses:DescribeActiveReceiptRuleSet"})
ASYNC_EVENT_TYPES = {
    "DynamoDB",
    "SQS",
    "Kinesis",
    "S3",
    "SNS",
    "EventBridgeRule",
    "CloudWatchEvent",
    "Schedule",
    "ScheduleV2",
}


def functions(template: dict[str, Any] = TEMPLATE) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            yield name, resource["Properties"]


def policy_statements(properties: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for policy in properties.get("Policies", []):
        if isinstance(policy, dict) and "Statement" in policy:
            for statement in policy["Statement"]:
                if "Fn::If" in statement:  # conditional statements: check both branches
                    branches = statement["Fn::If"][1:]
                    yield from (b for b in branches if isinstance(b, dict) and "Effect" in b)
                else:
                    yield statement


def refers_to_stack_resource(resource: Any, template: dict[str, Any]) -> bool:
    """True when a policy Resource names something this template creates (or is a parameter-scoped ARN)."""
    names = set(template["Resources"]) | set(template.get("Parameters", {}))
    if isinstance(resource, list):
        return bool(resource) and all(refers_to_stack_resource(r, template) for r in resource)
    if isinstance(resource, str):
        return False  # a literal ARN or "*": not scoped to this stack
    if "Ref" in resource:
        return resource["Ref"] in names
    if "Fn::GetAtt" in resource:
        return resource["Fn::GetAtt"][0] in names
    if "Fn::Sub" in resource:
        text = resource["Fn::Sub"] if isinstance(resource["Fn::Sub"], str) else resource["Fn::Sub"][0]
        return "*" not in text.split(":")[-1].replace("/*", "") and any(f"${{{n}" in text for n in names)
    if "Fn::Join" in resource:
        return any(
            refers_to_stack_resource(p, template) for p in resource["Fn::Join"][1] if isinstance(p, dict)
        )
    return False


def unscoped_statements(template: dict[str, Any]) -> list[str]:
    problems = []
    for name, properties in functions(template):
        for statement in policy_statements(properties):
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if set(actions) <= ACCOUNT_LEVEL_ACTIONS and statement["Resource"] == "*":
                continue
            if any(a.startswith(SCOPED_SERVICES) for a in actions) and not refers_to_stack_resource(
                statement["Resource"], template
            ):
                problems.append(f"{name}: {actions} on {statement['Resource']}")
    return problems


def consumers_without_retry_or_dlq(template: dict[str, Any]) -> list[str]:
    """Async consumers must retry a bounded number of times and park failures somewhere.

    Event source mappings are read from the functions' SAM `Events` and from
    AWS::Lambda::EventSourceMapping resources alike.
    """
    problems = []
    for name, properties in functions(template):
        for event_name, event in properties.get("Events", {}).items():
            kind = event["Type"]
            where = f"{name}.{event_name}"
            if kind in ("DynamoDB", "Kinesis"):
                problems += _stream_problems(where, event["Properties"])
            elif kind == "SQS":
                problems += _queue_problems(where, event["Properties"]["Queue"], template)
            elif (
                kind in ASYNC_EVENT_TYPES
                and "DeadLetterQueue" not in properties
                and "EventInvokeConfig" not in properties
            ):
                problems.append(f"{where}: async invocation without DLQ / on-failure destination")
    for name, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Lambda::EventSourceMapping":
            continue
        source = resource["Properties"]["EventSourceArn"]
        attribute = source.get("Fn::GetAtt", [None, None])[1] if isinstance(source, dict) else None
        if attribute == "StreamArn":
            problems += _stream_problems(name, resource["Properties"])
        else:
            problems += _queue_problems(name, source, template)
    return problems


def _stream_problems(where: str, properties: dict[str, Any]) -> list[str]:
    if "MaximumRetryAttempts" in properties and "OnFailure" in properties.get("DestinationConfig", {}):
        return []
    return [f"{where}: stream without bounded retries + on-failure destination"]


def _queue_problems(where: str, queue: Any, template: dict[str, Any]) -> list[str]:
    queue_name = queue.get("Fn::GetAtt", [None])[0] if isinstance(queue, dict) else None
    queue_props = template["Resources"].get(queue_name, {}).get("Properties", {})
    if "RedrivePolicy" in queue_props:
        return []
    return [f"{where}: queue {queue_name} has no DLQ (RedrivePolicy)"]


def test_cfn_lint_is_clean() -> None:
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    result = subprocess.run(
        [str(cfn_lint), str(ROOT / "template.yaml")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_function_runs_python_3_13_on_arm64() -> None:
    globals_ = TEMPLATE["Globals"]["Function"]
    for name, properties in functions():
        assert properties.get("Runtime", globals_["Runtime"]) == "python3.13", name
        assert properties.get("Architectures", globals_["Architectures"]) == ["arm64"], name


def test_the_shared_layer_is_built_by_sam_with_python_3_13() -> None:
    layers = [r for r in RESOURCES.values() if r["Type"] == "AWS::Serverless::LayerVersion"]
    assert layers
    for layer in layers:
        assert layer["Metadata"]["BuildMethod"] == "python3.13"
        assert (ROOT / layer["Properties"]["ContentUri"] / "requirements.txt").exists()


def test_every_function_is_a_thin_app_py() -> None:
    for name, properties in functions():
        folder = ROOT / properties["CodeUri"]
        assert properties["Handler"] == "app.handler", name
        assert sorted(p.name for p in folder.iterdir() if p.name != "__pycache__") == ["app.py"], name


def test_iam_is_scoped_to_the_stacks_own_resources() -> None:
    assert unscoped_statements(TEMPLATE) == []


def test_the_scope_check_catches_a_wildcard() -> None:
    # The check above must be able to fail: a template granting dynamodb:* on "*" is caught.
    bad = {
        "Resources": {
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "Policies": [
                        {"Statement": [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]}
                    ]
                },
            }
        }
    }
    assert unscoped_statements(bad) == ["Fn: ['dynamodb:*'] on *"]


@pytest.mark.parametrize(
    "actions",
    [
        ["ses:SetActiveReceiptRuleSet", "ses:SendEmail"],  # an exempt action does not carry others along
        ["ses:*"],
        ["ses:CreateReceiptRule"],
    ],
)
def test_only_the_account_level_ses_actions_may_use_a_wildcard(actions: list[str]) -> None:
    statement = {"Effect": "Allow", "Action": actions, "Resource": "*"}
    bad = {
        "Resources": {
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"Policies": [{"Statement": [statement]}]},
            }
        }
    }
    assert unscoped_statements(bad) == [f"Fn: {actions} on *"]


def test_no_function_uses_a_broad_managed_policy() -> None:
    broad = {"AmazonDynamoDBFullAccess", "AmazonSESFullAccess", "AmazonS3FullAccess", "AmazonSQSFullAccess"}
    for name, properties in functions():
        for policy in properties.get("Policies", []):
            assert not (isinstance(policy, str) and policy in broad), name


def test_async_consumers_retry_and_end_in_a_dead_letter_queue() -> None:
    assert consumers_without_retry_or_dlq(TEMPLATE) == []


def test_the_retry_check_catches_a_stream_consumer_without_on_failure() -> None:
    bad = {
        "Resources": {
            "Router": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"Events": {"Stream": {"Type": "DynamoDB", "Properties": {"Stream": "x"}}}},
            },
            "Mapping": {
                "Type": "AWS::Lambda::EventSourceMapping",
                "Properties": {"EventSourceArn": {"Fn::GetAtt": ["Table", "StreamArn"]}},
            },
            "QueueMapping": {
                "Type": "AWS::Lambda::EventSourceMapping",
                "Properties": {"EventSourceArn": {"Fn::GetAtt": ["Jobs", "Arn"]}},
            },
            "Jobs": {"Type": "AWS::SQS::Queue", "Properties": {}},
        }
    }
    assert consumers_without_retry_or_dlq(bad) == [
        "Router.Stream: stream without bounded retries + on-failure destination",
        "Mapping: stream without bounded retries + on-failure destination",
        "QueueMapping: queue Jobs has no DLQ (RedrivePolicy)",
    ]


def test_no_function_declares_a_stream_or_queue_event_sam_would_grant_account_wide() -> None:
    # SAM attaches AWSLambdaDynamoDBExecutionRole / AWSLambdaSQSQueueExecutionRole (Resource "*") to a
    # function with such an event: mappings are AWS::Lambda::EventSourceMapping resources instead.
    for name, properties in functions():
        kinds = {event["Type"] for event in properties.get("Events", {}).values()}
        assert not kinds & {"DynamoDB", "SQS", "Kinesis", "MSK", "MQ"}, name


def test_the_table_is_durable_and_streams_new_images() -> None:
    table = RESOURCES["InquiryTable"]
    properties = table["Properties"]
    assert table["DeletionPolicy"] == "Retain"
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert properties["StreamSpecification"]["StreamViewType"] in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES")
    indexes = {
        i["IndexName"]: [k["AttributeName"] for k in i["KeySchema"]]
        for i in properties["GlobalSecondaryIndexes"]
    }
    assert indexes == {
        "GSI1": ["GSI1PK", "GSI1SK"],  # by status
        "GSI2": ["GSI2PK", "GSI2SK"],  # by owner
        "GSI3": ["GSI3PK", "GSI3SK"],  # the SLA schedule and the teams' backlogs
    }


@pytest.mark.parametrize(
    "parameter",
    [
        "CompanyName",
        "CompanyDomains",
        "AllowedOrigins",
        "ThankYouUrl",
        "ErrorUrl",
        "LogRetentionDays",
        "CompanyWebsite",
        "MailFromSubdomain",
        "ReplyBccAddress",
        "MailerMaxConcurrency",
        "AlarmEmail",
        "InboundDomain",
        "InboundRecipients",
        "RawMailRetentionDays",
        "AttachmentLinkHours",
        "ActivateReceiptRuleSet",
        "ClosedInquiryRetentionDays",
        "SpamRetentionDays",
    ],
)
def test_the_admin_can_set(parameter: str) -> None:
    assert TEMPLATE["Parameters"][parameter]["Description"]


@pytest.mark.parametrize(
    ("parameter", "variable", "default", "lowest", "highest"),
    [
        (
            "ClosedInquiryRetentionDays",
            "CLOSED_INQUIRY_RETENTION_DAYS",
            730,
            0,
            CLOSED_INQUIRY_RETENTION_MAX_DAYS,
        ),
        ("SpamRetentionDays", "SPAM_RETENTION_DAYS", 30, 1, SPAM_RETENTION_MAX_DAYS),
    ],
)
def test_inquiry_retention_reaches_every_function_within_what_the_settings_accept(
    parameter: str, variable: str, default: int, lowest: int, highest: int
) -> None:
    declared = TEMPLATE["Parameters"][parameter]
    assert (declared["Type"], declared["Default"]) == ("Number", default)
    # The deploy refuses what the functions' settings would refuse at init (models/settings.py).
    assert (declared["MinValue"], declared["MaxValue"]) == (lowest, highest)
    Retention.model_validate({"closed_inquiry_days": lowest, "spam_days": max(lowest, 1)})
    # Every function ends inquiries or may (status changes, spam, mail noise): set for all of them.
    assert TEMPLATE["Globals"]["Function"]["Environment"]["Variables"][variable] == {"Ref": parameter}
    for name, properties in functions():
        assert variable not in properties.get("Environment", {}).get("Variables", {}), name


def test_every_function_logs_to_a_group_with_retention() -> None:
    for name, properties in functions():
        group = properties["LoggingConfig"]["LogGroup"]["Ref"]
        assert RESOURCES[group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}, name


def test_the_api_answers_preflight_posts_and_other_methods_on_the_same_function() -> None:
    events = dict(functions())["IntakeFunction"]["Events"]
    routes = {(e["Properties"]["Method"], e["Properties"]["Path"]) for e in events.values()}
    # ANY: other methods reach the intake, which answers 405 with Allow instead of HTTP API's 404
    assert routes == {("POST", "/inquiries"), ("OPTIONS", "/inquiries"), ("ANY", "/inquiries")}


def test_samconfig_names_a_stack_and_leaves_the_region_to_the_user() -> None:
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    assert config["default"]["global"]["parameters"]["stack_name"]
    deploy = config["default"]["deploy"]["parameters"]
    assert deploy["resolve_s3"] is True
    assert deploy["confirm_changeset"] is True
    assert all("region" not in section.get("parameters", {}) for section in config["default"].values())


# -- assignment and mail -------------------------------------------------------------------------


def test_the_sending_identity_signs_with_2048_bit_dkim_and_a_custom_mail_from() -> None:
    identity = RESOURCES["SendingIdentity"]
    properties = identity["Properties"]
    assert identity["Type"] == "AWS::SES::EmailIdentity"
    assert properties["DkimSigningAttributes"] == {"NextSigningKeyLength": "RSA_2048_BIT"}
    assert properties["DkimAttributes"] == {"SigningEnabled": True}
    assert "${MailFromSubdomain}" in properties["MailFromAttributes"]["MailFromDomain"]["Fn::Sub"][0]
    assert properties["ConfigurationSetAttributes"] == {
        "ConfigurationSetName": {"Ref": "MailConfigurationSet"}
    }
    assert RESOURCES["MailConfigurationSet"]["Properties"]["SuppressionOptions"] == {
        "SuppressedReasons": ["BOUNCE", "COMPLAINT"]
    }


def test_the_outputs_list_every_dns_record_to_publish() -> None:
    outputs = TEMPLATE["Outputs"]
    dkim = outputs["DnsDkimRecords"]["Value"]["Fn::Sub"]
    assert dkim[0].count("CNAME") == 3
    assert {v["Fn::GetAtt"][1] for v in dkim[1].values()} == {
        f"DkimDNSToken{kind}{n}" for kind in ("Name", "Value") for n in (1, 2, 3)
    }
    assert " MX 10 feedback-smtp." in outputs["DnsMailFromMxRecord"]["Value"]["Fn::Sub"][0]
    assert "v=spf1 include:amazonses.com" in outputs["DnsMailFromSpfRecord"]["Value"]["Fn::Sub"][0]
    assert outputs["DnsDmarcRecord"]["Value"]["Fn::Sub"][0].startswith('_dmarc.${Domain} TXT "v=DMARC1;')


def test_the_router_reads_stored_inquiries_with_partial_failures_and_a_filter() -> None:
    mapping = RESOURCES["RouterFunctionStoredInquiries"]
    stream = mapping["Properties"]
    assert mapping["Type"] == "AWS::Lambda::EventSourceMapping"
    assert stream["FunctionName"] == {"Ref": "RouterFunction"}
    assert stream["EventSourceArn"] == {"Fn::GetAtt": ["InquiryTable", "StreamArn"]}
    assert (stream["StartingPosition"], stream["BatchSize"]) == ("TRIM_HORIZON", 10)
    assert stream["MaximumBatchingWindowInSeconds"] == 0
    assert stream["MaximumRetryAttempts"] == 5
    assert stream["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert stream["BisectBatchOnFunctionError"] is True
    assert stream["DestinationConfig"] == {
        "OnFailure": {"Destination": {"Fn::GetAtt": ["RouterDeadLetterQueue", "Arn"]}}
    }
    patterns = [json.loads(f["Pattern"]) for f in stream["FilterCriteria"]["Filters"]]
    assert [p["eventName"] for p in patterns] == [["INSERT"], ["MODIFY"]]
    view = RESOURCES["InquiryTable"]["Properties"]["StreamSpecification"]["StreamViewType"]
    assert view == "NEW_AND_OLD_IMAGES"  # a change of owner is seen by comparing the two


def test_the_mailer_respects_the_sending_rate_and_reports_partial_failures() -> None:
    mailer = dict(functions())["MailerFunction"]
    mapping = RESOURCES["MailerFunctionMailJobs"]
    queue = mapping["Properties"]
    assert mapping["Type"] == "AWS::Lambda::EventSourceMapping"
    assert queue["FunctionName"] == {"Ref": "MailerFunction"}
    assert queue["EventSourceArn"] == {"Fn::GetAtt": ["MailQueue", "Arn"]}
    assert queue["BatchSize"] == 10
    assert queue["ScalingConfig"] == {"MaximumConcurrency": {"Ref": "MailerMaxConcurrency"}}
    assert queue["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    mail_queue = RESOURCES["MailQueue"]["Properties"]
    assert mail_queue["VisibilityTimeout"] >= 6 * mailer["Timeout"]
    assert mail_queue["RedrivePolicy"]["deadLetterTargetArn"] == {
        "Fn::GetAtt": ["MailDeadLetterQueue", "Arn"]
    }
    assert mailer["Environment"]["Variables"]["SES_CONFIGURATION_SET"] == {"Ref": "MailConfigurationSet"}


def test_the_mailer_may_send_only_from_the_stacks_identity_and_configuration_set() -> None:
    mailer = dict(functions())["MailerFunction"]
    (send,) = [s for s in policy_statements(mailer) if any(a.startswith("ses:") for a in s["Action"])]
    resources = [r["Fn::Sub"] for r in send["Resource"]]
    assert resources == [
        "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${SendingIdentity}",
        "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:configuration-set/${MailConfigurationSet}",
    ]


def test_every_dead_letter_queue_raises_an_alarm() -> None:
    alarms = [r["Properties"] for r in RESOURCES.values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    alarmed = {a["Dimensions"][0]["Value"]["Fn::GetAtt"][0] for a in alarms if a["Namespace"] == "AWS/SQS"}
    assert alarmed == dead_letter_queues(RESOURCES)
    assert {"MailDeadLetterQueue", "RouterDeadLetterQueue", "InboundDeadLetterQueue"} <= alarmed
    # The scheduled functions, whose failures park nowhere (the next run retries), raise their errors.
    failing = {a["Dimensions"][0]["Value"]["Ref"] for a in alarms if a["Namespace"] == "AWS/Lambda"}
    assert failing == {"LoadReconciliationFunction", "TimerFunction"}
    for name, resource in RESOURCES.items():
        if resource["Type"] == "AWS::CloudWatch::Alarm":
            assert resource["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}], name


def dead_letter_queues(resources: dict[str, Any]) -> set[str]:
    """Every queue something parks its failures in: a queue's redrive target, a mapping's or a
    function's on-failure destination, an EventBridge target's dead-letter queue."""
    found: set[str] = set()

    def walk(value: Any, parent: str = "") -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                parks_failures = parent in ("RedrivePolicy", "OnFailure", "DeadLetterConfig")
                named = key in ("deadLetterTargetArn", "Destination", "Arn")
                if parks_failures and named and isinstance(inner, dict) and "Fn::GetAtt" in inner:
                    found.add(inner["Fn::GetAtt"][0])
                walk(inner, key)
        elif isinstance(value, list):
            for inner in value:
                walk(inner, parent)

    walk({name: r.get("Properties", {}) for name, r in resources.items()})
    return {name for name in found if resources[name]["Type"] == "AWS::SQS::Queue"}


def alarm_topic_problems(template: dict[str, Any]) -> list[str]:
    """Why CloudWatch alarms could not publish to the alarm topic (empty: they can).

    An encrypted topic needs a key the stack owns whose policy lets cloudwatch.amazonaws.com
    use it; the AWS-managed alias/aws/sns key's policy lets no service principal in.
    """
    resources = template["Resources"]
    key_id = resources["AlarmTopic"]["Properties"].get("KmsMasterKeyId")
    if key_id is None:
        return []  # unencrypted: nothing stands in the alarms' way
    if not (isinstance(key_id, dict) and "Fn::GetAtt" in key_id):
        return [f"the topic's key {key_id!r} is not a key of this stack"]
    key = resources[key_id["Fn::GetAtt"][0]]
    if key["Type"] != "AWS::KMS::Key":
        return [f"{key_id['Fn::GetAtt'][0]} is not an AWS::KMS::Key"]
    for statement in key["Properties"]["KeyPolicy"]["Statement"]:
        if statement.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}:
            actions = set(statement["Action"])
            if statement["Effect"] == "Allow" and {"kms:Decrypt", "kms:GenerateDataKey*"} <= actions:
                return []
    return ["the key's policy does not let cloudwatch.amazonaws.com use it"]


def test_cloudwatch_alarms_can_publish_to_the_encrypted_alarm_topic() -> None:
    assert alarm_topic_problems(TEMPLATE) == []
    key = RESOURCES["AlarmTopicKey"]["Properties"]
    assert key["EnableKeyRotation"] is True
    statements = {s["Sid"]: s for s in key["KeyPolicy"]["Statement"]}
    cloudwatch = statements["LetThisAccountsAlarmsPublish"]
    assert cloudwatch["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    admin = statements["AdministerFromThisAccount"]
    assert admin["Principal"] == {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}
    assert RESOURCES["AlarmTopicKeyAlias"]["Properties"]["TargetKeyId"] == {"Ref": "AlarmTopicKey"}


@pytest.mark.parametrize("key_id", ["alias/aws/sns", "arn:aws:kms:eu-west-1:123456789012:alias/aws/sns"])
def test_the_alarm_topic_check_refuses_the_aws_managed_key(key_id: str) -> None:
    bad = json.loads(json.dumps(TEMPLATE))
    bad["Resources"]["AlarmTopic"]["Properties"]["KmsMasterKeyId"] = key_id
    assert alarm_topic_problems(bad) == [f"the topic's key {key_id!r} is not a key of this stack"]


def test_the_alarm_topic_check_refuses_a_key_cloudwatch_may_not_use() -> None:
    bad = json.loads(json.dumps(TEMPLATE))
    bad["Resources"]["AlarmTopicKey"]["Properties"]["KeyPolicy"]["Statement"] = [
        s
        for s in bad["Resources"]["AlarmTopicKey"]["Properties"]["KeyPolicy"]["Statement"]
        if s["Sid"] != "LetThisAccountsAlarmsPublish"
    ]
    assert alarm_topic_problems(bad) == ["the key's policy does not let cloudwatch.amazonaws.com use it"]


# -- the per-stack guard salt ------------------------------------------------------------------

GUARD_SALT = {"Fn::Sub": "{{resolve:secretsmanager:${GuardSaltSecret}:SecretString}}"}


def test_a_generated_per_stack_salt_reaches_every_function_that_hashes_guards() -> None:
    secret = RESOURCES["GuardSaltSecret"]
    generate = secret["Properties"]["GenerateSecretString"]
    assert secret["Type"] == "AWS::SecretsManager::Secret"
    assert generate["PasswordLength"] >= 32
    assert generate["ExcludePunctuation"] is True
    assert "SecretString" not in secret["Properties"]  # generated, never written in the template
    with_salt = {
        name
        for name, properties in functions()
        if properties.get("Environment", {}).get("Variables", {}).get("GUARD_SALT") == GUARD_SALT
    }
    assert with_salt == {"IntakeFunction", "InboundFunction", "MailerFunction"}
    assert "GUARD_SALT" not in TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
    # The CLI finds a person's guards (contacts export|erase) with it: its ARN is an output.
    assert TEMPLATE["Outputs"]["GuardSaltSecretArn"]["Value"] == {"Ref": "GuardSaltSecret"}


def test_how_long_backups_keep_erased_data_is_a_parameter_within_dynamodbs_limits() -> None:
    parameter = TEMPLATE["Parameters"]["BackupRetentionDays"]
    assert (parameter["Default"], parameter["MinValue"], parameter["MaxValue"]) == (35, 1, 35)
    recovery = RESOURCES["InquiryTable"]["Properties"]["PointInTimeRecoverySpecification"]
    assert recovery == {
        "PointInTimeRecoveryEnabled": True,
        "RecoveryPeriodInDays": {"Ref": "BackupRetentionDays"},
    }


# -- inbound mail: SES receipt rule -> S3 -> inbound function ------------------------------------

RULE_ARN = (
    "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:"
    "receipt-rule-set/${AWS::StackName}-inbound:receipt-rule/${AWS::StackName}-inbound-mail"
)


def receipt_rule() -> dict[str, Any]:
    rule: dict[str, Any] = RESOURCES["ReceiptRule"]["Properties"]["Rule"]
    return rule


def bucket_policy_statements() -> dict[str, dict[str, Any]]:
    document = RESOURCES["RawMailBucketPolicy"]["Properties"]["PolicyDocument"]
    return {statement["Sid"]: statement for statement in document["Statement"]}


def test_the_rule_arn_everyone_names_is_the_rule_the_template_creates() -> None:
    # The bucket policy and the Lambda permission name the rule before it exists (no cycle):
    # their ARN must be built from the very names the rule set and the rule are given.
    rule_set = RESOURCES["ReceiptRuleSet"]["Properties"]["RuleSetName"]["Fn::Sub"]
    rule = receipt_rule()["Name"]["Fn::Sub"]
    assert RULE_ARN.endswith(f"receipt-rule-set/{rule_set}:receipt-rule/{rule}")
    assert RESOURCES["ReceiptRule"]["Properties"]["RuleSetName"] == {"Ref": "ReceiptRuleSet"}
    store = bucket_policy_statements()["AllowThisStacksReceiptRuleToStoreMail"]
    assert store["Condition"]["StringEquals"]["aws:SourceArn"] == {"Fn::Sub": RULE_ARN}
    assert RESOURCES["InboundPermission"]["Properties"]["SourceArn"] == {"Fn::Sub": RULE_ARN}


def test_the_raw_mail_bucket_is_private_encrypted_and_expires_mail() -> None:
    bucket = RESOURCES["RawMailBucket"]
    properties = bucket["Properties"]
    assert "DeletionPolicy" not in bucket  # a cache of received mail, not the company's records
    (encryption,) = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    assert encryption["BucketKeyEnabled"] is True
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert properties["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    (expiry,) = properties["LifecycleConfiguration"]["Rules"]
    assert expiry["Status"] == "Enabled"
    assert set(expiry) & {"Prefix", "Filter"} == set()  # raw messages and attachments alike
    assert expiry["ExpirationInDays"] == {"Ref": "RawMailRetentionDays"}
    assert expiry["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
    retention = TEMPLATE["Parameters"]["RawMailRetentionDays"]
    assert (retention["Type"], retention["Default"], retention["MinValue"]) == ("Number", 180, 1)


def test_only_this_accounts_receipt_rule_may_write_raw_mail_and_only_over_tls() -> None:
    statements = bucket_policy_statements()
    store = statements["AllowThisStacksReceiptRuleToStoreMail"]
    assert store["Effect"] == "Allow"
    assert store["Principal"] == {"Service": "ses.amazonaws.com"}
    assert store["Action"] == "s3:PutObject"
    assert store["Resource"] == {"Fn::Sub": "${RawMailBucket.Arn}/raw/*"}
    assert store["Condition"]["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}
    insecure = statements["DenyInsecureTransport"]
    assert (insecure["Effect"], insecure["Action"]) == ("Deny", "s3:*")
    assert insecure["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_the_receipt_rule_scans_requires_tls_and_stores_before_it_invokes() -> None:
    rule = receipt_rule()
    assert rule["Enabled"] is True
    assert rule["ScanEnabled"] is True
    assert rule["TlsPolicy"] == "Require"
    store, invoke = rule["Actions"]  # in this order: the Lambda event carries no body
    assert store["S3Action"] == {"BucketName": {"Ref": "RawMailBucket"}, "ObjectKeyPrefix": "raw/"}
    assert invoke["LambdaAction"] == {
        "FunctionArn": {"Fn::GetAtt": ["InboundFunction", "Arn"]},
        "InvocationType": "Event",
    }
    # SES tests both grants when it creates the rule
    assert set(RESOURCES["ReceiptRule"]["DependsOn"]) == {"RawMailBucketPolicy", "InboundPermission"}


def test_the_rule_accepts_the_whole_inbound_domain_unless_recipients_are_listed() -> None:
    recipients = receipt_rule()["Recipients"]["Fn::If"]
    assert recipients == [
        "HasInboundRecipients",
        {"Fn::Split": [",", {"Ref": "InboundRecipients"}]},
        [{"Ref": "InboundDomain"}],
    ]
    assert TEMPLATE["Conditions"]["HasInboundRecipients"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "InboundRecipients"}, ""]}]
    }
    assert TEMPLATE["Parameters"]["InboundRecipients"]["Default"] == ""
    assert "Default" not in TEMPLATE["Parameters"]["InboundDomain"]


def test_only_ses_for_this_account_and_rule_may_invoke_the_inbound_function() -> None:
    permission = RESOURCES["InboundPermission"]["Properties"]
    assert permission["Action"] == "lambda:InvokeFunction"
    assert permission["Principal"] == "ses.amazonaws.com"
    assert permission["SourceAccount"] == {"Ref": "AWS::AccountId"}
    assert permission["FunctionName"] == {"Fn::GetAtt": ["InboundFunction", "Arn"]}


def test_the_inbound_function_retries_twice_then_parks_the_event_on_its_dead_letter_queue() -> None:
    inbound = dict(functions())["InboundFunction"]
    config = inbound["EventInvokeConfig"]
    assert config["MaximumRetryAttempts"] == 2
    assert config["MaximumEventAgeInSeconds"] == 21600
    assert config["DestinationConfig"]["OnFailure"] == {
        "Type": "SQS",
        "Destination": {"Fn::GetAtt": ["InboundDeadLetterQueue", "Arn"]},
    }
    queue = RESOURCES["InboundDeadLetterQueue"]["Properties"]
    assert queue["MessageRetentionPeriod"] == 1209600
    assert queue["SqsManagedSseEnabled"] is True
    # SAM grants the role sqs:SendMessage on the destination (test_transformed_template.py)


def test_the_inbound_function_reads_raw_mail_where_ses_stores_it_and_writes_attachments_beside() -> None:
    inbound = dict(functions())["InboundFunction"]
    variables = inbound["Environment"]["Variables"]
    assert variables["RAW_MAIL_PREFIX"] == receipt_rule()["Actions"][0]["S3Action"]["ObjectKeyPrefix"]
    assert variables["RAW_MAIL_BUCKET"] == {"Ref": "RawMailBucket"}
    s3 = {
        s["Action"]: s["Resource"] for s in policy_statements(inbound) if str(s["Action"]).startswith("s3:")
    }
    assert s3 == {
        "s3:GetObject": {"Fn::Sub": "${RawMailBucket.Arn}/" + variables["RAW_MAIL_PREFIX"] + "*"},
        "s3:PutObject": {"Fn::Sub": "${RawMailBucket.Arn}/" + variables["ATTACHMENT_PREFIX"] + "*"},
        # Only so that a missing raw object reads as NoSuchKey rather than AccessDenied.
        "s3:ListBucket": {"Fn::GetAtt": ["RawMailBucket", "Arn"]},
    }
    (listing,) = [s for s in policy_statements(inbound) if s["Action"] == "s3:ListBucket"]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": variables["RAW_MAIL_PREFIX"] + "*"}}
    assert (inbound["Timeout"], inbound["MemorySize"]) == (120, 1024)


def test_reps_links_go_through_the_files_function_which_alone_may_read_received_mail() -> None:
    mailer = dict(functions())["MailerFunction"]
    assert not [s for s in policy_statements(mailer) if str(s["Action"]).startswith("s3:")]
    variables = mailer["Environment"]["Variables"]
    assert variables["ATTACHMENT_LINK_HOURS"] == {"Ref": "AttachmentLinkHours"}
    assert variables["FILES_URL"] == {
        "Fn::Sub": "https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/files"
    }
    files = dict(functions())["FilesFunction"]
    assert files["Events"]["Download"]["Properties"]["Path"] == "/files/{token}"
    (read,) = [s for s in policy_statements(files) if s["Action"] == "s3:GetObject"]
    assert read["Resource"] == [
        {"Fn::Sub": "${RawMailBucket.Arn}/raw/*"},
        {"Fn::Sub": "${RawMailBucket.Arn}/attachments/*"},
    ]
    (tokens,) = [s for s in policy_statements(files) if str(s["Action"]).startswith("dynamodb:")]
    assert tokens["Action"] == "dynamodb:GetItem"
    hours = TEMPLATE["Parameters"]["AttachmentLinkHours"]
    assert (hours["Default"], hours["MinValue"], hours["MaxValue"]) == (72, 1, 168)  # SigV4 allows 7 days


def test_activating_the_rule_set_is_opt_in_and_all_its_parts_share_the_condition() -> None:
    parameter = TEMPLATE["Parameters"]["ActivateReceiptRuleSet"]
    assert parameter["Default"] == "false"
    assert parameter["AllowedValues"] == ["true", "false"]
    assert TEMPLATE["Conditions"]["ActivateRuleSet"] == {
        "Fn::Equals": [{"Ref": "ActivateReceiptRuleSet"}, "true"]
    }
    conditional = {name for name, r in RESOURCES.items() if r.get("Condition") == "ActivateRuleSet"}
    assert conditional == {
        "ReceiptRuleSetActivationFunction",
        "ReceiptRuleSetActivationLogGroup",
        "ReceiptRuleSetActivation",
    }
    activation = RESOURCES["ReceiptRuleSetActivation"]
    assert activation["Type"].startswith("Custom::")
    assert activation["DependsOn"] == "ReceiptRule"  # deactivated before the rule set is deleted
    assert activation["Properties"] == {
        "ServiceToken": {"Fn::GetAtt": ["ReceiptRuleSetActivationFunction", "Arn"]},
        "RuleSetName": {"Ref": "ReceiptRuleSet"},
    }


def test_the_outputs_give_the_mx_record_and_the_activation_command() -> None:
    outputs = TEMPLATE["Outputs"]
    assert outputs["DnsInboundMxRecord"]["Value"] == {
        "Fn::Sub": "${InboundDomain} MX 10 inbound-smtp.${AWS::Region}.amazonaws.com"
    }
    command = "aws ses set-active-receipt-rule-set --rule-set-name ${ReceiptRuleSet} --region ${AWS::Region}"
    assert outputs["ActivateReceiptRuleSetCommand"]["Value"] == {"Fn::Sub": command}
    assert outputs["RawMailBucketName"]["Value"] == {"Ref": "RawMailBucket"}
    assert outputs["InboundDeadLetterQueueUrl"]["Value"] == {"Ref": "InboundDeadLetterQueue"}
    assert outputs["ReceiptRuleSetName"]["Value"] == {"Ref": "ReceiptRuleSet"}


def test_the_mailer_and_the_inbound_function_agree_on_the_thread_address() -> None:
    # The mailer names reply@<InboundDomain> in acknowledgements' Reply-To; the inbound function
    # files what arrives there on the buyer's timeline. Both derive it from the same parameter.
    environments = {name: props["Environment"]["Variables"] for name, props in functions()}
    for name in ("MailerFunction", "InboundFunction"):
        assert environments[name]["INBOUND_DOMAIN"] == {"Ref": "InboundDomain"}, name
        assert "THREAD_REPLY_ADDRESS" not in environments[name], name


def test_the_functions_spare_pydantic_its_search_for_plugins() -> None:
    """The first model pydantic builds otherwise reads the entry points of every distribution in
    the layer (about 10 ms of a cold start); with the template's setting it reads none."""
    value = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]["PYDANTIC_DISABLE_PLUGINS"]
    probe = (
        "import pydantic, pydantic.plugin._loader as loader\n"
        "calls = []\n"
        "loader.entry_points = lambda **kw: calls.append(kw) or ()\n"
        "class Model(pydantic.BaseModel):\n"
        "    a: int\n"
        "print(len(calls))\n"
    )
    for environ, searches in (({}, "1"), ({"PYDANTIC_DISABLE_PLUGINS": value}, "0")):
        result = subprocess.run(
            [sys.executable, "-c", probe],
            env={"PATH": "/usr/bin:/bin", **environ},
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout.strip() == searches, (environ, result.stdout, result.stderr)
