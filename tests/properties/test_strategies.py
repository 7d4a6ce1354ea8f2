"""The generated facts are valid by construction: the loader accepts them as they are."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from facts.load import load_facts
from facts.strategies import (
    act_bearing_on_no_cause,
    merge,
    new_inspection,
    new_signature,
    scenarios,
    to_yaml,
    towns,
    unrelated_facts,
    without_causes,
)


def _reload(facts, tmp_path_factory):
    path = tmp_path_factory.mktemp("facts") / "facts.yaml"
    path.write_text(to_yaml(facts), encoding="utf-8")
    return load_facts([path])


@given(st.data())
def test_generated_towns_load_unchanged(tmp_path_factory, data):
    """A drawn town, with unrelated facts, one more inspection and signature and an act bearing on no
    cause merged in, passes every check of load_facts and loads back equal to itself, with its causes
    and without."""
    facts, incident = data.draw(scenarios())
    extra = data.draw(unrelated_facts(facts))
    ins, sig = data.draw(new_inspection(facts, incident)), data.draw(new_signature(facts, incident))
    full = merge(facts, extra, type(facts)(inspections=[ins], signatures=[sig]))
    full = merge(full, data.draw(act_bearing_on_no_cause(full, incident)))
    assert _reload(full, tmp_path_factory) == full
    assert _reload(without_causes(full), tmp_path_factory) == without_causes(full)


@given(towns())
def test_every_town_has_an_incident(facts):
    """towns() never draws a fact set without an incident to trace."""
    assert facts.incidents
