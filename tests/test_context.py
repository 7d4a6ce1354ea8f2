"""The incident context: every built fact matches its kind's declaration; the day's boundaries; the digest."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from hypothesis import given

from engine.incident.context import build_context
from engine.incident.kinds import KINDS, SCHEMA
from engine.org.graph import OrgGraph
from facts.load import load_facts
from facts.strategies import scenarios
from tests.conftest import BASE_TOWN, EXAMPLE

VACANT = Path(__file__).parent / "fixtures_explain" / "vacant.yaml"


def _conforms(ctx) -> None:
    for f in ctx.facts:
        assert f.kind in SCHEMA, f.key
        fields = SCHEMA[f.kind]
        assert set(f.fields) == set(fields), f"{f.key}: fields {sorted(f.fields)} against {sorted(fields)}"
        for name, want in fields.items():
            assert type(f.fields[name]) is want, f"{f.key}.{name}: {f.fields[name]!r} is not {want.__name__}"


def test_every_kind_is_declared_once():
    assert len({k.name for k in KINDS}) == len(KINDS)


def test_every_fact_of_the_example_matches_its_kind():
    facts = load_facts([EXAMPLE])
    graph = OrgGraph(facts)
    for incident in facts.incidents:
        _conforms(build_context(graph, incident))


@given(scenarios())
def test_every_fact_of_a_generated_town_matches_its_kind(drawn):
    facts, incident = drawn
    graph = OrgGraph(facts)
    _conforms(build_context(graph, next(i for i in facts.incidents if i.id == incident)))


def _town_with(tmp_path: Path, extra: dict):
    path = tmp_path / "extra.yaml"
    path.write_text(yaml.safe_dump(extra, allow_unicode=True), encoding="utf-8")
    facts = load_facts([BASE_TOWN.parent, path])
    return OrgGraph(facts), {i.id: i for i in facts.incidents}


INCIDENT = {"id": "inc", "occurred_at": "2022-08-01T10:00:00+08:00", "site": "diner"}


def test_an_inspection_on_the_incidents_own_day_enters_its_context(tmp_path):
    graph, incidents = _town_with(tmp_path, {"incidents": [INCIDENT], "inspections": [
        {"id": "same_day", "date": "2022-08-01", "site": "diner", "inspectors": ["insp"], "outcome": "passed"},
        {"id": "next_day", "date": "2022-08-02", "site": "diner", "inspectors": ["insp"], "outcome": "passed"}]})
    inspections = {f.fields["inspection"]: f.fields["days_before"]
                   for f in build_context(graph, incidents["inc"]).facts if f.kind == "inspection"}
    assert inspections == {"same_day": 0}


def _contexts():
    """The example's incidents, and the test town with a vacant post (the example has no vacancy)."""
    for paths in ([EXAMPLE], [BASE_TOWN, VACANT]):
        facts = load_facts(paths)
        graph = OrgGraph(facts)
        yield from (build_context(graph, i) for i in facts.incidents)


def test_the_contexts_below_hold_every_kind_of_fact():
    assert {f.kind for ctx in _contexts() for f in ctx.facts} == set(SCHEMA)


@pytest.mark.parametrize("kind", sorted(SCHEMA))
def test_the_facts_digest_sees_every_field_of_every_kind(kind):
    """Changing any field of a fact of the kind, or its evidence, changes the digest."""
    for ctx in _contexts():
        for n, f in enumerate(ctx.facts):
            if f.kind != kind:
                continue
            for name, value in f.fields.items():
                changed = {**f.fields, name: (not value) if isinstance(value, bool) else value + 1
                           if isinstance(value, int) else f"{value}~"}
                other = replace(ctx, facts=ctx.facts[:n] + (replace(f, fields=changed),) + ctx.facts[n + 1:])
                assert other.digest != ctx.digest, f"{f.key}.{name}"
            other = replace(ctx, facts=ctx.facts[:n] + (replace(f, src=f.src + ("x",)),) + ctx.facts[n + 1:])
            assert other.digest != ctx.digest, f"{f.key}: src"
            return


def test_in_a_county_every_sector_charge_comes_from_someone_with_a_post_in_the_incidents_town():
    """A personal assignment covers the towns of the posts its person holds that day: on a generated
    county, whose officers are put personally in charge of sectors, no charge reaches another town."""
    from facts.model import Incident
    from facts.synth import CountySpec, county, incident_records
    spec = CountySpec(towns=3, villages=9, enterprises=90, people=200, years=3, incidents=150)
    org = county(spec)
    graph = OrgGraph(org)
    personal = 0
    for record in incident_records(spec, org):
        ctx = build_context(graph, Incident.model_validate(record))
        for f in ctx.facts:
            if f.kind == "in_charge" and f.fields["target_kind"] in ("sector", "safety"):
                towns = {graph.post_territory(h.post.id) for h in graph.posts_held(f.fields["person"], ctx.day)}
                assert ctx.town in towns, f.key
                personal += f.fields["via"] == "person"
    assert personal > 0


def test_a_personal_assignment_covers_the_towns_of_its_persons_posts_that_day():
    from datetime import date

    from facts.model import Assignment
    graph = OrgGraph(load_facts([BASE_TOWN]))
    mine = Assignment(id="x", kind="in_charge", person="dep1", sectors=["mining"], valid_from=date(2022, 1, 1))
    assert graph.territories(mine, date(2023, 2, 28)) == ("town",)
    assert graph.territories(mine, date(2023, 3, 1)) == ()  # dep1's only post ended: no town at all
    assert graph.territories(mine.model_copy(update={"within": "east"}), date(2023, 3, 1)) == ("east",)
