"""Chains rendered for people: a terminal table and the JSON contract (the report is engine.outputs.report).

Labels come from the rule pack (each category, principle and tier carries its
Chinese and English name), so a pack for another town renders without code.
"""
from __future__ import annotations

from rich.table import Table

from engine.chain.chain import Answerable, Chain, Link
from engine.pack.rulepack import RulePack
from facts.canon import canonical_json

HEAD = {
    "zh": {"incident": "事故", "grade": "等级", "site": "地点", "date": "时间", "tier": "层级", "person": "人员",
           "posts": "当日职务", "category": "责任类别", "principle": "原则", "clause": "条款", "evidence": "证据",
           "gaps": "数据缺口", "decided_by": "依据", "mitigated": "（已尽职，减轻）", "unit": "单位",
           "exonerated": "已免责"},
    "en": {"incident": "Incident", "grade": "Grade", "site": "Site", "date": "Date", "tier": "Tier", "person": "Person",
           "posts": "Posts that day", "category": "Category", "principle": "Principle", "clause": "Clause",
           "evidence": "Evidence", "gaps": "Data gaps", "decided_by": "decided by",
           "mitigated": " (due diligence: mitigated)", "unit": "unit", "exonerated": "Exonerated"},
}
CRITERION = {"zh": {"deaths": "死亡人数", "serious_injuries": "重伤人数", "direct_loss_yuan": "直接经济损失（元）"},
             "en": {"deaths": "deaths", "serious_injuries": "serious injuries", "direct_loss_yuan": "direct loss (yuan)"}}


def chains_json(chains: list[Chain], indent: int | None = 2) -> str:
    """One chain as an object, several as an array in incident order; byte-stable."""
    data = chains[0].as_json() if len(chains) == 1 else [c.as_json() for c in chains]
    return canonical_json(data, indent=indent) + "\n"


def label(pack: RulePack, kind: str, key: str, lang: str) -> str:
    table = {"category": pack.categories, "principle": pack.principles}.get(kind)
    if kind == "tier":
        return next(getattr(t, lang) for t in pack.tiers if t.id == key)
    return getattr(table[key], lang) if key in table else key


def grade_line(chain: Chain, lang: str) -> str:
    g = chain.context.grade
    name = g.zh if lang == "zh" else g.en
    if not g.criterion:
        return name
    value = getattr(chain.context.incident, g.criterion)
    return f"{name} ({HEAD[lang]['decided_by']} {CRITERION[lang][g.criterion]} {value} ≥ {g.threshold:,})"


def posts_text(link: Link) -> str:
    return "、".join(p["title"] + ("（代）" if p["acting"] else "") for p in link.posts) or "—"


def incident_line(chain: Chain, lang: str) -> str:
    inc, h = chain.context.incident, HEAD[lang]
    return (f"{h['incident']} {inc.id} · {h['date']} {inc.occurred_at.isoformat()} · {h['site']} {inc.site} · "
            f"{h['grade']} {grade_line(chain, lang)}")


def _row(pack: RulePack, n: int, who: Answerable, held: str, lang: str) -> list[str]:
    categories = "、".join(label(pack, "category", c, lang) for c in who.categories)
    return [str(n), label(pack, "tier", who.tier, lang), f"{who.name} ({who.id})", held,
            categories + (HEAD[lang]["mitigated"] if who.mitigations else ""),
            "、".join(label(pack, "principle", p, lang) for p in who.principles),
            " ".join(who.clauses), " ".join(who.evidence)]


def table(chain: Chain, pack: RulePack, lang: str = "zh") -> Table:
    """People scene upward, then the answerable units; gaps and exonerations as the caption."""
    h = HEAD[lang]
    t = Table(title=incident_line(chain, lang), title_justify="left", show_lines=False)
    for col in ("#", h["tier"], h["person"], h["posts"], h["category"], h["principle"], h["clause"], h["evidence"]):
        t.add_column(col, overflow="fold")
    for n, link in enumerate(chain.links, 1):
        t.add_row(*_row(pack, n, link, posts_text(link), lang))
    if chain.units:
        t.add_section()
        for n, unit in enumerate(chain.units, len(chain.links) + 1):
            t.add_row(*_row(pack, n, unit, f"{h['unit']}: {unit.kind}", lang))
    notes = [f"{h['gaps']}: " + "; ".join(f"{g.message[lang]} [{g.clause}]" for g in chain.gaps)] if chain.gaps else []
    notes += [f"{h['exonerated']}: " + "; ".join(f"{x.person} ({x.rule}: {', '.join(x.removed)})"
                                                 for x in chain.exonerated)] if chain.exonerated else []
    if notes:
        t.caption = "\n".join(notes)
        t.caption_justify = "left"
    return t
