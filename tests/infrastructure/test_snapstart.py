"""SnapStart, the opt-in stack parameter: off, the stack is exactly what it was; on, the HTTP API
invokes a snapshotted version of the intake function through the alias "live".

Read from the transformed template (SAM's translator, offline, after AWS::LanguageExtensions has
decided the `!If`s), because the alias, the version and the API's integration exist only there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.infrastructure.test_transformed_template import (
    PARAMETERS,
    roles,
    transform,
    unexpected_managed_policies,
    wildcard_grants,
)
from tests.support.template import load_template

ROOT = Path(__file__).resolve().parents[2]
ALIAS = "IntakeFunctionAliaslive"
# The buyer waits on the intake alone; the others run behind a queue, a stream or SES, or serve a
# rep's click (see the README's "SnapStart (optional)").
SNAPSTART_FUNCTIONS = {"IntakeFunction"}
# The template's properties that exist for SnapStart only, by resource.
SNAPSTART_PROPERTIES = {
    "IntakeFunction": (
        "AutoPublishAlias",
        "AutoPublishAliasAllProperties",
        "VersionDeletionPolicy",
        "SnapStart",
    ),
    "InquiryRouterLayer": ("PublishLambdaVersion",),
}
# Set whatever the parameter says: SAM reads it only with an alias, and takes no intrinsic for it.
UNCONDITIONAL = {("IntakeFunction", "AutoPublishAliasAllProperties")}
INTAKE_ROUTES = ("post", "options", "x-amazon-apigateway-any-method")
OFF = PARAMETERS | {"SnapStart": "false"}
ON = PARAMETERS | {"SnapStart": "true"}


def transformed(template: dict[str, Any], directory: Path, **parameters: str) -> dict[str, Any]:
    """`template` (long-form dicts, as loaded) written as JSON, which SAM reads as YAML, and transformed."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "template.json"
    path.write_text(json.dumps(template))
    return transform(path, OFF | parameters)


@pytest.fixture(scope="module")
def off() -> dict[str, Any]:
    return transform(ROOT / "template.yaml", OFF)


@pytest.fixture(scope="module")
def on() -> dict[str, Any]:
    return transform(ROOT / "template.yaml", ON)


def of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == resource_type}


def integration_uris(template: dict[str, Any]) -> dict[str, Any]:
    path = template["Resources"]["HttpApi"]["Properties"]["Body"]["paths"]["/inquiries"]
    return {method: path[method]["x-amazon-apigateway-integration"]["uri"] for method in INTAKE_ROUTES}


def api_permissions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: r["Properties"]
        for name, r in of_type(template, "AWS::Lambda::Permission").items()
        if r["Properties"]["Principal"] == "apigateway.amazonaws.com"
    }


def without_snapstart(template: dict[str, Any]) -> dict[str, Any]:
    """The template as it was before the parameter: its SnapStart-only properties removed."""
    copy = json.loads(json.dumps(template))
    for name, properties in SNAPSTART_PROPERTIES.items():
        for key in properties:
            del copy["Resources"][name]["Properties"][key]
    return copy


# -- the parameter -----------------------------------------------------------------------------


def test_snapstart_is_a_parameter_the_admin_switches_on_and_is_off_by_default() -> None:
    template = load_template()
    parameter = template["Parameters"]["SnapStart"]

    assert (parameter["AllowedValues"], parameter["Default"]) == (["true", "false"], "false")
    assert "README" in parameter["Description"]
    assert template["Conditions"]["UseSnapStart"] == {"Fn::Equals": [{"Ref": "SnapStart"}, "true"]}
    # The language extensions must run first: they decide the !Ifs SAM cannot read.
    assert template["Transform"] == ["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"]


def test_every_snapstart_property_is_conditional_on_the_parameter() -> None:
    resources = load_template()["Resources"]
    for name, properties in SNAPSTART_PROPERTIES.items():
        for key in (k for k in properties if (name, k) not in UNCONDITIONAL):
            value = resources[name]["Properties"][key]
            assert value["Fn::If"][0] == "UseSnapStart", f"{name}.{key}"
            assert value["Fn::If"][2] == {"Ref": "AWS::NoValue"}, f"{name}.{key}"


# -- off: nothing changes ----------------------------------------------------------------------


def test_off_the_transformed_stack_is_the_one_without_the_snapstart_properties(
    off: dict[str, Any], tmp_path: Path
) -> None:
    # Given the template, and the same template with its SnapStart-only properties removed
    template = load_template()

    # When both are transformed with SnapStart off
    with_parameter = transformed(template, tmp_path / "with")
    without = transformed(without_snapstart(template), tmp_path / "without")

    # Then they create the same resources, with the same properties, and give the same outputs
    assert with_parameter["Resources"] == without["Resources"]
    assert with_parameter["Outputs"] == without["Outputs"]
    assert with_parameter["Resources"] == off["Resources"]  # JSON and YAML read alike


def test_off_no_version_is_published_and_the_api_invokes_the_function(off: dict[str, Any]) -> None:
    assert of_type(off, "AWS::Lambda::Version") == {}
    assert of_type(off, "AWS::Lambda::Alias") == {}
    for name, function in of_type(off, "AWS::Lambda::Function").items():
        assert "SnapStart" not in function["Properties"], name
    for method, uri in integration_uris(off).items():
        assert "${IntakeFunction.Arn}" in uri["Fn::Sub"], method
    for name, permission in api_permissions(off).items():
        if name.startswith("IntakeFunction"):
            assert permission["FunctionName"] == {"Ref": "IntakeFunction"}, name


# -- on: the API invokes a snapshotted version through the alias ---------------------------------


def test_on_the_intake_function_alone_is_snapshotted_on_published_versions(on: dict[str, Any]) -> None:
    functions = of_type(on, "AWS::Lambda::Function")

    snapshotted = {name for name, f in functions.items() if "SnapStart" in f["Properties"]}

    assert snapshotted == SNAPSTART_FUNCTIONS
    assert functions["IntakeFunction"]["Properties"]["SnapStart"] == {"ApplyOn": "PublishedVersions"}


def test_on_the_alias_live_points_to_the_one_published_version_which_is_deleted_when_replaced(
    on: dict[str, Any],
) -> None:
    versions = of_type(on, "AWS::Lambda::Version")
    aliases = of_type(on, "AWS::Lambda::Alias")

    assert list(aliases) == [ALIAS]
    ((version_id, version),) = versions.items()
    assert version["Properties"]["FunctionName"] == {"Ref": "IntakeFunction"}
    # SAM's default keeps every replaced version, and with it a snapshot billed until deleted.
    assert version["DeletionPolicy"] == "Delete"
    alias = aliases[ALIAS]["Properties"]
    assert alias["Name"] == "live"
    assert alias["FunctionName"] == {"Ref": "IntakeFunction"}
    assert alias["FunctionVersion"] == {"Fn::GetAtt": [version_id, "Version"]}


def test_on_every_intake_route_of_the_api_invokes_the_alias(on: dict[str, Any]) -> None:
    for method, uri in integration_uris(on).items():
        assert "${IntakeFunctionAliaslive}" in uri["Fn::Sub"], method
        assert "${IntakeFunction.Arn}" not in uri["Fn::Sub"], method


def test_on_the_api_may_invoke_the_alias_for_its_own_routes_only(on: dict[str, Any]) -> None:
    permissions = {n: p for n, p in api_permissions(on).items() if n.startswith("IntakeFunction")}

    assert set(permissions) == {
        "IntakeFunctionSubmitPermission",
        "IntakeFunctionPreflightPermission",
        "IntakeFunctionOtherMethodsPermission",
    }
    for name, permission in permissions.items():
        assert permission["FunctionName"] == {"Ref": ALIAS}, name
        assert permission["Action"] == "lambda:InvokeFunction", name
        source, variables = permission["SourceArn"]["Fn::Sub"]
        assert source.startswith(
            "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/"
        )
        assert variables["__ApiId__"] == {"Ref": "HttpApi"}, name


def test_on_no_role_gains_a_right(on: dict[str, Any], off: dict[str, Any]) -> None:
    # SnapStart is Lambda's business: the function's role needs nothing more to be snapshotted.
    assert roles(on) == roles(off)
    assert unexpected_managed_policies(on) == []
    assert wildcard_grants(on) == []


# -- on: a new layer is a new snapshot -----------------------------------------------------------


def intake_version(template: dict[str, Any], layer_key: str, directory: Path) -> str:
    """The logical id of the intake's published version when the layer's package is at `layer_key`."""
    changed = json.loads(json.dumps(template))
    changed["Resources"]["InquiryRouterLayer"]["Properties"]["ContentUri"] = f"s3://artifacts/{layer_key}"
    (version,) = of_type(transformed(changed, directory, SnapStart="true"), "AWS::Lambda::Version")
    return version


def test_on_a_deploy_that_changes_only_the_layer_publishes_a_new_version(tmp_path: Path) -> None:
    # The package the intake runs lives in the layer: a version (and its snapshot) that outlived a
    # layer change would keep serving buyers the old code.
    template = load_template()

    before = intake_version(template, "layer-before.zip", tmp_path / "before")
    after = intake_version(template, "layer-after.zip", tmp_path / "after")

    assert before != after


def test_the_layer_check_fails_without_the_layers_publish_setting(tmp_path: Path) -> None:
    # Given the template without PublishLambdaVersion on the layer
    template = json.loads(json.dumps(load_template()))  # a copy: load_template() is cached
    del template["Resources"]["InquiryRouterLayer"]["Properties"]["PublishLambdaVersion"]

    # Then a layer change no longer publishes a version: the check above can fail
    before = intake_version(template, "layer-before.zip", tmp_path / "before")
    after = intake_version(template, "layer-after.zip", tmp_path / "after")

    assert before == after
