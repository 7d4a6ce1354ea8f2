"""The 责任认定 paragraph: one party's finding as an investigation report writes it.

"苏振华，时任铜川镇副镇长，分管工矿商贸，对事故发生负有重要领导责任。" — who the party was
on the day (时任 and the post, read with its town, village or enterprise), what the facts
behind their findings show they had to do or failed to do, and the grade of responsibility
the pack gives them, for the accident's occurrence (对事故发生负有…) or for the failing a
finding's category names (对事故迟报负有…). A person who died in the incident is said to be
not pursued (免予追究); a due-diligence mitigation is said too. Dates are written as an
investigation writes them (2023年3月1日); internal ids never appear: they belong to the
evidence.

This is the one function that writes the paragraph: the Markdown report, the table,
``wenze explain`` and the Word report all take it from here. Its words are the catalog's
(``finding.*``, ``basis.*``); what each kind of fact contributes is ``basis.<kind>``.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from engine.chain.chain import Answerable, Finding, Link
from engine.explain.explainer import Explainer
from engine.incident.fact import Fact
from engine.pack.compile import resolved_operand
from engine.pack.grammar import Pattern
from engine.words.catalog import day_text, family_key, moment_text, month_text, phrase

#: Fields of a fact that hold a day, a moment or a month, written the investigation's way.
DAYS, MOMENTS, MONTHS = ("date", "from", "to", "a_from", "a_to", "accepted_on"), ("at",), ("month",)


def post_title(ex: Explainer, post: dict) -> str:
    """A post as a finding names it: its enterprise, or its town and village, then the title
    (铜川镇副镇长, 铜川镇枳机塔村党总支书记), without repeating a name the title starts with."""
    units = [ex.graph.units[u] for u in ex.graph.unit_path(post["unit"])]
    firm = next((u for u in units if u.kind == "enterprise"), None)
    names = [firm.name] if firm else [u.name for u in reversed(units) if u.kind in ("town", "village")]
    if names and post["title"].startswith(names[-1]):
        names.pop()
    return "".join(names) + post["title"] + (phrase(ex.lang, "finding.acting") if post["acting"] else "")


def _written(ex: Explainer, fact: Fact) -> dict[str, Any]:
    """The fact's template fields with its days, moments and months as the investigation writes them."""
    fields = ex.fact_fields(fact)
    for name in DAYS:
        if fields.get(name):
            fields[name] = day_text(ex.lang, date.fromisoformat(fields[name]))
    for name in MOMENTS:
        if fields.get(name):
            fields[name] = moment_text(ex.lang, datetime.fromisoformat(fields[name]))
    for name in MONTHS:
        if fields.get(name):
            fields[name] = month_text(ex.lang, *map(int, fields[name].split("-")))
    return fields


def _variant(ex: Explainer, fact: Fact, pattern: Pattern | None) -> tuple[tuple[str, ...], dict[str, Any]]:
    """Which sentence of its kind a fact reads with, and what it adds to the fact's fields: what a charge is
    of (a sector, a unit, safety); how an act bears on a cause of the incident (``bears``: missed,
    not_followed_up, covers …); for a report, what the rule that bound it held against it — the deadline
    it missed (``late``: 罚款处罚规定 Art. 5(1)) or the figures it stated and those its maker knew
    (``figures``: Art. 5(2)–(3))."""
    if fact.kind == "in_charge":
        return (fact.fields["target_kind"],), {}
    if fact.kind == "report" and pattern is not None:
        tests = {name: operand for name, _, operand in pattern.tests}
        if "minutes_after" in tests:
            return ("late",), {"deadline": resolved_operand(ex.pack, tests["minutes_after"], {})}
        if {"omitted", "contradicts"} & set(tests):
            return ("figures",), ex.report_figures(fact.fields["report"])
    return ((fact.fields["bears"],) if fact.fields.get("bears") else ()), {}


def _basis(ex: Explainer, fact: Fact, pattern: Pattern | None = None) -> str:
    """What one fact behind a finding says of the party ("分管工矿商贸"), as the pattern of the rule that
    bound it reads it; "" when it adds nothing the post does not say (a head's post, the incident itself)."""
    variant, extra = _variant(ex, fact, pattern)
    key = family_key(ex.lang, "basis", fact.kind, *variant)
    return phrase(ex.lang, key, **{**_written(ex, fact), **extra}) if key else ""


def _bases(ex: Explainer, findings: list[Finding]) -> list[str]:
    rules = {r.id: r for r in ex.pack.rules}
    said = [_basis(ex, ex.keys[k], p) for f in findings
            for k, p in zip(f.facts, rules[f.rule].when.values() if f.rule in rules else [None] * len(f.facts))]
    return [s for s in dict.fromkeys(said) if s]


def _matters(ex: Explainer, party: Answerable) -> list[tuple[str, list[Finding]]]:
    """The party's findings by what they answer for: the occurrence ("") first, then each failing
    whose category a grading names (迟报 …), in the order of the findings."""
    about: dict[str, list[Finding]] = {}
    gradings = {g.id: g for g in ex.pack.grading}
    for f in party.findings:
        by_category = f.graded_by and gradings[f.graded_by[0]].about == "category"
        about.setdefault(f.category if by_category else "", []).append(f)
    return sorted(about.items(), key=lambda m: m[0] != "")


def _owes(ex: Explainer, matter: str, findings: list[Finding]) -> str:
    """"对事故发生负有主要领导责任" / "对事故迟报负有直接责任" / "系事故责任单位": the heaviest grade of the
    findings (the plan's categories, for a pack without grades)."""
    lang = ex.lang
    if ex.pack.grades:
        g = max((ex.pack.grades[f.grade] for f in findings), key=lambda g: g.severity)
        grade, wording = getattr(g, lang), g.wording
    else:
        grade = phrase(lang, "list_sep").join(dict.fromkeys(getattr(ex.pack.categories[f.category], lang)
                                                            for f in findings))
        wording = "owes"
    if matter:
        return phrase(lang, "finding.owes_category", grade=grade, category=getattr(ex.pack.categories[matter], lang),
                      noun=ex.base["incident_noun"])
    return phrase(lang, "finding.is" if wording == "is" else "finding.owes", grade=grade,
                  noun=ex.base["incident_noun"])


def finding_paragraph(ex: Explainer, party: Answerable) -> str:
    """The 责任认定 paragraph of a person or a unit of the explainer's chain, in its language."""
    lang, sep, end = ex.lang, phrase(ex.lang, "finding.sep"), phrase(ex.lang, "finding.end")
    head = [party.name]
    if isinstance(party, Link):
        posts = [post_title(ex, p) for p in party.posts]
        head.append(phrase(lang, "finding.held", posts=phrase(lang, "title_sep").join(posts)) if posts
                    else phrase(lang, "finding.no_post"))
    clauses = [sep.join([*_bases(ex, findings), _owes(ex, matter, findings)])
               for matter, findings in _matters(ex, party)]
    text = sep.join(head) + sep + phrase(lang, "finding.clause_sep").join(clauses) + end
    if party.mitigations:
        text += phrase(lang, "finding.mitigated") + end
    if not party.pursued:
        text += phrase(lang, "finding.not_pursued", noun=ex.base["incident_noun"]) + end
    return text


def grade_label(party: Answerable, lang: str) -> str:
    """The party's grade in words ("主要领导责任"; "…（免予追究）" for one not pursued); "—" without grades."""
    if party.grade is None:
        return "—"
    return getattr(party.grade, lang) + ("" if party.pursued else phrase(lang, "finding.exempt"))
