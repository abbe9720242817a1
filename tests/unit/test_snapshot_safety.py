"""Code that a SnapStart snapshot may freeze: no module draws from Python's seeded `random` generator
(environments restored from one snapshot would share its state and draw the same numbers)."""

from __future__ import annotations

import ast
from pathlib import Path

import inquiry_router

PACKAGE = Path(inquiry_router.__file__).parent


def seeded_random_uses(tree: ast.AST) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "random"
        and node.attr != "SystemRandom"
    ] + [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and node.module == "random"
        and any(alias.name != "SystemRandom" for alias in node.names)
    ]


def test_no_module_draws_from_the_seeded_random_generator() -> None:
    found = {
        str(path.relative_to(PACKAGE)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if (lines := seeded_random_uses(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert found == {}, f"use random.SystemRandom() or secrets instead: {found}"


def test_the_check_sees_a_seeded_draw() -> None:
    assert seeded_random_uses(ast.parse("import random\nx = random.uniform(0, 1)\n")) == [2]
    assert seeded_random_uses(ast.parse("from random import choice\n")) == [1]
    assert seeded_random_uses(ast.parse("import random\nr = random.SystemRandom()\n")) == []
