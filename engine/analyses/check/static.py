"""The static checks of a pack: what can be said from the pack alone, before any town is generated."""
from __future__ import annotations

from collections import defaultdict
from itertools import combinations
from pathlib import Path
from typing import Any, Iterable

from engine.analyses.check.findings import CheckFinding
from engine.incident.kinds import SCHEMA
from engine.pack.grammar import FieldRef, ParamRef, Pattern, satisfiable_tests
from engine.pack.rulepack import SECTIONS, Gap, Rule, RulePack
from facts.errors import Problem

# -- static --------------------------------------------------------------------------------

def _unknown_clauses(pack: RulePack, file: str) -> list[CheckFinding]:
    cited = [(f"categories.{k}", "clause", c.clause) for k, c in pack.categories.items()]
    cited += [(f"principles.{k}", "clause", p.clause) for k, p in pack.principles.items()]
    cited += [(f"parameters.{k}", "reference", p.reference) for k, p in pack.parameters.items() if p.reference]
    return [CheckFinding("unknown_clause", Problem(file, where, fld, f"unknown clause '{clause}'",
                                              "cite a clause id listed under 'clauses'"))
            for where, fld, clause in cited if clause not in pack.clauses]


def _items(pack: RulePack) -> list[tuple[str, Rule | Gap]]:
    """Every rule and gap with its place in the file, e.g. 'rules #3 (safety_lead)'."""
    return [(f"{section} #{pos} ({item.id})", item) for section in SECTIONS
            for pos, item in enumerate(getattr(pack, section), 1)]


def _patterns(item: Rule | Gap) -> Iterable[tuple[str, Pattern]]:
    yield from ((f"when.{a}", p) for a, p in item.when.items())
    yield from ((f"unless.{a}", p) for a, p in item.unless.items())


def _parameters(pack: RulePack, file: str) -> list[CheckFinding]:
    used = {op.param for _, item in _items(pack) for _, pat in _patterns(item)
            for _, _, op in pat.tests if isinstance(op, ParamRef)}
    used |= {r.enabled_by for r in pack.rules if r.enabled_by}
    used |= {op.param for item in (*pack.grading, *pack.escalations)
             for _, _, op in item.tests if isinstance(op, ParamRef)}
    out = [CheckFinding("unused_parameter", Problem(file, f"parameters.{name}", "", "no rule, gap, grading or escalation refers to it",
                                               "use it in a pattern ({param: NAME}) or remove it"))
           for name in pack.parameters if name not in used]
    for name, p in pack.parameters.items():
        for value in p.every_value:
            if isinstance(value, list) and len({type(v) for v in value}) > 1:
                types = ", ".join(sorted({type(v).__name__ for v in value}))
                out.append(CheckFinding("parameter_type", Problem(file, f"parameters.{name}", "value",
                                                             f"the list mixes types ({types})",
                                                             "give values of the one type the field compared has")))
    return out


def satisfiable(pack: RulePack, patterns: list[Pattern]) -> bool:
    """Can one fact satisfy every pattern at once? Tests against other aliases count as satisfiable."""
    if len({p.kind for p in patterns}) != 1:
        return False
    fields = SCHEMA[patterns[0].kind]
    tests: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    for pat in patterns:
        for fld, op, operand in pat.tests:
            operand = pack.param(operand.param) if isinstance(operand, ParamRef) else operand
            if not isinstance(operand, FieldRef):
                tests[fld].append((op, operand))
    return all(satisfiable_tests(fields[fld], ts) for fld, ts in tests.items())


def _never_matches(pack: RulePack, version: RulePack, file: str) -> list[CheckFinding]:
    """Patterns of the rules, gaps and acts to examine of ``version`` (placed as in the file) that no fact can pass."""
    present = {i.id for i in version.items}
    return [CheckFinding("never_matches", Problem(file, where, at, f"no '{pat.kind}' fact can pass these tests",
                                             "check the values and parameters this pattern compares with"))
            for where, item in _items(pack) if item.id in present
            for at, pat in _patterns(item) if not satisfiable(version, [pat])]


def _standing(rule: Rule) -> bool:
    """A rule whose category is a standing in the chain: it makes someone answerable and places them
    in a band. A rule with no band records a failing (a late report), and failings add up."""
    return rule.effect == "liable" and rule.tier is not None


def _ordered(a: Rule, b: Rule) -> bool:
    """True when one rule declares that it overrides the other."""
    return a.id in b.overrides or b.id in a.overrides


def _conflict_problem(file: str, a: Rule, b: Rule, seen: bool = False) -> Problem:
    a, b = sorted((a, b), key=lambda r: r.id)
    did = "named the same {} in a generated scenario" if seen else "can name the same {}"
    return Problem(file, f"rules {a.id}, {b.id}", "overrides",
                   f"both {did.format(a.party[0])} under principle '{a.principle}' for the same duty, "
                   f"as '{a.category}' and as '{b.category}', and neither overrides the other",
                   f"add `overrides: [{b.id}]` to rule {a.id} (or the reverse), or give one of them another "
                   "principle or category")


def _static_conflicts(pack: RulePack, file: str) -> list[CheckFinding]:
    out = []
    for a, b in combinations([r for r in pack.rules if _standing(r)], 2):
        if a.principle != b.principle or a.category == b.category or a.party[0] != b.party[0] or _ordered(a, b):
            continue
        if satisfiable(pack, [a.when[a.party[1]], b.when[b.party[1]]]):
            out.append(CheckFinding("conflict", _conflict_problem(file, a, b)))
    return out


def static_findings(pack: RulePack, path: str | Path) -> list[CheckFinding]:
    """What the pack's text shows, without any facts; what depends on parameter values, in each version of it."""
    file = str(path)
    by_version = [f for version in pack.versions() for f in (*_never_matches(pack, version, file),
                                                             *_static_conflicts(version, file))]
    return [*_unknown_clauses(pack, file), *_parameters(pack, file),
            *dict.fromkeys(by_version)]
