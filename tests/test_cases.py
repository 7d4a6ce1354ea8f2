"""Runs every YAML case in tests/cases/*/case.yaml on both backends, with the runner of `wenze test`.

A case is a sentence (``name``), the facts (the test town in ``_base`` plus the
case's own ``input``), optionally another rule pack (``pack``, a path relative
to the case file) and parameters changed for the case (``parameters``: a value,
or dated values ``{DAY: value, …}``), and the exact chain expected for one
incident (``expect``), or for each of several (a list): the people in chain
order with the rules that named each, selected evidence, the grades of
responsibility (``grades``, ``graded_by``, ``not_pursued``), the data gaps, the
acts to examine and the warnings (:mod:`engine.analyses.cases`).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.analyses.cases import case_files, load_case, run_case
from engine.pack.backends import BACKENDS
from tests.cases.paths import CASES_DIR

CASES = case_files([CASES_DIR])


@pytest.fixture(scope="module", params=sorted(BACKENDS))
def backend(request):
    return BACKENDS[request.param]()


@pytest.mark.parametrize("path", CASES, ids=[p.parent.name for p in CASES])
def test_case(path: Path, backend, pack):
    result = run_case(load_case(path), pack, backend)
    assert result.failures == (), result.case.name


def test_every_rule_and_gap_of_the_pack_is_exercised_by_some_case(pack):
    fired = set()
    for path in CASES:
        for expect in load_case(path).expect:
            fired |= {r for link in expect["links"] + expect.get("units", []) for rules in link.values() for r in rules}
            fired |= {r for rules in (expect.get("mitigated") or {}).values() for r in rules}
            fired |= set(expect.get("gaps", []))
            fired |= {x["rule"] for x in expect.get("to_examine", [])}
    assert {i.id for i in pack.items} <= fired


def test_every_grading_and_escalation_of_the_pack_is_exercised_by_some_case(pack):
    named = {g for path in CASES for expect in load_case(path).expect
             for ids in (expect.get("graded_by") or {}).values() for g in ids}
    assert {g.id for g in (*pack.grading, *pack.escalations)} <= named
