"""Rule packs: the plan as data, checked against the context-fact schema when loaded.

A condition is a mapping ``alias → pattern``; a pattern is ``kind`` plus
``field: test``. A test is a literal (equality) or one operator
(``eq ne lt lte gt gte in not_in``) applied to a literal, a list,
``{param: NAME}`` (a pack parameter) or ``{ref: ALIAS.FIELD}`` (a field of an
earlier alias in the same rule). That is the whole grammar: no code, no eval.
"""
from __future__ import annotations

from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from engine.incident.kinds import SCHEMA
from facts.canon import digest
from facts.errors import Problem, RulePackError, did_you_mean
from facts.load import read_document, validation_problems
from rules import RULES_DIR

DEFAULT_PACK = RULES_DIR / "tongchuan-2022.yaml"
OPERATORS = ("eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in")
Scalar = Union[bool, int, str]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(Strict):
    zh: str
    en: str


class Param(Strict):
    description: str
    reference: str
    value: Union[Scalar, list[Scalar]]


class Category(Label):
    clause: str


class Principle(Label):
    clause: str


class Tier(Label):
    id: str
    by_act: bool = False  # a band reached by what someone did, not by the post they hold


class ParamRef(Strict):
    param: str


class FieldRef(Strict):
    ref: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$")


Operand = Union[ParamRef, FieldRef, Scalar, list[Scalar]]


class Pattern(Strict):
    """``kind`` and field tests; stored as (field, op, operand) triples."""

    kind: str
    tests: tuple[tuple[str, str, Any], ...] = ()

    @classmethod
    def parse(cls, raw: Any) -> "Pattern":
        if not isinstance(raw, dict) or "kind" not in raw:
            raise ValueError("a pattern is a mapping with 'kind' and field tests")
        tests = []
        for fld, test in raw.items():
            if fld == "kind":
                continue
            if isinstance(test, dict) and len(test) == 1 and next(iter(test)) in OPERATORS:
                op, operand = next(iter(test.items()))
            elif isinstance(test, dict) and len(test) == 1 and next(iter(test)) in ("param", "ref"):
                op, operand = "eq", test
            elif isinstance(test, dict):
                raise ValueError(f"field '{fld}': a test is a value or one of {{{', '.join(OPERATORS)}}}: value"
                                 + did_you_mean(next(iter(test), ""), OPERATORS))
            else:
                op, operand = "eq", test
            if isinstance(operand, dict):
                operand = (ParamRef if "param" in operand else FieldRef).model_validate(operand)
            elif not isinstance(operand, (bool, int, str, list)):
                raise ValueError(f"field '{fld}': operand must be a value, a list, {{param: …}} or {{ref: …}}")
            tests.append((fld, op, operand))
        return cls(kind=raw["kind"], tests=tuple(tests))


class Rule(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    principle: str
    clause: str
    quote: str = Field(min_length=1)
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


class Gap(Strict):
    """A data gap: a duty the plan assigns that the facts leave with nobody on the day."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    clause: str
    quote: str = Field(min_length=1)
    message: Label
    when: dict[str, Pattern]
    unless: dict[str, Pattern] = {}

    _patterns = field_validator("when", "unless", mode="before")(Rule._patterns.__func__)


class PackInfo(Strict):
    id: str
    title: str
    document: str
    issued: date
    description: str = ""


class RulePack(Strict):
    pack: PackInfo
    clauses: dict[str, str]
    parameters: dict[str, Param]
    categories: dict[str, Category]
    principles: dict[str, Principle]
    tiers: list[Tier]
    rules: list[Rule]
    gaps: list[Gap] = []

    @cached_property
    def digest(self) -> str:
        """Computed once per pack object (packs are frozen); every incident of a batch asks for it."""
        return digest(self.model_dump(mode="json"))

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> "RulePack":
        """A copy; pydantic would carry the cached digest over to the changed content, so drop it."""
        copy = super().model_copy(update=update, deep=deep)
        for cached in ("digest", "_tier_ranks", "_rules_by_id"):
            copy.__dict__.pop(cached, None)
        return copy

    def param(self, name: str) -> Any:
        return self.parameters[name].value

    @cached_property
    def _tier_ranks(self) -> dict[str, int]:
        return {t.id: n for n, t in enumerate(self.tiers)}

    @cached_property
    def _rules_by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}

    def tier_rank(self, tier: str) -> int:
        return self._tier_ranks[tier]

    def rule(self, rule_id: str) -> Rule:
        return self._rules_by_id[rule_id]


def load_pack(path: str | Path = DEFAULT_PACK) -> RulePack:
    """Load and validate a rule pack; RulePackError lists every problem with file, rule id and field."""
    path = Path(path)
    raw = read_document(path) if path.exists() else None
    file = str(path)
    if raw is None:
        raise RulePackError([Problem(file, "pack", "", "no such rule pack" if not path.exists() else "empty file",
                                     f"give a rule pack file, e.g. {DEFAULT_PACK.relative_to(RULES_DIR.parent)}")],
                            what=file)
    if not isinstance(raw, dict):
        raise RulePackError([Problem(file, "pack", "", "the top level must be a mapping",
                                     "see rules/tongchuan-2022.yaml")], what=file)
    problems: list[Problem] = []
    items = {}
    for section in ("rules", "gaps"):
        good = []
        for pos, r in enumerate(raw.get(section) or [], 1):
            label = f"{section} #{pos}" + (f" ({r.get('id')})" if isinstance(r, dict) and r.get("id") else "")
            try:
                good.append((Rule if section == "rules" else Gap).model_validate(r))
            except ValidationError as e:
                problems += validation_problems(e, Rule if section == "rules" else Gap, file, label)
        items[section] = good
    try:
        pack = RulePack.model_validate({**raw, "rules": [], "gaps": []})
    except ValidationError as e:
        problems += validation_problems(e, RulePack, file, "pack")
        raise RulePackError(problems, what=file) from None
    pack = pack.model_copy(update=items)
    declared = [r["id"] for r in raw.get("rules") or [] if isinstance(r, dict) and isinstance(r.get("id"), str)]
    problems += check_pack(pack, file, declared)
    if problems:
        raise RulePackError(problems, what=file)
    return pack


def check_pack(pack: RulePack, file: str, declared: list[str] = ()) -> list[Problem]:
    """Static checks: names resolve, fields exist for their kind, types agree, ids unique."""
    problems: list[Problem] = []
    seen: set[str] = set()
    tiers = [t.id for t in pack.tiers]
    rule_ids = [r.id for r in pack.rules] + list(declared)  # a rule that failed to load is still known
    for section, items in (("rules", pack.rules), ("gaps", pack.gaps)):
        for pos, r in enumerate(items, 1):
            where = f"{section} #{pos} ({r.id})"

            def bad(fld: str, msg: str, hint: str, where: str = where) -> None:
                problems.append(Problem(file, where, fld, msg, hint))

            if r.id in seen:
                bad("id", f"duplicate rule id '{r.id}'", "give each rule and gap its own id")
            seen.add(r.id)
            if r.clause not in pack.clauses:
                bad("clause", f"unknown clause '{r.clause}'{did_you_mean(r.clause, pack.clauses)}",
                    "cite a clause id listed under 'clauses' (see the plan's CLAUSES.md)")
            if isinstance(r, Rule):
                for fld, value, names, noun in (("principle", r.principle, pack.principles, "principle"),
                                                ("category", r.category, pack.categories, "category"),
                                                ("tier", r.tier, tiers, "tier")):
                    if value not in names and not (fld == "tier" and value is None):
                        bad(fld, f"unknown {noun} '{value}'{did_you_mean(value, names)}",
                            f"use one of: {', '.join(names)}")
                party, alias = r.party
                fld = "liable_unit" if party == "unit" else "liable"
                if (r.liable is None) == (r.liable_unit is None):
                    bad("liable", "give exactly one of 'liable' (a person answers) or 'liable_unit' (a unit answers)",
                        "name the alias of 'when' whose person or unit is answerable")
                elif alias in r.when and r.when[alias].kind not in SCHEMA:
                    pass  # reported once, as an unknown kind
                elif alias not in r.when:
                    bad(fld, f"'{alias}' is not an alias of 'when'{did_you_mean(alias, r.when)}",
                        f"name the alias whose '{party}' is answerable")
                elif party not in SCHEMA.get(r.when[alias].kind, {}):
                    bad(fld, f"a fact of kind '{r.when[alias].kind}' names no {party}",
                        "name an alias of kind " + ", ".join(k for k, f in SCHEMA.items() if party in f))
                switch = pack.parameters.get(r.enabled_by or "")
                if r.enabled_by is not None and (switch is None or not isinstance(switch.value, bool)):
                    bad("enabled_by", f"'{r.enabled_by}' is not a yes/no parameter{did_you_mean(r.enabled_by, pack.parameters)}",
                        "declare a parameter with value true or false")
                if r.effect != "liable" and not r.overrides:
                    bad("overrides", f"a rule that {r.effect} must name the rules it applies to",
                        "list them under 'overrides'")
                for o in r.overrides:
                    if o not in rule_ids:
                        bad("overrides", f"unknown rule '{o}'{did_you_mean(o, rule_ids)}", "name a rule of this pack")
            aliases: dict[str, str] = {}
            for part in ("when", "unless"):
                for alias, pat in getattr(r, part).items():
                    if alias in aliases:
                        bad(f"{part}.{alias}", f"alias '{alias}' is used twice", "give each pattern its own alias")
                    _check_pattern(pack, f"{part}.{alias}", pat, aliases, bad)
                    aliases[alias] = pat.kind
    return problems


def _check_pattern(pack: RulePack, at: str, pat: Pattern, aliases: dict[str, str], bad) -> None:
    if pat.kind not in SCHEMA:
        bad(f"{at}.kind", f"unknown fact kind '{pat.kind}'{did_you_mean(pat.kind, SCHEMA)}",
            f"use one of: {', '.join(SCHEMA)}")
        return
    fields = SCHEMA[pat.kind]
    for fld, op, operand in pat.tests:
        here = f"{at}.{fld}"
        if fld not in fields:
            bad(here, f"a fact of kind '{pat.kind}' has no field '{fld}'{did_you_mean(fld, fields)}",
                f"fields of '{pat.kind}': {', '.join(fields)}")
            continue
        want = fields[fld]
        if isinstance(operand, ParamRef):
            if operand.param not in pack.parameters:
                bad(here, f"unknown parameter '{operand.param}'{did_you_mean(operand.param, pack.parameters)}",
                    "declare it under 'parameters'")
                continue
            operand = pack.param(operand.param)
        elif isinstance(operand, FieldRef):
            alias, ref_field = operand.ref.split(".")
            if alias not in aliases:
                bad(here, f"'{operand.ref}' refers to '{alias}', not an earlier alias{did_you_mean(alias, aliases)}",
                    "a reference names an alias defined above it in the same rule")
            elif ref_field not in SCHEMA.get(aliases[alias], {}):
                bad(here, f"a fact of kind '{aliases[alias]}' has no field '{ref_field}'", "check the field name")
            elif op in ("in", "not_in"):
                bad(here, f"'{op}' needs a list, not a reference", "compare a reference with eq/ne/lt/…")
            continue
        values = operand if isinstance(operand, list) else [operand]
        if (op in ("in", "not_in")) != isinstance(operand, list):
            bad(here, f"'{op}' {'needs' if op in ('in', 'not_in') else 'does not take'} a list",
                "use in/not_in with a list, other operators with one value")
        elif any(type(v) is not want for v in values):  # bool is not int here
            bad(here, f"'{fld}' is {want.__name__}; got {values!r}", f"give a {want.__name__}")
        elif op in ("lt", "lte", "gt", "gte") and want is bool:
            bad(here, f"'{op}' does not apply to a yes/no field", "use eq or ne")
