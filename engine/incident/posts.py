"""Posts held on the incident's day (``holds``) and posts whose duty nobody held (``vacancy``).

Only the posts the plan names enter a context: the town's heads and its safety
leads (§4.2, §4.3), the village's two heads (§4.6.1), the enterprise's principal
and safety manager (§4.5, §6.2), and a post of theirs flagged as a safety lead. A vacancy is a fact when the post carries a
duty of the plan, so that a data gap can say that the duty fell to nobody.
"""
from __future__ import annotations

from datetime import date
from typing import Iterator

from engine.incident.fact import OK, Candidate, Check, Fact, Kind
from engine.incident.place import Place
from engine.org.graph import OrgGraph
from facts.model import Incident, Post, Tenure
from facts.timeline import in_force

HOLDS = Kind("holds", {"person": str, "post": str, "title": str, "role": str, "unit": str, "scope": str,
                       "safety_lead": bool, "acting": bool, "tenure": str},
             implicit=("tenure",), duty=("scope", "role", "safety_lead"),
             description="a person holds a post of the town, the village or the site on the incident's day")
VACANCY = Kind("vacancy", {"post": str, "title": str, "role": str, "unit": str, "scope": str, "assignment": str},
               duty=("scope",), description="a post with a duty of the plan that nobody held on the day")

#: Roles whose holders enter the context, by scope (the town's safety leads enter too).
ROLES = {"town": ("party_secretary", "mayor"), "village": ("village_party_secretary", "village_director"),
         "site": ("enterprise_principal", "safety_manager")}
#: Roles whose post being vacant on the day leaves a duty of the plan unassigned.
DUTY_ROLES = {"town": ("party_secretary", "mayor"), "village": ("village_party_secretary",),
              "site": ("enterprise_principal",)}


def duty_post(role: str, scope: str, safety_lead: bool) -> bool:
    """Whether a post carries a duty of the plan: a head, a principal, or the town's safety lead."""
    return role in DUTY_ROLES.get(scope, ()) or (scope == "town" and safety_lead)


def bears_duty(fact: Fact) -> bool:
    """Whether a ``holds`` fact stands for a duty of the plan."""
    return duty_post(fact.fields["role"], fact.fields["scope"], fact.fields["safety_lead"])


def holds(post: Post, tenure: Tenure, scope: str) -> Fact:
    return HOLDS.fact(f"holds:{tenure.person}:{post.id}", {
        "person": tenure.person, "post": post.id, "title": post.title, "role": post.role, "unit": post.unit,
        "scope": scope, "safety_lead": post.safety_lead, "acting": tenure.acting, "tenure": tenure.key}, (tenure.key,))


def vacancy(post: Post, scope: str, assignment: str = "") -> Fact:
    key = f"vacancy:{post.id}" + (f":{assignment}" if assignment else "")
    return VACANCY.fact(key, {"post": post.id, "title": post.title, "role": post.role, "unit": post.unit,
                              "scope": scope, "assignment": assignment}, (assignment,) if assignment else ())


def build(graph: OrgGraph, incident: Incident, place: Place) -> list[Fact]:
    """Holders of the named posts of the town, the village and the site; a vacancy for a duty post."""
    day, out = incident.day, []
    for scope, units in place.units.items():
        for unit in units:
            for post in graph.posts_of(unit):
                if post.role not in ROLES[scope] and not post.safety_lead:
                    continue
                holders = graph.holders(post.id, day)
                out += [holds(post, h.tenure, scope) for h in holders]
                if not holders and duty_post(post.role, scope, post.safety_lead):
                    out.append(vacancy(post, scope))
    return out


# -- near misses: the same facts across all dates, for why-not ----------------------------------------


def tenures_of(graph: OrgGraph, person: str, post: str | None = None) -> list[Tenure]:
    """Every tenure the person ever had (of one post, if given), in date order."""
    return sorted((t for t in graph.tenures.values() if t.person == person and (post is None or t.post == post)),
                  key=lambda t: (t.valid_from, t.post, t.key))


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
        yield Candidate(holds(post, t, place.scope_of(post.unit)), (tenure_check(graph, t, incident.day),))
