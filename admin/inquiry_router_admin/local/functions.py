"""The template's functions as the local stack runs them: code file, handler, environment, events.

SAM's `Globals.Function` is merged in as SAM would (environment variables key by key, everything
else as a default), intrinsic functions are resolved to the local names, and the local stack's own
variables (endpoint, region, fake credentials) are added on top.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inquiry_router_admin.local.dynamic_references import DynamicReferences, has_dynamic_reference
from inquiry_router_admin.local.resources import StackResources
from inquiry_router_admin.local.template import TemplateError, TemplateResolver

SERVERLESS_FUNCTION = "AWS::Serverless::Function"
DEFAULT_TIMEOUT_SECONDS = 3  # SAM's default
DEFAULT_MEMORY_MB = 128


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    name: str
    arn: str
    code_file: Path
    handler_attribute: str
    environment: Mapping[str, str]
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    memory_mb: int = DEFAULT_MEMORY_MB
    # Event name -> {"Type": ..., "Properties": {...}} with intrinsic functions resolved.
    events: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def function_specs(
    template: Mapping[str, Any],
    resolver: TemplateResolver,
    resources: StackResources,
    template_dir: Path,
    local_environment: Mapping[str, str],
    *,
    dynamic_references: DynamicReferences | None = None,
) -> tuple[list[FunctionSpec], list[str]]:
    """Every function the local stack can run, and a note for each it cannot.

    `{{resolve:...}}` in an environment variable is read through `dynamic_references`, as
    CloudFormation reads it when it creates the function.
    """
    globals_ = (template.get("Globals") or {}).get("Function") or {}
    specs: list[FunctionSpec] = []
    notes: list[str] = []
    for logical_id, resource in template["Resources"].items():
        if resource.get("Type") == "AWS::Lambda::Function":
            notes.append(f"{logical_id} is not run locally: declare it as an {SERVERLESS_FUNCTION}")
        if resource.get("Type") != SERVERLESS_FUNCTION or not resolver.is_included(resource):
            continue
        properties = _with_globals(globals_, resource.get("Properties") or {})
        reason = _cannot_run(properties)
        if reason:
            notes.append(f"{logical_id} is not run locally: {reason}")
            continue
        name = resources.function_name(logical_id)
        memory_mb = int(resolver.resolve(properties.get("MemorySize") or DEFAULT_MEMORY_MB))
        environment = {
            key: _dereferenced(
                _environment_text(value), dynamic_references, f"{logical_id}.Environment.Variables.{key}"
            )
            for key, value in resolver.resolve(
                properties.get("Environment", {}).get("Variables") or {}
            ).items()
        }
        environment |= local_environment
        environment |= {
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        }
        specs.append(
            FunctionSpec(
                logical_id=logical_id,
                name=name,
                arn=resources.function_arn(logical_id),
                code_file=_code_file(template_dir, str(resolver.resolve(properties["CodeUri"])), properties),
                handler_attribute=str(properties["Handler"]).rsplit(".", 1)[1],
                environment=environment,
                timeout_seconds=float(resolver.resolve(properties.get("Timeout") or DEFAULT_TIMEOUT_SECONDS)),
                memory_mb=memory_mb,
                events={
                    event_name: {
                        "Type": event.get("Type"),
                        "Properties": resolver.resolve(event.get("Properties") or {}),
                    }
                    for event_name, event in (properties.get("Events") or {}).items()
                },
            )
        )
    return specs, notes


def _with_globals(globals_: Mapping[str, Any], properties: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(globals_) | dict(properties)
    variables = dict((globals_.get("Environment") or {}).get("Variables") or {})
    variables |= (properties.get("Environment") or {}).get("Variables") or {}
    merged["Environment"] = {"Variables": variables}
    return merged


def _cannot_run(properties: Mapping[str, Any]) -> str | None:
    runtime = str(properties.get("Runtime") or "")
    if not runtime.startswith("python"):
        return f"runtime {runtime or '(none)'} is not Python"
    if "InlineCode" in properties:
        return "InlineCode is not supported; use CodeUri"
    if not isinstance(properties.get("CodeUri"), str):
        return "CodeUri must be a local folder"
    if "." not in str(properties.get("Handler") or ""):
        return "Handler must look like module.function"
    return None


def _code_file(template_dir: Path, code_uri: str, properties: Mapping[str, Any]) -> Path:
    module_path = str(properties["Handler"]).rsplit(".", 1)[0].replace(".", "/")
    code_file = (template_dir / code_uri / f"{module_path}.py").resolve()
    if not code_file.is_file():
        raise TemplateError(f"handler {properties['Handler']} not found: {code_file} does not exist")
    return code_file


def _dereferenced(text: str, references: DynamicReferences | None, where: str) -> str:
    if not has_dynamic_reference(text):
        return text
    if references is None:
        raise TemplateError(f"{where}: a dynamic reference needs the local endpoint to be resolved")
    return references.resolve(text, where)


def _environment_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        raise TemplateError(f"an environment variable must be a string, got {value!r}")
    return "" if value is None else str(value)
