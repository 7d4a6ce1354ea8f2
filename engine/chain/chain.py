"""Findings merged into the responsibility chain: one link per person, scene upward.

A link's tier is the highest band any of its findings reaches; links are
ordered by tier (site and staff first, party secretary and mayor last), then by
person id, so the same facts always give the same chain (:func:`in_order` sorts
them by the severity of their grade instead). A rule that declares
``overrides`` drops the overridden rule's finding for the same person: two
rules never settle a conflict by their order in the file.

Each finding is graded by the pack (:mod:`engine.pack.grades`) and a link or a
unit takes the heaviest grade among its findings. A person who died in the
incident keeps their link, marked not pursued (免予追究).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Iterable, Literal, Mapping, get_args

from engine.incident.context import IncidentContext
from engine.org.graph import OrgGraph
from engine.pack.compile import Match
from engine.pack.grades import finding_fields, grade_of
from engine.pack.rulepack import Examine, Gap, Rule, RulePack
from engine.words.catalog import LANGS, label, phrase
from facts.canon import JsonData


@dataclass(frozen=True)
class Finding(JsonData):
    """One rule that named a person, and the input records it rests on."""

    rule: str
    principle: str
    category: str
    clause: str | None  # the plan's clause …
    source: str | None  # … and/or a source beyond the plan (an id of the pack's `sources`)
    tier: str | None
    evidence: tuple[str, ...]
    facts: tuple[str, ...] = field(metadata={"json": False})  # context fact keys, for explanations
    mitigated_by: tuple[str, ...] = ()  # rules (e.g. due diligence) that lower this finding
    grade: str = ""  # the grade of responsibility the pack gives it ("" for a pack without grades)
    graded_by: tuple[str, ...] = ()  # the gradings that gave it
    escalated_by: tuple[str, ...] = ()  # the escalations that raised it


@dataclass(frozen=True)
class GradeOf(JsonData):
    """A party's grade of responsibility as the chain reports it: its id, words and severity."""

    id: str
    zh: str
    en: str
    severity: int


@dataclass(frozen=True, kw_only=True)
class Answerable(JsonData):
    """What a person's and a unit's place in the chain share: band, findings, mitigations."""

    json_extra = ("categories", "principles", "rules", "clauses", "sources", "evidence")

    name: str
    tier: str
    findings: tuple[Finding, ...]
    mitigations: tuple[Finding, ...] = ()
    grade: GradeOf | None = None  # the heaviest grade among the findings; None for a pack without grades
    pursued: bool = True  # False: responsible, not pursued (免予追究) — the person died in the incident

    @property
    def severity(self) -> int:
        return self.grade.severity if self.grade else 0

    @property
    def id(self) -> str:
        raise NotImplementedError

    def _distinct(self, attr: str) -> list[str]:
        return sorted({getattr(f, attr) for f in self.findings} - {None})

    @property
    def categories(self) -> list[str]:
        return self._distinct("category")

    @property
    def principles(self) -> list[str]:
        return self._distinct("principle")

    @property
    def rules(self) -> list[str]:
        return self._distinct("rule")

    @property
    def clauses(self) -> list[str]:
        return self._distinct("clause")

    @property
    def sources(self) -> list[str]:
        return self._distinct("source")

    @property
    def evidence(self) -> list[str]:
        return sorted({e for f in self.findings for e in f.evidence})


@dataclass(frozen=True, kw_only=True)
class Link(Answerable):
    """A person in the chain, with the posts they held that day."""

    person: str
    posts: tuple[dict, ...]

    @property
    def id(self) -> str:
        return self.person


@dataclass(frozen=True, kw_only=True)
class UnitLink(Answerable):
    """A unit the plan makes answerable (the town, the village, the enterprise, an office)."""

    unit: str
    kind: str

    @property
    def id(self) -> str:
        return self.unit


@dataclass(frozen=True)
class Exoneration(JsonData):
    """Findings a rule removed (e.g. due diligence shown in full), kept on record with its evidence."""

    person: str
    rule: str
    removed: tuple[str, ...]
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class GapWarning(JsonData):
    """A data gap: a duty the plan assigns that the facts leave with nobody, in both languages."""

    rule: str
    clause: str
    message: dict
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class ToExamine(JsonData):
    """An act whose bearing on the incident the facts do not decide (待核实): never a link, always said.

    ``text`` says what the person did; ``decides`` names the facts that would
    decide, as ``section[id].field`` of the fact files (e.g. ``incidents[inc-1].causes``).
    """

    person: str
    act: str
    record: str
    rule: str
    text: dict
    decides: tuple[str, ...]


@dataclass(frozen=True)
class LawWarning(JsonData):
    """The incident fell outside the period of the pack that judged it: said on the chain and in every output."""

    kind: str  # before_pack | after_pack
    zh: str
    en: str


def law_warnings(pack: RulePack, day: date) -> tuple[LawWarning, ...]:
    """A warning when ``day`` is outside the pack's period (the pack still judged it: see RulePack.as_of)."""
    kind = pack.outside(day)
    if kind is None:
        return ()
    period = pack.period
    fields = {"document": pack.pack.document, "issued": pack.pack.issued.isoformat(), "day": day.isoformat(),
              "from": period.valid_from.isoformat(), "to": period.valid_to.isoformat() if period.valid_to else ""}
    said = {lang: phrase(lang, "law.after_pack" if kind == "after_pack" else "law.before_pack.issued"
                         if period.valid_from == pack.pack.issued else "law.before_pack", **fields)
            for lang in LANGS}
    return (LawWarning(kind, said["zh"], said["en"]),)


@dataclass(frozen=True)
class Chain(JsonData):
    """One incident's responsibility chain: the JSON contract (:meth:`as_json`) and what renderers read."""

    json_extra = ("incident", "grade", "rulepack")

    context: IncidentContext = field(metadata={"json": False})
    links: tuple[Link, ...]
    gaps: tuple[GapWarning, ...]
    pack: RulePack = field(metadata={"json": False})  # the version in force on the incident's day, that judged it
    facts_digest: str
    units: tuple[UnitLink, ...] = ()
    exonerated: tuple[Exoneration, ...] = ()
    warnings: tuple[LawWarning, ...] = ()
    to_examine: tuple[ToExamine, ...] = ()

    @property
    def rulepack(self) -> dict:
        """Which pack judged the incident: its id, its digest as loaded, and the digest of the version of the day."""
        return {"id": self.pack.pack.id, "digest": self.pack.origin_digest, "version": self.pack.digest}

    def link(self, person: str) -> Link | None:
        return next((l for l in self.links if l.person == person), None)

    @property
    def incident(self) -> dict:
        """The incident as the chain reports it: where and when, its sector and village as resolved."""
        inc = self.context.incident
        return {"id": inc.id, "kind": inc.kind, "occurred_at": inc.occurred_at.isoformat(), "site": inc.site,
                "sector": self.context.sector, "village": self.context.village, "village_group": inc.village_group,
                "deaths": inc.deaths, "serious_injuries": inc.serious_injuries,
                "direct_loss_yuan": inc.direct_loss_yuan, "description": inc.description,
                "deceased": sorted(set(inc.deceased))}

    @property
    def grade(self):
        return self.context.grade


_PLACEHOLDER = re.compile(r"\{(\w+)\.(\w+)\}")


def fill(template: str, bound: dict[str, dict[str, Any]], lang: str | None = None) -> str:
    """Replace ``{alias.field}`` with the bound fact's field (its label in ``lang``, for a coded value such as an
    outcome): the only templating there is."""
    def value(m: re.Match) -> str:
        if m[2] not in bound.get(m[1], {}):
            return m[0]
        v = bound[m[1]][m[2]]
        return label(lang, m[2], v) if lang else str(v)
    return _PLACEHOLDER.sub(value, template)


def link_tier(pack: RulePack, findings: list[Finding]) -> str:
    """The highest band of the party's post-bound findings; act bands only when there is nothing else.

    An enterprise principal who also signed a permit stays in the enterprise band:
    a band says where a person sits in the organisation, an act does not move them.
    A finding with no band of its own (a reporting failure) places nobody; a party
    named only by such findings sits in the lowest band.
    """
    by_act = {t.id for t in pack.tiers if t.by_act}
    banded = [f.tier for f in findings if f.tier is not None]
    placed = [t for t in banded if t not in by_act] or banded or [pack.tiers[0].id]
    return max(placed, key=pack.tier_rank)


def settle(pack: RulePack, party: str, found: list[Finding]) -> tuple[list[Finding], list[Finding], list[Exoneration]]:
    """Apply each rule's effect on the party's other findings; never decided by order in the file.

    A liability rule's ``overrides`` drop the overridden findings (declared precedence);
    an exonerating rule drops them and leaves an exoneration on record; a mitigating rule
    keeps them, marked ``mitigated_by``, and is listed once.
    """
    effect = {f.rule: pack.rule(f.rule).effect for f in found}
    overrides = {f.rule: set(pack.rule(f.rule).overrides) for f in found}
    liable = [f for f in found if effect[f.rule] == "liable"]
    # A mitigating rule lowers a finding once: of its matches (one per inspection and cause it could bind),
    # the first is kept as its ground.
    first: dict[str, Finding] = {}
    for f in sorted((f for f in found if effect[f.rule] == "mitigates"), key=lambda f: (f.rule, f.facts)):
        first.setdefault(f.rule, f)
    mitigations = list(first.values())
    exonerating = sorted((f for f in found if effect[f.rule] == "exonerates"), key=lambda f: (f.rule, f.facts))
    dropped = {o for f in liable + exonerating for o in overrides[f.rule]}
    lowered: dict[str, set[str]] = {}
    for f in mitigations:
        for o in overrides[f.rule]:
            lowered.setdefault(o, set()).add(f.rule)
    kept = sorted((replace(f, mitigated_by=tuple(sorted(lowered[f.rule]))) if f.rule in lowered else f
                   for f in liable if f.rule not in dropped), key=lambda f: (f.rule, f.facts))
    rules_present = {f.rule for f in liable}
    exonerations = [Exoneration(party, f.rule, tuple(sorted(overrides[f.rule] & rules_present)), f.evidence)
                    for f in exonerating if overrides[f.rule] & rules_present]
    return kept, mitigations, exonerations


def graded(pack: RulePack, rule: Rule, keys: tuple[str, ...], facts: dict[str, Any],
           incident: Mapping[str, Any]) -> dict[str, Any]:
    """The grade the pack gives a finding of the rule on these facts, its gradings and escalations, as
    fields of a :class:`Finding` (none for a pack without grades, or a rule that names nobody itself);
    ``incident`` holds the fields of the incident's context fact."""
    if not pack.grades or rule.effect != "liable":
        return {}
    grading, escalations = pack.graders(rule.id)
    tested = any(i.fact for i in (*grading, *escalations))  # the bound facts are read only if a test needs them
    grade, by, raised = grade_of(
        pack.grades, grading, escalations, finding_fields(rule),
        [{"kind": facts[k].kind, **facts[k].fields} for k in keys] if tested else [], incident, pack.param)
    return {"grade": grade, "graded_by": by, "escalated_by": raised}


def heaviest(pack: RulePack, findings: Iterable[Finding]) -> GradeOf | None:
    """The heaviest grade among the findings (severities of one party never tie)."""
    top = max((f.grade for f in findings if f.grade), key=lambda g: pack.grades[g].severity, default=None)
    if top is None:
        return None
    g = pack.grades[top]
    return GradeOf(top, g.zh, g.en, g.severity)


#: The orders a chain can be read in: bands from the scene upward (the default), or heaviest grade first.
Order = Literal["band", "severity"]
ORDERS: tuple[str, ...] = get_args(Order)


def in_order(chain: Chain, order: str = "band") -> Chain:
    """The chain with its links and units in the order asked: by band, or by grade severity (heaviest
    first, then by band and id, so the order stays total)."""
    if order == "band":
        return chain
    key = lambda l: (-l.severity, chain.pack.tier_rank(l.tier), l.id)  # noqa: E731
    return replace(chain, links=tuple(sorted(chain.links, key=key)), units=tuple(sorted(chain.units, key=key)))


def build_chain(pack: RulePack, graph: OrgGraph, ctx: IncidentContext, matches: list[Match]) -> Chain:
    """The chain of one incident from the matches of ``pack``: the version in force on its day (RulePack.as_of)."""
    facts = ctx.by_key()
    incident = facts[f"incident:{ctx.incident.id}"].fields
    found: dict[tuple[str, str], list[Finding]] = {}
    gaps: dict[tuple, GapWarning] = {}
    examine: dict[tuple, ToExamine] = {}
    items = {i.id: i for i in pack.items}
    for m in matches:
        item = items[m.rule]
        keys = tuple(k for _, k in m.bindings)
        evidence = tuple(sorted({e for k in keys for e in facts[k].src}))
        if isinstance(item, Examine):
            bound = {a: dict(facts[k].fields) for a, k in m.bindings}
            act = facts[dict(m.bindings)[item.act]]
            entry = ToExamine(act.fields["person"], act.kind, act.fields[act.kind], item.id,
                              {lang: fill(getattr(item.message, lang), bound, lang) for lang in LANGS},
                              tuple(fill(d, bound) for d in item.decides))
            examine.setdefault((entry.person, entry.act, entry.record, entry.rule), entry)
            continue
        if isinstance(item, Gap):
            bound = {a: dict(facts[k].fields) for a, k in m.bindings}
            msg = {lang: fill(getattr(item.message, lang), bound, lang) for lang in LANGS}
            gaps[(item.id, keys)] = GapWarning(item.id, item.clause, msg, evidence)
            continue
        kind, alias = item.party
        who = facts[dict(m.bindings)[alias]].fields[kind]
        found.setdefault((kind, who), []).append(Finding(
            item.id, item.principle, item.category, item.clause, item.source, item.tier, evidence, keys,
            **graded(pack, item, keys, facts, incident)))
    links, units, exonerated = [], [], []
    for (kind, who), fs in found.items():
        kept, mitigations, exonerations = settle(pack, who, fs)
        exonerated += exonerations
        if not kept:
            continue
        common = {"tier": link_tier(pack, kept), "findings": tuple(kept), "mitigations": tuple(mitigations),
                  "grade": heaviest(pack, kept)}
        if kind == "unit":
            unit = graph.units[who]
            units.append(UnitLink(unit=who, name=unit.name, kind=unit.kind, **common))
        else:
            posts = tuple({"post": h.post.id, "title": h.post.title, "unit": h.post.unit, "acting": h.tenure.acting}
                          for h in graph.posts_held(who, ctx.day))
            links.append(Link(person=who, name=graph.people[who].name, posts=posts,
                              pursued=who not in ctx.incident.deceased, **common))
    order = lambda l: (pack.tier_rank(l.tier), l.id)  # noqa: E731 - scene upward, then by id
    return Chain(ctx, tuple(sorted(links, key=order)), tuple(gaps[k] for k in sorted(gaps)), pack, ctx.digest,
                 tuple(sorted(units, key=order)), tuple(sorted(exonerated, key=lambda x: (x.person, x.rule))),
                 law_warnings(pack, ctx.day), tuple(examine[k] for k in sorted(examine)))
