"""Grades of responsibility and the rules that grade findings: how heavily each party answers, as data.

A rule of the pack names a party and gives the plan's *category* (全面领导责任, 直接领导责任 …);
an investigation writes a *grade* — 直接责任, 主要领导责任, 重要领导责任, 监管责任 … — and
sanctions by it. A pack says how its findings map into grades, in three sections:

``grades``
    the vocabulary: each grade's words, its ``severity`` (an ordinal: higher is heavier;
    two grades of the same party never share one), the parties it can be given to
    (``person``, ``unit``), and the text it rests on (``reference``).
``grading``
    grading rules: a condition over one finding — which rule, category or principle named
    the party (``finding``), and the fields of one of the facts the rule bound (``fact``:
    ``cause_kind``, ``role``, ``distance`` … and ``kind``) — and the grade it gives. A test
    on a field the bound fact does not have does not hold. Two grading rules that can grade
    the same finding differently are an error of the pack unless one ``overrides`` the
    other (a default and its exception); nothing is decided by order in the file, as in
    Catala. Every rule that names a party must have a grading that applies to all its
    findings, so that no finding is left without a grade.
``escalations``
    escalation by consequence: a condition on the incident (``incident``: ``deaths``,
    ``grade_rank`` … usually against parameters, so a what-if can move them) and optionally
    on the finding, and a step ``from`` one grade ``to`` a heavier one. Escalations apply
    to the grade a finding's grading gives, each on its own, and the heaviest result
    stands: the outcome does not depend on their order either.

A finding's grade is then its grading's grade, escalated; a link takes the heaviest grade
among its findings. The checks here run when a pack is loaded; :func:`grade_of` is the one
evaluation, used by the chain and, condition by condition, by the explanations.
"""
from __future__ import annotations

from itertools import combinations
from typing import Any, Callable, Iterable, Literal, Mapping

from pydantic import Field, field_validator, model_validator

from engine.incident.kinds import SCHEMA
from engine.pack.grammar import FieldRef, Label, ParamRef, Strict, Test, parse_tests, passes, satisfiable_tests
from facts.errors import EngineError, Problem, did_you_mean

Party = Literal["person", "unit"]
#: What a grading may test about a finding itself.
FINDING_FIELDS = ("rule", "category", "principle")


def finding_fields(rule: Any) -> dict[str, str]:
    """The fields of :data:`FINDING_FIELDS` a finding of ``rule`` has, as a grading's ``finding`` tests them."""
    return {"rule": rule.id, "category": rule.category, "principle": rule.principle}
#: The kind of a bound fact, testable beside its fields.
KIND = "kind"


class Cited(Strict):
    """What a grade, a grading or an escalation rests on: a text of the pack's ``sources`` (``source``, an id),
    and, where practice or the plan says more than any article, the pack author's ``reference`` in words."""

    source: str | None = None
    reference: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _cited(self) -> "Cited":
        if self.source is None and self.reference is None:
            raise ValueError("cite what it rests on: 'source: ID' (a text of 'sources'), or a 'reference', or both")
        return self


class Grade(Label, Cited):
    """A grade of responsibility: its words, its severity, who can be given it, and what it rests on.

    ``wording`` says how a finding states it: ``owes`` (对事故发生负有主要领导责任) or ``is``
    (系事故责任单位), for a grade that names a standing rather than a share of responsibility.
    """

    severity: int
    party: list[Party] = Field(min_length=1)
    wording: Literal["owes", "is"] = "owes"

    @field_validator("party", mode="before")
    @classmethod
    def _one_or_more(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v


def _tests(v: Any) -> Any:
    if v is None:
        return ()
    if not isinstance(v, dict):
        raise ValueError("a condition is a mapping field → test")
    return parse_tests(v)


class Conditioned(Cited):
    """A condition over one finding: tests on the finding (``finding``) and on one fact it bound (``fact``)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    finding: tuple[Test, ...] = ()
    fact: tuple[Test, ...] = ()
    note: str = ""

    @field_validator("finding", "fact", mode="before")
    @classmethod
    def _conditions(cls, v: Any) -> Any:
        return _tests(v)

    @property
    def tests(self) -> tuple[Test, ...]:
        """Every test of the condition."""
        return (*self.finding, *self.fact)


class Grading(Conditioned):
    """A grading rule: the grade a finding gets when the condition holds.

    ``about`` says what the grade is for in the words of a finding: the accident's occurrence
    (对事故发生负有…), or the failing the finding's category names (对事故迟报负有…).
    """

    grade: str
    overrides: list[str] = []
    about: Literal["occurrence", "category"] = "occurrence"


class Escalation(Conditioned):
    """A step to a heavier grade when the incident's consequences reach a bound (``incident`` tests)."""

    raises: str = Field(alias="from")
    to: str
    incident: tuple[Test, ...] = Field(min_length=1)

    @field_validator("incident", mode="before")
    @classmethod
    def _incident(cls, v: Any) -> Any:
        return _tests(v)

    @property
    def tests(self) -> tuple[Test, ...]:
        return (*self.incident, *super().tests)


# -- evaluation -------------------------------------------------------------------------------------

Resolve = Callable[[str], Any]  # a parameter's value by name


def failed_test(tests: Iterable[Test], fields: Mapping[str, Any], param: Resolve) -> Test | None:
    """The first test the fields fail, or None; a test on a field they do not have fails."""
    for test in tests:
        fld, op, operand = test
        value = param(operand.param) if isinstance(operand, ParamRef) else operand
        if fld not in fields or not passes(op, fields[fld], value):
            return test
    return None


def holds(item: Conditioned, finding: Mapping[str, Any], facts: list[Mapping[str, Any]], param: Resolve) -> bool:
    """Whether a grading's or escalation's condition holds for a finding and the facts it bound."""
    return failed_test(item.finding, finding, param) is None and (
        not item.fact or any(failed_test(item.fact, f, param) is None for f in facts))


def by_rule(grading: Iterable[Grading], escalations: Iterable[Escalation], rules: Iterable[Any],
            param: Resolve) -> dict[str, tuple[tuple[Grading, ...], tuple[Escalation, ...]]]:
    """For each rule, the gradings and escalations whose ``finding`` tests its findings meet: computed once
    per pack, so that grading a finding tests only the facts it bound."""
    grading, escalations = tuple(grading), tuple(escalations)
    out = {}
    for rule in rules:
        finding = finding_fields(rule)
        out[rule.id] = (tuple(g for g in grading if failed_test(g.finding, finding, param) is None),
                        tuple(e for e in escalations if failed_test(e.finding, finding, param) is None))
    return out


def grade_of(grades: Mapping[str, Grade], grading: Iterable[Grading], escalations: Iterable[Escalation],
             finding: Mapping[str, Any], facts: list[Mapping[str, Any]], incident: Mapping[str, Any],
             param: Resolve) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """(grade, the gradings that gave it, the escalations that raised it) of one finding.

    ``finding`` holds its rule, category and principle; ``facts`` the fields (and ``kind``) of each
    fact the rule bound; ``incident`` the fields of the incident's context fact.
    """
    applicable = [g for g in grading if holds(g, finding, facts, param)]
    standing = [g for g in applicable if not any(g.id in o.overrides for o in applicable)]
    given = {g.grade for g in standing}
    if len(given) != 1:  # the loader's checks make this unreachable for a loaded pack
        raise EngineError(f"finding of rule '{finding.get('rule')}' graded {sorted(given) or 'by no grading'}")
    base = given.pop()
    raised = [e for e in escalations if e.raises == base and failed_test(e.incident, incident, param) is None
              and holds(e, finding, facts, param)]
    if not raised:
        return base, tuple(sorted(g.id for g in standing)), ()
    top = max((e.to for e in raised), key=lambda g: grades[g].severity)
    return top, tuple(sorted(g.id for g in standing)), tuple(sorted(e.id for e in raised if e.to == top))


# -- checks when a pack is loaded ----------------------------------------------------------------------

def _fact_fields() -> dict[str, set[type]]:
    """Every field a context fact of some kind has, with the types it has there (``kind`` is a str)."""
    out: dict[str, set[type]] = {KIND: {str}}
    for fields in SCHEMA.values():
        for name, typ in fields.items():
            out.setdefault(name, set()).add(typ)
    return out


SOURCE_HINT = "cite a source id listed under 'sources' (a law, regulation or rule by article)"


def unknown_sources(pack, cited) -> list[tuple[str, str]]:
    """(where, message) for each cited item (``(where, item)``) whose ``source`` the pack does not list."""
    return [(where, f"unknown source '{item.source}'{did_you_mean(item.source, pack.sources)}")
            for where, item in cited if item.source is not None and item.source not in pack.sources]


def check_grades(pack: Any, file: str, rule_ids: Iterable[str]) -> list[Problem]:
    """Every name resolves, every rule's findings get a grade, no two gradings disagree without precedence.

    ``pack`` is the :class:`~engine.pack.rulepack.RulePack` being loaded (that module imports this one);
    ``rule_ids`` every rule id it declares, those that failed to load included.
    """
    problems: list[Problem] = []

    def bad(where: str, fld: str, msg: str, hint: str) -> None:
        problems.append(Problem(file, where, fld, msg, hint))

    grades: dict[str, Grade] = pack.grades
    names = {"rule": list(dict.fromkeys(rule_ids)), "category": list(pack.categories),
             "principle": list(pack.principles)}
    for a, b in combinations(sorted(grades), 2):
        if grades[a].severity == grades[b].severity and set(grades[a].party) & set(grades[b].party):
            bad(f"grades.{b}", "severity", f"grades '{a}' and '{b}' share severity {grades[a].severity}",
                "severity is an order: give each grade of a party its own")
    cited = [(f"grades.{gid}", g) for gid, g in grades.items()]
    cited += [(f"{section} #{pos} ({item.id})", item) for section in ("grading", "escalations")
              for pos, item in enumerate(getattr(pack, section), 1)]
    for where, message in unknown_sources(pack, cited):
        bad(where, "source", message, SOURCE_HINT)
    by_id = {g.id: g for g in pack.grading}
    gradings = set(by_id)
    seen: set[str] = set()
    for section, items in (("grading", pack.grading), ("escalations", pack.escalations)):
        for pos, item in enumerate(items, 1):
            where = f"{section} #{pos} ({item.id})"
            if item.id in seen:
                bad(where, "id", f"duplicate id '{item.id}'", "give each grading and escalation its own id")
            seen.add(item.id)
            named = [("grade", item.grade)] if isinstance(item, Grading) else [("from", item.raises), ("to", item.to)]
            for fld, gid in named:
                if gid not in grades:
                    bad(where, fld, f"unknown grade '{gid}'{did_you_mean(gid, grades)}",
                        f"use one of: {', '.join(grades)}")
            _check_tests(pack, where, "finding", item.finding, {f: {str} for f in FINDING_FIELDS}, names, bad)
            _check_tests(pack, where, "fact", item.fact, _fact_fields(), {KIND: list(SCHEMA)}, bad)
            if isinstance(item, Escalation):
                _check_tests(pack, where, "incident", item.incident,
                             {f: {t} for f, t in SCHEMA["incident"].items()}, {}, bad)
                if item.raises in grades and item.to in grades:
                    low, high = grades[item.raises], grades[item.to]
                    if high.severity <= low.severity:
                        bad(where, "to", f"'{item.to}' (severity {high.severity}) is not heavier than "
                                         f"'{item.raises}' (severity {low.severity})", "an escalation only raises")
                    elif not set(low.party) <= set(high.party):
                        bad(where, "to", f"'{item.to}' cannot be given to every party '{item.raises}' can",
                            "escalate to a grade of the same parties")
            else:
                for o in item.overrides:
                    if o not in gradings or o == item.id:
                        bad(where, "overrides", f"unknown grading '{o}'{did_you_mean(o, gradings - {item.id})}",
                            "name another grading of this pack")
                    elif item.id in by_id[o].overrides and item.id < o:
                        bad(where, "overrides", f"gradings '{item.id}' and '{o}' override each other",
                            "precedence goes one way: remove one of the two overrides")
    if problems or not grades:
        return problems
    return _check_rules(pack, file)


def _check_tests(pack: Any, where: str, part: str, tests: tuple[Test, ...], fields: Mapping[str, set[type]],
                 known: Mapping[str, list[str]], bad) -> None:
    for fld, op, raw in tests:
        at = f"{part}.{fld}"
        if fld not in fields:
            subject = {"finding": "no finding has", "fact": "no context fact has", "incident": "an incident has no"}
            bad(where, at, f"{subject[part]} field '{fld}'{did_you_mean(fld, fields)}",
                "`wenze schema --context` lists the fields of each kind" if part == "fact"
                else f"test one of: {', '.join(fields)}")
            continue
        if isinstance(raw, FieldRef):
            bad(where, at, "a grading names no alias to refer to", "compare with a value, a list or {param: …}")
            continue
        if isinstance(raw, ParamRef) and raw.param not in pack.parameters:
            bad(where, at, f"unknown parameter '{raw.param}'{did_you_mean(raw.param, pack.parameters)}",
                "declare it under 'parameters'")
            continue
        wrong = (_operand_problem(fld, op, o, fields[fld], known.get(fld)) for o in _operands(pack, raw))
        first = next((w for w in wrong if w), None)  # each dated value of a parameter must fit; say the first
        if first:
            bad(where, at, *first)


def _operand_problem(fld: str, op: str, operand: Any, types: set[type],
                     known: list[str] | None) -> tuple[str, str] | None:
    """(message, hint) when the operand does not fit the operator, the field's type or its known values."""
    values = operand if isinstance(operand, list) else [operand]
    if (op in ("in", "not_in")) != isinstance(operand, list):
        return (f"'{op}' {'needs' if op in ('in', 'not_in') else 'does not take'} a list",
                "use in/not_in with a list, other operators with one value")
    if any(type(v) not in types for v in values):
        want = " or ".join(sorted(t.__name__ for t in types))
        return f"'{fld}' is {want}; got {values!r}", f"give a {want}"
    unknown = [v for v in values if known is not None and v not in known]
    if unknown:
        return f"unknown {fld} '{unknown[0]}'{did_you_mean(unknown[0], known)}", f"use one of: {', '.join(known)}"
    return None


def _operands(pack: Any, raw: Any) -> list[Any]:
    """Every value a test's operand takes: a parameter's values over the pack's period, or the literal."""
    return list(pack.parameters[raw.param].every_value) if isinstance(raw, ParamRef) else [raw]


def _passes_in_some_version(pack: Any, tests: Iterable[Test], fields: Mapping[str, Any]) -> bool:
    """Whether the fields pass every test for some value of each parameter the tests name (statically)."""
    return all(fld in fields and any(passes(op, fields[fld], o) for o in _operands(pack, raw))
               for fld, op, raw in tests)


def _can_apply(pack: Any, item: Conditioned, rule: Any) -> bool:
    """Whether the item's condition can hold for some finding of the rule: its finding tests pass, and
    some fact the rule binds has every field its fact tests name (a missing field never holds)."""
    finding = finding_fields(rule)
    if not _passes_in_some_version(pack, item.finding, finding):
        return False
    return not item.fact or any(_binds(pack, item.fact, pat.kind) for pat in rule.when.values())


def _binds(pack: Any, tests: tuple[Test, ...], kind: str) -> bool:
    """Whether a fact of ``kind`` has every field the tests name and passes the test on its kind."""
    fields = {KIND: kind, **{f: None for f in SCHEMA.get(kind, {})}}
    return all(f in fields for f, _, _ in tests) and _passes_in_some_version(
        pack, [t for t in tests if t[0] == KIND], fields)


def _exclusive(pack: Any, a: Grading, b: Grading, rule: Any) -> bool:
    """Whether no finding of the rule can meet both gradings: both test a field that only one fact
    of the rule has, and no value passes both tests."""
    tests_a, tests_b = {t[0]: t for t in a.fact}, {t[0]: t for t in b.fact}
    for fld in tests_a.keys() & tests_b.keys():
        having = [p.kind for p in rule.when.values() if fld == KIND or fld in SCHEMA.get(p.kind, {})]
        if len(having) != 1:
            continue
        typ = str if fld == KIND else SCHEMA[having[0]][fld]
        (_, op_a, raw_a), (_, op_b, raw_b) = tests_a[fld], tests_b[fld]
        if not any(satisfiable_tests(typ, [(op_a, a), (op_b, b)])
                   for a in _operands(pack, raw_a) for b in _operands(pack, raw_b)):
            return True
    return False


def _check_rules(pack: Any, file: str) -> list[Problem]:
    """Per rule that names a party: a grading for every finding, of its party, and no disagreement."""
    problems: list[Problem] = []
    reported: set[tuple[str, str]] = set()
    at = {g.id: f"grading #{n} ({g.id})" for n, g in enumerate(pack.grading, 1)}
    for pos, rule in enumerate(pack.rules, 1):
        if rule.effect != "liable":
            continue
        party = rule.party[0]
        applicable = [g for g in pack.grading if _can_apply(pack, g, rule)]
        if not any(not g.fact for g in applicable):
            problems.append(Problem(
                file, f"rules #{pos} ({rule.id})", "grading",
                "some of its findings would get no grade: no grading applies to every one of them",
                f"add a grading whose condition is only `finding: {{rule: {rule.id}}}` (or its category or "
                "principle), and let more specific gradings override it"))
        for g in applicable:
            if party not in pack.grades[g.grade].party and (g.id, party) not in reported:
                reported.add((g.id, party))
                problems.append(Problem(file, at[g.id], "grade",
                                        f"grade '{g.grade}' is not given to a {party}, but rule '{rule.id}' names one",
                                        f"narrow its condition, or add '{party}' to the party of grade '{g.grade}'"))
        for a, b in combinations(sorted(applicable, key=lambda g: g.id), 2):
            if (a.grade == b.grade or a.id in b.overrides or b.id in a.overrides or (a.id, b.id) in reported
                    or _exclusive(pack, a, b, rule)):
                continue
            reported.add((a.id, b.id))
            problems.append(Problem(
                file, f"grading {a.id}, {b.id}", "overrides",
                f"both can grade the findings of rule '{rule.id}', as '{a.grade}' and as '{b.grade}', and "
                "neither overrides the other",
                f"add `overrides: [{b.id}]` to grading {a.id} (or the reverse), or make their conditions exclusive"))
    return problems
