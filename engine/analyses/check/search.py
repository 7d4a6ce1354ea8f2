"""The generated search: towns drawn by facts.strategies, evaluated by the Python matcher, shrunk by hypothesis."""
from __future__ import annotations

import time
from collections import defaultdict
from contextlib import contextmanager
from itertools import combinations
from typing import Any, Callable, Iterator

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed

from engine.analyses.check.static import (
    _ordered,
    _standing,
)
from engine.chain.chain import build_chain
from engine.incident.context import build_context
from engine.incident.kinds import BY_NAME, stands_for_duty
from engine.org.graph import OrgGraph
from engine.pack.backends import PythonBackend
from engine.pack.rulepack import Rule, RulePack
from facts.model import FactSet
from facts.strategies import to_yaml

# -- dynamic -------------------------------------------------------------------------------

#: How long hypothesis may shrink one example before the record pruning takes over.
SHRINK_SECONDS = 2.0


def _duty_name(fact) -> str:
    return f"{fact.kind} (" + ", ".join(f"{f}={fact.fields[f]}" for f in BY_NAME[fact.kind].duty) + ")"


def observe(pack: RulePack, graph: OrgGraph, incident, backend: PythonBackend) -> tuple[set[str], set[tuple]]:
    """The rules that fired for one incident, and the keys of the findings it shows.

    Keys: ``("conflict", rule_a, rule_b)``, ``("no_rule_applies",)``, ``("unassigned_duty", name)``.
    """
    ctx = build_context(graph, incident)
    pack = pack.as_of(ctx.day)
    matches = backend.matches(pack, ctx.facts)
    facts = ctx.by_key()
    rules = {r.id: r for r in pack.rules}
    keys: set[tuple] = set()

    by_duty: dict[tuple, list[Rule]] = defaultdict(list)
    named: set[str] = set()
    for m in matches:
        rule = rules.get(m.rule)
        if rule is None:  # a gap: whatever it binds is reported
            named.update(k for _, k in m.bindings)
            continue
        if rule.effect != "liable":
            continue
        party, alias = rule.party
        fact_key = dict(m.bindings)[alias]
        named.add(fact_key)
        if _standing(rule):
            by_duty[(party, facts[fact_key].fields[party], rule.principle, fact_key)].append(rule)
    for group in by_duty.values():
        for a, b in combinations(sorted({r.id: r for r in group}.values(), key=lambda r: r.id), 2):
            if a.category != b.category and not _ordered(a, b):
                keys.add(("conflict", a.id, b.id))
    for f in ctx.facts if incident.kind == "accident" else ():  # an event charges no duty for the post alone
        if stands_for_duty(f) and f.key not in named:
            keys.add(("unassigned_duty", _duty_name(f)))
    chain = build_chain(pack, graph, ctx, matches)
    if not chain.links and not chain.units and not chain.gaps:
        keys.add(("no_rule_applies",))
    return {m.rule for m in matches}, keys


def _keys_of(pack: RulePack, facts: FactSet, backend: PythonBackend) -> tuple[set[str], dict[tuple, str]]:
    """Rules fired and finding keys over every incident of a fact set (key → first incident showing it)."""
    graph = OrgGraph(facts)
    fired: set[str] = set()
    keys: dict[tuple, str] = {}
    for inc in facts.incidents:
        f, k = observe(pack, graph, inc, backend)
        fired |= f
        for key in k:
            keys.setdefault(key, inc.id)
    return fired, keys


def _settings(n: int, shrink: bool) -> settings:
    phases = [Phase.generate, Phase.shrink] if shrink else [Phase.generate]
    return settings(max_examples=n, database=None, deadline=None, phases=phases, derandomize=False,
                    suppress_health_check=list(HealthCheck), report_multiple_bugs=False, print_blob=False,
                    verbosity=Verbosity.quiet)


@contextmanager
def _seed_alone() -> Iterator[None]:
    """Towns drawn from the seed alone, whatever code is loaded.

    Hypothesis (since 6.131) also draws literals it finds in the local modules that
    happen to be imported, so one seed drew other towns in the CLI, in the workbench's
    server and in a test run, and again after any edit of wenze's code. While a check
    runs, that pool is empty (an internal of hypothesis: where it is not found,
    nothing is changed).
    """
    from hypothesis.internal.conjecture import providers

    if not all(hasattr(providers, n) for n in ("_get_local_constants", "CONSTANTS_CACHE", "Constants")):
        yield
        return
    loaded = providers._get_local_constants
    providers._get_local_constants = providers.Constants
    providers.CONSTANTS_CACHE.cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = loaded
        providers.CONSTANTS_CACHE.cache.clear()


def _run(strategy, n: int, seed: int, shrink: bool, body: Callable[[Any], None]) -> None:
    with _seed_alone():
        hypothesis_seed(seed)(_settings(n, shrink)(given(strategy)(body)))()


class _Found(Exception):
    """Raised by the test body on a value that shows the finding: hypothesis then shrinks it."""


class _OutOfTime(BaseException):
    """Ends hypothesis' shrinking from inside the test body (its own limit is five minutes).

    A BaseException, so hypothesis does not take it for the failure being shrunk."""


def shrunk(strategy, condition: Callable[[Any], bool], n: int, seed: int, budget: float = SHRINK_SECONDS) -> Any | None:
    """The first value drawn (same seed as the exploration) that satisfies the condition, shrunk by
    hypothesis for at most ``budget`` seconds; None when no value among ``n`` does."""
    hits: list = []
    stop = [float("inf")]

    def body(value):
        if time.monotonic() > stop[0]:
            raise _OutOfTime
        if condition(value):
            if not hits:
                stop[0] = time.monotonic() + budget
            hits.append(value)
            raise _Found

    try:
        _run(strategy, n, seed, True, body)
    except (_Found, _OutOfTime):
        pass
    return min(hits, key=lambda f: len(to_yaml(f))) if hits else None
