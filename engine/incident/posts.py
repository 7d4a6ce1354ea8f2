"""Posts held on the incident's day (``holds``) and posts whose duty nobody held (``vacancy``).

Everyone the plan makes answerable by their post enters a context, and the rule pack
decides whom it names: every post of the town's leadership but its 一般干部 (staff
rank, reached by their own duties: 包社, 驻村), every post of a town office, centre or
station whose business covers the incident's sector (§6.1: its head, its enforcement
officers, its 专人) or that serves the incident's village (§4.6.2: the 中心负责人), both
posts of the village 两委 and its 专人 (§4.6.1, §6.2), and every post of the site (§4.5).
A vacancy is a fact when the post carries a duty of the plan, so that a data gap can
say that the duty fell to nobody.
"""
from __future__ import annotations

from datetime import date
from typing import Iterator

from engine.incident.fact import OK, Candidate, Check, Fact, Kind
from engine.incident.place import Place
from engine.org.graph import OrgGraph
from facts.model import Incident, Post, Tenure
from facts.timeline import in_force

HOLDS = Kind("holds", {"person": str, "post": str, "title": str, "role": str, "rank": str, "unit": str,
                       "scope": str, "sector": str, "village": str, "acting": bool, "tenure": str,
                       "months_held": int},
             implicit=("tenure",), duty=("scope", "role"),
             description="a person holds a post of the town, an office reached, the village or the site on the "
                         "incident's day; an office's post says which sector of the incident its business covers "
                         "and whether it serves the incident's village; months_held counts the full months before "
                         "the incident's month that the person held the post throughout (the months they answer "
                         "for, §6.3), to compare with a duty gap's months_before")
VACANCY = Kind("vacancy", {"post": str, "title": str, "role": str, "unit": str, "scope": str, "assignment": str},
               duty=("scope",), description="a post with a duty of the plan that nobody held on the day")

#: Roles whose post carries a duty of the plan by itself, by scope: its holder must be named, its
#: vacancy reported. Both posts of the 两委 are vacancies too: the pack says which is 一把手.
DUTY_ROLES = {"town": ("party_secretary", "mayor"), "village": ("village_party_secretary",),
              "site": ("enterprise_principal",), "office": ("office_head",)}
VACANCY_ROLES = {**DUTY_ROLES, "village": ("village_party_secretary", "village_director")}


def bears_duty(fact: Fact) -> bool:
    """Whether a ``holds`` or ``vacancy`` fact stands for a duty of the plan (a vacant assigned post always does)."""
    if fact.kind == "vacancy" and fact.fields["assignment"]:
        return True
    return fact.fields["role"] in DUTY_ROLES.get(fact.fields["scope"], ())


def reached(post: Post, scope: str) -> bool:
    """Whether a post of a unit of the scope enters the context: all but the town's staff-rank posts."""
    return scope != "town" or post.rank != "staff"


def held_since(graph: OrgGraph, tenure: Tenure) -> date:
    """When the person began to hold the post without a break (a tenure may follow an acting one)."""
    start = tenure.valid_from
    for t in reversed(graph.tenures_of(tenure.post)):
        if t.person == tenure.person and t.valid_to == start:
            start = t.valid_from
    return start


def months_held(since: date, day: date) -> int:
    """Full months held from their first day before the month of ``day`` (§6.3: a successor answers
    for the months of their own tenure): a post held since 2023-01-10 gives 1 on 2023-03-05 (February)."""
    first = since.year * 12 + since.month - 1 + (since.day != 1)
    return max(0, day.year * 12 + day.month - 1 - first)


def holds(graph: OrgGraph, place: Place, post: Post, tenure: Tenure, scope: str, day: date) -> Fact:
    office = scope == "office"
    return HOLDS.fact(f"holds:{tenure.person}:{post.id}", {
        "person": tenure.person, "post": post.id, "title": post.title, "role": post.role, "rank": post.rank or "",
        "unit": post.unit, "scope": scope, "sector": place.business(graph, post.unit) if office else "",
        "village": place.serves(graph, post.unit) if office else "", "acting": tenure.acting,
        "tenure": tenure.key, "months_held": months_held(held_since(graph, tenure), day)}, (tenure.key,))


def vacancy(post: Post, scope: str, assignment: str = "") -> Fact:
    key = f"vacancy:{post.id}" + (f":{assignment}" if assignment else "")
    return VACANCY.fact(key, {"post": post.id, "title": post.title, "role": post.role, "unit": post.unit,
                              "scope": scope, "assignment": assignment}, (assignment,) if assignment else ())


def build(graph: OrgGraph, incident: Incident, place: Place) -> list[Fact]:
    """Holders of the posts reached in the town, its offices, the village and the site; a vacancy for a duty post."""
    day, out = incident.day, []
    for scope, units in place.units.items():
        for unit in units:
            for post in graph.posts_of(unit):
                if not reached(post, scope):
                    continue
                holders = graph.holders(post.id, day)
                out += [holds(graph, place, post, h.tenure, scope, day) for h in holders]
                if not holders and post.role in VACANCY_ROLES.get(scope, ()):
                    out.append(vacancy(post, scope))
    return out


# -- near misses: the same facts across all dates, for why-not ----------------------------------------


def tenures_of(graph: OrgGraph, person: str, post: str | None = None) -> list[Tenure]:
    """Every tenure the person ever had (of one post, if given), in date order."""
    return [t for t in graph.person_tenures(person) if post is None or t.post == post]


def tenure_check(graph: OrgGraph, tenure: Tenure, day: date) -> Check:
    """The tenure is in force on the day; if not, whether it ended or began later, and who held the post."""
    if in_force(tenure.valid_from, tenure.valid_to, day):
        return OK
    return Check(False, "time.tenure.ended" if tenure.valid_from <= day else "time.tenure.future",
                 {"title": graph.posts[tenure.post].title, "post": tenure.post, "from": tenure.valid_from.isoformat(),
                  "to": tenure.valid_to.isoformat() if tenure.valid_to else "",
                  "holders": tuple(h.person for h in graph.holders(tenure.post, day))})


def near_misses(graph: OrgGraph, incident: Incident, place: Place, person: str) -> Iterator[Candidate]:
    """Every post the person ever held, as the ``holds`` fact it would be, held to the day."""
    for t in tenures_of(graph, person):
        post = graph.posts[t.post]
        yield Candidate(holds(graph, place, post, t, place.scope_of(post.unit), incident.day),
                        (tenure_check(graph, t, incident.day),))
