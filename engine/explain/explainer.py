"""Why a person is in an incident's chain, and why each other rule did not name them.

Both answers come from the rule pack's own patterns, tested the way the
oracle tests them (:func:`engine.pack.compile.passes`), never from text written
per rule:

- **why**: for each finding of the person's link, the context fact bound to
  each alias of the rule, told as a sentence with its ids and dates, the
  plan's text the rule quotes, and the path in the org graph from the person
  to the site;
- **why not**: for each rule that did not name the person, every fact that
  could have named them (an *attempt*), closest first, with how many
  conditions it met and the first that failed. Candidates are the person's
  context facts and, for what the context leaves out, the same kind of fact
  built from the org graph across all dates (a post held until last month,
  a village elsewhere, an inspection after the incident), held to the
  conditions the context applies implicitly: the place (the incident's
  sector path, site and village) and the time (the assignment and the tenure
  in force on the day). A candidate that meets every condition and is still
  not in the context is reported as such, never silently dropped.

An attempt that meets every condition is exactly a match of the oracle for
that rule and person (tested as a property), so a why-not never contradicts
the chain. The sentences are the templates of :mod:`engine.words.catalog`.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable, Mapping

import networkx as nx

from engine.chain.chain import Answerable, Chain, Finding, GradeOf, Link, ToExamine
from engine.incident.fact import OK, Candidate, Check, Fact
from engine.incident.kinds import BY_NAME, NEAR_MISSES, stands_for_duty
from engine.incident.reporting import known
from engine.org.graph import OrgGraph, node
from engine.pack.compile import resolved_operand
from engine.pack.grades import KIND, Conditioned, Escalation, Grading, failed_test, finding_fields
from engine.pack.grammar import FieldRef, ParamRef, Pattern, passes
from engine.pack.rulepack import Rule
from engine.words.catalog import FAMILIES, all_of, any_of, family_key, label, phrase
from facts.canon import JsonData
from facts.errors import InputError, UnknownIdError
from facts.model import Tenure

if TYPE_CHECKING:
    from engine.chain.trace import Tracer

#: Facts that tie their party to the site by what they did, with the relation the path names …
ACT_RELATION = {"inspection": "inspected", "signature": "signed", "involved": "involved", "conduct": "did",
                "unit_conduct": "did", "report": "reported", "concealment": "concealed",
                "unit_concealment": "concealed", "order_duty": "enforces"}
#: … and the field naming the act's record (else the incident itself).
ACT_RECORD = {"inspection": "inspection", "signature": "signature", "conduct": "conduct", "unit_conduct": "conduct",
              "report": "report", "order_duty": "order"}
#: The acts told against the incident's causes: their sentences depend on how they bear (``bears``). The
#: report's appendix states their absence for every person ("no inspection recorded").
ACTS = ("inspection", "signature")


@dataclass(frozen=True)
class Step(JsonData):
    """One fact that satisfied one pattern of a rule."""

    alias: str
    fact: str
    text: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Why(JsonData):
    """A rule that named the person: the plan's words, the facts, the path to the site."""

    rule: str
    principle: str
    category: str
    clause: str  # what the rule rests on, in a word: the plan's clause (a source's article for a rule on one alone)
    quote: str  # the plan's words ('' for a rule resting on a source alone)
    steps: tuple[Step, ...]
    path: str
    effect: str = "liable"  # or "mitigates": a finding that lowers another (e.g. due diligence shown)
    source: str = ""  # the source beyond the plan, cited with its text


@dataclass(frozen=True)
class Attempt(JsonData):
    """One way a rule could have named the person, and where it stopped.

    ``failed`` is the code of the first condition that failed (a template key
    such as ``fail.inspection.days_before.lte`` or ``time.tenure.ended``);
    empty when every condition held and the rule named the person.
    """

    fact: str
    met: int
    total: int
    failed: str
    text: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class WhyNot(JsonData):
    """A rule that did not name the person: every attempt, closest first (never empty)."""

    rule: str
    principle: str
    clause: str
    attempts: tuple[Attempt, ...]


@dataclass(frozen=True)
class Explanation(JsonData):
    """Why a person is in the chain (each finding) and why not (each other rule), in one language."""

    json_extra = ("in_chain",)

    incident: str
    person: str
    name: str
    tier: str | None  # the person's band in the chain; None when not in it
    head: str = field(metadata={"json": False})
    posts: tuple[str, ...]
    why: tuple[Why, ...]
    why_not: tuple[WhyNot, ...]
    lang: str = field(metadata={"json": False})
    warnings: tuple[str, ...] = ()  # the chain's warnings (an incident outside the pack's period), in ``lang``
    to_examine: tuple[ToExamine, ...] = ()  # the person's acts whose bearing on the incident is not known
    grade: GradeOf | None = None  # the link's grade of responsibility
    pursued: bool = True
    grade_why: tuple[str, ...] = ()  # why this grade: the findings that give it, and what raised it
    heavier: str = ""  # the next heavier grade of the party ("" when there is none)
    grade_why_not: tuple[str, ...] = ()  # why not that one
    paragraph: str = ""  # the 责任认定 paragraph, when the caller has it written (engine.outputs.finding_text)

    @property
    def in_chain(self) -> bool:
        return self.tier is not None

    def as_text(self) -> str:
        lang, out = self.lang, [self.head]
        out += [phrase(lang, "explain.warning", text=w) for w in self.warnings]
        out.append(phrase(lang, "explain.in_chain", tier=self.tier) if self.tier else phrase(lang, "explain.not_in_chain"))
        out.append(phrase(lang, "explain.posts", posts=all_of(lang, self.posts)) if self.posts
                   else phrase(lang, "explain.no_posts"))
        if self.grade:
            out.append(phrase(lang, "explain.grade", grade=getattr(self.grade, lang), severity=self.grade.severity)
                       + ("" if self.pursued else phrase(lang, "explain.not_pursued")))
        if self.paragraph:
            out.append(phrase(lang, "explain.paragraph", text=self.paragraph))
        if self.grade_why:
            out += ["", phrase(lang, "explain.grade_why")] + [f"- {t}" for t in self.grade_why]
        if self.grade_why_not:
            out += ["", phrase(lang, "explain.grade_why_not", heavier=self.heavier) if self.heavier
                    else phrase(lang, "explain.grade_top")]
            out += [f"- {t}" for t in self.grade_why_not]
        if self.why:
            out += ["", phrase(lang, "explain.why")]
            for n, w in enumerate(self.why, 1):
                out.append(phrase(lang, "explain.rule", n=n, rule=w.rule, principle=w.principle, clause=w.clause,
                                  category=w.category) + (phrase(lang, "explain.mitigates")
                                                          if w.effect == "mitigates" else ""))
                if w.quote:
                    out.append("   " + phrase(lang, "explain.plan", quote=w.quote))
                if w.source:
                    out.append("   " + phrase(lang, "explain.source", source=w.source))
                out += [f"   - {s.text}" for s in w.steps]
                out.append("   " + phrase(lang, "explain.path", path=w.path))
        if self.why_not:
            out += ["", phrase(lang, "explain.why_not")]
            for w in self.why_not:
                best, *rest = w.attempts
                out.append(phrase(lang, "explain.rule_not" if best.total else "explain.rule_not_plain", rule=w.rule,
                                  principle=w.principle, clause=w.clause, met=best.met, total=best.total))
                out.append(f"  {best.text}")
                out += [f"  {phrase(lang, 'explain.also')}{a.text}" for a in rest]
        if self.to_examine:
            out += ["", phrase(lang, "explain.to_examine")]
            out += [phrase(lang, "explain.examine_item", text=x.text[lang], decides=all_of(lang, x.decides))
                    for x in self.to_examine]
        return "\n".join(out) + "\n"


def resolve_person(graph: OrgGraph, query: str) -> str:
    """A person id from an id or an exact name; an unknown one is an error with a did-you-mean."""
    if query in graph.people:
        return query
    named = sorted(p.id for p in graph.people.values() if p.name == query)
    if len(named) == 1:
        return named[0]
    if named:
        raise InputError(f"the name '{query}' is shared by {', '.join(named)}; give the person's id")
    raise UnknownIdError("person", query, [*graph.people, *(p.name for p in graph.people.values())])


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


class Explainer:
    """Explanations for the people of one incident, in one language."""

    def __init__(self, graph: OrgGraph, chain: Chain, lang: str = "zh"):
        """Explanations by the version of the pack that judged the chain (its rules and values of the day)."""
        self.pack, self.graph, self.chain, self.lang = chain.pack, graph, chain, lang
        self.ctx = chain.context
        self.day = self.ctx.day
        self.keys = self.ctx.by_key()
        self.site = self.ctx.incident.site
        self.group = self.ctx.incident.village_group or ""
        self.causes = {c.id: c for c in self.ctx.incident.causes}
        self.base = {"incident": self.ctx.incident.id, "day": self.day.isoformat(), "site": self.site,
                     "incident_noun": label(lang, "incident_noun", self.ctx.incident.kind),
                     "incident_title": label(lang, "incident_title", self.ctx.incident.kind),
                     "site_name": graph.units[self.site].name, "village": self.ctx.village or "",
                     "village_name": self._name("unit", self.ctx.village), "group": self.group,
                     "group_name": self._name("unit", self.group), "sector": self.ctx.sector,
                     "sector_name": self._name("sector", self.ctx.sector),
                     "involved_names": all_of(lang, [self._who(p) for p in sorted(set(self.ctx.incident.involved))])}

    # -- words ---------------------------------------------------------------------------------------

    def _say(self, key: str, **fields: Any) -> str:
        return phrase(self.lang, key, **fields)

    def _name(self, kind: str, id_: str | None) -> str:
        table = {"unit": self.graph.units, "sector": self.graph.sectors, "person": self.graph.people}[kind]
        return table[id_].name if id_ in table else (id_ or "")

    def _who(self, person: str) -> str:
        return self._say("name_id", name=self._name("person", person), id=person)

    def _party(self, id_: str) -> str:
        """A person or a unit, by name and id."""
        return self._say("name_id", name=self._name("person" if id_ in self.graph.people else "unit", id_), id=id_)

    def _tenure(self, fact: Fact) -> Tenure | None:
        """The tenure a fact rests on: its ``tenure`` field, else the one among its sources held by its person."""
        ts = self.graph.tenures
        key = fact.fields.get("tenure") or next(
            (s for s in fact.src if s in ts and ts[s].person == fact.fields.get("person")), None)
        return ts.get(key) if key else None

    def _fields(self, fact: Fact) -> dict[str, Any]:
        """Everything a template may name about a fact: its fields, and the names, dates and ids behind them."""
        g, f = self.graph, dict(self.base)
        t = self._tenure(fact)
        if t:
            f.update({"tenure": t.key, "from": t.valid_from.isoformat(), "to": _iso(t.valid_to)})
        f.update(fact.fields)  # a fact's own dates (an exposure's from/to) outrank its tenure's
        f["acting"] = self._say("why.acting") if t and t.acting else ""
        post = g.posts.get(fact.fields.get("post") or "")
        if post:
            f.update({"title": post.title, "unit_name": self._name("unit", post.unit),
                      "role": label(self.lang, "role", post.role)})
        if fact.kind == "holds" and fact.fields["sector"]:
            f["business_name"] = self._name("sector", fact.fields["sector"])
        a = g.assignments.get(fact.fields.get("assignment") or "")
        if a:
            duty = a.kind + ("_site" if a.site else "")
            if fact.kind == "in_charge":
                target_kind, target = fact.fields["target_kind"], fact.fields["target"]
                territories = [self._name("unit", t) for t in g.territories(a, self.day)]
                territory = all_of(self.lang, territories) if territories else self._say("territory.none")
                place = (self._say("safety.target", territory_name=self._name("unit", target) or territory)
                         if target_kind == "safety" else self._name("sector" if target_kind == "sector" else "unit",
                                                                    target))
                where = "self" if fact.fields["distance"] == 0 else "under"
                f.update({"target_name": place, "target_kind": label(self.lang, "target_kind", target_kind),
                          "territory_name": territory, "rank": label(self.lang, "rank", fact.fields["rank"])})
                f["covers"] = self._say(family_key(self.lang, "covers", target_kind, where), **f)
                place = territory if a.kind == "safety" else place
            elif a.kind == "report":
                place = all_of(self.lang, [self._name("unit", u) for u in self._report_units(a)])
            else:
                place = self._name("unit", a.village_group if a.kind == "group_liaison" else a.site or a.village)
            f.update({"a_from": a.valid_from.isoformat(), "a_to": _iso(a.valid_to), "place": place,
                      "duty": self._say(family_key(self.lang, "duty", duty), place=place),
                      "post_duty": self._say(family_key(self.lang, "post_duty", duty), place=place)})
        if fact.kind == "inspection":
            ins = g.inspections[fact.fields["inspection"]]
            f.update({"days": abs(fact.fields["days_before"]), "outcome": label(self.lang, "outcome", ins.outcome),
                      "hazards": self._say("why.hazards", hazards=all_of(self.lang, ins.hazards)) if ins.hazards else ""})
        if fact.kind == "signature":
            sig = g.signatures[fact.fields["signature"]]
            document = label(self.lang, "document", sig.document)
            f.update({"days": abs(fact.fields["days_before"]), "document": document, "doc_title": sig.title or document,
                      "capacity": label(self.lang, "capacity", fact.fields["capacity"])})
        if fact.kind in ACTS:
            f.update(self._bearing(fact, f))
        if fact.kind == "incident":
            f["grade"] = getattr(self.ctx.grade, self.lang)
            f["incident_kind"] = label(self.lang, "incident_kind", fact.fields["incident_kind"])
        if fact.kind == "report":
            f["by_name"] = self._who(fact.fields["by"])
        if fact.kind in ("duty_record", "duty_gap", "records", "records_gap"):
            f["duty"] = label(self.lang, "duty", fact.fields["duty"])
        if fact.kind == "unit":
            f["unit_kind"] = label(self.lang, "unit_kind", fact.fields["unit_kind"])
        if "channel" in fact.fields:
            f["channel"] = label(self.lang, "channel", fact.fields["channel"])
        if fact.kind == "report":
            f["figures"] = self._figures(fact.fields["report"])
        if fact.kind == "report_duty":
            f["post_note"] = self._say("report_duty.post_note", **f) if post else ""
        if fact.kind in ("concealment", "unit_concealment"):
            f["evidence"] = all_of(self.lang, fact.src)
        if fact.kind in ("conduct", "unit_conduct", "unnamed_conduct"):
            f.update(self._conduct_fields(fact))
        if fact.kind in ("order", "order_duty"):
            f.update(self._order_fields(fact))
        if fact.kind == "site_status":
            f.update({"status": label(self.lang, "status", fact.fields["status"]),
                      "until_part": self._say("status.until", **fact.fields) if fact.fields["to"]
                      else self._say("status.open", **f)})
        return f

    def _bearing(self, fact: Fact, fields: Mapping[str, Any]) -> dict[str, Any]:
        """An act's cause and hazard in words, and the sentence saying how the act bears on it (``bearing``)."""
        f: dict[str, Any] = {**fields, "cause_kind": label(self.lang, "cause_kind", fact.fields["cause_kind"])}
        cause = self.causes.get(fact.fields["cause"])
        if cause:
            f["cause_description"] = cause.description
        hz = self.graph.hazards.get(fact.fields["hazard"])
        if hz:
            f.update({"hazard_name": hz.kind or hz.description, "absent": self._say(
                          "absent.not_yet" if f.get("date", "") < hz.valid_from.isoformat() else "absent.gone"),
                      "hazard_period": self._say("period.closed" if hz.valid_to else "period.open",
                                                 **{"from": hz.valid_from.isoformat(), "to": _iso(hz.valid_to)})})
            accepted = self.graph.signatures.get(hz.rectified.accepted_by or "") if hz.rectified else None
            if accepted:
                f.update({"accepted_by": accepted.id, "accepted_on": accepted.date.isoformat()})
        f["covered"] = self._say("covered.hazard" if hz else "covered.cause", **f)
        f["bearing"] = self._say(family_key(self.lang, "why", fact.kind, fact.fields["bears"]), **f)
        return f

    def fact_fields(self, fact: Fact) -> dict[str, Any]:
        """What a template may name about a fact, for sentences written outside this module (a finding's
        paragraph)."""
        return self._fields(fact)

    def _report_units(self, a) -> list[str]:
        return a.units or [self.graph.posts[a.post].unit]

    def report_figures(self, report_id: str) -> dict[str, str]:
        """What a report stated (``reported``) against what its maker knew when making it (``known``), in
        words (罚款处罚规定 Art. 5(2)–(3)), and whose report it passed on (``relayed``, "" if none)."""
        inc = self.ctx.incident
        r = inc.reports[int(report_id.rsplit("/", 1)[1]) - 1]
        knew, _ = known(inc, r)

        def count(values: Mapping[str, int | None], missing: str) -> str:
            return self._say("figures.count", **{k: self._say("figures.n", n=v) if v is not None else missing
                                                 for k, v in values.items()})

        return {"reported": count({"deaths": r.deaths, "serious_injuries": r.serious_injuries},
                                  self._say("figures.none")),
                "known": count(knew, self._say("figures.unknown")),
                "relayed": self._say("figures.relayed", source=self._who(r.relayed_from)) if r.relayed_from else ""}

    def _figures(self, report_id: str) -> str:
        return self._say("figures", **self.report_figures(report_id))

    def _conduct_fields(self, fact: Fact) -> dict[str, Any]:
        c = self.graph.conduct[fact.fields["conduct"]]
        cause = fact.fields["cause"]
        return {"act": label(self.lang, "act", c.act), "what": c.description or label(self.lang, "act", c.act),
                "when": self._say("conduct.when", date=fact.fields["date"]) if fact.fields["date"] else "",
                "description": self._say("conduct.description", text=c.description) if c.description else "",
                "bears": self._say("bears.cause", cause=cause, cause_kind=label(self.lang, "cause_kind",
                                                                                fact.fields["cause_kind"]))
                if cause else self._say("bears.aftermath")}

    def _order_fields(self, fact: Fact) -> dict[str, Any]:
        o = self.graph.orders[fact.fields["order"]]
        return {"order_kind": label(self.lang, "order_kind", o.kind), "by_name": self._party(o.by),
                "date": o.date.isoformat(),
                "received_part": self._say("order.received", received=o.received.isoformat()),
                "until_part": self._say("order.until", until=o.until.isoformat()) if o.until else "",
                "ignored_part": self._say("order.ignored") if fact.fields["ignored"] else self._say("order.heeded"),
                "follow_part": label(self.lang, "follow_up", fact.fields["follow_up"])}

    def _subject(self, fact: Fact, fields: Mapping[str, Any]) -> str:
        key = family_key(self.lang, "subject", fact.kind)
        return self._say(key, **fields) if key else fact.key

    def describe(self, fact: Fact, pat: Pattern | None = None) -> str:
        """What a fact shows, with its ids and dates, and the pack parameters it stays within."""
        fields = self._fields(fact)
        via = {"in_charge": fact.fields.get("via"), "liaison": fact.fields.get("via"),
               "holds": "business" if fact.fields.get("sector") else "serves" if fact.fields.get("village") else None,
               "report_duty": fact.fields.get("basis"), **dict.fromkeys(ACTS, fact.fields.get("bears"))}
        key = family_key(self.lang, "why", fact.kind, *filter(None, [via.get(fact.kind)]))
        parts = [self._say(key, **fields) if key != FAMILIES["why"] else self._say(
            key, kind=fact.kind, fields=all_of(self.lang, [f"{k}={v}" for k, v in fact.fields.items()
                                                           if k != "person"]))]
        for fld, _, raw in (pat.tests if pat else ()):
            ok_key = family_key(self.lang, "ok", fact.kind, fld)
            if isinstance(raw, ParamRef) and ok_key:
                parts.append(self._say(ok_key, param=raw.param, expected=self._expected(fld, "eq", self.pack.param(raw.param), fields)))
        return self._say("clause_sep").join(parts)

    def _expected(self, fld: str, op: str, operand: Any, fields: Mapping[str, Any]) -> str:
        values = [label(self.lang, fld, v, fields) for v in (operand if isinstance(operand, list) else [operand])]
        return any_of(self.lang, values) if op == "in" else all_of(self.lang, values)

    def _fail_key(self, fact: Fact, fld: str, op: str) -> str:
        """The sentence for a failed test: of the field's value (a 责任书's signer), else of the operator, of the
        field, else generic."""
        value = fact.fields.get(fld)
        by_value = family_key(self.lang, "fail_value", fact.kind, fld, value) if isinstance(value, str) else ""
        return by_value or family_key(self.lang, "fail", fact.kind, fld, op)

    def _test_failure(self, fact: Fact, test: tuple, operand: Any) -> str:
        fld, op, raw = test
        fields = self._fields(fact)
        key = self._fail_key(fact, fld, op)
        note = (self._say("param", param=raw.param) if isinstance(raw, ParamRef)
                else self._say("param", param=raw.ref) if isinstance(raw, FieldRef) else "")
        return self._say(key, **{**fields, "value": label(self.lang, fld, fact.fields.get(fld), fields),
                                 "expected": self._expected(fld, op, operand, fields), "param_note": note,
                                 "field": fld, "op": self._say(family_key(self.lang, "op", op)),
                                 "subject": self._subject(fact, fields)})

    # -- why -------------------------------------------------------------------------------------------

    def why(self, link: Answerable) -> tuple[Why, ...]:
        """Each finding of a person's or a unit's link (then each mitigation): the plan, the facts, the path."""
        out = []
        for finding in (*link.findings, *link.mitigations):
            rule = self.pack.rule(finding.rule)
            facts = [self.keys[k] for k in finding.facts]
            steps = tuple(Step(alias, f.key, self.describe(f, pat), f.src)
                          for (alias, pat), f in zip(rule.when.items(), facts))
            party = facts[list(rule.when).index(rule.party[1])]
            out.append(Why(rule.id, self._label("principle", rule.principle), self._label("category", rule.category),
                           self.pack.citation(rule), rule.quote or "", steps, self.org_path(party), rule.effect,
                           self.source(rule.source)))
        return tuple(out)

    def source(self, source_id: str | None) -> str:
        """A source beyond the plan with its text ('' for none); a summary is marked as one."""
        s = self.pack.sources.get(source_id or "")
        return self._say("source.summary" if s.summary else "source.quote", cite=s.cite, text=s.text) if s else ""

    def _label(self, kind: str, key: str) -> str:
        table = {"principle": self.pack.principles, "category": self.pack.categories}[kind]
        return getattr(table[key], self.lang)

    def _node_name(self, n: str) -> str:
        kind, id_ = n.split(":", 1)
        if kind == "post":
            return self._say("name_id", name=self.graph.posts[id_].title, id=id_)
        return self._name(kind, id_)

    def org_path(self, fact: Fact) -> str:
        """The person (or unit) → (post →) duty → … → site path the fact rests on, as one line."""
        start = node("person", fact.fields["person"]) if "person" in fact.fields else node("unit", fact.fields["unit"])
        site = node("unit", self.site)
        text, cur = self._node_name(start), start
        if fact.kind in ACT_RELATION:
            note = fact.fields[ACT_RECORD[fact.kind]] if fact.kind in ACT_RECORD else self.ctx.incident.id
            rel = self._say(family_key(self.lang, "rel", ACT_RELATION[fact.kind]))
            return text + self._say("hop.forward", rel=rel, note=note) + self._node_name(site)
        tenure = self._tenure(fact)
        if tenure:
            cur = node("post", tenure.post)
            text += self._say("hop.forward", rel=self._say("rel.holds"), note=tenure.key) + self._node_name(cur)
        a = self.graph.assignments.get(fact.fields.get("assignment") or "")
        if a:
            if fact.kind == "in_charge":
                cur = node("sector" if fact.fields["target_kind"] == "sector" else "unit", fact.fields["target"])
            elif a.kind == "report":
                cur = node("unit", self._report_units(a)[0])
            else:
                cur = node("unit", a.village_group if a.kind == "group_liaison" else a.site or a.village)
            rel = self._say(family_key(self.lang, "rel", a.kind))
            text += self._say("hop.forward", rel=rel, note=a.id) + self._node_name(cur)
        try:
            hops = nx.shortest_path(self.graph.structure, cur, site)
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            return text
        for u, v in zip(hops, hops[1:]):
            d = self.graph.structure.edges[u, v]
            rel = self._say(family_key(self.lang, "rel", d["rel"]))
            text += self._say("hop.structural_forward" if d["src"] == u else "hop.structural_backward",
                              rel=rel) + self._node_name(v)
        return text

    # -- why not: candidates -----------------------------------------------------------------------

    @cached_property
    def person_rules(self) -> list[Rule]:
        """The pack's rules that name a person (a rule naming a unit has no why-not for a person)."""
        return [r for r in self.pack.rules if r.party[0] == "person"]

    def candidates(self, kind: str, person: str) -> list[Candidate]:
        """The person's context facts of the kind, then the ones the graph holds outside the context."""
        n = len(BY_NAME[kind].implicit) if kind in BY_NAME else 0
        inside = [Candidate(f, (OK,) * n) for f in self.ctx.facts
                  if f.kind == kind and f.fields.get("person") == person]
        near = NEAR_MISSES.get(kind)
        outside = near(self.graph, self.ctx.incident, self.ctx.place, person) if near else ()
        return inside + [c for c in outside if c.fact.key not in self.keys]

    def _check_fields(self, check: Check) -> dict[str, Any]:
        """A failed implicit condition's fields, worded: who held the post instead, or that nobody did."""
        fields = dict(check.fields or {})
        if "holders" in fields:
            holders = fields["holders"]
            fields["holders"] = (self._say("holders.some", names=all_of(self.lang, [self._who(h) for h in holders]))
                                 if holders else self._say("holders.vacant"))
        return fields

    # -- why not: the walk -------------------------------------------------------------------------

    def _conditions(self, pat: Pattern, cand: Candidate, bound: Mapping[str, Fact]) -> tuple[int, int, str, str]:
        """(conditions met, conditions before the first failure, its code, its sentence); code '' when all held."""
        fields_of = {a: f.fields for a, f in bound.items()}
        outcomes = []  # (held, code and sentence of the failure), in the order they are told
        for test in pat.tests:
            operand = resolved_operand(self.pack, test[2], fields_of)
            outcomes.append((passes(test[1], cand.fact.fields.get(test[0]), operand),
                             (self._fail_key(cand.fact, test[0], test[1]),
                              lambda test=test, operand=operand: self._test_failure(cand.fact, test, operand))))
        checks = [(check.ok, (check.key, lambda check=check: self._say(
            check.key, **{**self._fields(cand.fact), **self._check_fields(check)}))) for check in cand.checks]
        kind = BY_NAME.get(cand.fact.kind)
        outcomes = checks + outcomes if kind and kind.checks_first else outcomes + checks
        met, first, reached = 0, None, 0
        for held, failure in outcomes:
            if held:
                met += 1
                reached += first is None
            elif first is None:
                first = failure
        if first is None and cand.fact.key not in self.keys:
            first = ("in_context", lambda: self._say("in_context", subject=self._subject(
                cand.fact, self._fields(cand.fact))))
        return (met, reached, first[0], first[1]()) if first else (met, reached, "", "")

    def attempts(self, rule: Rule, person: str) -> list[Attempt]:
        """Every way the rule could have named the person, closest first; ``failed`` '' = it did."""
        aliases = list(rule.when.items())
        liable_kind = rule.when[rule.liable].kind
        total = sum(len(p.tests) for p in rule.when.values()) + (len(BY_NAME[liable_kind].implicit) if liable_kind in BY_NAME else 0)
        if rule.enabled_by and not self.pack.param(rule.enabled_by):
            return [Attempt("", 0, total, "disabled", self._say("disabled", param=rule.enabled_by), ())]
        best: dict[tuple, tuple[tuple[int, bool, int], Attempt]] = {}

        def keep(a: Attempt, reached: int) -> None:
            """One attempt per candidate. Closest: most conditions met, then a fact of this incident's
            context over one from elsewhere in the graph, then the latest first failure."""
            k, rank = (a.fact, a.evidence), (a.met, a.fact in self.keys, reached)
            if k not in best or rank > best[k][0]:
                best[k] = (rank, a)

        def walk(i: int, bound: dict[str, Fact], met: int) -> None:
            liable = bound.get(rule.liable)
            if i == len(aliases):
                failed, text = self._complete(rule, person, bound)
                keep(Attempt(liable.key, met, total, failed, text, liable.src), met)
                return
            alias, pat = aliases[i]
            if alias == rule.liable:
                cands = self.candidates(pat.kind, person)
                if not cands:
                    key = family_key(self.lang, "none", pat.kind)
                    keep(Attempt("", met, total, key, self._say(key, **self.base, kind=pat.kind), ()), met)
                for c in cands:
                    n, reached, failed, text = self._conditions(pat, c, bound)
                    if failed:
                        keep(Attempt(c.fact.key, met + n, total, failed, text, c.fact.src), met + reached)
                    else:
                        walk(i + 1, {**bound, alias: c.fact}, met + n)
                return
            scored = [(self._conditions(pat, Candidate(f, ()), bound), f)
                      for f in self.ctx.facts if f.kind == pat.kind]
            passing = [f for (_, _, failed, _), f in scored if not failed]
            for f in passing:
                walk(i + 1, {**bound, alias: f}, met + len(pat.tests))
            if not passing:
                none = family_key(self.lang, "no_fact", pat.kind)
                (n, reached, failed, text), _ = max(scored, key=lambda s: s[0][:2], default=(
                    (0, 0, none, self._say(none, kind=label(self.lang, "kind", pat.kind))), None))
                keep(Attempt(liable.key if liable else "", met + n, total, failed, text,
                             liable.src if liable else ()), met + reached)

        walk(0, {}, 0)
        return [a for _, a in sorted(best.values(), key=lambda b: b[0], reverse=True)]

    def _complete(self, rule: Rule, person: str, bound: Mapping[str, Fact]) -> tuple[str, str]:
        """All of ``when`` held: an ``unless`` fact or an overriding rule may still stand in the way."""
        fields_of = {a: f.fields for a, f in bound.items()}
        for alias, pat in rule.unless.items():
            for f in self.ctx.facts:
                if f.kind == pat.kind and all(passes(op, f.fields.get(fld), resolved_operand(self.pack, raw, fields_of))
                                              for fld, op, raw in pat.tests):
                    return "unless", self._say("unless", subject=self._subject(f, self._fields(f)), alias=alias)
        link = self.chain.link(person)
        applied = {f.rule for f in (*link.findings, *link.mitigations)} if link else set()
        applied |= {x.rule for x in self.chain.exonerated if x.person == person}
        if rule.id in applied:
            return "", ""
        by = sorted(r for r in applied if rule.id in self.pack.rule(r).overrides)
        return "overridden", self._say("overridden", by=all_of(self.lang, by))

    def why_not(self, rule: Rule, person: str) -> WhyNot:
        return WhyNot(rule.id, self._label("principle", rule.principle), self.pack.citation(rule),
                      tuple(self.attempts(rule, person)))

    def not_counted(self, person: str) -> list[str]:
        """The person's context facts a rule could count but none does, each with the closest rule's reason, once.

        A post held that carries no duty of the plan by itself (a deputy's, an officer's: in the
        context so that a pack can name them) is not listed: it is not evidence of anything."""
        link = self.chain.link(person)
        cited = {k for f in (link.findings if link else ()) for k in f.facts}
        countable = {r.when[r.liable].kind for r in self.person_rules}
        mine = [f for f in self.ctx.facts
                if f.fields.get("person") == person and f.key not in cited and f.kind in countable
                and (f.kind != "holds" or stands_for_duty(f))]
        closest: dict[str, Attempt] = {}
        for rule in self.person_rules:
            if any(f.kind == rule.when[rule.liable].kind for f in mine):
                for a in self.attempts(rule, person):
                    if a.failed and (a.fact not in closest or a.met > closest[a.fact].met):
                        closest[a.fact] = a
        # An act told against several causes may fail alike for each (outside the window): say it once.
        return list(dict.fromkeys(closest[f.key].text if f.key in closest else self.describe(f) for f in mine))

    # -- why this grade, and why not the next heavier one -------------------------------------------

    def _basis(self, item: Conditioned) -> str:
        """What a grading or an escalation rests on: its source by article, and the pack's own words (the
        source's whole text is in ``explain``'s why and in the pack)."""
        source = self.pack.sources.get(item.source or "")
        return self._say("clause_sep").join(filter(None, (source.cite if source else "", item.reference)))

    def _grade_name(self, grade: str) -> str:
        return getattr(self.pack.grades[grade], self.lang)

    @cached_property
    def _gradings(self) -> dict[str, Grading]:
        return {g.id: g for g in self.pack.grading}

    def _bound(self, finding: Finding) -> list[tuple[Fact, dict[str, Any]]]:
        return [(f, {KIND: f.kind, **f.fields}) for f in (self.keys[k] for k in finding.facts)]

    def _condition(self, tests) -> str:
        """Tests of a grading or escalation in words: '规则：sector_in_charge或unit_in_charge'."""
        return self._say("clause_sep").join(
            self._say("grade.test", field=label(self.lang, "grading_field", fld),
                      op=self._say(family_key(self.lang, "op", op)),
                      expected=self._expected(fld, op, self.pack.param(o.param) if isinstance(o, ParamRef) else o, {}))
            for fld, op, o in tests)

    def _base(self, finding: Finding) -> str:
        """The grade a finding's grading gave, before any escalation."""
        return self._gradings[finding.graded_by[0]].grade

    def grade_why(self, party: Answerable) -> tuple[str, ...]:
        """The findings that give the party its grade: the grading, what it rests on, the facts it tested,
        and the escalation that raised it."""
        if party.grade is None:
            return ()
        out = []
        for f in party.findings:
            if f.grade != party.grade.id:
                continue
            for gid in f.graded_by:
                g = self._gradings[gid]
                held = [fact for fact, fields in self._bound(f)
                        if g.fact and failed_test(g.fact, fields, self.pack.param) is None]
                out.append(self._say("grade.why", rule=f.rule, category=self._label("category", f.category),
                                     grading=gid, grade=self._grade_name(g.grade), reference=self._basis(g))
                           + (self._say("grade.because", text=self.describe(held[0])) if held else ""))
            for e in (e for e in self.pack.escalations if e.id in f.escalated_by):
                out.append(self._say("grade.raised", escalation=e.id, low=self._grade_name(e.raises),
                                     high=self._grade_name(e.to), condition=self._incident_condition(e),
                                     reference=self._basis(e)))
        return tuple(dict.fromkeys(out))

    def _incident_condition(self, e: Escalation) -> str:
        """The escalation's incident tests, each with the incident's own value."""
        incident = next(f for f in self.ctx.facts if f.kind == "incident").fields
        return self._say("clause_sep").join(
            self._say("grade.incident", field=label(self.lang, "incident_field", fld),
                      op=self._say(family_key(self.lang, "op", op)), value=incident.get(fld, ""),
                      expected=self.pack.param(o.param) if isinstance(o, ParamRef) else o,
                      param_note=self._say("param", param=o.param) if isinstance(o, ParamRef) else "")
            for fld, op, o in e.incident)

    def _fact_failure(self, item: Conditioned, finding: Finding) -> str:
        """Why no fact the finding bound meets the item's fact tests: the closest one's first failure."""
        kinds = [t for t in item.fact if t[0] == KIND]
        bound = [(fact, fields) for fact, fields in self._bound(finding)
                 if failed_test(kinds, fields, self.pack.param) is None]
        if not bound:
            return self._say("grade.no_fact", rule=finding.rule, condition=self._condition(kinds))
        fact, fields = max(bound, key=lambda b: sum(failed_test([t], b[1], self.pack.param) is None
                                                    for t in item.fact))
        fld, op, raw = failed_test(item.fact, fields, self.pack.param)
        if fld not in fields:
            return self._say("grade.no_field", subject=self._subject(fact, self._fields(fact)), field=fld)
        operand = self.pack.param(raw.param) if isinstance(raw, ParamRef) else raw
        return self._test_failure(fact, (fld, op, raw), operand)

    def _not_given(self, item: Conditioned, findings: list[Finding]) -> list[str]:
        """For each finding (first of each rule), why the item's condition fails; [] when it holds for one."""
        out = []
        for f in {f.rule: f for f in reversed(findings)}.values():
            fields = finding_fields(self.pack.rule(f.rule))
            if failed_test(item.finding, fields, self.pack.param) is not None:
                out.append(self._say("grade.only_for", rule=f.rule, condition=self._condition(item.finding)))
            elif item.fact and not any(failed_test(item.fact, b, self.pack.param) is None for _, b in self._bound(f)):
                out.append(self._fact_failure(item, f))
            else:
                return []
        return out

    def grade_why_not(self, party: Answerable) -> tuple[str, tuple[str, ...]]:
        """The next heavier grade a grading or an escalation of the pack could give one of the party's
        findings, and why each that gives it did not; ("", …) when no heavier grade is within reach."""
        if party.grade is None:
            return "", ()
        findings, out = list(party.findings), []
        rules = [finding_fields(self.pack.rule(f.rule)) for f in findings]
        reachable = {i.grade if isinstance(i, Grading) else i.to
                     for i in (*self.pack.grading, *self.pack.escalations)
                     if any(failed_test(i.finding, r, self.pack.param) is None for r in rules)}
        heavier = sorted((g for g in reachable if self.pack.grades[g].severity > party.grade.severity),
                         key=lambda g: self.pack.grades[g].severity)
        if not heavier:
            return "", (self._say("grade.heaviest"),)
        nxt = heavier[0]
        relevant = lambda i: any(failed_test(i.finding, r, self.pack.param) is None for r in rules)  # noqa: E731
        for g in (g for g in self.pack.grading if g.grade == nxt and relevant(g)):
            reasons = self._not_given(g, findings)
            if not reasons:  # it holds for a finding, so another grading overrides it there
                by = sorted(o.id for o in self.pack.grading if g.id in o.overrides)
                reasons = [self._say("grade.overridden", by=all_of(self.lang, by))]
            out += [self._say("grade.by_grading", grading=g.id, text=r) for r in reasons]
        for e in (e for e in self.pack.escalations if e.to == nxt and relevant(e)):
            for f in {f.rule: f for f in reversed(findings)}.values():
                if failed_test(e.finding, finding_fields(self.pack.rule(f.rule)), self.pack.param) is not None:
                    continue
                if self._base(f) != e.raises:
                    reason = self._say("grade.raises_other", rule=f.rule, low=self._grade_name(e.raises),
                                       grade=self._grade_name(self._base(f)))
                elif e.fact and not any(failed_test(e.fact, b, self.pack.param) is None for _, b in self._bound(f)):
                    reason = self._fact_failure(e, f)
                else:
                    reason = self._say("grade.not_reached", condition=self._incident_condition(e))
                out.append(self._say("grade.by_escalation", escalation=e.id, low=self._grade_name(e.raises),
                                     high=self._grade_name(e.to), text=reason))
        return nxt, tuple(dict.fromkeys(out))

    # -- the whole answer ------------------------------------------------------------------------

    def explain(self, person: str) -> Explanation:
        link = self.chain.link(person)
        named = {f.rule for f in (*link.findings, *link.mitigations)} if link else set()
        posts = tuple(self._say("post_since", title=h.post.title, post=h.post.id,
                                **{"from": h.tenure.valid_from.isoformat(),
                                   "acting": self._say("why.acting") if h.tenure.acting else ""})
                      for h in self.graph.posts_held(person, self.day))
        tier = next(getattr(t, self.lang) for t in self.pack.tiers if t.id == link.tier) if link else None
        head = self._say("explain.head", name=self._name("person", person), person=person, **self.base,
                         grade=getattr(self.ctx.grade, self.lang))
        graded = {}
        if link and link.grade:
            heavier, why_not = self.grade_why_not(link)
            graded = {"grade": link.grade, "pursued": link.pursued, "grade_why": self.grade_why(link),
                      "heavier": self._grade_name(heavier) if heavier else "", "grade_why_not": why_not}
        return Explanation(self.ctx.incident.id, person, self._name("person", person), tier, head, posts,
                           self.why(link) if link else (),
                           tuple(self.why_not(r, person) for r in self.person_rules if r.id not in named), self.lang,
                           tuple(getattr(w, self.lang) for w in self.chain.warnings),
                           tuple(x for x in self.chain.to_examine if x.person == person), **graded)


def explain_person(tracer: Tracer, incident: str, person: str, lang: str = "zh",
                   paragraph: Callable[[Explainer, Link], str] | None = None,
                   chain: Chain | None = None) -> Explanation:
    """``wenze explain``: trace one incident and explain one person (an id or an exact name).

    ``paragraph`` writes the person's 责任认定 paragraph (:func:`engine.outputs.finding_text.finding_paragraph`,
    which sits further down the flow than this room, so the caller passes it). ``chain`` is the incident's
    chain when the caller holds it traced already (the workbench); else the incident is traced here.
    """
    (chosen,) = tracer.select([incident])
    who = resolve_person(tracer.graph, person)
    ex = Explainer(tracer.graph, chain or tracer.trace(chosen), lang)
    answer, link = ex.explain(who), ex.chain.link(who)
    return replace(answer, paragraph=paragraph(ex, link)) if paragraph and link else answer
