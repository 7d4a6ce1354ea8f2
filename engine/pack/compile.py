"""A rule pack compiled twice, from one reading of its conditions.

- :func:`to_durable`: durable_rules' JSON ruleset. Each rule's action is its
  id, resolved by name on the engine's own Host; a sink rule marks every fact
  handled (durable raises on a fact no rule matches); rules with ``unless``
  are gated on a phase fact asserted after all others, because durable checks
  a negation only once, when the activation is created; and a closing rule
  fires on that phase fact in every session, because durable's
  ``delete_state`` crashes the process (SIGSEGV) on a session where no
  action ever ran (found here; not in the upstream tracker).
- :class:`Matcher`: the same conditions as plain Python, the oracle the
  durable backend is tested against and the fast path for large batches.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Mapping

from engine.pack.rulepack import FieldRef, Gap, ParamRef, Pattern, Rule, RulePack

PHASE = "__phase__"
SINK = "__sink__"
CLOSE = "__close__"
ENGINE_RULES = (SINK, CLOSE)
_DURABLE_OP = {"ne": "$neq", "lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}
_PY_OP = {"eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "lte": operator.le,
          "gt": operator.gt, "gte": operator.ge,
          "in": lambda a, b: a in b, "not_in": lambda a, b: a not in b}


def clauses_of(pack: RulePack) -> list[Rule | Gap]:
    """Rules, gaps, then acts to examine: every item that fires and records something, in pack order.

    A rule switched off by its ``enabled_by`` parameter is left out of both compilations.
    """
    return [*(r for r in pack.rules if r.enabled_by is None or pack.param(r.enabled_by)), *pack.gaps, *pack.examine]


def _resolve(pack: RulePack, operand: Any) -> Any:
    return pack.param(operand.param) if isinstance(operand, ParamRef) else operand


def _durable_test(pack: RulePack, fld: str, op: str, operand: Any) -> dict:
    operand = _resolve(pack, operand)
    if isinstance(operand, FieldRef):
        alias, ref_field = operand.ref.split(".")
        operand = {alias: ref_field}
    if op == "eq":
        return {fld: operand}
    if op == "in":
        return {"$or": [{fld: v} for v in operand]} if operand else {"t": "__never__"}
    if op == "not_in":
        return {"$and": [{"$neq": {fld: v}} for v in operand]} if operand else {"$ex": {"t": 1}}
    return {_DURABLE_OP[op]: {fld: operand}}


def _durable_pattern(pack: RulePack, pat: Pattern) -> dict:
    return {"$and": [{"t": pat.kind}, *(_durable_test(pack, *t) for t in pat.tests)]}


def to_durable(pack: RulePack) -> dict:
    """The pack as one durable_rules ruleset body: {rule id: {"all": [...], "run": id}}."""
    body: dict[str, dict] = {}
    for item in clauses_of(pack):
        # The phase fact comes first: durable builds a rule's frames in pattern order and
        # checks a negation once, when the frame reaches it; led by the phase fact, that
        # happens only after every context fact is in the session.
        all_ = [{PHASE: {"$and": [{"t": PHASE}, {"n": 2}]}}] if item.unless else []
        all_ += [{a: _durable_pattern(pack, p)} for a, p in item.when.items()]
        all_ += [{f"{a}$not": _durable_pattern(pack, p)} for a, p in item.unless.items()]
        body[item.id] = {"all": all_, "run": item.id}
    body[SINK] = {"all": [{"f": {"$ex": {"t": 1}}}, {"n": {"t": "__never__"}}], "run": SINK}
    body[CLOSE] = {"all": [{"p": {"$and": [{"t": PHASE}, {"n": 2}]}}], "run": CLOSE}
    return body


def resolved_operand(pack: RulePack, operand: Any, bound: Mapping[str, Mapping[str, Any]]) -> Any:
    """A test's operand as compared: a parameter's value, an earlier alias's field, or the literal."""
    operand = _resolve(pack, operand)
    if isinstance(operand, FieldRef):
        alias, ref_field = operand.ref.split(".")
        return bound[alias][ref_field]
    return operand


def passes(op: str, value: Any, operand: Any) -> bool:
    """One field test, as the oracle and the explanations apply it (no ordering across types)."""
    if op in ("lt", "lte", "gt", "gte") and type(value) is not type(operand):
        return False
    return _PY_OP[op](value, operand)


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
