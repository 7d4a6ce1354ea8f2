"""The plain-Python evaluator is the oracle for durable_rules: same matches on drawn facts."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given

from engine.incident.context import build_context
from engine.org.graph import OrgGraph
from engine.pack.backends import PythonBackend
from engine.pack.rulepack import DEFAULT_PACK, load_pack
from facts.strategies import towns
from tests.properties.support import wide_pack

BROKEN = Path(__file__).resolve().parent.parent / "packs" / "broken.yaml"


@pytest.fixture(scope="module", params=["shipped", "broken", "wide"])
def any_pack(request):
    """The shipped pack, the broken one, and the shipped one grown past durable_rules' tables (six copies of
    every rule: 66 patterns of kind holds; a list of 2,000 roles), which the durable compilation splits."""
    if request.param == "wide":
        return wide_pack(load_pack(DEFAULT_PACK))
    return load_pack(DEFAULT_PACK if request.param == "shipped" else BROKEN)


@given(facts=towns())
def test_durable_and_python_find_the_same_matches(durable_backend, any_pack, facts):
    """For every incident of a drawn town, both backends fire the same rules and gaps with the same
    context fact bound to each alias: the shipped pack (joins, references, negation), the broken
    one (an empty ``in`` list, no gaps) and the wide one (split into several rulesets)."""
    graph = OrgGraph(facts)
    for incident in facts.incidents:
        ctx = build_context(graph, incident)
        assert durable_backend.matches(any_pack, ctx.facts) == PythonBackend().matches(any_pack, ctx.facts)
