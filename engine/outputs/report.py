"""The incident report in Markdown (``wenze trace --format md``), for an investigation's working papers.

Per incident, in the words an investigation report uses: the incident (its time as
2023年3月1日14时20分, its loss in 万元) and its grade with the Art. 3 criterion that
decided it; the chain at a glance with each party's grade of responsibility; then each
person in chain order — their 责任认定 paragraph (:func:`engine.outputs.finding_text.finding_paragraph`,
the one the table, ``explain`` and the Word report use too), the duty (the plan's words
each rule quotes), the category and the grade; then each unit the plan makes answerable,
the same way; then the data gaps and the acts to examine (待核实). Internal ids and digests are not in that text: they go
to the **appendix of evidence** at the end, which gives, per party, what the facts show
(structured as CAST structures a controller's part: the facts behind each finding, their
other recorded acts with the reason each does not count, "no inspection / signature
recorded" where there is none), how each finding was graded, and the ids of the records
it rests on; and the digests that let the determination be reproduced. Every sentence
comes from the explainer or the paragraph, so the report says nothing the facts do not hold.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from engine.chain.chain import Answerable, Chain, Link
from engine.explain.explainer import ACTS, Explainer, Why
from engine.incident.grade import CRITERIA, EVENT, GRADES
from engine.org.graph import OrgGraph
from engine.outputs.finding_text import finding_paragraph, grade_label, post_title
from engine.outputs.table import categories_text, md_cell, pack_name
from engine.pack.rulepack import RulePack
from engine.words.catalog import all_of, day_text, family_key, moment_text, money_text, phrase


def markdown(chains: Iterable[Chain], pack: RulePack, graph: OrgGraph, lang: str = "zh") -> str:
    """One section per incident, in the order given."""
    return "".join(markdown_parts(chains, pack, graph, lang))


def markdown_parts(chains: Iterable[Chain], pack: RulePack, graph: OrgGraph, lang: str = "zh") -> Iterator[str]:
    """:func:`markdown`'s text a section at a time, so ``trace`` never holds more than one chain."""
    for n, chain in enumerate(chains):
        yield ("\n" if n else "") + _incident(chain, pack, graph, lang)


def _count(lang: str, criterion: str, n: int) -> str:
    """A number of one Art. 3 criterion in words ('死亡1人', '直接经济损失90万元')."""
    value = money_text(lang, n) if criterion == "direct_loss_yuan" else f"{n:,}"
    return phrase(lang, family_key(lang, "crit", criterion), n=value)


def grade_text(chain: Chain, lang: str) -> str:
    """The grade and the Art. 3 criterion that decided it (for 一般: every threshold it stays below)."""
    g, inc = chain.context.grade, chain.context.incident
    if g.id == EVENT.id:
        return phrase(lang, "report.grade.event", grade=getattr(g, lang))
    if g.criterion:
        return phrase(lang, "report.grade.by", grade=getattr(g, lang),
                      value=_count(lang, g.criterion, getattr(inc, g.criterion)),
                      threshold=_count(lang, g.criterion, g.threshold))
    _, _, zh, en, *minimums = GRADES[-2]
    return phrase(lang, "report.grade.general", grade=getattr(g, lang), next={"zh": zh, "en": en}[lang],
                  value=all_of(lang, [_count(lang, c, getattr(inc, c)) for c in CRITERIA]),
                  threshold=all_of(lang, [_count(lang, c, m) for c, m in zip(CRITERIA, minimums)]))


def _ids(ids: Iterable[str]) -> str:
    return " ".join(f"`{i}`" for i in ids)


def _incident(chain: Chain, pack: RulePack, graph: OrgGraph, lang: str) -> str:
    ex = Explainer(graph, chain, lang)
    # Each party's findings told once, for its part of the report and its part of the appendix.
    link_whys = [ex.why(link) for link in chain.links]
    unit_whys = [ex.why(unit) for unit in chain.units]
    ctx, inc, base = chain.context, chain.context.incident, ex.base
    village = phrase(lang, "report.village", **base) if ctx.village else ""
    out = [phrase(lang, "report.title", m=inc.occurred_at.month, d=inc.occurred_at.day,
                  date=day_text(lang, inc.day), **base), ""]
    out += [line for w in chain.warnings for line in (phrase(lang, "report.warning", text=getattr(w, lang)), "")]
    if inc.description:
        out += [inc.description, ""]
    out += [phrase(lang, "report.when", when=moment_text(lang, inc.occurred_at)),
            phrase(lang, "report.where", village_part=village, **base),
            phrase(lang, "report.sector", **base),
            phrase(lang, "report.toll", toll=all_of(lang, [_count(lang, c, getattr(inc, c)) for c in CRITERIA])),
            phrase(lang, "report.grade", grade=grade_text(chain, lang)),
            phrase(lang, "report.basis", title=pack.pack.title, document=pack.pack.document),
            "", phrase(lang, "report.chain"), "", phrase(lang, "report.table"), "|---|---|---|---|---|---|"]
    for n, link in enumerate(chain.links, 1):
        posts = phrase(lang, "title_sep").join(post_title(ex, p) for p in link.posts) or "—"
        out.append(phrase(lang, "report.row", n=n, tier=md_cell(pack_name(pack, "tier", link.tier, lang)),
                          name=md_cell(link.name), posts=md_cell(posts),
                          categories=md_cell(categories_text(pack, link, lang)),
                          grade=md_cell(grade_label(link, lang))))
    for n, (link, why) in enumerate(zip(chain.links, link_whys), 1):
        out += ["", phrase(lang, "report.person", n=n, name=link.name, tier=pack_name(pack, "tier", link.tier, lang)),
                "", *_finding(link, why, ex)]
    for unit, why in zip(chain.units, unit_whys):
        out += ["", phrase(lang, "report.unit", name=unit.name, tier=pack_name(pack, "tier", unit.tier, lang)),
                "", *_finding(unit, why, ex)]
    out += ["", phrase(lang, "report.gaps"), ""]
    out += [phrase(lang, "report.gap", message=g.message[lang], clause=g.clause,
                   quote=next(x.quote for x in pack.gaps if x.id == g.rule)) for g in chain.gaps] or [
        phrase(lang, "report.no_gaps")]
    out += ["", phrase(lang, "report.to_examine"), ""]
    out += [phrase(lang, "report.examine_item", name=graph.people[x.person].name, text=x.text[lang])
            for x in chain.to_examine] or [phrase(lang, "report.nothing_to_examine")]
    return "\n".join(out + ["", *_appendix(chain, ex, link_whys, unit_whys)]) + "\n"


def _finding(party: Answerable, why: tuple[Why, ...], ex: Explainer) -> list[str]:
    """A party's part of the report: the 责任认定 paragraph, the duty (from ``why``, the party's findings as
    the explainer tells them), the category and the grade."""
    lang = ex.lang
    return [phrase(lang, "report.finding", text=finding_paragraph(ex, party)), *_duty(why, lang),
            phrase(lang, "report.category", categories=categories_text(ex.pack, party, lang)),
            phrase(lang, "report.grade_of", grade=grade_label(party, lang))]


def _duty(why: Iterable[Why], lang: str) -> list[str]:
    """Each rule's duty in the plan's words, and the source beyond the plan it rests on; each said once."""
    items: list[str] = []
    for w in why:
        items.append(phrase(lang, "report.duty_item" if w.quote else "report.duty_source", clause=w.clause,
                            principle=w.principle, quote=w.quote))
        items += [phrase(lang, "report.source", source=w.source)] if w.source else []
    return [phrase(lang, "report.duty"), *dict.fromkeys(items)]


def facts_shown(why: Iterable[Why]) -> list[str]:
    """The facts behind the findings, each said once."""
    return list(dict.fromkeys(s.text for w in why for s in w.steps))


def _appendix(chain: Chain, ex: Explainer, link_whys: list[tuple[Why, ...]],
              unit_whys: list[tuple[Why, ...]]) -> list[str]:
    """The appendix of evidence: the ids the findings rest on, what the facts show, how each was graded
    (``link_whys`` and ``unit_whys``: each link's and each unit's findings as the explainer tells them)."""
    lang = ex.lang
    out = [phrase(lang, "report.appendix"), "",
           phrase(lang, "report.digests" if chain.rulepack["version"] == chain.rulepack["digest"] else
                  "report.digests.version", incident=chain.context.incident.id, pack=chain.rulepack["id"],
                  pack_digest=chain.rulepack["digest"], version=chain.rulepack["version"],
                  facts_digest=chain.facts_digest)]
    for n, (link, why) in enumerate(zip(chain.links, link_whys), 1):
        out += ["", phrase(lang, "report.evidence_of", n=n, name=link.name, id=link.person), "",
                *_evidence(link, why, ex)]
    for unit, why in zip(chain.units, unit_whys):
        out += ["", phrase(lang, "report.evidence_of_unit", name=unit.name, id=unit.unit), "",
                *_evidence(unit, why, ex)]
    if any(g.evidence for g in chain.gaps):
        out += ["", phrase(lang, "report.evidence_of_gaps"), ""]
        out += [phrase(lang, "report.gap_evidence", rule=g.rule, evidence=_ids(g.evidence))
                for g in chain.gaps if g.evidence]
    if chain.to_examine:
        out += ["", phrase(lang, "report.evidence_to_examine"), ""]
        out += [phrase(lang, "report.examine_evidence", name=ex.graph.people[x.person].name, person=x.person,
                       decides=all_of(lang, x.decides), rule=x.rule, record=x.record) for x in chain.to_examine]
    return out


def _evidence(party: Answerable, why: tuple[Why, ...], ex: Explainer) -> list[str]:
    """What the facts show about a party (responsibility → action or omission → evidence), with ids; ``why``
    is the party's findings as the explainer tells them."""
    lang, shown = ex.lang, facts_shown(why)
    if isinstance(party, Link):
        shown += [phrase(lang, "report.not_counted", text=t) for t in ex.not_counted(party.person)]
        kinds = {f.kind for f in ex.ctx.facts if f.fields.get("person") == party.person}
        shown += [phrase(lang, family_key(lang, "none", kind), **ex.base) for kind in ACTS if kind not in kinds]
    graded = [phrase(lang, "report.graded", rule=f.rule, grade=getattr(ex.pack.grades[f.grade], lang),
                     by=all_of(lang, f.graded_by + f.escalated_by)) for f in party.findings if f.grade]
    return [phrase(lang, "report.facts"), *(f"  - {t}" for t in shown),
            *([phrase(lang, "report.grading"), *(f"  - {t}" for t in dict.fromkeys(graded))] if graded else []),
            phrase(lang, "report.evidence", evidence=_ids(party.evidence))]
