"""Is a rule pack consistent? Static checks of the pack, then N generated scenarios.

A pack that does not load (a key written twice, unknown kinds, fields, clauses, types,
contradictions: see :func:`engine.pack.rulepack.check_pack`) never gets here: the loader's error is the
answer (exit 2). A pack that loads can still be wrong, and this module says how:

Static (from the pack alone)
  ``unknown_clause``       a category, principle or parameter cites a clause not in ``clauses``;
  ``unused_parameter``     a parameter no rule or gap refers to;
  ``parameter_type``       a list parameter mixing value types;
  ``never_matches``        a pattern no fact can satisfy (e.g. ``in`` an empty list);
  ``conflict``             two rules that can give the same person (or unit) different
                           categories under one principle for the same duty, neither
                           overriding the other.

Dynamic (over N towns drawn by :mod:`facts.strategies`, evaluated with the plain-Python
evaluator, so a finding is the pack's fault, not durable_rules')
  ``dead_rule``            a rule or gap that never fired;
  ``conflict``             the static conflict, seen happening;
  ``no_rule_applies``      an incident with no finding and no data-gap warning;
  ``unassigned_duty``      a duty fact of the context (see :func:`engine.incident.kinds.stands_for_duty`) that no
                           rule names anyone for and no gap reports.

Every dynamic finding but a dead rule comes with the smallest fact set that shows it
(hypothesis shrinking), printable as a fact file ``wenze trace`` loads.

What "conflict" means, precisely: two rules of one principle that give different
categories, both *standings* (they make someone answerable and place them in a
band of the chain), whose liable alias binds the *same context fact*: one post
held, one assignment borne, one act. Those are two readings of one duty, and the
pack must say which stands (``overrides``). Not conflicts:

- findings about different duties of one person: one post, two duties (一岗双责).
  A safety lead also in charge of the incident's sector answers under §4.3 for
  the first duty (a ``holds`` fact) and under §4.4 for the second (an
  ``in_charge`` fact);
- findings of rules with no band (a late report, an understated one): they record
  failings, which add up — a report can be both late and false (迟报 and 谎报 are
  separate offences, 国务院令第493号 Arts. 35–36).
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from engine.analyses.check.findings import CheckFinding, CheckReport
from engine.analyses.check.prune import prune
from engine.analyses.check.search import (
    SHRINK_SECONDS,
    _keys_of,
    _run,
    shrunk,
)
from engine.analyses.check.static import (
    _conflict_problem,
    _items,
    static_findings,
)
from engine.pack.backends import PythonBackend
from engine.pack.compile import clauses_of
from engine.pack.rulepack import RulePack
from facts.errors import Problem
from facts.model import FactSet
from facts.strategies import towns


def _describe(key: tuple, pack: RulePack, file: str) -> Problem:
    if key[0] == "conflict":
        return _conflict_problem(file, pack.rule(key[1]), pack.rule(key[2]), seen=True)
    if key[0] == "no_rule_applies":
        return Problem(file, "pack", "", "an incident gets no finding and no data-gap warning",
                       "add a rule or a gap that applies to it (the example shows one)")
    return Problem(file, "pack", "", f"a duty fact {key[1]} is named by no rule and reported by no gap",
                   "add a rule whose liable alias matches it, or a gap that reports it")


def dynamic_findings(pack: RulePack, path: str | Path, n: int, seed: int, strategy=None,
                     shrink_seconds: float = SHRINK_SECONDS) -> tuple[list[CheckFinding], dict[str, int]]:
    """Dead rules, conflicts, incidents with no finding, unassigned duties over ``n`` drawn towns."""
    file = str(path)
    strategy = strategy if strategy is not None else towns()
    backend = PythonBackend()
    fired: Counter = Counter()
    seen: dict[tuple, int] = {}

    def explore(facts: FactSet) -> None:
        rules, keys = _keys_of(pack, facts, backend)
        fired.update(rules)
        for k in keys:
            seen[k] = seen.get(k, 0) + 1

    _run(strategy, n, seed, False, explore)
    items = _items(pack)
    enabled = {i.id for version in pack.versions() for i in clauses_of(version)}
    out = [CheckFinding("dead_rule", Problem(file, where, "when", f"never fired in {n} generated scenarios",
                                        "check its conditions against `wenze schema --context`, or the "
                                        "facts it needs may be missing from facts.strategies"))
           for where, item in items if item.id in enabled and not fired[item.id]]
    for key in sorted(seen):
        shows = lambda f, key=key: key in _keys_of(pack, f, backend)[1]  # noqa: E731
        example = shrunk(strategy, shows, n, seed, shrink_seconds)
        example = prune(example, shows) if example is not None else None
        incident = _keys_of(pack, example, backend)[1][key] if example is not None else None
        out.append(CheckFinding("conflict" if key[0] == "conflict" else key[0], _describe(key, pack, file),
                           example, incident))
    return out, dict(sorted(fired.items()))


def check(pack: RulePack, path: str | Path, n: int = 1000, seed: int = 0,
          shrink_seconds: float = SHRINK_SECONDS) -> CheckReport:
    """Static findings, then dynamic findings over ``n`` generated scenarios."""
    dynamic, fired = dynamic_findings(pack, path, n, seed, shrink_seconds=shrink_seconds) if n > 0 else ([], {})
    return CheckReport(str(path), n, seed, tuple(static_findings(pack, path)), tuple(dynamic), fired)
