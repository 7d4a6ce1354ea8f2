"""Findings merged into the responsibility chain: one link per person, scene upward.

A link's tier is the highest band any of its findings reaches; links are
ordered by tier (site and staff first, party secretary and mayor last), then by
person id, so the same facts always give the same chain. A rule that declares
``overrides`` drops the overridden rule's finding for the same person: two
rules never settle a conflict by their order in the file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from engine.canon import digest
from engine.compile import Match
from engine.context import IncidentContext
from engine.graph import OrgGraph
from engine.rulepack import Gap, RulePack


@dataclass(frozen=True)
class Finding:
    """One rule that named a person, and the input records it rests on."""

    rule: str
    principle: str
    category: str
    clause: str
    tier: str
    evidence: tuple[str, ...]
    facts: tuple[str, ...]  # context fact keys, for explanations

    def as_json(self) -> dict:
        return {"rule": self.rule, "principle": self.principle, "category": self.category,
                "clause": self.clause, "tier": self.tier, "evidence": list(self.evidence)}


@dataclass(frozen=True)
class Link:
    person: str
    name: str
    posts: tuple[dict, ...]
    tier: str
    findings: tuple[Finding, ...]

    def _distinct(self, attr: str) -> list[str]:
        return sorted({getattr(f, attr) for f in self.findings})

    def as_json(self) -> dict:
        return {"person": self.person, "name": self.name, "posts": list(self.posts), "tier": self.tier,
                "categories": self._distinct("category"), "principles": self._distinct("principle"),
                "rules": self._distinct("rule"), "clauses": self._distinct("clause"),
                "evidence": sorted({e for f in self.findings for e in f.evidence}),
                "findings": [f.as_json() for f in self.findings]}


@dataclass(frozen=True)
class GapWarning:
    rule: str
    clause: str
    message: dict
    evidence: tuple[str, ...]

    def as_json(self) -> dict:
        return {"rule": self.rule, "clause": self.clause, "message": self.message, "evidence": list(self.evidence)}


@dataclass(frozen=True)
class Chain:
    context: IncidentContext
    links: tuple[Link, ...]
    gaps: tuple[GapWarning, ...]
    rulepack: dict
    facts_digest: str

    def link(self, person: str) -> Link | None:
        return next((l for l in self.links if l.person == person), None)

    def as_json(self) -> dict:
        inc = self.context.incident
        return {
            "incident": {"id": inc.id, "occurred_at": inc.occurred_at.isoformat(), "site": inc.site,
                         "sector": self.context.sector, "village": self.context.village,
                         "village_group": inc.village_group, "deaths": inc.deaths,
                         "serious_injuries": inc.serious_injuries, "direct_loss_yuan": inc.direct_loss_yuan,
                         "description": inc.description},
            "grade": self.context.grade.as_json(),
            "links": [l.as_json() for l in self.links],
            "gaps": [g.as_json() for g in self.gaps],
            "rulepack": self.rulepack,
            "facts_digest": self.facts_digest,
        }


_PLACEHOLDER = re.compile(r"\{(\w+)\.(\w+)\}")


def fill(template: str, bound: dict[str, dict[str, Any]]) -> str:
    """Replace ``{alias.field}`` with the bound fact's field: the only templating there is."""
    return _PLACEHOLDER.sub(lambda m: str(bound.get(m[1], {}).get(m[2], m[0])), template)


def context_digest(ctx: IncidentContext) -> str:
    """Digest of exactly what the rules saw: reproducible, and blind to unrelated facts."""
    return digest({"incident": ctx.incident.model_dump(mode="json", by_alias=True),
                   "facts": [f.as_json() for f in ctx.facts]})


def link_tier(pack: RulePack, findings: list[Finding]) -> str:
    """The highest band of the person's post-bound findings; act bands only when there is nothing else.

    An enterprise principal who also signed a permit stays in the enterprise band:
    a band says where a person sits in the organisation, an act does not move them.
    """
    by_act = {t.id for t in pack.tiers if t.by_act}
    placed = [f.tier for f in findings if f.tier not in by_act] or [f.tier for f in findings]
    return max(placed, key=pack.tier_rank)


def build_chain(pack: RulePack, graph: OrgGraph, ctx: IncidentContext, matches: list[Match]) -> Chain:
    facts = ctx.by_key()
    per_person: dict[str, list[Finding]] = {}
    gaps: dict[tuple, GapWarning] = {}
    items = {i.id: i for i in (*pack.rules, *pack.gaps)}
    for m in matches:
        item = items[m.rule]
        keys = tuple(k for _, k in m.bindings)
        evidence = tuple(sorted({e for k in keys for e in facts[k].src}))
        if isinstance(item, Gap):
            bound = {a: dict(facts[k].fields) for a, k in m.bindings}
            msg = {"zh": fill(item.message.zh, bound), "en": fill(item.message.en, bound)}
            gaps[(item.id, keys)] = GapWarning(item.id, item.clause, msg, evidence)
            continue
        person = facts[dict(m.bindings)[item.liable]].fields["person"]
        per_person.setdefault(person, []).append(Finding(
            item.id, item.principle, item.category, item.clause, item.tier, evidence, keys))
    links = []
    for person, found in per_person.items():
        overridden = {o for f in found for o in pack.rule(f.rule).overrides}
        kept = sorted((f for f in found if f.rule not in overridden), key=lambda f: (f.rule, f.facts))
        tier = link_tier(pack, kept)
        posts = tuple({"post": h.post.id, "title": h.post.title, "unit": h.post.unit, "acting": h.tenure.acting}
                      for h in graph.posts_held(person, ctx.day))
        links.append(Link(person, graph.people[person].name, posts, tier, tuple(kept)))
    links.sort(key=lambda l: (pack.tier_rank(l.tier), l.person))
    return Chain(ctx, tuple(links), tuple(gaps[k] for k in sorted(gaps)),
                 {"id": pack.pack.id, "digest": pack.digest}, context_digest(ctx))
