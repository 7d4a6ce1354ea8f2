"""Rule packs: the plan as data, checked against the context-fact schema when loaded.

A condition is a mapping ``alias → pattern`` in the grammar of
:mod:`engine.pack.grammar` (no code, no eval). The grades of responsibility and
the rules that grade findings are :mod:`engine.pack.grades`.

A pack is dated (see :meth:`RulePack.as_of`): it is in force over a period
(``in_force``), a rule or gap may carry ``from``/``to``, and a parameter may
give ``values`` by the day each takes effect instead of one ``value``, as
OpenFisca's parameters do. Rules and parameters cite the plan (``clause``,
``reference``) and, beyond it, the pack's ``sources`` (``source``). A pack may
``extend`` another (see :func:`extended`).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Collection
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, Union

import networkx as nx
from pydantic import (
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from engine.incident.kinds import SCHEMA
from engine.pack.grades import SOURCE_HINT, Escalation, Grade, Grading, by_rule, check_grades, unknown_sources
from engine.pack.grammar import FieldRef, Label, ParamRef, Pattern, Scalar, Strict
from facts.canon import digest
from facts.errors import EngineError, Problem, ProblemsError, RulePackError, brief, did_you_mean, shown
from facts.load import validation_problems
from facts.read import ReadError, read_document
from facts.timeline import in_force, overlap
from facts.values import MAX_INT, MAX_NAME
from rules import RULES_DIR

DEFAULT_PACK = RULES_DIR / "tongchuan-2022.yaml"
Value = Union[Scalar, list[Scalar]]


class Dated(Strict):
    """Something in force over a half-open period ``[from, to)``; open on a side left out."""

    valid_from: date | None = Field(default=None, alias="from")
    valid_to: date | None = Field(default=None, alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> Dated:
        if self.valid_from and self.valid_to and self.valid_to <= self.valid_from:
            raise ValueError(f"'to' ({self.valid_to}) must be after 'from' ({self.valid_from})")
        return self

    def in_force_on(self, day: date) -> bool:
        return in_force(self.valid_from or date.min, self.valid_to, day)


class Period(Dated):
    """When a pack is in force: from the day given (the day the plan took effect), to the first day it no longer is."""

    valid_from: date = Field(alias="from")


class Source(Strict):
    """A text beyond the plan that a rule or parameter rests on: a law, a regulation or a party rule, by article.

    ``text`` is the article's wording, or, with ``summary: true``, its subject in the pack
    author's words where the wording was not at hand: a pack never passes a summary off as the law.
    """

    title: str
    article: str
    text: str = Field(min_length=1)
    summary: bool = False
    note: str = ""

    @property
    def cite(self) -> str:
        return f"{self.title}{self.article}"


class Param(Strict):
    """A value a what-if may change: today's ``value``, or ``values`` by the day each takes effect.

    Before the first day of ``values`` the first value holds (the pack loader requires that
    day to be no later than the pack's own first day in force).
    """

    description: str
    reference: str | None = None  # the plan's clause
    source: str | None = None  # a source beyond the plan
    value: Value | None = None
    values: dict[date, Value] | None = None

    @model_validator(mode="after")
    def _one_value(self) -> Param:
        if (self.value is None) == (self.values is None):
            raise ValueError("give exactly one of 'value' (one value) or 'values' (dated: {DAY: value, …})")
        if self.values is not None and not self.values:
            raise ValueError("'values' needs at least one day and its value")
        if self.reference is None and self.source is None:
            raise ValueError("cite the plan ('reference: CLAUSE') or a source ('source: ID'), or both")
        return self

    @property
    def every_value(self) -> list[Value]:
        """Every value the parameter takes, in date order."""
        return [self.value] if self.values is None else [self.values[d] for d in sorted(self.values)]

    def on(self, day: date) -> Value:
        """The value in force on ``day``."""
        if self.values is None:
            return self.value
        days = sorted(self.values)
        return self.values[days[max(bisect_right(days, day) - 1, 0)]]

    def set_to(self, value: Any) -> Param:
        """This parameter with another value; a mapping of days to values makes it dated (ValidationError if bad)."""
        given = {"values": value} if isinstance(value, dict) else {"value": value}
        return Param.model_validate({**self.model_dump(exclude={"value", "values"}), **given})


class Category(Label):
    clause: str


class Principle(Label):
    clause: str


class Tier(Label):
    id: str
    by_act: bool = False  # a band reached by what someone did, not by the post they hold


class Rule(Dated):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    principle: str
    clause: str | None = None  # the plan's clause …
    quote: str | None = Field(default=None, min_length=1, validate_default=True)  # … and its words
    source: str | None = Field(default=None, validate_default=True)  # a source beyond the plan
    category: str
    tier: str | None = None  # the band; none = the finding places its person nowhere of its own
    when: dict[str, Pattern]
    unless: dict[str, Pattern] = {}
    liable: str | None = None  # the alias whose person answers …
    liable_unit: str | None = None  # … or whose unit answers
    effect: Literal["liable", "mitigates", "exonerates"] = "liable"
    overrides: list[str] = []
    enabled_by: str | None = None  # a yes/no parameter that switches the rule on
    note: str = ""

    @field_validator("quote")
    @classmethod
    def _quoted(cls, quote: str | None, info: ValidationInfo) -> str | None:
        if quote is None and info.data.get("clause") is not None:
            raise ValueError("a rule that cites a clause quotes it: give the plan's words as 'quote'")
        return quote

    @field_validator("source")
    @classmethod
    def _cited(cls, source: str | None, info: ValidationInfo) -> str | None:
        if source is None and "clause" in info.data and info.data["clause"] is None:
            raise ValueError("a rule cites the plan ('clause' and 'quote') or a source ('source: ID'), or both")
        return source

    @property
    def party(self) -> tuple[str, str]:
        """('person' or 'unit', the alias that names who answers)."""
        return ("unit", self.liable_unit) if self.liable_unit else ("person", self.liable or "")

    @field_validator("when", "unless", mode="before")
    @classmethod
    def _patterns(cls, v: Any) -> Any:
        if not isinstance(v, dict):
            raise ValueError("a condition is a mapping alias → pattern")
        return {k: Pattern.parse(p) for k, p in v.items()}


class Gap(Dated):
    """A data gap: a duty the plan assigns that the facts leave with nobody on the day."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    clause: str
    quote: str = Field(min_length=1)
    message: Label
    when: dict[str, Pattern]
    unless: dict[str, Pattern] = {}

    _patterns = field_validator("when", "unless", mode="before")(Rule._patterns.__func__)


class Examine(Gap):
    """An act whose bearing on the incident the facts do not decide: listed to examine (待核实), never a link.

    ``act`` is the alias of the act's fact: its ``person`` did it, and its record is
    the id it carries under its kind's name (``inspection``, ``signature``).
    ``message`` says what they did; ``decides`` names the facts that would decide,
    as short templates (``{alias.field}``), e.g. ``incidents[{incident.incident}].causes``.
    """

    act: str
    decides: list[str] = Field(min_length=1)


#: The sections of a pack whose items fire and record something, and the model of each, in file order.
SECTIONS: dict[str, type[Gap] | type[Rule]] = {"rules": Rule, "gaps": Gap, "examine": Examine}


class PackInfo(Strict):
    id: str
    title: str
    document: str
    issued: date
    description: str = ""


class RulePack(Strict):
    pack: PackInfo
    in_force: Period | None = None  # from the day the plan was issued, open-ended, when not given
    clauses: dict[str, str]
    sources: dict[str, Source] = {}
    parameters: dict[str, Param]
    categories: dict[str, Category]
    principles: dict[str, Principle]
    tiers: list[Tier]
    rules: list[Rule]
    gaps: list[Gap] = []
    examine: list[Examine] = []
    grades: dict[str, Grade] = {}
    grading: list[Grading] = []
    escalations: list[Escalation] = []
    _origin: str | None = PrivateAttr(default=None)  # for a version (see as_of): the digest of the pack it is of

    @cached_property
    def digest(self) -> str:
        """Computed once per pack object (packs are frozen); every incident of a batch asks for it."""
        return digest(self.model_dump(mode="json"))

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> RulePack:
        """A copy; pydantic would carry the cached digest (and versions) over to the changed content, so drop them."""
        copy = super().model_copy(update=update, deep=deep)
        for cached in _CACHED:
            copy.__dict__.pop(cached, None)
        return copy

    @property
    def items(self) -> tuple[Rule | Gap, ...]:
        """Every rule, gap and act to examine, in file order: what a scenario or a date switches on and off."""
        return (*self.rules, *self.gaps, *self.examine)

    def param(self, name: str) -> Any:
        """A parameter's value; a dated one has a value only in a version of the pack (:meth:`as_of`)."""
        p = self.parameters[name]
        if p.values is not None:
            raise EngineError(f"parameter '{name}' is dated: ask the pack as of a day (RulePack.as_of) for its value")
        return p.value

    # -- the law in force on the day -------------------------------------------------------------------

    @property
    def period(self) -> Period:
        return self.in_force or Period.model_validate({"from": self.pack.issued})

    @property
    def origin_digest(self) -> str:
        """The digest of the pack as loaded; for a version, of the pack it is a version of."""
        return self._origin or self.digest

    def outside(self, day: date) -> Literal["before_pack", "after_pack"] | None:
        """Whether ``day`` falls before or after the pack's period (None: inside it)."""
        if not self.period.in_force_on(day):
            return "before_pack" if day < self.period.valid_from else "after_pack"
        return None

    @cached_property
    def _timeline(self) -> tuple[date, ...]:
        """The days inside the pack's period on which a parameter's value or the rules in force change."""
        p = self.period
        days = {d for param in self.parameters.values() for d in param.values or ()}
        days |= {d for item in self.items for d in (item.valid_from, item.valid_to) if d}
        return tuple(sorted(d for d in days if p.valid_from < d and p.in_force_on(d)))

    @cached_property
    def _flat(self) -> bool:
        """Nothing in the pack is dated: every version of it is the pack itself."""
        return not any(p.values is not None for p in self.parameters.values()) and not any(
            i.valid_from or i.valid_to for i in self.items)

    @cached_property
    def _versions(self) -> dict[int, RulePack]:
        return {}  # filled by as_of, one entry per distinct version asked for

    def as_of(self, day: date) -> RulePack:
        """The pack in force on ``day``: each parameter's value that day, the rules and gaps in force that day.

        The one place that decides which law an incident is judged by. A day before the pack's
        period gets its first version, a day after it its last (the chain then carries a
        warning, see :meth:`outside`). A version is a plain, undated pack with a digest of its
        own, the same for every day it covers, so its compiled ruleset and matcher are built once
        and shared; it is computed once per pack object. An undated pack is its own version.
        """
        if self._flat:
            return self
        n = bisect_right(self._timeline, day)
        version = self._versions.get(n)
        if version is None:
            version = self._versions[n] = self._version(self._timeline[n - 1] if n else self.period.valid_from)
        return version

    def versions(self) -> list[RulePack]:
        """Every version of the pack over its period, in date order."""
        return [self.as_of(d) for d in (self.period.valid_from, *self._timeline)]

    def _version(self, day: date) -> RulePack:
        params = {name: p if p.values is None else p.model_copy(update={"value": p.on(day), "values": None})
                  for name, p in self.parameters.items()}
        gone = {i.id for i in self.items if not i.in_force_on(day)}
        kept = self.model_copy(update={"parameters": params}).without(gone)
        undated = {"valid_from": None, "valid_to": None}
        version = kept.model_copy(update={s: [i.model_copy(update=undated) for i in getattr(kept, s)]
                                          for s in SECTIONS})
        version._origin = self.digest
        return version

    def without(self, ids: Collection[str]) -> RulePack:
        """The pack without these rules, gaps and acts to examine (a what-if's ``disable_rules``, an extending
        pack's ``disable``).

        An override of a rule left out is dropped; a rule that only mitigates or exonerates others
        goes with them when they are all left out: it has nothing left to act on.
        """
        if not ids:
            return self
        rules = []
        for r in self.rules:
            kept = [o for o in r.overrides if o not in ids]
            if r.id in ids or (r.effect != "liable" and not kept):
                continue
            rules.append(r if kept == r.overrides else r.model_copy(update={"overrides": kept}))
        return self.model_copy(update={"rules": rules, "gaps": [g for g in self.gaps if g.id not in ids],
                                       "examine": [x for x in self.examine if x.id not in ids]})

    def citation(self, item: Rule | Gap) -> str:
        """What a rule or gap rests on, in a word: the plan's clause; for a rule on a source alone, its article."""
        source = self.sources.get(getattr(item, "source", None) or "")
        return item.clause or (source.cite if source else "")

    @cached_property
    def _tier_ranks(self) -> dict[str, int]:
        return {t.id: n for n, t in enumerate(self.tiers)}

    @cached_property
    def _rules_by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}

    @cached_property
    def _graders(self) -> dict[str, tuple[tuple[Grading, ...], tuple[Escalation, ...]]]:
        return by_rule(self.grading, self.escalations, self.rules, self.param)

    def graders(self, rule_id: str) -> tuple[tuple[Grading, ...], tuple[Escalation, ...]]:
        """The gradings and escalations that can apply to the rule's findings (in a version of the pack)."""
        return self._graders[rule_id]

    def tier_rank(self, tier: str) -> int:
        return self._tier_ranks[tier]

    def rule(self, rule_id: str) -> Rule:
        return self._rules_by_id[rule_id]


_CACHED = tuple(name for name, attr in vars(RulePack).items() if isinstance(attr, cached_property))


#: The sections of a pack that are lists of items with ids, each read item by item, and the model of each.
LISTED: dict[str, type[Strict]] = {**SECTIONS, "grading": Grading, "escalations": Escalation}


def load_pack(path: str | Path = DEFAULT_PACK) -> RulePack:
    """Load and validate a rule pack; RulePackError lists every problem with file, rule id and field."""
    path = Path(path)
    file = str(path)
    if not path.exists():
        raise RulePackError([Problem(file, "pack", "", "no such rule pack",
                                     f"give a rule pack file, e.g. {DEFAULT_PACK.relative_to(RULES_DIR.parent)}")],
                            what=file)
    try:
        raw = read_document(path)
    except ReadError as e:
        raise RulePackError(e.problems, what=file) from None
    if not isinstance(raw, dict):
        why = "empty file" if raw is None else "the top level must be a mapping"
        raise RulePackError([Problem(file, "pack", "", why, "see rules/tongchuan-2022.yaml")], what=file)
    raw, disabled = extended(path, raw)
    problems: list[Problem] = []
    items = {}
    for section, model in LISTED.items():
        good = []
        listed = raw.get(section)
        if listed is not None and not isinstance(listed, list):
            problems.append(Problem(file, section, "", f"must be a list of {section}, not {shown(listed)}",
                                    "write each one as a '- ' list item"))
            listed = None
        for pos, r in enumerate(listed or [], 1):
            label = f"{section} #{pos}" + (f" ({brief(r.get('id'))})" if isinstance(r, dict) and r.get("id") else "")
            try:
                good.append(model.model_validate(r))
            except ValidationError as e:
                problems += validation_problems(e, model, file, label)
        items[section] = good
    try:
        pack = RulePack.model_validate({**raw, **{section: [] for section in LISTED}})
    except ValidationError as e:
        problems += validation_problems(e, RulePack, file, "pack")
        raise RulePackError(problems, what=file) from None
    pack = pack.model_copy(update=items).without(disabled)
    declared = [r["id"] for r in raw.get("rules") or [] if isinstance(r, dict) and isinstance(r.get("id"), str)] \
        if isinstance(raw.get("rules"), list) else []
    problems += check_pack(pack, file, declared, grading=not problems)
    if problems:
        raise RulePackError(problems, what=file)
    return pack


#: At most this many facts in one match of a rule (its ``when`` and ``unless`` aliases): durable_rules holds
#: 16 facts in a match (error 304, then a crash) and wenze adds its phase fact to negated rules.
MAX_ALIASES = 15
#: An alias is a name: durable_rules reads ``$`` in one as its own syntax (``x$not`` is a negation).
ALIAS = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")


def check_pack(pack: RulePack, file: str, declared: list[str] = (), grading: bool = True) -> list[Problem]:
    """Static checks: names resolve, fields exist for their kind, types agree, ids unique, no contradiction."""
    problems: list[Problem] = []
    seen: set[str] = set()
    tiers = [t.id for t in pack.tiers]
    rule_ids = [r.id for r in pack.rules] + list(declared)  # a rule that failed to load is still known
    for n, t in enumerate(pack.tiers, 1):
        if t.id in tiers[:n - 1]:
            problems.append(Problem(file, f"tiers #{n} ({brief(t.id)})", "id", f"duplicate tier id '{brief(t.id)}'",
                                    "give each band its own id: a repeated one would reorder the bands"))
    for name, param in pack.parameters.items():
        if (why := next(filter(None, map(_bad_value, param.every_value)), None)) is not None:
            problems.append(Problem(file, f"parameters.{brief(name)}", "value", why, _VALUE_HINT))
    effects = {r.id: r.effect for r in pack.rules}
    for section in SECTIONS:
        for pos, r in enumerate(getattr(pack, section), 1):
            where = f"{section} #{pos} ({r.id})"

            def bad(fld: str, msg: str, hint: str, where: str = where) -> None:
                problems.append(Problem(file, where, fld, msg, hint))

            if r.id in seen:
                bad("id", f"duplicate rule id '{r.id}'", "give each rule and gap its own id")
            seen.add(r.id)
            if r.clause is not None and r.clause not in pack.clauses:
                bad("clause", f"unknown clause '{brief(r.clause)}'{did_you_mean(r.clause, pack.clauses)}",
                    "cite a clause id listed under 'clauses' (see the plan's CLAUSES.md)")
            if not r.when:
                bad("when", "no pattern: the rule would match nothing in particular",
                    "give at least one alias: pattern under 'when'")
            if len(r.when) + len(r.unless) > MAX_ALIASES:
                bad("when", f"{len(r.when) + len(r.unless)} aliases in one rule; at most {MAX_ALIASES}",
                    "split it into several rules (durable_rules holds at most 16 facts in one match)")
            if isinstance(r, Rule):
                for fld, value, names, noun in (("principle", r.principle, pack.principles, "principle"),
                                                ("category", r.category, pack.categories, "category"),
                                                ("tier", r.tier, tiers, "tier")):
                    if value not in names and not (fld == "tier" and value is None):
                        bad(fld, f"unknown {noun} '{brief(value)}'{did_you_mean(value, names)}",
                            f"use one of: {', '.join(names)}")
                party, alias = r.party
                fld = "liable_unit" if party == "unit" else "liable"
                if (r.liable is None) == (r.liable_unit is None):
                    bad("liable", "give exactly one of 'liable' (a person answers) or 'liable_unit' (a unit answers)",
                        "name the alias of 'when' whose person or unit is answerable")
                elif alias in r.when and r.when[alias].kind not in SCHEMA:
                    pass  # reported once, as an unknown kind
                elif alias not in r.when:
                    bad(fld, f"'{brief(alias)}' is not an alias of 'when'{did_you_mean(alias, r.when)}",
                        f"name the alias whose '{party}' is answerable")
                elif party not in SCHEMA.get(r.when[alias].kind, {}):
                    bad(fld, f"a fact of kind '{r.when[alias].kind}' names no {party}",
                        "name an alias of kind " + ", ".join(k for k, f in SCHEMA.items() if party in f))
                switch = pack.parameters.get(r.enabled_by or "")
                if r.enabled_by is not None and (switch is None or
                                                 not all(isinstance(v, bool) for v in switch.every_value)):
                    bad("enabled_by", f"'{brief(r.enabled_by)}' is not a yes/no parameter"
                        f"{did_you_mean(r.enabled_by, pack.parameters)}",
                        "declare a parameter with value true or false")
                if r.effect != "liable" and not r.overrides:
                    bad("overrides", f"a rule that {r.effect} must name the rules it applies to",
                        "list them under 'overrides'")
                for o in r.overrides:
                    if o not in rule_ids:
                        bad("overrides", f"unknown rule '{brief(o)}'{did_you_mean(o, rule_ids)}",
                            "name a rule of this pack")
                    elif o == r.id:
                        bad("overrides", "the rule overrides itself: its own findings would always be dropped",
                            "remove it from its own 'overrides'")
                    elif effects.get(o, "liable") != "liable":
                        bad("overrides", f"'{o}' {effects[o]} other rules' findings and names nobody itself, so "
                            "nothing of it can be overridden, mitigated or exonerated",
                            "name the rules that make someone liable")
                if len(set(r.overrides)) != len(r.overrides):
                    bad("overrides", "a rule is listed twice", "list each rule once")
            if isinstance(r, Examine):
                act = r.when.get(r.act)
                if act is None:
                    bad("act", f"'{r.act}' is not an alias of 'when'{did_you_mean(r.act, r.when)}",
                        "name the alias whose fact is the act to examine")
                elif act.kind in SCHEMA and not {"person", act.kind} <= set(SCHEMA[act.kind]):
                    bad("act", f"a fact of kind '{act.kind}' is not an act (a person and its record)",
                        "name an alias of kind " + ", ".join(k for k, f in SCHEMA.items() if {"person", k} <= set(f)))
            aliases: dict[str, str] = {}
            for part in ("when", "unless"):
                for alias, pat in getattr(r, part).items():
                    if not ALIAS.match(alias):
                        bad(f"{part}.{brief(alias, 40)}", f"the alias {shown(alias, 40)} is not a name",
                            "start it with a letter; use letters, digits and _ (at most 64)")
                    if alias in aliases:
                        bad(f"{part}.{alias}", f"alias '{alias}' is used twice", "give each pattern its own alias")
                    _check_pattern(pack, f"{part}.{brief(alias, 40)}", pat, aliases, bad)
                    aliases[alias] = pat.kind
    problems += _override_cycles(pack, file) + check_law(pack, file)
    # the gradings name rules: checked once the rules are sound (and, for ``grading``, all of them were read),
    # so a broken rule is not reported twice
    return problems or (check_grades(pack, file, rule_ids) if grading else [])


_VALUE_HINT = (f"numbers from -{MAX_INT:,} to {MAX_INT:,}, words of at most {MAX_NAME} characters, "
               "or a list of them")


def _bad_value(value: Any) -> str | None:
    """Why a parameter's value or an operand cannot be compared exactly by both backends, or None."""
    for v in value if isinstance(value, list) else [value]:
        if isinstance(v, int) and not isinstance(v, bool) and abs(v) > MAX_INT:
            return f"{shown(v, 30)} is too large to compare exactly"
        if isinstance(v, str) and len(v) > MAX_NAME:
            return f"a value of {len(v):,} characters; at most {MAX_NAME}"
    return None


def _override_cycles(pack: RulePack, file: str) -> list[Problem]:
    """Rules that override each other round a cycle: where they meet, a person would keep none of their findings."""
    graph = nx.DiGraph((r.id, o) for r in pack.rules for o in r.overrides if o != r.id)
    where = {r.id: f"rules #{n} ({r.id})" for n, r in enumerate(pack.rules, 1)}
    out = []
    for component in sorted((c for c in nx.strongly_connected_components(graph) if len(c) > 1),
                            key=lambda c: min(where[i] for i in c)):
        first = min(component, key=lambda i: where[i])
        cycle = [first] + [v for _, v in nx.find_cycle(graph.subgraph(component), first)]
        out.append(Problem(file, where[first], "overrides",
                           "rules override each other in a cycle (" + " → ".join(cycle) + "): "
                           "a person named by them would keep none of their findings",
                           "decide which of them stands and drop the reverse 'overrides'"))
    return out


def _check_pattern(pack: RulePack, at: str, pat: Pattern, aliases: dict[str, str], bad) -> None:
    if pat.kind not in SCHEMA:
        bad(f"{at}.kind", f"unknown fact kind {shown(pat.kind)}{did_you_mean(pat.kind, SCHEMA)}",
            f"use one of: {', '.join(SCHEMA)}")
        return
    fields = SCHEMA[pat.kind]
    for fld, op, operand in pat.tests:
        here = f"{at}.{brief(fld, 40)}"
        if fld not in fields:
            bad(here, f"a fact of kind '{pat.kind}' has no field {shown(fld, 40)}{did_you_mean(fld, fields)}",
                f"fields of '{pat.kind}': {', '.join(fields)}")
            continue
        want = fields[fld]
        if op in ("lt", "lte", "gt", "gte") and want is not int:
            bad(here, f"'{op}' compares numbers; '{fld}' is {'a yes/no field' if want is bool else 'text'}",
                "use eq or ne" if want is bool else
                "compare a number instead (days_before, minutes_after, months_before), or use eq, ne, in")
            continue
        if isinstance(operand, ParamRef):
            if operand.param not in pack.parameters:
                bad(here, f"unknown parameter '{brief(operand.param)}'{did_you_mean(operand.param, pack.parameters)}",
                    "declare it under 'parameters'")
                continue
            for value in pack.parameters[operand.param].every_value:  # each dated value must fit
                _check_operand(here, fld, op, value, want, bad, literal=False)
            continue
        if isinstance(operand, FieldRef):
            alias, ref_field = operand.ref.split(".")
            if alias not in aliases:
                bad(here, f"'{operand.ref}' refers to '{alias}', not an earlier alias{did_you_mean(alias, aliases)}",
                    "a reference names an alias defined above it in the same rule")
            elif ref_field not in SCHEMA.get(aliases[alias], {}):
                bad(here, f"a fact of kind '{aliases[alias]}' has no field '{ref_field}'", "check the field name")
            elif op in ("in", "not_in"):
                bad(here, f"'{op}' needs a list, not a reference", "compare a reference with eq/ne/lt/…")
            elif SCHEMA[aliases[alias]][ref_field] is not want:
                got = SCHEMA[aliases[alias]][ref_field]
                bad(here, f"'{fld}' is {want.__name__} and '{operand.ref}' is {got.__name__}: they never compare",
                    "refer to a field of the same type")
            continue
        _check_operand(here, fld, op, operand, want, bad)


def _check_operand(here: str, fld: str, op: str, operand: Any, want: type, bad, literal: bool = True) -> None:
    """A literal operand, or a parameter's value (whose bounds are checked once, at the parameter)."""
    values = operand if isinstance(operand, list) else [operand]
    if (op in ("in", "not_in")) != isinstance(operand, list):
        bad(here, f"'{op}' {'needs' if op in ('in', 'not_in') else 'does not take'} a list",
            "use in/not_in with a list, other operators with one value")
    elif any(type(v) is not want for v in values):  # bool is not int here
        bad(here, f"'{fld}' is {want.__name__}; got {shown(values)}", f"give a {want.__name__}")
    elif literal and (why := _bad_value(values)) is not None:
        bad(here, why, _VALUE_HINT)


# -- the law in force on the day, and the sources beyond the plan ----------------------------------------


def check_law(pack: RulePack, file: str) -> list[Problem]:
    """Citations of sources resolve; every dated value and every rule has a place in the pack's period."""
    problems: list[Problem] = []
    period = pack.period
    span = _span(period.valid_from, period.valid_to)
    cited = [(f"parameters.{name}", p) for name, p in pack.parameters.items()]
    cited += [(f"rules #{pos} ({r.id})", r) for pos, r in enumerate(pack.rules, 1)]
    problems += [Problem(file, where, "source", message, SOURCE_HINT)
                 for where, message in unknown_sources(pack, cited)]
    for name, p in pack.parameters.items():
        if p.values and min(p.values) > period.valid_from:
            problems.append(Problem(file, f"parameters.{name}", "values",
                                    f"no value from {period.valid_from} (the pack's first day in force) "
                                    f"to {min(p.values)}", f"give a value from {period.valid_from} on"))
    for section in SECTIONS:
        for pos, item in enumerate(getattr(pack, section), 1):
            if not (item.valid_from or item.valid_to):
                continue
            if not overlap(item.valid_from or date.min, item.valid_to, period.valid_from, period.valid_to):
                problems.append(Problem(file, f"{section} #{pos} ({item.id})", "from",
                                        f"in force {_span(item.valid_from or period.valid_from, item.valid_to)}, "
                                        f"never within the pack's period ({span})",
                                        "correct its 'from'/'to', or the pack's 'in_force'"))
    return problems


def _span(valid_from: date, valid_to: date | None) -> str:
    """'2022-04-24 – 2026-01-01', or '2022-04-24 –' for an open period."""
    return f"{valid_from} – {valid_to or ''}".rstrip()


# -- a pack that extends another ---------------------------------------------------------------------------

#: Sections whose entries are records with an id: merged by id (replaced in place, or appended).
BY_ID = (*SECTIONS, "tiers", "grading", "escalations")
#: Sections whose entries' own fields merge too, so a parameter's new ``value`` keeps its description.
FIELD_MERGED = ("parameters",)
VALUE_KEYS = ("value", "values")


def extended(path: Path, raw: dict) -> tuple[dict, tuple[str, ...]]:
    """The pack document with the pack it ``extends`` merged under it, and the ids left out (``disable``).

    ``extends: PATH`` (relative to this file) names the base pack, which is loaded and checked
    on its own first, so its problems are reported against its own file. Merging: mappings
    (``pack``, ``clauses``, ``sources``, ``parameters``, ``categories``, ``principles``) by key,
    an entry given here replacing the base's — and for a parameter field by field, its
    ``value`` or ``values`` replacing both of the base's; ``tiers``, ``rules``, ``gaps``, ``grading`` and ``escalations`` by
    id, a record given here replacing the base's in place, a new id appended; ``in_force``
    replaced whole. ``disable: [ID, …]`` leaves rules and gaps of the base out
    (:meth:`RulePack.without`). A cycle of packs extending each other is an error.
    """
    file = str(path)
    if "extends" not in raw:
        if "disable" in raw:
            raise RulePackError([Problem(file, "pack", "disable", "'disable' leaves out rules of the pack it extends, "
                                         "and this pack extends none", "add 'extends: PATH', or delete the rules")],
                                what=file)
        return raw, ()
    base_path = _base_path(path, raw)
    _merged_document(base_path, (path.resolve(),))  # a cycle is reported here, before the base is loaded
    try:
        load_pack(base_path)
    except ProblemsError as e:
        raise RulePackError([Problem(file, "pack", "extends", f"the pack it extends, {base_path}, does not load",
                                     "fix that pack; its problems follow"), *e.problems], what=file) from None
    disabled = raw.get("disable") or []
    if not isinstance(disabled, list) or not all(isinstance(d, str) for d in disabled):
        raise RulePackError([Problem(file, "pack", "disable", "a list of rule and gap ids",
                                     "e.g. disable: [group_liaison]")], what=file)
    merged, left_out = _merged_document(path, ())
    known = [r.get("id") for s in SECTIONS for r in merged.get(s) or [] if isinstance(r, dict)]
    problems = [Problem(file, "pack", f"disable.{n}", f"unknown rule '{rid}'{did_you_mean(rid, known)}",
                        f"name a rule or gap of {base_path}") for n, rid in enumerate(disabled) if rid not in known]
    if problems:
        raise RulePackError(problems, what=file)
    return merged, tuple(sorted(left_out))


def _base_path(path: Path, raw: dict) -> Path:
    base = raw.get("extends")
    if not isinstance(base, str) or not base:
        raise RulePackError([Problem(str(path), "pack", "extends", "the path of the pack this one extends",
                                     "e.g. extends: ../tongchuan-2022.yaml (relative to this file)")], what=str(path))
    found = path.parent / base
    if not found.is_file():
        raise RulePackError([Problem(str(path), "pack", "extends", f"no such rule pack '{base}' (looked for {found})",
                                     "give the path relative to this file")], what=str(path))
    return found


def _merged_document(path: Path, below: tuple[Path, ...]) -> tuple[dict, set[str]]:
    """A pack's document with everything it extends merged in, and the ids left out along the way.

    ``below`` are the packs that extend this one, to find a cycle. A rule one pack leaves out
    and a pack above it gives again is back in.
    """
    if path.resolve() in below:
        ring = " → ".join(str(p) for p in (*below, path.resolve()))
        raise RulePackError([Problem(str(below[0]), "pack", "extends",
                                     f"the packs extend each other in a cycle: {ring}",
                                     "a pack cannot extend itself, directly or through others")], what=str(below[0]))
    raw = read_document(path)
    if not isinstance(raw, dict) or "extends" not in raw:
        return (raw if isinstance(raw, dict) else {}), set()  # load_pack of that file reports a bad one
    base, left_out = _merged_document(_base_path(path, raw), (*below, path.resolve()))
    given = {r.get("id") for s in SECTIONS for r in raw.get(s) or [] if isinstance(r, dict)}
    disabled = raw.get("disable") if isinstance(raw.get("disable"), list) else []
    return _merge(base, raw), (left_out - given) | set(disabled)


def _merge(base: dict, raw: dict) -> dict:
    out = dict(base)
    for key, value in raw.items():
        old = base.get(key)
        if key in ("extends", "disable"):
            continue
        if key in BY_ID and isinstance(old, list) and isinstance(value, list):
            at = {r.get("id"): n for n, r in enumerate(old) if isinstance(r, dict)}
            merged = list(old)
            for r in value:
                rid = r.get("id") if isinstance(r, dict) else None
                if rid in at:
                    merged[at[rid]] = r
                else:
                    merged.append(r)
            out[key] = merged
        elif key != "in_force" and isinstance(old, dict) and isinstance(value, dict):
            entries = dict(old)
            for k, v in value.items():
                if key in FIELD_MERGED and isinstance(entries.get(k), dict) and isinstance(v, dict):
                    kept = {f: x for f, x in entries[k].items() if not (f in VALUE_KEYS and set(VALUE_KEYS) & set(v))}
                    v = {**kept, **v}
                entries[k] = v
            out[key] = entries
        else:
            out[key] = value
    return out
