"""Create the template's tables, queues and buckets in the embedded endpoint, and name everything else.

Each supported resource type has one creator; adding a type is adding a creator to `CREATORS`.
Resources are created in dependency order (a queue's redrive policy needs its DLQ's ARN first).
Resources of other types (IAM, logs, layers, the HTTP API...) are not created: `!Ref` and `!GetAtt`
on them give stable placeholder names so environment variables still resolve. Among them, on purpose:
bucket policies (moto does not enforce them), Lambda permissions (the functions run in this process,
not in moto's Lambda), the receipt rule (moto would look for its function in moto's Lambda; local
mail is handed to the inbound function directly), custom resources, and the alarm topic with its
KMS key and alias (nothing local raises an alarm). Event source mappings are not created either:
the stack's pollers run them (event_sources.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from inquiry_router_admin.local.aws_clients import ACCOUNT_ID, AwsClients
from inquiry_router_admin.local.template import TemplateError, TemplateResolver

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")
EVENT_SOURCE_MAPPING = "AWS::Lambda::EventSourceMapping"  # run by the stack's pollers (event_sources.py)


@dataclass(frozen=True)
class LocalResource:
    logical_id: str
    resource_type: str
    ref: str  # what `!Ref` returns: a table or bucket name, a queue URL
    attributes: Mapping[str, str]  # what `!GetAtt` returns


@dataclass(frozen=True)
class CreationContext:
    stack_name: str
    region: str
    clients: AwsClients

    def physical_name(self, logical_id: str, *, lower: bool = False, max_length: int = 255) -> str:
        name = f"{self.stack_name}-{logical_id}"[:max_length]
        return name.lower() if lower else name


Creator = Callable[[CreationContext, str, dict[str, Any]], LocalResource]


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


# -- creators --------------------------------------------------------------------------------


def create_table(context: CreationContext, logical_id: str, properties: dict[str, Any]) -> LocalResource:
    client = context.clients.dynamodb
    name = str(properties.get("TableName") or context.physical_name(logical_id))
    billing = str(properties.get("BillingMode") or "PROVISIONED")
    default_throughput = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    request: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": properties["AttributeDefinitions"],
        "KeySchema": properties["KeySchema"],
        "BillingMode": billing,
    }
    if billing == "PROVISIONED":
        request["ProvisionedThroughput"] = properties.get("ProvisionedThroughput") or default_throughput
    indexes = []
    for index in properties.get("GlobalSecondaryIndexes") or []:
        declared = {k: index[k] for k in ("IndexName", "KeySchema", "Projection") if k in index}
        if billing == "PROVISIONED":
            declared["ProvisionedThroughput"] = index.get("ProvisionedThroughput") or default_throughput
        indexes.append(declared)
    if indexes:
        request["GlobalSecondaryIndexes"] = indexes
    if properties.get("LocalSecondaryIndexes"):
        request["LocalSecondaryIndexes"] = properties["LocalSecondaryIndexes"]
    stream = properties.get("StreamSpecification")
    if stream:
        request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
    description = client.create_table(**request)["TableDescription"]
    time_to_live = properties.get("TimeToLiveSpecification")
    if time_to_live and _flag(time_to_live.get("Enabled")):
        client.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"AttributeName": time_to_live["AttributeName"], "Enabled": True},
        )
    attributes = {"Arn": description["TableArn"]}
    if "LatestStreamArn" in description:
        attributes["StreamArn"] = description["LatestStreamArn"]
    return LocalResource(logical_id, "AWS::DynamoDB::Table", name, attributes)


_QUEUE_ATTRIBUTES = (
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "DelaySeconds",
    "FifoQueue",
    "FifoThroughputLimit",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "RedriveAllowPolicy",
    "RedrivePolicy",
    "VisibilityTimeout",
)


def create_queue(context: CreationContext, logical_id: str, properties: dict[str, Any]) -> LocalResource:
    client = context.clients.sqs
    fifo = _flag(properties.get("FifoQueue"))
    name = str(properties.get("QueueName") or context.physical_name(logical_id, max_length=75))
    if fifo and not name.endswith(".fifo"):
        name += ".fifo"
    attributes = {key: _queue_attribute(properties[key]) for key in _QUEUE_ATTRIBUTES if key in properties}
    url = client.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]  # type: ignore[arg-type]
    arn = client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return LocalResource(logical_id, "AWS::SQS::Queue", url, {"Arn": arn, "QueueName": name, "QueueUrl": url})


def _queue_attribute(value: Any) -> str:
    if isinstance(value, dict):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def create_bucket(context: CreationContext, logical_id: str, properties: dict[str, Any]) -> LocalResource:
    name = str(properties.get("BucketName") or context.physical_name(logical_id, lower=True, max_length=63))
    if context.region == "us-east-1":
        context.clients.s3.create_bucket(Bucket=name)
    else:
        context.clients.s3.create_bucket(
            Bucket=name,
            CreateBucketConfiguration={"LocationConstraint": context.region},  # type: ignore[typeddict-item]
        )
    attributes = {
        "Arn": f"arn:aws:s3:::{name}",
        "DomainName": f"{name}.s3.amazonaws.com",
        "RegionalDomainName": f"{name}.s3.{context.region}.amazonaws.com",
    }
    return LocalResource(logical_id, "AWS::S3::Bucket", name, attributes)


def create_configuration_set(
    context: CreationContext, logical_id: str, properties: dict[str, Any]
) -> LocalResource:
    name = str(properties.get("Name") or context.physical_name(logical_id, max_length=64))
    context.clients.sesv2.create_configuration_set(ConfigurationSetName=name)
    return LocalResource(logical_id, "AWS::SES::ConfigurationSet", name, {})


def create_email_identity(
    context: CreationContext, logical_id: str, properties: dict[str, Any]
) -> LocalResource:
    """A sending identity that is verified at once (moto's), so local mail is sent as in production;
    the DKIM tokens are placeholders: nothing local is published in DNS."""
    identity = str(properties["EmailIdentity"])
    context.clients.sesv2.create_email_identity(EmailIdentity=identity)
    tokens = {f"DkimDNSTokenName{n}": f"local{n}._domainkey.{identity}" for n in (1, 2, 3)}
    values = {f"DkimDNSTokenValue{n}": f"local{n}.dkim.amazonses.com" for n in (1, 2, 3)}
    return LocalResource(logical_id, "AWS::SES::EmailIdentity", identity, tokens | values)


def create_receipt_rule_set(
    context: CreationContext, logical_id: str, properties: dict[str, Any]
) -> LocalResource:
    """The rule set only, so its name (the stack outputs' ReceiptRuleSetName) is the deployed one."""
    name = str(properties.get("RuleSetName") or context.physical_name(logical_id, max_length=64))
    context.clients.ses.create_receipt_rule_set(RuleSetName=name)
    return LocalResource(logical_id, "AWS::SES::ReceiptRuleSet", name, {})


def create_event_rule(context: CreationContext, logical_id: str, properties: dict[str, Any]) -> LocalResource:
    """A rule on the default bus with its queue targets, so an event put there (an SES sending event
    from `inquiry-router local ses-event`) reaches its queue as in AWS; other targets are left out."""
    name = str(properties.get("Name") or context.physical_name(logical_id, max_length=64))
    pattern = properties.get("EventPattern") or {}
    context.clients.events.put_rule(
        Name=name,
        EventPattern=pattern if isinstance(pattern, str) else json.dumps(pattern),
        State=str(properties.get("State") or "ENABLED"),
    )
    targets = [
        {"Id": str(t["Id"]), "Arn": str(t["Arn"])}
        for t in properties.get("Targets") or []
        if ":sqs:" in str(t.get("Arn", ""))
    ]
    if targets:
        context.clients.events.put_targets(Rule=name, Targets=targets)
    arn = f"arn:aws:events:{context.region}:{ACCOUNT_ID}:rule/{name}"
    return LocalResource(logical_id, "AWS::Events::Rule", name, {"Arn": arn})


def create_secret(context: CreationContext, logical_id: str, properties: dict[str, Any]) -> LocalResource:
    """A secret whose value Secrets Manager generates (GenerateSecretString), as CloudFormation asks for it;
    `{{resolve:secretsmanager:...}}` references then read it back (dynamic_references.py)."""
    client = context.clients.secretsmanager
    name = str(properties.get("Name") or context.physical_name(logical_id, max_length=512))
    generate = properties.get("GenerateSecretString")
    if "SecretString" in properties:
        value = str(properties["SecretString"])
    elif isinstance(generate, dict):
        value = _generated_secret(client, generate)
    else:
        raise KeyError("SecretString or GenerateSecretString")
    arn = client.create_secret(Name=name, SecretString=value)["ARN"]
    return LocalResource(logical_id, "AWS::SecretsManager::Secret", arn, {"Id": arn})


_PASSWORD_OPTIONS = (
    "PasswordLength",
    "ExcludeCharacters",
    "ExcludeNumbers",
    "ExcludePunctuation",
    "ExcludeUppercase",
    "ExcludeLowercase",
    "IncludeSpace",
    "RequireEachIncludedType",
)


def _generated_secret(client: SecretsManagerClient, generate: Mapping[str, Any]) -> str:
    """The value Secrets Manager's own generator gives for these GenerateSecretString options."""
    options: dict[str, Any] = {}
    for key in _PASSWORD_OPTIONS:
        if key in generate:
            value = generate[key]
            options[key] = (
                int(value)
                if key == "PasswordLength"
                else str(value)
                if key == "ExcludeCharacters"
                else _flag(value)
            )
    password = client.get_random_password(**options)["RandomPassword"]
    template = generate.get("SecretStringTemplate")
    if template is None:
        return password
    return json.dumps(json.loads(str(template)) | {str(generate["GenerateStringKey"]): password})


CREATORS: dict[str, Creator] = {
    "AWS::DynamoDB::Table": create_table,
    "AWS::SQS::Queue": create_queue,
    "AWS::S3::Bucket": create_bucket,
    "AWS::SES::ConfigurationSet": create_configuration_set,
    "AWS::SES::EmailIdentity": create_email_identity,
    "AWS::SES::ReceiptRuleSet": create_receipt_rule_set,
    "AWS::SecretsManager::Secret": create_secret,
    "AWS::Events::Rule": create_event_rule,
}


# -- names for everything --------------------------------------------------------------------


@dataclass
class StackResources:
    """`!Ref` / `!GetAtt` for every resource of the template, created or not (the resolver's lookup)."""

    template: Mapping[str, Any]
    context: CreationContext
    created: dict[str, LocalResource] = field(default_factory=dict)

    def _declared_type(self, logical_id: str) -> str:
        return str(self.template["Resources"][logical_id].get("Type", ""))

    def ref(self, logical_id: str) -> Any:
        if logical_id in self.created:
            return self.created[logical_id].ref
        self._refuse_uncreated(logical_id)
        if self._declared_type(logical_id) in FUNCTION_TYPES:
            return self.function_name(logical_id)
        return self.context.physical_name(logical_id)

    def get_att(self, logical_id: str, attribute: str) -> Any:
        if logical_id in self.created:
            known = self.created[logical_id].attributes
            if attribute not in known:
                raise TemplateError(
                    f"!GetAtt {logical_id}.{attribute}: the local stack knows only {', '.join(sorted(known))}"
                )
            return known[attribute]
        self._refuse_uncreated(logical_id)
        resource_type = self._declared_type(logical_id)
        if resource_type in FUNCTION_TYPES and attribute == "Arn":
            return self.function_arn(logical_id)
        if attribute == "Arn":
            service = resource_type.split("::")[1].lower() if resource_type.count("::") == 2 else "local"
            name = self.context.physical_name(logical_id)
            return f"arn:aws:{service}:{self.context.region}:{ACCOUNT_ID}:{name}"
        return f"{self.context.physical_name(logical_id)}.{attribute}"

    def _refuse_uncreated(self, logical_id: str) -> None:
        if self._declared_type(logical_id) in CREATORS:
            raise TemplateError(
                f"{logical_id} is referred to before it exists: is its Condition false, or is there a cycle?"
            )

    def function_name(self, logical_id: str) -> str:
        declared = self.template["Resources"][logical_id].get("Properties", {}).get("FunctionName")
        return (
            declared if isinstance(declared, str) else self.context.physical_name(logical_id, max_length=64)
        )

    def function_arn(self, logical_id: str) -> str:
        return f"arn:aws:lambda:{self.context.region}:{ACCOUNT_ID}:function:{self.function_name(logical_id)}"

    def by_arn(self, arn: str) -> LocalResource | None:
        """The created resource with this ARN (or stream ARN), for event sources and destinations."""
        for resource in self.created.values():
            if arn in resource.attributes.values():
                return resource
        return None


def create_resources(
    template: Mapping[str, Any], resolver: TemplateResolver, resources: StackResources
) -> list[str]:
    """Create every supported resource; return the `LogicalId (Type)` of those not created locally."""
    declared: Mapping[str, Any] = template["Resources"]
    included = [rid for rid, resource in declared.items() if resolver.is_included(resource)]
    supported = [rid for rid in included if declared[rid].get("Type") in CREATORS]
    for logical_id in creation_order(declared, supported):
        resource = declared[logical_id]
        properties = resolver.resolve(resource.get("Properties") or {})
        creator = CREATORS[resource["Type"]]
        try:
            resources.created[logical_id] = creator(resources.context, logical_id, properties)
        except (BotoCoreError, ClientError, KeyError) as error:
            raise TemplateError(
                f"cannot create {logical_id} ({resource['Type']}) locally: {error}"
            ) from error
    return [
        f"{rid} ({declared[rid].get('Type')})"
        for rid in included
        if rid not in resources.created
        and declared[rid].get("Type") not in (*FUNCTION_TYPES, EVENT_SOURCE_MAPPING)
    ]


def creation_order(declared: Mapping[str, Any], logical_ids: Iterable[str]) -> list[str]:
    """The ids so that each comes after the ids it refers to (Ref, GetAtt, Sub, DependsOn)."""
    wanted = list(logical_ids)
    needs = {rid: _references(declared[rid]) & set(wanted) - {rid} for rid in wanted}
    ordered: list[str] = []
    visiting: list[str] = []

    def visit(rid: str) -> None:
        if rid in ordered:
            return
        if rid in visiting:
            cycle = " -> ".join([*visiting[visiting.index(rid) :], rid])
            raise TemplateError(f"resources refer to each other in a cycle: {cycle}")
        visiting.append(rid)
        for dependency in sorted(needs[rid]):
            visit(dependency)
        visiting.pop()
        ordered.append(rid)

    for rid in wanted:
        visit(rid)
    return ordered


def _references(resource: Mapping[str, Any]) -> set[str]:
    found: set[str] = set()
    depends = resource.get("DependsOn") or []
    found.update([depends] if isinstance(depends, str) else depends)

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if "Ref" in value and isinstance(value["Ref"], str):
                found.add(value["Ref"])
            getatt = value.get("Fn::GetAtt")
            if isinstance(getatt, list) and getatt:
                found.add(str(getatt[0]))
            elif isinstance(getatt, str):
                found.add(getatt.split(".", 1)[0])
            sub = value.get("Fn::Sub")
            text = sub[0] if isinstance(sub, list) and sub else sub
            if isinstance(text, str):
                found.update(m.split(".", 1)[0] for m in re.findall(r"\$\{([^!}][^}]*)\}", text))
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(resource.get("Properties") or {})
    return found
