"""What the property tests share: trace drawn facts, read a chain as plain sets, read the raw facts.

The raw-fact readers (:func:`held`) deliberately do not use :mod:`engine.org.graph`:
an invariant checked with the code it checks proves little.
"""
from __future__ import annotations

from datetime import date

from engine.chain.chain import Chain
from engine.chain.trace import Tracer
from engine.pack.rulepack import RulePack
from facts.model import FactSet
from facts.timeline import in_force


def chain_of(facts: FactSet, pack: RulePack, backend, incident: str) -> Chain:
    tracer = Tracer(facts, pack, backend)
    return tracer.trace(tracer.incidents[incident])


def chains_json(facts: FactSet, pack: RulePack, backend, incidents: list[str]) -> dict[str, dict]:
    """Each named incident's chain as its JSON contract."""
    tracer = Tracer(facts, pack, backend)
    return {i: tracer.trace(tracer.incidents[i]).as_json() for i in incidents}


def parties(chain: Chain):
    """Every person link and unit link of the chain."""
    return (*chain.links, *chain.units)


def findings(chain: Chain, rules: set[str] | None = None) -> set[tuple[str, str, tuple[str, ...]]]:
    """(person or unit, rule, evidence) of every finding kept in the chain, optionally of some rules only."""
    return {(p.id, f.rule, f.evidence) for p in parties(chain) for f in p.findings
            if rules is None or f.rule in rules}


def held(facts: FactSet, person: str, post: str, day: date) -> bool:
    """Did the person hold the post on the day, by the tenures as written?"""
    return any(t.person == person and t.post == post and in_force(t.valid_from, t.valid_to, day) for t in facts.tenures)


def holders(facts: FactSet, post: str, day: date) -> set[str]:
    return {t.person for t in facts.tenures if t.post == post and in_force(t.valid_from, t.valid_to, day)}


def incident(facts: FactSet, incident_id: str):
    return next(i for i in facts.incidents if i.id == incident_id)


def wide_pack(pack: RulePack, copies: int = 6, extra_roles: int = 2000) -> RulePack:
    """The pack's rules ``copies`` times over (new ids, their overrides renamed alike) and its report-duty
    roles a list of ``extra_roles`` more: past every table of durable_rules that a pack can reach (one
    fact passing 64 patterns, 512 children of one node), so the durable compilation must work around them."""
    rules = list(pack.rules)
    for n in range(1, copies):
        rules += [r.model_copy(update={"id": f"{r.id}_x{n}", "overrides": [f"{o}_x{n}" for o in r.overrides]})
                  for r in pack.rules]
    roles = pack.parameters["report_duty_bases"]
    params = {**pack.parameters, "report_duty_bases": roles.model_copy(update={
        "value": [*roles.value, *(f"role{i}" for i in range(extra_roles))]})}
    return pack.model_copy(update={"rules": rules, "parameters": params})
