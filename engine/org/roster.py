"""Who holds which post, and which duties go with it, on a given day (`wenze org`)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from engine.org.graph import OrgGraph
from engine.words.catalog import label, phrase
from facts.timeline import in_force


@dataclass(frozen=True)
class RosterRow:
    unit: str
    post: str
    title: str
    holders: tuple[str, ...]  # "name (id)", "（代）" marks an acting holder
    duties: tuple[str, ...]  # "分管：非煤矿山", "分管安全生产：铜川镇", "包村：常青村", … ("in charge (分管): 非煤矿山" in English)


def _targets(graph: OrgGraph, a, day: date) -> list[str]:
    """What an assignment is onto; a safety one (分管安全生产), the territories it covers that day."""
    if a.kind == "safety":
        return [graph.units[t].name for t in graph.territories(a, day)]
    names = [graph.sectors[s].name for s in a.sectors] + [graph.units[u].name for u in a.units]
    names += [graph.units[v].name for v in (a.village, a.site, a.village_group) if v]
    return names


def roster(graph: OrgGraph, day: date, lang: str = "zh") -> list[RosterRow]:
    """Every post with its holders that day and the assignments in force on it (or on them personally)."""
    by_holder: dict[str, list[str]] = {}
    for a in graph.assignments.values():
        if in_force(a.valid_from, a.valid_to, day):
            by_holder.setdefault(a.holder_ref, []).append(phrase(
                lang, "org.duty", kind=label(lang, "assignment_kind", a.kind), targets="、".join(_targets(graph, a, day))))
    rows = []
    for post in sorted(graph.posts.values(), key=lambda p: (p.unit, p.id)):
        holders = graph.holders(post.id, day)
        duties = list(by_holder.get(post.id, []))
        for h in holders:
            duties += [f"{d} ({graph.people[h.person].name})" for d in by_holder.get(h.person, [])]
        rows.append(RosterRow(graph.units[post.unit].name, post.id, post.title,
                              tuple(f"{graph.people[h.person].name} ({h.person})" + (phrase(lang, "org.acting") if h.tenure.acting else "")
                                    for h in holders) or (phrase(lang, "org.vacant"),),
                              tuple(sorted(duties))))
    return rows
