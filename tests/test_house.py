"""The house follows its data flow: every import points down the flow, and no modules import each other.

The order of the rooms is docs/house.md's. A module may import from its own room
and from rooms before it, never after; facts/ imports nothing from engine/.
"""
from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

from tests.conftest import ROOT

ROOMS = ("facts", "engine.words", "engine.org", "engine.incident", "engine.pack", "engine.chain", "engine.explain",
         "engine.outputs", "engine.analyses", "engine.web", "cli")


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _room(module: str) -> int | None:
    return next((n for n, r in reversed(list(enumerate(ROOMS))) if module == r or module.startswith(r + ".")), None)


def _imports() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for path in [*(ROOT / "facts").rglob("*.py"), *(ROOT / "engine").rglob("*.py"), ROOT / "cli.py"]:
        mod, found = _module(path), set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
        out[mod] = {m for m in found if _room(m) is not None}
    return out


IMPORTS = _imports()
MODULES = set(IMPORTS)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_module_imports_only_from_its_room_and_rooms_before_it(module):
    upward = sorted(m for m in IMPORTS[module] if _room(m) > _room(module))
    assert upward == [], f"{module} imports from rooms further down the flow"


def test_no_modules_import_each_other_in_a_circle():
    g = nx.DiGraph()
    for mod, targets in IMPORTS.items():
        g.add_edges_from((mod, t) for t in targets if t in MODULES and t != mod)
    assert list(nx.simple_cycles(g)) == []


def test_every_module_belongs_to_a_room():
    assert [m for m in MODULES if _room(m) is None] == ["engine"]  # the package's own docstring, no code
