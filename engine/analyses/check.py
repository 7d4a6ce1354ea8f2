"""Is a rule pack consistent? Static checks of the pack, then N generated scenarios.

A pack that does not load (unknown kinds, fields, clauses, types: see
:func:`engine.pack.rulepack.check_pack`) never gets here: the loader's error is the
answer (exit 2). A pack that loads can still be wrong, and this module says how:

Static (from the pack alone)
  ``duplicate_key``        a YAML mapping names a key twice (YAML keeps the last one silently);
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
  ``unassigned_duty``      a duty fact of the context (see :data:`DUTY_KINDS`) that no
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

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any, Callable, Iterable

import yaml
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from pydantic import ValidationError

from engine.chain.chain import build_chain
from engine.incident.context import DUTY_ROLES, SCHEMA, build_context
from engine.org.graph import OrgGraph
from engine.pack.backends import PythonBackend
from engine.pack.compile import clauses_of, passes
from engine.pack.rulepack import FieldRef, Gap, ParamRef, Pattern, Rule, RulePack
from facts.errors import Problem
from facts.load import Origin, check_references
from facts.model import SECTIONS, FactSet
from facts.strategies import to_yaml, towns

#: Context facts that stand for a duty borne by someone (or left with nobody): §5 makes the
#: bearer answerable for any incident in their scope, §6.3 makes a vacancy worth a warning.
#: Each must end in a finding or a data-gap warning. The fields name the duty in a finding.
DUTY_KINDS: dict[str, tuple[str, ...]] = {
    "holds": ("scope", "role", "safety_lead"),
    "in_charge": ("target_kind",),
    "liaison": ("assignment_kind",),
    "vacancy": ("scope",),
}

#: How long hypothesis may shrink one example before the record pruning takes over.
SHRINK_SECONDS = 2.0

STATIC_KINDS = ("duplicate_key", "unknown_clause", "unused_parameter", "parameter_type", "never_matches", "conflict")
DYNAMIC_KINDS = ("dead_rule", "conflict", "no_rule_applies", "unassigned_duty")


@dataclass(frozen=True)
class Finding:
    """One inconsistency: its kind, where in the pack and what (as a Problem), and an example if any."""

    kind: str
    problem: Problem
    example: FactSet | None = None
    incident: str | None = None

    def as_text(self, pack_path: str) -> str:
        text = f"[{self.kind}] {self.problem}"
        if self.example is None:
            return text
        body = to_yaml(self.example).rstrip("\n")
        return (f"{text}\n  smallest example (incident {self.incident}); save it as example.yaml and run\n"
                f"  `wenze trace example.yaml --rules {pack_path} --incident {self.incident} --backend python`:\n"
                f"---\n{body}\n...")


@dataclass(frozen=True)
class Report:
    """What `wenze check` found: static findings, then dynamic ones over ``scenarios`` towns."""

    pack: str
    scenarios: int
    seed: int
    static: tuple[Finding, ...]
    dynamic: tuple[Finding, ...]
    fired: dict[str, int] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        return not self.static and not self.dynamic

    def as_text(self) -> str:
        lines = [f"{self.pack}: {len(self.static)} static, {len(self.dynamic)} dynamic finding(s) "
                 f"over {self.scenarios} generated scenarios (seed {self.seed})"]
        lines += [f.as_text(self.pack) for f in (*self.static, *self.dynamic)]
        if self.clean:
            lines.append("clean: every rule fired, no conflict, no incident without a finding, no duty left unassigned"
                         if self.scenarios else "clean (static checks only)")
        return "\n".join(lines) + "\n"


# -- static --------------------------------------------------------------------------------

class _DuplicateKeys(yaml.SafeLoader):
    """A YAML loader that notes every key repeated within one mapping (PyYAML keeps the last)."""

    def __init__(self, stream):
        super().__init__(stream)
        self.duplicates: list[tuple[str, int]] = []

    def construct_mapping(self, node, deep=False):
        seen: set = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (str, int, bool)) and key in seen:
                self.duplicates.append((str(key), key_node.start_mark.line + 1))
            seen.add(key)
        return super().construct_mapping(node, deep)


def _duplicate_keys(path: Path) -> list[Finding]:
    loader = _DuplicateKeys(path.read_text(encoding="utf-8"))
    try:
        loader.get_single_data()
    finally:
        loader.dispose()
    return [Finding("duplicate_key", Problem(str(path), f"line {line}", key,
                                             f"'{key}' appears twice in the same mapping; YAML keeps only the last",
                                             "rename or remove one of them"))
            for key, line in loader.duplicates]


def _unknown_clauses(pack: RulePack, file: str) -> list[Finding]:
    cited = [(f"categories.{k}", "clause", c.clause) for k, c in pack.categories.items()]
    cited += [(f"principles.{k}", "clause", p.clause) for k, p in pack.principles.items()]
    cited += [(f"parameters.{k}", "reference", p.reference) for k, p in pack.parameters.items()]
    return [Finding("unknown_clause", Problem(file, where, fld, f"unknown clause '{clause}'",
                                              "cite a clause id listed under 'clauses'"))
            for where, fld, clause in cited if clause not in pack.clauses]


def _items(pack: RulePack) -> list[tuple[str, Rule | Gap]]:
    """Every rule and gap with its place in the file, e.g. 'rules #3 (safety_lead)'."""
    return [(f"{section} #{pos} ({item.id})", item) for section, items in (("rules", pack.rules), ("gaps", pack.gaps))
            for pos, item in enumerate(items, 1)]


def _patterns(item: Rule | Gap) -> Iterable[tuple[str, Pattern]]:
    yield from ((f"when.{a}", p) for a, p in item.when.items())
    yield from ((f"unless.{a}", p) for a, p in item.unless.items())


def _parameters(pack: RulePack, file: str) -> list[Finding]:
    used = {op.param for _, item in _items(pack) for _, pat in _patterns(item)
            for _, _, op in pat.tests if isinstance(op, ParamRef)}
    used |= {r.enabled_by for r in pack.rules if r.enabled_by}
    out = [Finding("unused_parameter", Problem(file, f"parameters.{name}", "", "no rule or gap refers to it",
                                               "use it in a pattern ({param: NAME}) or remove it"))
           for name in pack.parameters if name not in used]
    for name, p in pack.parameters.items():
        if isinstance(p.value, list) and len({type(v) for v in p.value}) > 1:
            types = ", ".join(sorted({type(v).__name__ for v in p.value}))
            out.append(Finding("parameter_type", Problem(file, f"parameters.{name}", "value",
                                                         f"the list mixes types ({types})",
                                                         "give values of the one type the field compared has")))
    return out


def _candidates(kind: type, constants: list) -> list:
    """Values enough to decide a conjunction of single-field tests against these constants."""
    if kind is bool:
        return [True, False]
    if kind is int:
        return sorted({c + d for c in constants if type(c) is int for d in (-1, 0, 1)} | {0})
    return [*{c for c in constants if isinstance(c, str)}, "\x00none of the above"]


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
    for fld, ts in tests.items():
        constants = [v for _, o in ts for v in (o if isinstance(o, list) else [o])]
        if not any(all(passes(op, v, o) for op, o in ts) for v in _candidates(fields[fld], constants)):
            return False
    return True


def _never_matches(pack: RulePack, file: str) -> list[Finding]:
    return [Finding("never_matches", Problem(file, where, at, f"no '{pat.kind}' fact can pass these tests",
                                             "check the values and parameters this pattern compares with"))
            for where, item in _items(pack) for at, pat in _patterns(item) if not satisfiable(pack, [pat])]


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


def _static_conflicts(pack: RulePack, file: str) -> list[Finding]:
    out = []
    for a, b in combinations([r for r in pack.rules if _standing(r)], 2):
        if a.principle != b.principle or a.category == b.category or a.party[0] != b.party[0] or _ordered(a, b):
            continue
        if satisfiable(pack, [a.when[a.party[1]], b.when[b.party[1]]]):
            out.append(Finding("conflict", _conflict_problem(file, a, b)))
    return out


def static_findings(pack: RulePack, path: str | Path) -> list[Finding]:
    """What the pack's text shows, without any facts."""
    file = str(path)
    return [*_duplicate_keys(Path(path)), *_unknown_clauses(pack, file), *_parameters(pack, file),
            *_never_matches(pack, file), *_static_conflicts(pack, file)]


# -- dynamic -------------------------------------------------------------------------------

def _is_duty(fact) -> bool:
    if fact.kind != "holds":
        return fact.kind in DUTY_KINDS
    scope = fact.fields["scope"]
    return fact.fields["role"] in DUTY_ROLES.get(scope, ()) or (scope == "town" and fact.fields["safety_lead"])


def _duty_name(fact) -> str:
    return f"{fact.kind} (" + ", ".join(f"{f}={fact.fields[f]}" for f in DUTY_KINDS[fact.kind]) + ")"


def observe(pack: RulePack, graph: OrgGraph, incident, backend: PythonBackend) -> tuple[set[str], set[tuple]]:
    """The rules that fired for one incident, and the keys of the findings it shows.

    Keys: ``("conflict", rule_a, rule_b)``, ``("no_rule_applies",)``, ``("unassigned_duty", name)``.
    """
    ctx = build_context(graph, incident)
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
    for f in ctx.facts:
        if _is_duty(f) and f.key not in named:
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


def _run(strategy, n: int, seed: int, shrink: bool, body: Callable[[Any], None]) -> None:
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


def _valid(facts: FactSet) -> bool:
    """True when the facts pass the loader's reference checks (what `wenze trace` would accept)."""
    records = {s: [(r, Origin("example", s, i, getattr(r, "id", None))) for i, r in enumerate(getattr(facts, s), 1)]
               for s in SECTIONS}
    try:
        return facts.incidents != [] and not check_references(records)
    except KeyError:  # the loader's loop check assumes every parent exists; a dangling one is invalid anyway
        return False


def prune(facts: FactSet, keeps: Callable[[FactSet], bool]) -> FactSet:
    """Drop records (acts first, whole runs then single ones) and reset optional fields, while the
    facts stay valid and still show the finding.

    Hypothesis shrinks the choices that drew the town; this removes what those choices
    could not (a village nothing refers to, a person with no post, a report beside the point).
    """
    changed = True
    while changed:
        simpler = _simplify(facts, keeps)
        changed, facts = simpler is not facts, simpler
        for section in reversed(SECTIONS):
            size = len(getattr(facts, section))
            while size:
                i = 0
                while i < len(getattr(facts, section)):
                    items = getattr(facts, section)
                    trial = facts.model_copy(update={section: items[:i] + items[i + size:]})
                    if _valid(trial) and keeps(trial):
                        facts, changed = trial, True
                    else:
                        i += size
                size //= 2
    return facts


def _simplify(facts: FactSet, keeps: Callable[[FactSet], bool]) -> FactSet:
    """Reset each optional field of each record to its default (no reports, no casualties, no end
    date…) where the facts stay valid and still show the finding."""
    for section in SECTIONS:
        for i in range(len(getattr(facts, section))):
            rec = getattr(facts, section)[i]
            for name, spec in type(rec).model_fields.items():
                if spec.is_required() or getattr(rec, name) == spec.default:
                    continue
                try:
                    simpler = type(rec).model_validate({**rec.model_dump(), name: spec.default})
                except ValidationError:
                    continue
                items = list(getattr(facts, section))
                items[i] = simpler
                trial = facts.model_copy(update={section: items})
                if _valid(trial) and keeps(trial):
                    facts, rec = trial, simpler
    return facts


def _describe(key: tuple, pack: RulePack, file: str) -> Problem:
    if key[0] == "conflict":
        return _conflict_problem(file, pack.rule(key[1]), pack.rule(key[2]), seen=True)
    if key[0] == "no_rule_applies":
        return Problem(file, "pack", "", "an incident gets no finding and no data-gap warning",
                       "add a rule or a gap that applies to it (the example shows one)")
    return Problem(file, "pack", "", f"a duty fact {key[1]} is named by no rule and reported by no gap",
                   "add a rule whose liable alias matches it, or a gap that reports it")


def dynamic_findings(pack: RulePack, path: str | Path, n: int, seed: int, strategy=None,
                     shrink_seconds: float = SHRINK_SECONDS) -> tuple[list[Finding], dict[str, int]]:
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
    enabled = {i.id for i in clauses_of(pack)}
    out = [Finding("dead_rule", Problem(file, where, "when", f"never fired in {n} generated scenarios",
                                        "check its conditions against `wenze schema --context`, or the "
                                        "facts it needs may be missing from facts.strategies"))
           for where, item in items if item.id in enabled and not fired[item.id]]
    for key in sorted(seen):
        shows = lambda f, key=key: key in _keys_of(pack, f, backend)[1]  # noqa: E731
        example = shrunk(strategy, shows, n, seed, shrink_seconds)
        example = prune(example, shows) if example is not None else None
        incident = _keys_of(pack, example, backend)[1][key] if example is not None else None
        out.append(Finding("conflict" if key[0] == "conflict" else key[0], _describe(key, pack, file),
                           example, incident))
    return out, dict(sorted(fired.items()))


def check(pack: RulePack, path: str | Path, n: int = 1000, seed: int = 0,
          shrink_seconds: float = SHRINK_SECONDS) -> Report:
    """Static findings, then dynamic findings over ``n`` generated scenarios."""
    dynamic, fired = dynamic_findings(pack, path, n, seed, shrink_seconds=shrink_seconds) if n > 0 else ([], {})
    return Report(str(path), n, seed, tuple(static_findings(pack, path)), tuple(dynamic), fired)
