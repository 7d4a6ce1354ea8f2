"""A rule pack compiled twice, from one reading of its conditions.

- :func:`to_durable`: durable_rules' JSON rulesets. Each rule's action is its
  id, resolved by name on the engine's own Host; a sink rule marks every fact
  handled (durable raises on a fact no rule matches); rules with ``unless``
  are gated on a phase fact asserted after all others, because durable checks
  a negation only once, when the activation is created; and a closing rule
  fires on that phase fact in every session, because durable's
  ``delete_state`` crashes the process (SIGSEGV) on a session where no
  action ever ran (found here; not in the upstream tracker).
- :class:`Matcher`: the same conditions as plain Python, the oracle the
  durable backend is tested against and the fast path for large batches.

durable_rules' C core has fixed-size tables and no bounds check on some of them
(docs/durable-rules.md has the measurements; ``bench/durable_limits.py`` makes
them again), so the compilation keeps every pack inside them whatever its size:

- **one fact passes at most 64 patterns** of one ruleset (a 64-slot stack:
  error 303, and the session then kills the process). The pack is split into
  as many rulesets as it takes to keep each under :data:`PATTERNS_PER_KIND`
  patterns of any kind; rules never see each other's findings, so the facts
  are simply asserted into each;
- **an ``in`` list** would be one alpha node per value, all children of one
  node whose table has 512 slots: the 512th child makes durable spin forever,
  and a value shared by 129 lists gives error 107. A list test is compiled to
  one equality on a yes/no field the backend adds to each fact of the kind:
  whether the fact's value is in the list (:attr:`DurableRuleset.members`),
  computed exactly as the Python matcher computes it.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Mapping

from engine.pack.grammar import FieldRef, ParamRef, Pattern, passes
from engine.pack.rulepack import Gap, Rule, RulePack

PHASE = "__phase__"
SINK = "__sink__"
CLOSE = "__close__"
ENGINE_RULES = (SINK, CLOSE)
#: Patterns of one fact kind in one durable ruleset: durable fails when one fact passes 65.
PATTERNS_PER_KIND = 60
_DURABLE_OP = {"ne": "$neq", "lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}


def clauses_of(pack: RulePack) -> list[Rule | Gap]:
    """Rules, gaps, then acts to examine: every item that fires and records something, in pack order.

    A rule switched off by its ``enabled_by`` parameter is left out of both compilations.
    """
    return [*(r for r in pack.rules if r.enabled_by is None or pack.param(r.enabled_by)), *pack.gaps, *pack.examine]


def _resolve(pack: RulePack, operand: Any) -> Any:
    return pack.param(operand.param) if isinstance(operand, ParamRef) else operand


@dataclass(frozen=True)
class Member:
    """A list test as durable sees it: the fact's ``field`` is in ``values``, as the yes/no field ``name``."""

    kind: str
    field: str
    values: frozenset
    name: str


@dataclass(frozen=True)
class DurableRuleset:
    """One durable_rules ruleset of a pack: its body, the list tests it needs on each fact, each rule's aliases."""

    body: dict
    members: tuple[Member, ...]
    aliases: dict[str, tuple[str, ...]]

    def fact(self, sid: str, fid: str, kind: str, fields: dict) -> dict:
        """A context fact as this ruleset takes it: its fields and the answer to each list test on its kind."""
        out = {"sid": sid, "id": fid, "t": kind, **fields}
        for m in self.members:
            if m.kind == kind:
                out[m.name] = fields.get(m.field) in m.values
        return out


class _Compiler:
    """One ruleset's body; list tests become member fields, numbered in the order met."""

    def __init__(self, pack: RulePack):
        self.pack = pack
        self.members: dict[tuple[str, str, frozenset], Member] = {}

    def test(self, kind: str, fld: str, op: str, operand: Any) -> dict:
        operand = _resolve(self.pack, operand)
        if isinstance(operand, FieldRef):
            alias, ref_field = operand.ref.split(".")
            operand = {alias: ref_field}
        if op in ("in", "not_in"):
            key = (kind, fld, frozenset(operand))
            m = self.members.get(key) or self.members.setdefault(key, Member(*key, f"__in{len(self.members)}"))
            return {m.name: op == "in"}
        if op == "eq":
            return {fld: operand}
        return {_DURABLE_OP[op]: {fld: operand}}

    def pattern(self, pat: Pattern) -> dict:
        return {"$and": [{"t": pat.kind}, *(self.test(pat.kind, *t) for t in pat.tests)]}

    def ruleset(self, items: list[Rule | Gap]) -> DurableRuleset:
        body: dict[str, dict] = {}
        for item in items:
            # The phase fact comes first: durable builds a rule's frames in pattern order and
            # checks a negation once, when the frame reaches it; led by the phase fact, that
            # happens only after every context fact is in the session.
            all_ = [{PHASE: {"$and": [{"t": PHASE}, {"n": 2}]}}] if item.unless else []
            all_ += [{a: self.pattern(p)} for a, p in item.when.items()]
            all_ += [{f"{a}$not": self.pattern(p)} for a, p in item.unless.items()]
            body[item.id] = {"all": all_, "run": item.id}
        body[SINK] = {"all": [{"f": {"$ex": {"t": 1}}}, {"n": {"t": "__never__"}}], "run": SINK}
        body[CLOSE] = {"all": [{"p": {"$and": [{"t": PHASE}, {"n": 2}]}}], "run": CLOSE}
        return DurableRuleset(body, tuple(self.members.values()), {i.id: tuple(i.when) for i in items})


def _kinds(item: Rule | Gap) -> Counter:
    """The patterns an item adds to its ruleset, by fact kind (its phase pattern included)."""
    return Counter([p.kind for p in (*item.when.values(), *item.unless.values())] + [PHASE] * bool(item.unless))


def to_durable(pack: RulePack) -> list[DurableRuleset]:
    """The pack as durable_rules rulesets, each with at most PATTERNS_PER_KIND patterns of any one kind.

    Items go to the first ruleset with room for them (first fit, in pack order), so a
    pack of ordinary size is one ruleset; every ruleset has its own sink and closing rule.
    """
    parts: list[tuple[list[Rule | Gap], Counter]] = []
    for item in clauses_of(pack):
        need = _kinds(item)
        room = next((p for p in parts if all(p[1][k] + n <= PATTERNS_PER_KIND for k, n in need.items())), None)
        if room is None:
            room = ([], Counter({PHASE: 1}))  # the closing rule's pattern
            parts.append(room)
        room[0].append(item)
        room[1].update(need)
    return [_Compiler(pack).ruleset(items) for items, _ in parts or [([], Counter())]]


def resolved_operand(pack: RulePack, operand: Any, bound: Mapping[str, Mapping[str, Any]]) -> Any:
    """A test's operand as compared: a parameter's value, an earlier alias's field, or the literal."""
    operand = _resolve(pack, operand)
    if isinstance(operand, FieldRef):
        alias, ref_field = operand.ref.split(".")
        return bound[alias][ref_field]
    return operand


@dataclass(frozen=True)
class Match:
    """A rule (or gap) that fired, and the context fact bound to each alias."""

    rule: str
    bindings: tuple[tuple[str, str], ...]  # (alias, fact key), in the rule's alias order


class Matcher:
    """The pack's conditions evaluated in plain Python over context facts (the oracle).

    As in durable_rules, a fact binds at most one alias of a match, and a fact bound
    to a positive alias never satisfies that match's negated patterns. Parameters are
    resolved once per pack; facts are grouped by kind once per incident.
    """

    def __init__(self, pack: RulePack):
        self.pack = pack
        self._items = [(item.id, [(a, self._compiled(p)) for a, p in item.when.items()],
                        [self._compiled(p) for p in item.unless.values()], tuple(item.when))
                       for item in clauses_of(pack)]

    def _compiled(self, pat: Pattern) -> tuple[str, tuple]:
        return pat.kind, tuple((fld, op, _resolve(self.pack, operand)) for fld, op, operand in pat.tests)

    @staticmethod
    def _ok(fields: Mapping[str, Any], tests: tuple, bound: Mapping[str, Any]) -> bool:
        for fld, op, operand in tests:
            if isinstance(operand, FieldRef):
                alias, ref_field = operand.ref.split(".")
                operand = bound[alias].fields[ref_field]
            if not passes(op, fields.get(fld), operand):
                return False
        return True

    def _joins(self, by_kind: dict, patterns: list, bound: dict) -> Iterator[dict]:
        if not patterns:
            yield dict(bound)
            return
        (alias, (kind, tests)), rest = patterns[0], patterns[1:]
        taken = {b.key for b in bound.values()}
        for f in by_kind.get(kind, ()):
            if f.key not in taken and self._ok(f.fields, tests, bound):
                bound[alias] = f
                yield from self._joins(by_kind, rest, bound)
                del bound[alias]

    def matches(self, facts: Iterable) -> list[Match]:
        by_kind: dict[str, list] = {}
        for f in facts:
            by_kind.setdefault(f.kind, []).append(f)
        out = []
        for rule_id, when, unless, aliases in self._items:
            for b in self._joins(by_kind, when, {}):
                taken = {f.key for f in b.values()}
                if any(f.key not in taken and self._ok(f.fields, tests, b)
                       for kind, tests in unless for f in by_kind.get(kind, ())):
                    continue
                out.append(Match(rule_id, tuple((a, b[a].key) for a in aliases)))
        return sorted(out, key=lambda m: (m.rule, m.bindings))
