"""The evaluation core of what-ifs and batches: variants, shared contexts and matches, comparisons.

An incident's context is computed once per distinct fact set and evaluated under every
variant on it; a rule-only scenario reuses the matches of the rules it leaves alone."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Collection, Sequence

from engine.analyses.whatif.apply import apply
from engine.analyses.whatif.scenario import (
    BASELINE,
    Scenario,
    ScenarioError,
    load_scenario,
)
from engine.chain.chain import Chain, build_chain
from engine.incident.context import build_context
from engine.org.graph import OrgGraph
from engine.outputs.diff import Comparison
from engine.pack.backends import Backend
from engine.pack.compile import Match
from engine.pack.grammar import ParamRef
from engine.pack.rulepack import (
    SECTIONS,
    Gap,
    Rule,
    RulePack,
)
from facts.canon import canonical_json
from facts.errors import (
    Problem,
    UnknownIdError,
)
from facts.model import FactSet, Incident


@dataclass(frozen=True)
class Variant:
    """The baseline, or the baseline under one scenario (or several composed, ``a+b``)."""

    name: str
    description: str
    facts: FactSet
    pack: RulePack
    scenarios: tuple[Scenario, ...] = ()


def scenario_paths(spec: str) -> list[Path]:
    """``S.yaml`` → [S.yaml]; ``A.yaml+B.yaml`` → [A.yaml, B.yaml] (composed in that order)."""
    return [Path(spec)] if Path(spec).exists() else [Path(p) for p in spec.split("+")]


def variants(facts: FactSet, pack: RulePack, specs: Sequence[str]) -> list[Variant]:
    """The baseline, then one variant per scenario spec; every problem of every scenario reported at once."""
    out = [Variant(BASELINE, "", facts, pack)]
    problems: list[Problem] = []
    for spec in specs:
        try:
            scenarios = tuple(load_scenario(p) for p in scenario_paths(spec))
            f, p = apply(scenarios, facts, pack)
        except ScenarioError as e:
            problems += e.problems
            continue
        name = "+".join(s.name for s in scenarios)
        if name in {v.name for v in out}:
            problems.append(Problem(spec, "scenario", "name", f"scenario name '{name}' is used twice",
                                    f"'{BASELINE}' is reserved; give each scenario its own name"))
            continue
        out.append(Variant(name, " / ".join(s.description for s in scenarios if s.description), f, p, scenarios))
    if problems:
        raise ScenarioError(problems, what="the scenarios")
    return out


def _reraise(members: list[int], error: Exception) -> None:
    raise error


def _signature(pack: RulePack, item: Rule | Gap) -> str:
    """What a rule's (or gap's) matches depend on: its conditions, the parameter values they read, its switch."""
    patterns = (*item.when.values(), *item.unless.values())
    params = sorted({o.param for p in patterns for _, _, o in p.tests if isinstance(o, ParamRef)})
    switch = getattr(item, "enabled_by", None)
    return canonical_json({"conditions": item.model_dump(mode="json", include={"when", "unless"}),
                           "params": {name: pack.param(name) for name in params},
                           "on": switch is None or pack.param(switch)})


@dataclass(frozen=True)
class _Reuse:
    """A variant's matches from its group's first variant's: the rules that match alike, and a pack of the rest.

    The rest is matched on the facts of the kinds its patterns name: no other fact can bind or block them.
    """

    same: frozenset[str]
    rest: RulePack | None  # None: nothing left to match
    kinds: frozenset[str]

    @classmethod
    def plan(cls, first: RulePack, pack: RulePack) -> "_Reuse":
        before = {i.id: _signature(first, i) for i in first.items}
        same = frozenset(i.id for i in pack.items if before.get(i.id) == _signature(pack, i))
        rest = pack.model_copy(update={s: [i for i in getattr(pack, s) if i.id not in same] for s in SECTIONS})
        items = rest.items
        kinds = frozenset(p.kind for i in items for p in (*i.when.values(), *i.unless.values()))
        return cls(same, rest if items else None, kinds)

    def matches(self, backend: Backend, first: list[Match], facts: tuple) -> list[Match]:
        own = backend.matches(self.rest, tuple(f for f in facts if f.kind in self.kinds)) if self.rest else []
        return sorted([m for m in first if m.rule in self.same] + own, key=lambda m: (m.rule, m.bindings))


class Evaluator:
    """Every variant's chain of an incident, with one context per incident per distinct fact set.

    Variants whose scenarios change only the rule pack share the baseline's
    FactSet object, hence its graph and each incident's context. They share
    matches too: a rule whose conditions and parameters a scenario leaves as
    they were matches what it matched for the first variant on those facts
    (rules match independently of each other), so only the rules a scenario
    changed are matched again. Each variant's pack judges an incident as in force on its day
    (RulePack.as_of); the plan of what to reuse is made once per pair of versions.
    """

    def __init__(self, variants: Sequence[Variant]):
        self.variants = list(variants)
        groups: dict[int, tuple[OrgGraph, list[int]]] = {}
        for n, v in enumerate(self.variants):
            if id(v.facts) not in groups:
                groups[id(v.facts)] = (OrgGraph(v.facts), [])
            groups[id(v.facts)][1].append(n)
        self.groups = list(groups.values())
        self._plans: dict[tuple[str, str], _Reuse] = {}

    def _reuse(self, first: RulePack, pack: RulePack) -> _Reuse:
        key = (first.digest, pack.digest)
        if key not in self._plans:
            self._plans[key] = _Reuse.plan(first, pack)
        return self._plans[key]

    def run(self, backend: Backend, incident_of: Callable[[OrgGraph], Incident | None],
            skip: Collection[int] = (), on_error: Callable[[list[int], Exception], None] = _reraise,
            ) -> list[Chain | None]:
        """Chains in variant order: None where the incident is absent, skipped, or failed (``on_error``)."""
        out: list[Chain | None] = [None] * len(self.variants)
        for graph, members in self.groups:
            todo = [n for n in members if n not in skip]
            incident = incident_of(graph) if todo else None
            if incident is None:
                continue
            try:
                ctx = build_context(graph, incident)
            except Exception as e:  # noqa: BLE001 - on_error decides: re-raise, or record and go on
                on_error(todo, e)
                continue
            first: list[Match] | None = None
            first_pack = self.variants[members[0]].pack.as_of(ctx.day)
            for n in todo:
                pack = self.variants[n].pack.as_of(ctx.day)
                try:
                    if n == members[0]:
                        matches = first = backend.matches(pack, ctx.facts)
                    elif first is not None:
                        matches = self._reuse(first_pack, pack).matches(backend, first, ctx.facts)
                    else:  # the first variant failed: nothing to share
                        matches = backend.matches(pack, ctx.facts)
                    out[n] = build_chain(pack, graph, ctx, matches)
                except Exception as e:  # noqa: BLE001 - as above
                    on_error([n], e)
        return out

    def incident_ids(self, wanted: Sequence[str] = ()) -> list[str]:
        """The incidents asked for, checked; else every incident of the baseline, then any a scenario adds."""
        known = list(dict.fromkeys(i.id for g, _ in self.groups for i in g.facts.incidents))
        for i in wanted:
            if i not in known:
                raise UnknownIdError("incident", i, known)
        return list(wanted) or known


def compare(variants: Sequence[Variant], backend: Backend, incidents: Sequence[str] = ()) -> list[Comparison]:
    """Each incident (all by default) under every variant, the baseline first: `wenze whatif`."""
    evaluator = Evaluator(variants)
    names = tuple(v.name for v in variants)

    def version(incident_id: str) -> Callable[[OrgGraph], Incident | None]:
        return lambda graph: next((i for i in graph.facts.incidents if i.id == incident_id), None)

    return [Comparison(i, names, tuple(evaluator.run(backend, version(i)))) for i in evaluator.incident_ids(incidents)]
