"""Runs every YAML case in tests/cases/*/case.yaml on both backends.

A case is a sentence (``name``), the facts (the test town in ``_base`` plus the
case's own ``input``), optionally another rule pack (``pack``, a path relative
to the case file) and parameters changed for the case (``parameters``: a value,
or dated values ``{DAY: value, …}``), and the exact chain expected for one
incident (``expect``), or for each of several (a list): the people in chain
order with the rules that named each, selected evidence, the data gaps and the
warnings.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from engine.chain.trace import Tracer
from engine.pack.backends import BACKENDS
from engine.pack.rulepack import load_pack
from facts.load import load_facts
from tests.cases.paths import BASE_DIR as BASE
from tests.cases.paths import CASES_DIR

CASES = sorted(p for p in CASES_DIR.glob("*/case.yaml") if not p.parent.name.startswith("_"))


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=sorted(BACKENDS))
def backend(request):
    return BACKENDS[request.param]()


def _expectations(case: dict) -> list[dict]:
    return case["expect"] if isinstance(case["expect"], list) else [case["expect"]]


@pytest.mark.parametrize("path", CASES, ids=[p.parent.name for p in CASES])
def test_case(path: Path, backend, pack, tmp_path):
    case = _load(path)
    assert set(case) <= {"name", "input", "pack", "parameters", "expect"}, f"{path}: unknown keys"
    extra = tmp_path / "input.yaml"
    extra.write_text(yaml.safe_dump(case["input"], allow_unicode=True), encoding="utf-8")
    pack = load_pack(path.parent / case["pack"]) if "pack" in case else pack
    params = {k: pack.parameters[k].set_to(v) for k, v in case.get("parameters", {}).items()}
    pack = pack.model_copy(update={"parameters": {**pack.parameters, **params}}) if params else pack
    tracer = Tracer(load_facts([BASE, extra]), pack, backend)
    for expect in _expectations(case):
        _check(case["name"], tracer, expect)


def _check(name: str, tracer: Tracer, expect: dict) -> None:
    case = {"name": f"{name} [{expect['incident']}]"}
    chain = tracer.trace(tracer.incidents[expect["incident"]])
    got = [{link.person: sorted({f.rule for f in link.findings})} for link in chain.links]
    assert got == expect["links"], case["name"]
    for person, evidence in (expect.get("evidence") or {}).items():
        assert chain.link(person).as_json()["evidence"] == evidence, f"{case['name']}: evidence of {person}"
    for person, tier in (expect.get("tiers") or {}).items():
        assert chain.link(person).tier == tier, f"{case['name']}: tier of {person}"
    for person, posts in (expect.get("posts") or {}).items():
        assert [p["post"] for p in chain.link(person).posts] == posts, f"{case['name']}: posts of {person}"
    for person, rules in (expect.get("mitigated") or {}).items():
        assert sorted({m.rule for m in chain.link(person).mitigations}) == rules, f"{case['name']}: {person}"
    if "units" in expect:
        assert [{u.unit: sorted({f.rule for f in u.findings})} for u in chain.units] == expect["units"], case["name"]
    assert [g.rule for g in chain.gaps] == expect.get("gaps", []), case["name"]
    if "gap_messages" in expect:
        assert [g.message["zh"] for g in chain.gaps] == expect["gap_messages"], case["name"]
    assert [w.as_json() for w in chain.warnings] == expect.get("warnings", []), case["name"]


def test_every_rule_and_gap_of_the_pack_is_exercised_by_some_case(pack):
    fired = set()
    for path in CASES:
        for expect in _expectations(_load(path)):
            fired |= {r for link in expect["links"] + expect.get("units", []) for rules in link.values() for r in rules}
            fired |= {r for rules in (expect.get("mitigated") or {}).values() for r in rules}
            fired |= set(expect.get("gaps", []))
    assert {r.id for r in pack.rules} | {g.id for g in pack.gaps} <= fired
