"""Chains rendered for people: a terminal table and the JSON contract (the report is engine.outputs.report).

Labels come from the rule pack (each category, principle and tier carries its
Chinese and English name), so a pack for another town renders without code; the
other words from :mod:`engine.words.catalog`.
"""
from __future__ import annotations

import textwrap
from typing import Iterable, Iterator

from rich.markup import escape
from rich.table import Table

from engine.chain.chain import Answerable, Chain, Link
from engine.explain.explainer import Explainer
from engine.org.graph import OrgGraph
from engine.outputs.finding_text import finding_paragraph, grade_label
from engine.pack.rulepack import RulePack
from engine.words.catalog import all_of, label, phrase
from facts.canon import canonical_json


def chains_json(chains: Iterable[Chain], indent: int | None = 2) -> str:
    """The chains as an array in incident order (one chain too); byte-stable."""
    return "".join(chains_json_parts(chains, indent))


def chains_json_parts(chains: Iterable[Chain], indent: int | None = 2) -> Iterator[str]:
    """:func:`chains_json`'s text a chain at a time, so ``trace`` never holds more than one chain."""
    yield "["
    n = -1
    for n, chain in enumerate(chains):
        text = canonical_json(chain.as_json(), indent=indent)
        yield ("," if n else "") + (text if indent is None else "\n" + textwrap.indent(text, " " * indent))
    yield ("]" if indent is None or n < 0 else "\n]") + "\n"


def chains_jsonl(chains: Iterable[Chain]) -> Iterator[str]:
    """One chain per line, in incident order, a line at a time."""
    return (canonical_json(c.as_json()) + "\n" for c in chains)


def md_cell(text: str) -> str:
    """Text as one Markdown table cell: a | or a line break would end it, < would start HTML."""
    return (text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", " ").replace("\n", " "))


def pack_name(pack: RulePack, kind: str, key: str, lang: str) -> str:
    """The name the rule pack gives a tier, category or principle in ``lang``; the id itself if it has none."""
    if kind == "tier":
        return next(getattr(t, lang) for t in pack.tiers if t.id == key)
    table = {"category": pack.categories, "principle": pack.principles}[kind]
    return getattr(table[key], lang) if key in table else key


def categories_text(pack: RulePack, party: Answerable, lang: str) -> str:
    """The party's categories of responsibility by the names the pack gives them, as one list in words."""
    return all_of(lang, [getattr(pack.categories[c], lang) for c in party.categories])


def grade_line(chain: Chain, lang: str) -> str:
    g = chain.context.grade
    if not g.criterion:
        return getattr(g, lang)
    return phrase(lang, "table.grade_by", grade=getattr(g, lang), criterion=label(lang, "criterion", g.criterion),
                  value=getattr(chain.context.incident, g.criterion), threshold=f"{g.threshold:,}")


def posts_text(link: Link, lang: str) -> str:
    return phrase(lang, "title_sep").join(p["title"] + (phrase(lang, "table.acting") if p["acting"] else "")
                                          for p in link.posts) or "—"


def incident_line(chain: Chain, lang: str) -> str:
    inc = chain.context.incident
    return phrase(lang, "table.title", incident=inc.id, date=inc.occurred_at.isoformat(), site=inc.site,
                  grade=grade_line(chain, lang))


def _row(ex: Explainer, n: int, who: Answerable, held: str) -> list[str]:
    pack, lang = ex.pack, ex.lang
    sep = phrase(lang, "table.list_sep")
    categories = sep.join(pack_name(pack, "category", c, lang) for c in who.categories)
    return [str(n), pack_name(pack, "tier", who.tier, lang), phrase(lang, "table.party", name=who.name, id=who.id),
            held, categories + (phrase(lang, "table.mitigated") if who.mitigations else ""), grade_label(who, lang),
            " ".join([*who.clauses, *(pack.sources[s].cite for s in who.sources)]), " ".join(who.evidence)]


def table(chain: Chain, graph: OrgGraph, lang: str = "zh") -> Table:
    """People in the chain's order, then the answerable units, each with its grade; their 责任认定
    paragraphs, the warnings, the gaps, the exonerations and the acts to examine as the caption (full width,
    where paragraphs read). Names come from the version of the pack that judged the chain."""
    ex = Explainer(graph, chain, lang)
    t = Table(title=incident_line(chain, lang), title_justify="left", show_lines=False)
    for col in ("#", phrase(lang, "table.tier"), phrase(lang, "table.person"), phrase(lang, "table.posts"),
                phrase(lang, "table.category"), phrase(lang, "table.grade"), phrase(lang, "table.clause"),
                phrase(lang, "table.evidence")):
        t.add_column(col, overflow="fold")
    for n, link in enumerate(chain.links, 1):
        t.add_row(*_row(ex, n, link, posts_text(link, lang)))
    if chain.units:
        t.add_section()
        for n, unit in enumerate(chain.units, len(chain.links) + 1):
            t.add_row(*_row(ex, n, unit, phrase(lang, "table.unit", kind=label(lang, "unit_kind", unit.kind))))
    sep = phrase(lang, "table.note_sep")
    parties = (*chain.links, *chain.units)
    notes = [phrase(lang, "table.warning", text=getattr(w, lang)) for w in chain.warnings]
    notes += [phrase(lang, "table.findings")] + [
        phrase(lang, "table.finding", n=n, text=finding_paragraph(ex, who)) for n, who in enumerate(parties, 1)
    ] if parties else []
    notes += [phrase(lang, "table.gaps", gaps=sep.join(
        phrase(lang, "table.gap", message=g.message[lang], clause=g.clause) for g in chain.gaps))] if chain.gaps else []
    notes += [phrase(lang, "table.exonerated", exonerated=sep.join(
        phrase(lang, "table.exoneration", person=x.person, rule=x.rule, removed=", ".join(x.removed))
        for x in chain.exonerated))] if chain.exonerated else []
    notes += [phrase(lang, "table.to_examine", entries=sep.join(
        escape(phrase(lang, "table.examine_item", person=x.person, record=x.record, decides=", ".join(x.decides)))
        for x in chain.to_examine))] if chain.to_examine else []
    if notes:
        t.caption = "\n".join(notes)
        t.caption_justify = "left"
    return t
