"""The incident report in Markdown (``wenze trace --format md``), for an investigation's working papers.

Per incident: the incident and its grade with the Art. 3 criterion that
decided it, the chain at a glance, then each person in chain order structured
as CAST structures a controller's part — responsibility, action or omission,
evidence: the posts they held that day; the duty (the plan's words each rule
quotes); what the facts show they did or did not do (the facts behind each
finding, their other recorded acts with the reason each does not count, and
"no inspection / signature recorded" where there is none); the category; the
evidence ids. Then each unit the plan makes answerable (duty, facts,
category, evidence), then the data gaps. Every sentence comes from
:class:`engine.explain.explainer.Explainer`, so the report says nothing the facts do
not hold.

Each person's and each unit's **责任认定 paragraph** — the sentence a 事故调查报告
writes for them — comes from :func:`person_paragraph` and :func:`unit_paragraph`,
which the Word report (:mod:`engine.outputs.docx`) uses too: their wording
changes in one place.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from engine.chain.chain import Answerable, Chain, Link, UnitLink
from engine.explain.explainer import Explainer, Why
from engine.incident.grade import CRITERIA, GRADES
from engine.org.graph import OrgGraph
from engine.outputs.table import md_cell, pack_name
from engine.pack.rulepack import RulePack
from engine.words.catalog import all_of, family_key, label, phrase

#: Acts whose absence the report states for every person ("no inspection recorded").
ACTS = ("inspection", "signature")
#: Unit kinds that name a person's place in a 责任认定 paragraph ("时任铜川镇副镇长").
PLACES = ("town", "village", "enterprise")


def markdown(chains: Iterable[Chain], pack: RulePack, graph: OrgGraph, lang: str = "zh") -> str:
    """One section per incident, in the order given."""
    return "".join(markdown_parts(chains, pack, graph, lang))


def markdown_parts(chains: Iterable[Chain], pack: RulePack, graph: OrgGraph, lang: str = "zh") -> Iterator[str]:
    """:func:`markdown`'s text a section at a time, so ``trace`` never holds more than one chain."""
    for n, chain in enumerate(chains):
        yield ("\n" if n else "") + _incident(chain, pack, graph, lang)


def _count(lang: str, criterion: str, n: int) -> str:
    """A number of one Art. 3 criterion in words ('死亡1人', '1 deaths')."""
    return phrase(lang, family_key(lang, "crit", criterion), n=f"{n:,}")


def grade_text(chain: Chain, lang: str) -> str:
    """The grade and the Art. 3 criterion that decided it (for 一般: every threshold it stays below)."""
    g, inc = chain.context.grade, chain.context.incident
    if g.criterion:
        return phrase(lang, "report.grade.by", grade=getattr(g, lang),
                      value=_count(lang, g.criterion, getattr(inc, g.criterion)),
                      threshold=_count(lang, g.criterion, g.threshold))
    _, _, zh, en, *minimums = GRADES[-2]
    return phrase(lang, "report.grade.general", grade=getattr(g, lang), next={"zh": zh, "en": en}[lang],
                  value=all_of(lang, [_count(lang, c, getattr(inc, c)) for c in CRITERIA]),
                  threshold=all_of(lang, [_count(lang, c, m) for c, m in zip(CRITERIA, minimums)]))


def post_place(graph: OrgGraph, unit: str) -> str:
    """The name a post's title is read with: its town, village or enterprise ("铜川镇" + "副镇长")."""
    return next((graph.units[u].name for u in graph.unit_path(unit) if graph.units[u].kind in PLACES), "")


def _held(link: Link, graph: OrgGraph, lang: str) -> str:
    posts = []
    for p in link.posts:
        place = post_place(graph, p["unit"])
        posts.append((place if not p["title"].startswith(place) else "") + p["title"]
                     + (phrase(lang, "report.paragraph.acting") if p["acting"] else ""))
    return phrase(lang, "report.paragraph.held", posts=all_of(lang, posts)) if posts else \
        phrase(lang, "report.paragraph.no_post")


def _finding_words(party: Answerable, pack: RulePack, lang: str) -> dict[str, str]:
    """The basis (document, clauses, principles), the failures and the kinds of responsibility of a party."""
    names = [pack_name(pack, "category", c, lang) for c in party.categories]
    kinds = [n for n in names if n.endswith(phrase(lang, "report.paragraph.responsibility"))]
    failures = [n for n in names if n not in kinds]
    principles = phrase(lang, "report.paragraph.principle_sep").join(
        phrase(lang, "report.paragraph.principle", principle=pack_name(pack, "principle", p, lang))
        for p in party.principles)
    return {"basis": phrase(lang, "report.paragraph.basis", document=pack.pack.document,
                            clauses=all_of(lang, party.clauses), principles=principles),
            "problems": phrase(lang, "report.paragraph.problems", items=all_of(lang, failures)) if failures else "",
            "categories": all_of(lang, kinds) or phrase(lang, "report.paragraph.none")}


def person_paragraph(link: Link, graph: OrgGraph, pack: RulePack, lang: str = "zh") -> str:
    """The 责任认定 paragraph of one person: who they were that day, on what basis, what they answer for."""
    return phrase(lang, "report.paragraph.person", name=link.name, held=_held(link, graph, lang),
                  mitigated=phrase(lang, "report.paragraph.mitigated") if link.mitigations else "",
                  **_finding_words(link, pack, lang))


def unit_paragraph(unit: UnitLink, graph: OrgGraph, pack: RulePack, lang: str = "zh") -> str:
    """The 责任认定 paragraph of one answerable unit."""
    return phrase(lang, "report.paragraph.unit", name=unit.name, kind=label(lang, "unit_kind", unit.kind),
                  **_finding_words(unit, pack, lang))


def _ids(ids: Iterable[str]) -> str:
    return " ".join(f"`{i}`" for i in ids)


def _incident(chain: Chain, pack: RulePack, graph: OrgGraph, lang: str) -> str:
    ex = Explainer(graph, chain, lang)
    ctx, inc, base = chain.context, chain.context.incident, ex.base
    village = phrase(lang, "report.village", **base) if ctx.village else ""
    out = [phrase(lang, "report.title", **base), ""]
    out += [line for w in chain.warnings for line in (phrase(lang, "report.warning", text=getattr(w, lang)), "")]
    if inc.description:
        out += [inc.description, ""]
    out += [phrase(lang, "report.when", when=inc.occurred_at.isoformat()),
            phrase(lang, "report.where", village_part=village, **base),
            phrase(lang, "report.sector", **base),
            phrase(lang, "report.toll", toll=all_of(lang, [_count(lang, c, getattr(inc, c)) for c in CRITERIA])),
            phrase(lang, "report.grade", grade=grade_text(chain, lang)),
            phrase(lang, "report.basis" if chain.rulepack["version"] == chain.rulepack["digest"] else
                   "report.basis.version", pack=chain.rulepack["id"], pack_digest=chain.rulepack["digest"],
                   version=chain.rulepack["version"], facts_digest=chain.facts_digest),
            "", phrase(lang, "report.chain"), "", phrase(lang, "report.table"), "|---|---|---|---|---|"]
    for n, link in enumerate(chain.links, 1):
        posts = phrase(lang, "title_sep").join(p["title"] for p in link.posts) or "—"
        out.append(phrase(lang, "report.row", n=n, tier=md_cell(pack_name(pack, "tier", link.tier, lang)),
                          name=md_cell(link.name), person=md_cell(link.person), posts=md_cell(posts),
                          categories=md_cell(_categories(pack, link, lang))))
    for n, link in enumerate(chain.links, 1):
        out += ["", *_person(n, link, ex, pack, lang)]
    for unit in chain.units:
        out += ["", *_unit(unit, ex, pack, lang)]
    out += ["", phrase(lang, "report.gaps"), ""]
    out += [phrase(lang, "report.gap", message=g.message[lang], clause=g.clause, quote=next(
        x.quote for x in pack.gaps if x.id == g.rule), evidence=(" " + _ids(g.evidence)) if g.evidence else "")
        for g in chain.gaps] or [phrase(lang, "report.no_gaps")]
    out += ["", phrase(lang, "report.to_examine"), ""]
    out += [phrase(lang, "report.examine_item", name=graph.people[x.person].name, person=x.person, text=x.text[lang],
                   decides=all_of(lang, x.decides), rule=x.rule)
            for x in chain.to_examine] or [phrase(lang, "report.nothing_to_examine")]
    return "\n".join(out) + "\n"


def _categories(pack: RulePack, party: Answerable, lang: str) -> str:
    return all_of(lang, [getattr(pack.categories[c], lang) for c in party.categories])


def _duty(why: Iterable[Why], lang: str) -> list[str]:
    """Each rule's duty in the plan's words, and the source beyond the plan it rests on."""
    out = [phrase(lang, "report.duty")]
    for w in why:
        out.append(phrase(lang, "report.duty_item" if w.quote else "report.duty_source", clause=w.clause,
                          principle=w.principle, rule=w.rule, quote=w.quote))
        out += [phrase(lang, "report.source", source=w.source)] if w.source else []
    return out


def facts_shown(why: Iterable[Why]) -> list[str]:
    """The facts behind the findings, each said once."""
    return list(dict.fromkeys(s.text for w in why for s in w.steps))


def _unit(unit: UnitLink, ex: Explainer, pack: RulePack, lang: str) -> list[str]:
    """A unit the plan makes answerable: its duty, the facts, its category and evidence."""
    why = ex.why(unit)
    tier = pack_name(pack, "tier", unit.tier, lang)
    return [phrase(lang, "report.unit", name=unit.name, unit=unit.unit, tier=tier), "",
            *_duty(why, lang), phrase(lang, "report.facts"), *(f"  - {t}" for t in facts_shown(why)),
            phrase(lang, "report.category", categories=_categories(pack, unit, lang)),
            phrase(lang, "report.finding", text=unit_paragraph(unit, ex.graph, pack, lang)),
            phrase(lang, "report.evidence", evidence=_ids(unit.evidence))]


def _person(n: int, link: Link, ex: Explainer, pack: RulePack, lang: str) -> list[str]:
    """Responsibility → action or omission → evidence, for one link."""
    e = ex.explain(link.person)
    tier = pack_name(pack, "tier", link.tier, lang)
    out = [phrase(lang, "report.person", n=n, name=link.name, person=link.person, tier=tier),
           "", phrase(lang, "report.posts", posts=all_of(lang, e.posts) or phrase(lang, "report.none_held")),
           *_duty(e.why, lang), phrase(lang, "report.facts")]
    shown = facts_shown(e.why) + [phrase(lang, "report.not_counted", text=t) for t in ex.not_counted(link.person)]
    kinds = {f.kind for f in ex.ctx.facts if f.fields.get("person") == link.person}
    shown += [phrase(lang, family_key(lang, "none", kind), **ex.base) for kind in ACTS if kind not in kinds]
    out += [f"  - {t}" for t in shown]
    out += [phrase(lang, "report.category", categories=_categories(pack, link, lang)),
            phrase(lang, "report.finding", text=person_paragraph(link, ex.graph, pack, lang)),
            phrase(lang, "report.evidence", evidence=_ids(link.evidence))]
    return out
