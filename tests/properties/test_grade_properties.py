"""Properties of the grades of responsibility over towns drawn by facts.strategies (the shipped pack)."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from engine.chain.chain import Link, in_order
from facts.strategies import scenarios
from tests.properties.support import chain_of, incident, parties


@given(scenarios())
def test_every_party_has_a_grade_of_its_kind_the_heaviest_of_its_findings(pack, durable_backend, scenario):
    """Every link and unit carries a grade the pack gives its kind of party, and it is the heaviest
    grade among its findings, each of which has a grade."""
    facts, inc = scenario
    for party in parties(chain_of(facts, pack, durable_backend, inc)):
        kind = "person" if isinstance(party, Link) else "unit"
        assert kind in pack.grades[party.grade.id].party
        assert all(f.grade for f in party.findings)
        assert party.grade.severity == max(pack.grades[f.grade].severity for f in party.findings)


@given(st.data())
def test_the_deceased_keep_their_links_and_only_they_are_not_pursued(pack, durable_backend, data):
    """Listing people of the chain as having died in the incident changes nothing but their `pursued`,
    which becomes false for them and them alone."""
    facts, inc = data.draw(scenarios())
    base = incident(facts, inc)
    people = sorted(l.person for l in chain_of(facts, pack, durable_backend, inc).links)
    picks = data.draw(st.lists(st.integers(min_value=0, max_value=99), max_size=3))  # drawn alike whatever the chain
    dead = sorted({people[n % len(people)] for n in picks}) if people else []
    same = base.model_copy(update={"deaths": max(base.deaths, len(dead)), "deceased": []})  # none but these

    def with_incident(i):
        return facts.model_copy(update={"incidents": [i if x.id == inc else x for x in facts.incidents]})

    before = chain_of(with_incident(same), pack, durable_backend, inc)
    after = chain_of(with_incident(same.model_copy(update={"deceased": dead})), pack, durable_backend, inc)
    assert [l.person for l in after.links if not l.pursued] == [l.person for l in before.links if l.person in dead]
    assert [{**l.as_json(), "pursued": True} for l in after.links] == [l.as_json() for l in before.links]


@given(scenarios())
def test_the_order_by_severity_is_the_same_chain_heaviest_first(pack, durable_backend, scenario):
    """trace --order severity lists the same links and units, heaviest grade first, and within one
    grade in band order."""
    facts, inc = scenario
    chain = chain_of(facts, pack, durable_backend, inc)
    ordered = in_order(chain, "severity")
    for got, band in ((ordered.links, chain.links), (ordered.units, chain.units)):
        assert sorted(p.id for p in got) == sorted(p.id for p in band)
        keys = [(-p.severity, pack.tier_rank(p.tier), p.id) for p in got]
        assert keys == sorted(keys)


def _own_direct_conduct(link: Link, facts_by_key) -> bool:
    """Whether one of the link's findings rests on the person's own conduct bearing on a direct cause."""
    return any(facts_by_key[k].kind == "conduct" and facts_by_key[k].fields.get("person") == link.person
               and facts_by_key[k].fields.get("cause_kind") == "direct" for f in link.findings for k in f.facts)


def _only_sector_leadership(link: Link, facts_by_key) -> bool:
    """Whether every finding of the link rests on being in charge (分管) of the incident's sector."""
    return all(any(facts_by_key[k].kind == "in_charge" and facts_by_key[k].fields.get("target_kind") == "sector"
                   for k in f.facts) for f in link.findings)


@given(st.data())
def test_own_conduct_on_the_direct_cause_is_never_graded_lighter_than_leadership_of_the_sector(
        pack, durable_backend, data):
    """In one incident, a person whose own conduct bears on the direct cause is never graded lighter
    than a leader whose only finding is being in charge of the sector. To make both exist, a drawn
    person's conduct (any act but those of the aftermath) is made a direct cause of the incident, and
    a new deputy of the town is put in charge of the incident's sector."""
    from facts.model import AFTERMATH_ACTS, Assignment, Cause, Conduct, ConductAct, Person, Post, Tenure

    facts, inc = data.draw(scenarios())
    base = incident(facts, inc)
    acts = sorted(a.value for a in ConductAct if a.value not in AFTERMATH_ACTS)
    actor = data.draw(st.sampled_from(sorted(p.id for p in facts.people)))
    did = Conduct(id="did_it", by=actor, date=base.day, act=data.draw(st.sampled_from(acts)), source="调查组认定")
    cause = Cause(id="direct_cause", kind="direct", description="直接原因", conduct=[did.id])
    sector = base.sector or next(u for u in facts.units if u.id == base.site).sectors[0]
    gov = next(u.id for u in facts.units if u.kind == "government")
    lead = [Person(id="lead", name="分管领导"),
            Post(id="p_lead", unit=gov, title="副镇长", role="deputy_mayor", rank="leadership"),
            Tenure.model_validate({"person": "lead", "post": "p_lead", "from": "2000-01-01"}),
            Assignment.model_validate({"id": "a_lead", "kind": "in_charge", "post": "p_lead", "sectors": [sector],
                                       "from": "2000-01-01"})]
    facts = facts.model_copy(update={
        "incidents": [i.model_copy(update={"causes": [*i.causes, cause]}) if i.id == inc else i
                      for i in facts.incidents],
        "conduct": [*facts.conduct, did], "people": [*facts.people, lead[0]], "posts": [*facts.posts, lead[1]],
        "tenures": [*facts.tenures, lead[2]], "assignments": [*facts.assignments, lead[3]]})
    chain = chain_of(facts, pack, durable_backend, inc)
    by_key = chain.context.by_key()
    actors = [l for l in chain.links if _own_direct_conduct(l, by_key)]
    leaders = [l for l in chain.links if _only_sector_leadership(l, by_key)]
    # the comparison below is never empty on the leaders' side (an event names no leader in charge)
    assert "lead" in {l.person for l in leaders} or base.kind == "event"
    assert all(a.severity >= b.severity for a in actors for b in leaders)
