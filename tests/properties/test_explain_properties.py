"""Properties of explanations over towns drawn by facts.strategies: one test per invariant."""
from __future__ import annotations

import re

from hypothesis import given

from engine.chain.trace import Tracer
from engine.explain.explainer import Explainer
from engine.pack.backends import PythonBackend
from engine.pack.compile import Matcher
from engine.pack.rulepack import load_pack
from facts.strategies import scenarios

PACK = load_pack()
PLACEHOLDER = re.compile(r"\{\w+\}")


def _explain(scenario):
    """The explainer for the drawn incident, and every person of the town explained."""
    facts, incident = scenario
    tracer = Tracer(facts, PACK, PythonBackend())
    chain = tracer.trace(tracer.incidents[incident])
    ex = Explainer(tracer.graph, chain, "en")
    return ex, {p.id: ex.explain(p.id) for p in facts.people}


@given(scenarios())
def test_every_link_of_every_chain_has_a_why(scenario):
    """Each link has one why per finding (and mitigation), each with its plan text, facts and path."""
    ex, answers = _explain(scenario)
    for link in ex.chain.links:
        why = answers[link.person].why
        assert [w.rule for w in why] == [f.rule for f in (*link.findings, *link.mitigations)]
        for w in why:
            assert w.quote and w.path and w.steps and all(s.text for s in w.steps)


@given(scenarios())
def test_everyone_outside_the_chain_has_a_why_not_for_every_rule(scenario):
    """A person not in the chain gets, for every rule that names persons, at least one attempt,
    each stopped by a named condition with a sentence saying which."""
    ex, answers = _explain(scenario)
    in_chain = {link.person for link in ex.chain.links}
    for person, answer in answers.items():
        if person in in_chain:
            continue
        assert [w.rule for w in answer.why_not] == [r.id for r in ex.person_rules]
        for w in answer.why_not:
            assert w.attempts
            assert all(a.failed and a.text for a in w.attempts)


@given(scenarios())
def test_an_attempt_meets_every_condition_exactly_when_the_oracle_matches(scenario):
    """Why-not never contradicts the rules: for every person and rule, some attempt meets every
    condition (and is then applied or overridden) if and only if the plain-Python oracle matches
    the rule with that person bound to its liable alias."""
    ex, _ = _explain(scenario)
    facts = ex.ctx.by_key()
    rules = {r.id: r for r in ex.person_rules}
    matched = {(m.rule, facts[dict(m.bindings)[rules[m.rule].liable]].fields["person"])
               for m in Matcher(PACK).matches(ex.ctx.facts) if m.rule in rules}
    complete = {(r.id, p.id) for r in ex.person_rules for p in ex.graph.facts.people
                if any(a.failed in ("", "overridden") for a in ex.attempts(r, p.id))}
    assert complete == matched


@given(scenarios())
def test_no_explanation_leaves_a_placeholder_unfilled(scenario):
    """Every sentence of every why and why-not is filled from the facts: no {name} is left."""
    _, answers = _explain(scenario)
    for answer in answers.values():
        texts = [answer.head, *answer.posts]
        texts += [t for w in answer.why for t in (w.path, *(s.text for s in w.steps))]
        texts += [a.text for w in answer.why_not for a in w.attempts]
        assert not [t for t in texts if PLACEHOLDER.search(t)]
