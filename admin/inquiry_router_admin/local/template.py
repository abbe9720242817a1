"""Read a SAM / CloudFormation template and evaluate its intrinsic functions, the way CloudFormation would.

The loader turns the YAML short tags (`!Ref`, `!GetAtt`, `!Sub`, ...) into their long form
(`{"Ref": ...}`, `{"Fn::GetAtt": [...]}`) so the rest of the local stack reads one shape only.
`TemplateResolver` evaluates them against parameters, pseudo parameters, conditions and a
`ResourceLookup` that knows what each resource is called locally.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

import yaml

from inquiry_router_admin.local.errors import LocalStackError

# Every function CloudFormation knows. Ones the local stack cannot evaluate fail when used;
# anything else (a typo such as `!Refs`) fails when the template is loaded.
EVALUATED_FUNCTIONS = frozenset(
    {
        "Ref",
        "Fn::Base64",
        "Fn::FindInMap",
        "Fn::GetAtt",
        "Fn::GetAZs",
        "Fn::If",
        "Fn::Join",
        "Fn::Length",
        "Fn::Select",
        "Fn::Split",
        "Fn::Sub",
        "Fn::ToJsonString",
        "Fn::And",
        "Fn::Equals",
        "Fn::Not",
        "Fn::Or",
    }
)
CLOUD_ONLY_FUNCTIONS = frozenset({"Fn::Cidr", "Fn::ImportValue", "Fn::Transform"})
LIST_PARAMETER_TYPES = ("CommaDelimitedList", "List<")


class TemplateError(LocalStackError):
    """The template cannot be run locally; the message names the place and what to change."""


class NoValue:
    """`AWS::NoValue`: the property or list item it stands in is removed."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = NoValue()


class ResourceLookup(Protocol):
    """What `!Ref X` and `!GetAtt X.Attr` mean for a resource of the local stack."""

    def ref(self, logical_id: str) -> Any: ...

    def get_att(self, logical_id: str, attribute: str) -> Any: ...


# -- loading -----------------------------------------------------------------------------------


class _CloudFormationLoader(yaml.SafeLoader):
    """SafeLoader that understands CloudFormation's short tags."""


def _construct_intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if name == "Fn::GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:  # pragma: no cover - YAML has no other node kinds
        raise TemplateError(f"unexpected YAML node for !{suffix}")
    return {name: value}


_CloudFormationLoader.add_multi_constructor("!", _construct_intrinsic)


def load_template(path: Path) -> dict[str, Any]:
    """The template as plain dicts and lists, with every intrinsic function name checked."""
    try:
        loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=_CloudFormationLoader)  # noqa: S506 - a SafeLoader subclass
    except (OSError, yaml.YAMLError) as error:
        raise TemplateError(f"cannot read template {path}: {error}") from None
    if not isinstance(loaded, dict) or not isinstance(loaded.get("Resources"), dict):
        raise TemplateError(f"{path} is not a CloudFormation template: it has no Resources section")
    _check_function_names(loaded, "")
    return loaded


def _check_function_names(value: Any, where: str) -> None:
    if isinstance(value, dict):
        if len(value) == 1:
            (key,) = value
            if isinstance(key, str) and key.startswith("Fn::") and not _is_known_function(key):
                raise TemplateError(f"{where or 'template'}: unknown intrinsic function {key}")
        for key, item in value.items():
            _check_function_names(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_function_names(item, f"{where}[{index}]")


def _is_known_function(name: str) -> bool:
    return name in EVALUATED_FUNCTIONS or name in CLOUD_ONLY_FUNCTIONS or name.startswith("Fn::ForEach::")


# -- parameters --------------------------------------------------------------------------------


def resolve_parameters(template: Mapping[str, Any], values: Mapping[str, str]) -> dict[str, str]:
    """Each declared parameter's value: `values` first, then its Default; checked like CloudFormation.

    Values are strings, as CloudFormation passes them; list types are split by `!Ref`.
    """
    resolved: dict[str, str] = {}
    for name, declaration in (template.get("Parameters") or {}).items():
        if name in values:
            value = values[name]
        elif "Default" in declaration:
            value = _text(declaration["Default"])
        else:
            raise TemplateError(
                f"parameter {name} has no Default: give it a value (--parameter {name}=VALUE)"
            )
        _check_parameter(name, value, declaration)
        resolved[name] = value
    unknown = sorted(set(values) - set(resolved))
    if unknown:
        raise TemplateError(f"the template declares no parameter {', '.join(unknown)}")
    return resolved


def _check_parameter(name: str, value: str, declaration: Mapping[str, Any]) -> None:
    allowed = declaration.get("AllowedValues")
    if allowed is not None and value not in [_text(v) for v in allowed]:
        raise TemplateError(f"parameter {name}={value!r} is not one of {allowed}")
    pattern = declaration.get("AllowedPattern")
    if pattern is not None and not re.fullmatch(str(pattern), value):
        hint = declaration.get("ConstraintDescription") or f"it must match {pattern}"
        raise TemplateError(f"parameter {name}={value!r} is not valid: {hint}")


# -- evaluation --------------------------------------------------------------------------------


class TemplateResolver:
    """Evaluates intrinsic functions; `resolve()` returns plain values with AWS::NoValue removed."""

    def __init__(
        self,
        template: Mapping[str, Any],
        parameters: Mapping[str, str],
        pseudo_parameters: Mapping[str, str],
        resources: ResourceLookup,
    ) -> None:
        self._template = template
        self._parameters = parameters
        self._pseudo = pseudo_parameters
        self._resources = resources
        self._conditions: dict[str, bool] = {}
        self._evaluating: set[str] = set()
        self._functions: dict[str, Callable[[Any], Any]] = {
            "Ref": self._ref,
            "Fn::Base64": lambda arg: base64.b64encode(str(self.resolve(arg)).encode()).decode(),
            "Fn::FindInMap": self._find_in_map,
            "Fn::GetAtt": self._get_att,
            "Fn::GetAZs": lambda _: [f"{self._pseudo['AWS::Region']}{zone}" for zone in "abc"],
            "Fn::If": self._if,
            "Fn::Join": self._join,
            "Fn::Length": lambda arg: len(self._as_list(self.resolve(arg), "Fn::Length")),
            "Fn::Select": self._select,
            "Fn::Split": self._split,
            "Fn::Sub": self._sub,
            "Fn::ToJsonString": lambda arg: json.dumps(self.resolve(arg), separators=(",", ":")),
            "Fn::And": lambda arg: all(self._condition_value(c) for c in self._operands(arg, "Fn::And")),
            "Fn::Equals": self._equals,
            "Fn::Not": lambda arg: not self._condition_value(self._operands(arg, "Fn::Not", count=1)[0]),
            "Fn::Or": lambda arg: any(self._condition_value(c) for c in self._operands(arg, "Fn::Or")),
        }

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict):
            function = _intrinsic_name(value)
            if function is not None:
                return self._call(function, value[function])
            resolved = {key: self.resolve(item) for key, item in value.items()}
            return {key: item for key, item in resolved.items() if item is not NO_VALUE}
        if isinstance(value, list):
            return [item for item in (self.resolve(v) for v in value) if item is not NO_VALUE]
        return value

    def condition(self, name: str) -> bool:
        """The value of a named condition from the Conditions section."""
        if name in self._conditions:
            return self._conditions[name]
        declared = self._template.get("Conditions") or {}
        if name not in declared:
            raise TemplateError(f"condition {name} is not declared in Conditions")
        if name in self._evaluating:
            raise TemplateError(f"condition {name} refers to itself")
        self._evaluating.add(name)
        try:
            result = self._condition_value(declared[name])
        finally:
            self._evaluating.discard(name)
        self._conditions[name] = result
        return result

    def is_included(self, resource: Mapping[str, Any]) -> bool:
        """False when the resource's `Condition` is false, so CloudFormation would not create it."""
        name = resource.get("Condition")
        return True if name is None else self.condition(str(name))

    # -- functions ---------------------------------------------------------------------------

    def _call(self, function: str, argument: Any) -> Any:
        handler = self._functions.get(function)
        if handler is None:
            raise TemplateError(
                f"{function} cannot be evaluated by the local stack (it needs a deployed stack)"
            )
        return handler(argument)

    def _ref(self, argument: Any) -> Any:
        name = self.resolve(argument)
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self._pseudo:
            return self._pseudo[name]
        if name in self._parameters:
            return self._parameter_value(name)
        if name in (self._template.get("Resources") or {}):
            return self._resources.ref(name)
        raise TemplateError(f"!Ref {name}: no parameter or resource of that name")

    def _parameter_value(self, name: str) -> str | list[str]:
        value = self._parameters[name]
        declared_type = str((self._template.get("Parameters") or {}).get(name, {}).get("Type", "String"))
        if declared_type.startswith(LIST_PARAMETER_TYPES):
            return [item.strip() for item in value.split(",")] if value else []
        return value

    def _get_att(self, argument: Any) -> Any:
        if isinstance(argument, str):
            argument = argument.split(".", 1)
        parts = self.resolve(argument)
        if not isinstance(parts, list) or len(parts) != 2:
            raise TemplateError(f"Fn::GetAtt needs [LogicalId, Attribute], got {argument!r}")
        logical_id, attribute = (str(p) for p in parts)
        if logical_id not in (self._template.get("Resources") or {}):
            raise TemplateError(f"!GetAtt {logical_id}.{attribute}: no resource {logical_id}")
        return self._resources.get_att(logical_id, attribute)

    def _sub(self, argument: Any) -> str:
        if isinstance(argument, list):
            if len(argument) != 2 or not isinstance(argument[1], dict):
                raise TemplateError("Fn::Sub needs a string or [string, {variables}]")
            text, variables = argument[0], {k: self.resolve(v) for k, v in argument[1].items()}
        else:
            text, variables = argument, {}
        if not isinstance(text, str):
            raise TemplateError(f"Fn::Sub needs a string, got {text!r}")

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return _text(variables[name])
            if "." in name and name not in self._pseudo:
                return _text(self._get_att(name.split(".", 1)))
            return _text(self._ref(name))

        return re.sub(r"\$\{([^}]+)\}", substitute, text)

    def _join(self, argument: Any) -> str:
        delimiter, items = self._operands(argument, "Fn::Join", count=2)
        values = self._as_list(self.resolve(items), "Fn::Join")
        return str(delimiter).join(_text(v) for v in values)

    def _select(self, argument: Any) -> Any:
        index, items = self._operands(argument, "Fn::Select", count=2)
        values = self._as_list(self.resolve(items), "Fn::Select")
        position = int(self.resolve(index))
        if not 0 <= position < len(values):
            raise TemplateError(f"Fn::Select index {position} is outside a list of {len(values)}")
        return values[position]

    def _split(self, argument: Any) -> list[str]:
        delimiter, text = self._operands(argument, "Fn::Split", count=2)
        return _text(self.resolve(text)).split(str(delimiter))

    def _find_in_map(self, argument: Any) -> Any:
        map_name, top, second = (self.resolve(v) for v in self._operands(argument, "Fn::FindInMap", count=3))
        try:
            return (self._template.get("Mappings") or {})[map_name][top][second]
        except (KeyError, TypeError):
            raise TemplateError(f"Fn::FindInMap: no {map_name}.{top}.{second} in Mappings") from None

    def _if(self, argument: Any) -> Any:
        name, when_true, when_false = self._operands(argument, "Fn::If", count=3)
        return self.resolve(when_true if self.condition(str(name)) else when_false)

    def _equals(self, argument: Any) -> bool:
        left, right = (self.resolve(v) for v in self._operands(argument, "Fn::Equals", count=2))
        return _text(left) == _text(right) if not isinstance(left, list) else left == right

    def _condition_value(self, value: Any) -> bool:
        if isinstance(value, dict) and set(value) == {"Condition"}:
            return self.condition(str(value["Condition"]))
        result = self.resolve(value)
        if isinstance(result, bool):
            return result
        if isinstance(result, str) and result.lower() in ("true", "false"):
            return result.lower() == "true"
        raise TemplateError(f"a condition must be true or false, got {result!r}")

    @staticmethod
    def _operands(argument: Any, function: str, count: int | None = None) -> list[Any]:
        if not isinstance(argument, list) or (count is not None and len(argument) != count):
            expected = f"a list of {count}" if count else "a list"
            raise TemplateError(f"{function} needs {expected}, got {argument!r}")
        return argument

    @staticmethod
    def _as_list(value: Any, function: str) -> list[Any]:
        if not isinstance(value, list):
            raise TemplateError(f"{function} needs a list, got {value!r}")
        return value


def _intrinsic_name(value: dict[Any, Any]) -> str | None:
    if len(value) != 1:
        return None
    (key,) = value
    if key == "Ref" or (isinstance(key, str) and key.startswith("Fn::")):
        return str(key)
    return None


def _text(value: Any) -> str:
    """A value as CloudFormation writes it into a string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_text(v) for v in value)
    return str(value)
