"""The invariants the plan implies for the shipped pack, over towns drawn by facts.strategies.

One test per invariant, named for it; its docstring states it. The default
engine (durable_rules) is the one under test; the CI profile fixes the seed.
"""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from engine.pack.backends import PythonBackend
from facts.model import SECTIONS, FactSet
from facts.strategies import (
    act_bearing_on_no_cause,
    merge,
    new_inspection,
    new_signature,
    scenarios,
    shuffled,
    unbearing_conduct,
    unrelated_facts,
    without_causes,
)
from tests.properties.support import (
    chain_of,
    chains_json,
    findings,
    held,
    holders,
    incident,
    parties,
)

HEAD_ROLES = ("party_secretary", "mayor")


@given(st.data())
def test_chain_does_not_depend_on_fact_order(pack, durable_backend, data):
    """Every incident's chain (its JSON, digests included) is the same whatever the order of the
    records in each section of the facts."""
    facts, _ = data.draw(scenarios())
    ids = [i.id for i in facts.incidents]
    assert chains_json(data.draw(shuffled(facts)), pack, durable_backend, ids) == \
        chains_json(facts, pack, durable_backend, ids)


@given(st.data())
def test_facts_about_other_villages_and_sectors_change_nothing(pack, durable_backend, data):
    """Adding a village, a sector, an enterprise, people, duties and acts that touch none of an
    incident's places leaves that incident's chain exactly as it was."""
    facts, _ = data.draw(scenarios())
    ids = [i.id for i in facts.incidents]
    more = merge(facts, data.draw(unrelated_facts(facts)))
    assert chains_json(more, pack, durable_backend, ids) == chains_json(facts, pack, durable_backend, ids)


@given(scenarios())
def test_party_secretary_and_mayor_get_the_same_category(pack, durable_backend, scenario):
    """党政同责 (§0, §4.2): when the town's party secretary and mayor are both in post, each holder
    is in the chain with the same categories under the joint principle (overall leadership)."""
    facts, inc_id = scenario
    day = incident(facts, inc_id).day
    if incident(facts, inc_id).kind == "event":
        return  # 党政同责 answers for an accident (see the event's own invariant)
    heads = [p for p in facts.posts if p.role in HEAD_ROLES]
    in_post = {p.role: holders(facts, p.id, day) for p in heads}
    if not all(in_post.get(role) for role in HEAD_ROLES):
        return
    chain = chain_of(facts, pack, durable_backend, inc_id)
    categories = {person: frozenset(f.category for f in chain.link(person).findings
                                    if f.principle == "joint_party_government")
                  for people in in_post.values() for person in people}
    assert set(categories.values()) == {frozenset({"overall_leadership"})}


@given(scenarios())
def test_nobody_is_named_for_a_post_bound_duty_on_a_day_they_did_not_hold_the_post(pack, durable_backend, scenario):
    """Every finding resting on a post (a post held, a duty bound to a post, a reporting duty)
    names someone whose tenure of that post, as written, covers the incident's day (§6.3)."""
    facts, inc_id = scenario
    day = incident(facts, inc_id).day
    chain = chain_of(facts, pack, durable_backend, inc_id)
    context = chain.context.by_key()
    for link in chain.links:
        for f in link.findings:
            for key in f.facts:
                fact = context[key]
                post_bound = fact.kind == "holds" or fact.fields.get("via") == "post" or \
                    (fact.kind == "report_duty" and fact.fields["post"] != "")  # "": a personal report duty
                if post_bound and fact.fields.get("person") == link.person:
                    assert held(facts, link.person, fact.fields["post"], day), (f.rule, key)


@given(st.data())
def test_removing_a_signature_removes_only_the_links_that_rested_on_it(pack, durable_backend, data):
    """With one signature more about the site, the chain has every finding it had without it, and
    each finding it gains cites that signature; so taking it away removes only what rested on it."""
    facts, inc_id = data.draw(scenarios())
    sig = data.draw(new_signature(facts, inc_id))
    without = chain_of(facts, pack, durable_backend, inc_id)
    with_it = chain_of(merge(facts, FactSet(signatures=[sig])), pack, durable_backend, inc_id)
    assert findings(without) <= findings(with_it)
    assert all(sig.id in evidence for _, _, evidence in findings(with_it) - findings(without))
    assert {p.id for p in parties(with_it)} - {p.id for p in parties(without)} <= {sig.person}


@given(st.data())
def test_adding_an_inspection_never_removes_a_link(pack, durable_backend, data):
    """Monotonicity: for rules without negation (no ``unless``), adding an inspection of the site
    keeps every finding and so every link resting on one."""
    facts, inc_id = data.draw(scenarios())
    ins = data.draw(new_inspection(facts, inc_id))
    positive = {r.id for r in pack.rules if not r.unless}
    before = chain_of(facts, pack, durable_backend, inc_id)
    after = chain_of(merge(facts, FactSet(inspections=[ins])), pack, durable_backend, inc_id)
    assert findings(before, positive) <= findings(after, positive)
    assert {party for party, _, _ in findings(before, positive)} <= {p.id for p in parties(after)}


def _act_findings(chain, pack) -> set[tuple[str, str, str, tuple[str, ...]]]:
    """(person, rule, act record, evidence) of every finding resting on what someone did (an inspection, a
    signature): the rules whose liable alias is an act."""
    facts = chain.context.by_key()
    out = set()
    for link in chain.links:
        for f in link.findings:
            rule = pack.rule(f.rule)
            act = facts[f.facts[list(rule.when).index(rule.liable)]]
            if act.kind in ("inspection", "signature"):
                out.add((link.person, f.rule, act.fields[act.kind], f.evidence))
    return out


@given(st.data())
def test_an_act_that_bears_on_no_cause_never_creates_a_link(pack, durable_backend, data):
    """One more inspection or signature of the site that bears on none of the incident's causes (it
    covers other things, or found every hazard behind a cause then existing and suspended the site, or
    came when none existed) leaves every finding, and so every link, exactly as it was."""
    facts, inc_id = data.draw(scenarios())
    before = chain_of(facts, pack, durable_backend, inc_id)
    after = chain_of(merge(facts, data.draw(act_bearing_on_no_cause(facts, inc_id))), pack, durable_backend, inc_id)
    assert findings(after) == findings(before)
    assert [p.id for p in parties(after)] == [p.id for p in parties(before)]


@given(scenarios())
def test_removing_every_cause_turns_act_links_into_acts_to_examine(pack, durable_backend, scenario):
    """Without causes, nothing an act did can be tied to the incident: the chain gains no finding, and
    every finding that rested on an inspection or a signature becomes an entry to examine for the same
    person and record, decided by the incident's causes."""
    facts, inc_id = scenario
    with_causes = chain_of(facts, pack, durable_backend, inc_id)
    without = chain_of(without_causes(facts), pack, durable_backend, inc_id)
    assert findings(without) <= findings(with_causes)
    assert {p.id for p in parties(without)} <= {p.id for p in parties(with_causes)}
    assert not _act_findings(without, pack)
    examine = {(x.person, x.record): x.decides for x in without.to_examine}
    for person, _, record, _ in _act_findings(with_causes, pack):
        assert examine[person, record] == (f"incidents[{inc_id}].causes",), (person, record)


def _record_ids(facts: FactSet) -> set[str]:
    ids = {getattr(r, "id", None) for s in SECTIONS for r in getattr(facts, s)} | {t.key for t in facts.tenures}
    ids |= {f"{i.id}/report/{n}" for i in facts.incidents for n in range(1, len(i.reports) + 1)}
    ids |= {c.id for i in facts.incidents for c in i.causes}
    ids |= {f"{u.id}/status/{s.valid_from.isoformat()}" for u in facts.units for s in u.status}
    return ids - {None}


@given(scenarios())
def test_every_link_has_evidence_and_a_clause(pack, durable_backend, scenario):
    """Every person and unit in the chain has at least one finding; every finding cites a clause
    of the plan and rests on evidence: ids of input records, or a named absence (no-record:…)."""
    facts, inc_id = scenario
    known = _record_ids(facts)
    for party in parties(chain_of(facts, pack, durable_backend, inc_id)):
        assert party.findings
        for f in party.findings:
            assert f.clause in pack.clauses
            assert f.evidence
            assert all(e in known or e.startswith("no-record:") for e in f.evidence), f.evidence


@given(scenarios())
def test_town_heads_in_post_are_reached_or_a_gap_says_why(pack, durable_backend, scenario):
    """For each of the town's head posts (party secretary, mayor): whoever holds it on the day is
    in the chain; if nobody does, a data-gap warning names the vacant post."""
    facts, inc_id = scenario
    day = incident(facts, inc_id).day
    if incident(facts, inc_id).kind == "event":
        return
    chain = chain_of(facts, pack, durable_backend, inc_id)
    for post in (p for p in facts.posts if p.role in HEAD_ROLES):
        people = holders(facts, post.id, day)
        if people:
            assert people <= {link.person for link in chain.links}
        else:
            assert any(f"({post.id})" in g.message["en"] for g in chain.gaps), post.id


#: Principles that apply 一旦发生安全生产事故 (§5) by the post or the place alone.
ACCIDENT_ONLY = {"in_charge", "stationed", "joint_party_government", "territorial"}
REPORTING = {"late_report", "omitted_report", "false_report", "concealed_report"}


@given(scenarios())
def test_an_event_has_no_grade_no_reporting_and_no_finding_for_a_post_or_place_alone(pack, durable_backend, scenario):
    """An event (事件, 规定 Art. 18(1)) is not an accident: no grade, no finding of 迟报/漏报/谎报/瞒报, and
    nobody named under 谁分管, 谁驻村, 党政同责 or 属地管理, which answer for an accident; what it names
    rests on a failure it shows (an order ignored, conduct, a duty not done)."""
    facts, inc_id = scenario
    if incident(facts, inc_id).kind != "event":
        return
    chain = chain_of(facts, pack, durable_backend, inc_id)
    assert chain.context.grade.id == "event"
    for party in parties(chain):
        for f in party.findings:
            assert f.category not in REPORTING and f.principle not in ACCIDENT_ONLY, (party.id, f.rule)


@given(st.data())
def test_conduct_bearing_on_no_cause_changes_nothing(pack, durable_backend, data):
    """Conduct that no cause of the incident lists, and that is not an act of its aftermath, leaves the
    incident's chain (its JSON, digests included) exactly as it was: whoever did it, whenever."""
    facts, inc_id = data.draw(scenarios())
    more = merge(facts, FactSet(conduct=data.draw(unbearing_conduct(facts, inc_id))))
    assert chains_json(more, pack, durable_backend, [inc_id]) == chains_json(facts, pack, durable_backend, [inc_id])


@given(scenarios())
def test_the_python_evaluator_gives_the_chain_durable_gives(pack, durable_backend, scenario):
    """The whole chain, not only the matches, is the same with either backend."""
    facts, inc_id = scenario
    assert chain_of(facts, pack, PythonBackend(), inc_id).as_json() == \
        chain_of(facts, pack, durable_backend, inc_id).as_json()
