"""The package keeps no state a test or the local stack would have to reset: each function's
composition root owns its settings, clients and caches (inquiry_router/entry/*_function.py).

A static reading of every module: no module-level cache but the documented pure ones (immutable
data read from the package's own files or libraries), no mutable module-level variable, no
`global`, no scan of `sys.modules`, and no read of `os.environ` (functions/<name>/app.py hands it
to the composition root).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import inquiry_router

PACKAGE = Path(inquiry_router.__file__).parent

# (module, function): why the cache is pure. Each returns the same immutable data for the process.
PURE_CACHES = {
    ("mail/render.py", "_compiled"): "an MJML template compiled from the package's files",
    ("mail/translations.py", "bundled_translations"): "the translations shipped in the package",
    ("actions/pages.py", "page_translations"): "the pages' translations shipped in the package",
    ("inbound/authentication.py", "_public_suffixes"): "the public suffix list of the library",
    ("base/language.py", "_text_identifier"): "py3langid's model, loaded on first use",
}
CACHE_DECORATORS = {"cache", "lru_cache", "cached"}
MUTABLE_CALLS = {"dict", "list", "set", "defaultdict", "OrderedDict", "Counter", "deque"}


def modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _name(node: ast.expr) -> str:
    while isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _is_mutable(value: ast.expr | None) -> bool:
    if isinstance(value, ast.Constant) and value.value is None:
        return True  # `_client = None`, to be filled in later
    if isinstance(value, ast.Dict):
        return not value.keys  # `_cache = {}`; a filled dict is a constant table
    if isinstance(value, ast.List | ast.Set):
        return not value.elts
    return isinstance(value, ast.Call) and _name(value) in MUTABLE_CALLS and not value.args


def problems(module: str, tree: ast.Module) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            cached = [d for d in node.decorator_list if _name(d) in CACHE_DECORATORS]
            if cached and (module, node.name) not in PURE_CACHES:
                found.append(f"{module}: {node.name} is cached for the process")
        if isinstance(node, ast.Global):
            found.append(f"{module}: `global {', '.join(node.names)}` rebinds module state")
        scans_modules = (
            isinstance(node, ast.Attribute) and node.attr == "modules" and _name(node.value) == "sys"
        )
        if scans_modules or (isinstance(node, ast.Attribute) and node.attr == "cache_clear"):
            found.append(f"{module}: {ast.unparse(node)} (resetting by scan)")
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ("environ", "getenv")
            and _name(node.value) == "os"
        ):
            found.append(
                f"{module}: reads {ast.unparse(node)}; the composition root is handed the environment"
            )
    for statement in tree.body:  # module level only: a function's locals are its own
        targets: list[ast.expr] = []
        value = None
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign):
            targets, value = [statement.target], statement.value
        for target in targets:
            if isinstance(target, ast.Name) and not target.id.isupper() and _is_mutable(value):
                found.append(f"{module}: module-level {target.id} = {ast.unparse(value) if value else ''}")
    return found


def test_no_module_keeps_state_for_the_process() -> None:
    found = [problem for module, tree in modules() for problem in problems(module, tree)]
    assert found == []


def test_the_check_finds_each_kind_of_module_state() -> None:
    source = """
import functools, os, sys
_client = None
_seen: dict[str, str] = {}
jobs = list()
@functools.cache
def settings(): return os.environ["TABLE_NAME"]
def reset():
    global _client
    for module in sys.modules.values(): module.settings.cache_clear()
"""
    found = problems("entry/example.py", ast.parse(source))
    assert sorted(problem.split(": ", 1)[1] for problem in found) == sorted(
        [
            "settings is cached for the process",
            "reads os.environ; the composition root is handed the environment",
            "`global _client` rebinds module state",
            "sys.modules (resetting by scan)",
            "module.settings.cache_clear (resetting by scan)",
            "module-level _client = None",
            "module-level _seen = {}",
            "module-level jobs = list()",
        ]
    )
