"""What each page shows, as plain data for its template: chains, explanations and comparisons, labelled.

The pages render the chain's JSON (``Chain.as_json``) beside its classes: a
field the chain gains that no template places yet is shown by the generic
renderer under its own name, so a new finding is never hidden. Sentences come
from the Explainer and the 责任认定 paragraph from ``finding_text``, labels
from the rule pack, as in the CLI.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Mapping

import yaml

from engine.chain.chain import ORDERS, Answerable, Link, in_order
from engine.explain.explainer import Explainer, explain_person
from engine.org.graph import OrgGraph
from engine.outputs.diff import Comparison, Standing, parties, standing_text
from engine.outputs.finding_text import finding_paragraph, grade_label
from engine.outputs.table import pack_name
from engine.pack.rulepack import Rule, RulePack
from engine.web.workspace import Case
from facts.model import Tenure
from facts.timeline import in_force
from engine.words.catalog import label, moment_text, phrase

#: The chain's and a party's JSON fields that have a place of their own on the incident page.
CHAIN_SHOWN = ("incident", "grade", "links", "units", "exonerated", "gaps", "to_examine", "warnings", "rulepack",
               "facts_digest")
PARTY_SHOWN = ("person", "unit", "kind", "name", "posts", "tier", "categories", "principles", "rules", "clauses",
               "sources", "evidence", "findings", "mitigations", "grade", "pursued")


def record_data(record: Any) -> dict:
    """A record as its fact file would hold it."""
    return record.model_dump(mode="json", by_alias=True, exclude_defaults=True)


def record_yaml(record: Any) -> str:
    return yaml.safe_dump(record_data(record), allow_unicode=True, sort_keys=False)


def case_view(case: Case, lang: str) -> dict:
    """The incidents of a case: date, site, sector, toll, grade, and how many people, units, gaps and acts to
    examine the chain has."""
    rows = []
    if case.tracer is not None:
        g = case.tracer.graph
        for chain in case.chains():
            j = chain.as_json()
            inc = j["incident"]
            at = case.tracer.incidents[inc["id"]].occurred_at
            rows.append({"id": inc["id"], "date": moment_text(lang, at), "site": g.units[inc["site"]].name,
                         "sector": g.sectors[inc["sector"]].name if inc["sector"] in g.sectors else inc["sector"],
                         "toll": f"{inc['deaths']}/{inc['serious_injuries']}", "grade": j["grade"][lang],
                         "links": len(j["links"]), "units": len(j["units"]), "gaps": len(j["gaps"]),
                         "to_examine": len(j["to_examine"])})
    return {"incidents": rows}


def near(graph: OrgGraph, site: str, day: date) -> tuple[set[str], list[Tenure]]:
    """The posts that can bear on an incident at ``site`` — the site's own, and those of every unit that is not
    an enterprise, in the site's town or above any town (a county's other towns and enterprises cannot) — and
    their tenures on ``day``: what a form offers, so a county's page is its town's."""
    town = graph.town_of(site)
    posts = {p.id for p in graph.posts.values()
             if p.unit == site or (graph.units[p.unit].kind != "enterprise" and graph.town_of(p.unit) in (town, None))}
    return posts, [t for t in graph.facts.tenures if t.post in posts and in_force(t.valid_from, t.valid_to, day)]


def _party(ex: Explainer, party: Answerable) -> dict:
    """A person or a unit as a row: grade, 责任认定 paragraph, the plan's names, the facts behind each finding."""
    pack, lang, pj = ex.pack, ex.lang, party.as_json()
    if isinstance(party, Link):
        held = [p["title"] + (phrase(lang, "table.acting") if p["acting"] else "") for p in party.posts]
    else:
        held = [label(lang, "unit_kind", party.kind)]
    return {"id": party.id, "name": party.name, "tier": pack_name(pack, "tier", party.tier, lang), "posts": held,
            "grade": grade_label(party, lang), "pursued": party.pursued,
            "paragraph": finding_paragraph(ex, party),
            "categories": [pack_name(pack, "category", c, lang) for c in pj["categories"]],
            "principles": [pack_name(pack, "principle", p, lang) for p in pj["principles"]],
            "clauses": [*pj["clauses"], *(pack.sources[s].cite for s in pj["sources"])],
            "evidence": pj["evidence"], "mitigated": bool(party.mitigations),
            "facts": list(dict.fromkeys(s.text for w in ex.why(party) for s in w.steps)),
            "extra": {k: v for k, v in pj.items() if k not in PARTY_SHOWN}}


def incident_view(case: Case, incident: str, lang: str, order: str = "severity") -> dict:
    """One incident: its record and causes, the chain heaviest grade first (or by band), each party with its
    责任认定 paragraph, the units, the gaps, the acts to examine, exonerations and any other chain field."""
    tracer, chain = case.require(), in_order(case.chain(incident), order)
    graph = tracer.graph
    ex = Explainer(graph, chain, lang)
    j = chain.as_json()
    groups: list[dict] = []
    for link in chain.links:
        row = _party(ex, link)
        head = row["grade"] if order == "severity" else row["tier"]
        if not groups or groups[-1]["head"] != head:
            groups.append({"head": head, "links": []})
        groups[-1]["links"].append(row)
    inc = case.incident(incident)
    asked = {t.person for t in near(graph, inc.site, inc.day)[1]} | {link.person for link in chain.links} | set(
        inc.involved)  # the people the why-not box suggests (any id or name may be typed)
    record = {k: v for k, v in record_data(inc).items() if k != "causes"}  # the causes have a section of their own
    return {"chain": j, "record": record, "groups": groups, "order": order, "orders": ORDERS,
            "site": graph.units[inc.site].name, "noun": ex.base["incident_title"],
            "warnings": [w[lang] for w in j["warnings"]],
            "causes": [{"kind": label(lang, "cause_kind", c.kind), "id": c.id, "text": c.description,
                        "rests_on": [*c.hazards, *c.conduct]} for c in inc.causes],
            "units": [_party(ex, u) for u in chain.units],
            "gaps": [{"message": g.message[lang], "clause": g.clause, "evidence": list(g.evidence)}
                     for g in chain.gaps],
            "to_examine": [{"person": x.person, "name": graph.people[x.person].name, "record": x.record,
                            "text": x.text[lang], "decides": list(x.decides)} for x in chain.to_examine],
            "exonerated": [x.as_json() | {"name": graph.people[x.person].name} for x in chain.exonerated],
            "extra": {k: v for k, v in j.items() if k not in CHAIN_SHOWN},
            "people": sorted((graph.people[p].name, p) for p in asked)}


def person_view(case: Case, incident: str, person: str, lang: str) -> dict:
    """Why a person is in the chain (grade, 责任认定 paragraph, each fact with its evidence), why each other
    rule did not name them, and their acts to examine: what ``wenze explain`` says."""
    return {"explanation": explain_person(case.require(), incident, person, lang, finding_paragraph,
                                          chain=case.chain(incident))}


# -- what-if ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WhatIfForm:
    """The what-if form's choices, as read from the page's query string."""

    name: str = "workbench"
    principles_off: tuple[str, ...] = ()
    rules_off: tuple[str, ...] = ()
    params: tuple[tuple[str, str], ...] = ()  # (name, value as typed)
    tenure: str = ""
    tenure_on: str = ""
    assignment: str = ""
    to_post: str = ""
    to_person: str = ""
    since: str = ""

    @classmethod
    def read(cls, query: Mapping[str, list[str]]) -> "WhatIfForm":
        one = lambda k: (query.get(k) or [""])[0].strip()  # noqa: E731
        return cls(name=one("name") or "workbench", principles_off=tuple(query.get("off", [])),
                   rules_off=tuple(query.get("rule_off", [])),
                   params=tuple((k.removeprefix("param."), v[0].strip()) for k, v in query.items()
                                if k.startswith("param.") and v),
                   tenure=one("tenure"), tenure_on=one("tenure_on"), assignment=one("assignment"),
                   to_post=one("to_post"), to_person=one("to_person"), since=one("since"))

    def changes(self, pack: RulePack) -> list[dict]:
        """The scenario's changes: the rules of the principles switched off and those chosen, the parameters
        that differ from the pack's (its version that judges the incident: ``Case.pack_on``), a tenure ended,
        a duty reassigned. Values are passed on as typed: the
        scenario loader checks them and names the change that is wrong."""
        out: list[dict] = []
        off = [r.id for r in pack.rules if r.principle in self.principles_off]
        off += [i for i in self.rules_off if i not in off]
        if off:
            out.append({"disable_rules": off})
        params = {n: typed(pack.param(n), v) for n, v in self.params
                  if n in pack.parameters and typed(pack.param(n), v) != pack.param(n)}
        if params:
            out.append({"set_params": params})
        if self.tenure:
            out.append({"end_tenure": {"tenure": self.tenure, "on": self.tenure_on}})
        if self.assignment:
            holder = {"post": self.to_post} if self.to_post else {}
            holder |= {"person": self.to_person} if self.to_person else {}
            out.append({"reassign": {"assignment": self.assignment, **holder,
                                     **({"from": self.since} if self.since else {})}})
        return out

    def scenario_yaml(self, pack: RulePack) -> str:
        """The scenario file (``wenze whatif --scenario`` reads it); empty when nothing is changed."""
        changes = self.changes(pack)
        if not changes:
            return ""
        return yaml.safe_dump({"name": self.name, "changes": changes}, allow_unicode=True, sort_keys=False)


def typed(current: Any, text: str) -> Any:
    """A parameter value as typed in the form, in the type of the pack's value (a list: comma-separated)."""
    if isinstance(current, bool):
        return text == "yes" if text in ("yes", "no") else text
    if isinstance(current, int):
        try:
            return int(text)
        except ValueError:
            return text
    if isinstance(current, list):
        items = [t.strip() for t in text.replace("，", ",").split(",") if t.strip()]
        return [typed(current[0], t) for t in items] if current else items
    return text


def param_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def whatif_choices(case: Case, incident: str, lang: str) -> dict:
    """What the form offers: the principles, rules, gaps, acts to examine and parameter values of the pack's
    version that judges the incident; the tenures on the day, the assignments and the posts that can bear on
    the incident (a county's form is its town's, not the county's)."""
    tracer, pack, inc = case.require(), case.pack_on(incident), case.incident(incident)
    facts, graph = tracer.facts, tracer.graph
    posts, tenures = near(graph, inc.site, inc.day)
    holders = {t.person for t in tenures}
    name = lambda pid: graph.people[pid].name if pid in graph.people else pid  # noqa: E731
    return {
        "principles": [(pid, getattr(p, lang)) for pid, p in pack.principles.items()
                       if any(r.principle == pid for r in pack.rules)],
        "rules": [(i.id, pack_name(pack, "principle", i.principle, lang) if isinstance(i, Rule) else i.clause)
                  for i in pack.items],
        "params": [(n, p.description, param_text(pack.param(n)), isinstance(pack.param(n), bool))
                   for n, p in pack.parameters.items()],
        "tenures": [(t.key, f"{name(t.person)} · {graph.posts[t.post].title} · {t.valid_from}–{t.valid_to or ''}")
                    for t in tenures],
        "assignments": [(a.id, f"{a.id} · {graph.posts[a.post].title if a.post else name(a.person)}")
                        for a in facts.assignments if (a.post in posts if a.post else a.person in holders)],
        "posts": [(p.id, f"{p.title} ({graph.units[p.unit].name})") for p in facts.posts if p.id in posts],
        "people": sorted((graph.people[p].name, p) for p in holders),
        "today": date.today().isoformat(),
    }


def comparison_view(cmp: Comparison, packs: list[RulePack], lang: str) -> dict:
    """The baseline beside the scenario, one row per party named under either, marked added/removed/changed."""
    base, after = cmp.chains[0], cmp.chains[1]
    before_parties, after_parties = parties(base), parties(after)
    marks = {(c.party_kind, c.party): c.change for c in cmp.diffs[0].links}

    def standing(found: dict, key: tuple, pack: RulePack) -> str:
        return standing_text(pack, Standing.of(found[key]), lang) if key in found else "—"

    keys = list(dict.fromkeys([*before_parties, *after_parties]))
    rows = [{"kind": k[0], "id": k[1], "name": (before_parties.get(k) or after_parties[k]).name,
             "before": standing(before_parties, k, packs[0]), "after": standing(after_parties, k, packs[1]),
             "change": marks.get(k, "")} for k in keys]
    return {"rows": rows, "diff": cmp.diffs[0].as_json(), "absent": after is None}

