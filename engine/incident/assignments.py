"""Duties assigned to posts and people, borne on the incident's day: 分管 of a sector or a unit and
分管安全生产 (``in_charge``), and 驻村 / 驻矿 / 包村 / 包社 (``liaison``), with a vacancy where the
assigned post was held by nobody.

A sector or safety assignment is territorial (:meth:`Place.covers`): a personal one covers
the towns of the posts its person holds that day. A post-bound one passes to whoever holds
the post that day (§6.3), and cites that tenure as its evidence. An ``in_charge`` fact says
the bearer's rank (§4.4 names leaders only) and how long they have borne the duty without a
break (a duty over time is charged only for the time they bore it, §6.3).
"""
from __future__ import annotations

from datetime import date
from typing import Iterator

from engine.incident.fact import OK, Candidate, Check, Fact, Kind
from engine.incident.place import Place
from engine.incident.posts import held_since, months_held, tenure_check, tenures_of, vacancy
from engine.org.graph import OrgGraph, node
from facts.model import Assignment, Incident, Tenure
from facts.timeline import in_force

IN_CHARGE = Kind("in_charge", {"person": str, "post": str, "assignment": str, "target_kind": str, "target": str,
                               "distance": int, "via": str, "rank": str, "days_held": int, "months_held": int},
                 implicit=("place", "territory", "assignment", "tenure"), duty=("target_kind",),
                 description="a person in charge (分管) of the incident's sector or an ancestor, of its site or "
                             "village as a unit, or of safety in its territory (target_kind safety, 分管安全生产), "
                             "through an assignment in force on the day; rank is the bearer's (of the post, or the "
                             "highest they hold); days_held and months_held (whole months before the incident's "
                             "month) say how long they have borne it without a break")
LIAISON = Kind("liaison", {"person": str, "post": str, "assignment": str, "assignment_kind": str, "village": str,
                           "site": str, "village_group": str, "via": str},
               implicit=("place", "assignment", "tenure"), duty=("assignment_kind",),
               description="a cadre stationed in (驻村) or liaising with (包村, 包社) the incident's village or group, "
                           "or stationed at its site (驻矿, 驻企: site is set)")
LIAISON_KINDS = ("stationed", "village_liaison", "group_liaison")
CHARGE_KINDS = ("in_charge", "safety")


def in_charge(graph: OrgGraph, person: str, a: Assignment, tenure: Tenure | None, target_kind: str, target: str,
              distance: int, day: date) -> Fact:
    since = max(a.valid_from, held_since(graph, tenure)) if tenure else a.valid_from
    ranked = None if a.post else graph.ranked(person, day)  # a personal duty: the rank of the person's own post
    rank = (graph.posts[a.post].rank or "") if a.post else (ranked.post.rank if ranked else "")
    return IN_CHARGE.fact(f"in_charge:{person}:{a.id}:{target}", {
        "person": person, "post": a.post or "", "assignment": a.id, "target_kind": target_kind, "target": target,
        "distance": distance, "via": "post" if a.post else "person", "rank": rank,
        "days_held": (day - since).days, "months_held": months_held(since, day)},
        (a.id,) + tuple(t.key for t in (tenure, ranked and ranked.tenure) if t))


def liaison(person: str, a: Assignment, tenure: Tenure | None, village: str | None) -> Fact:
    return LIAISON.fact(f"liaison:{person}:{a.id}", {
        "person": person, "post": a.post or "", "assignment": a.id, "assignment_kind": a.kind,
        "village": a.village or ("" if a.site else village or ""), "site": a.site or "",
        "village_group": a.village_group or "", "via": "post" if a.post else "person"},
        (a.id,) + ((tenure.key,) if tenure else ()))


def build(graph: OrgGraph, incident: Incident, place: Place) -> list[Fact]:
    """分管 of the sector and its ancestors, and of the site, its village and their ancestors as units;
    分管安全生产 of the territory; 驻村 / 包村 of the village, 驻矿 of the site and 包社 of the group; a
    vacancy for each such duty of an empty post."""
    day, out = incident.day, []
    targets = [("sector", s, d, "in_charge") for d, s in enumerate(place.sectors)]
    targets += [("unit", u, d, "in_charge") for d, u in enumerate(place.here)]
    targets += [("safety", u, d, "safety") for d, u in enumerate(place.here)]
    for kind, target, distance, rel in targets:
        n = node("sector" if kind == "sector" else "unit", target)

        def here(a, kind=kind) -> bool:
            return place.covers(graph, kind, a)

        out += [in_charge(graph, d.person, d.assignment, d.tenure, kind, target, distance, day)
                for d in graph.bearers(n, (rel,), day, here)]
        out += [vacancy(graph.posts[a.post], rel, a.id) for a in graph.vacant_duties(n, (rel,), day, here)]
    for target in filter(None, (place.village, place.site, incident.village_group)):
        rels = {place.village: ("stationed", "village_liaison"), place.site: ("stationed",)}.get(
            target, ("group_liaison",))
        out += [liaison(d.person, d.assignment, d.tenure, place.village)
                for d in graph.bearers(node("unit", target), rels, day)]
        out += [vacancy(graph.posts[a.post], a.kind, a.id) for a in graph.vacant_duties(node("unit", target), rels, day)]
    return out


# -- near misses: every assignment the person ever bore, held to the place and the day ----------------


def _borne(graph: OrgGraph, person: str, kinds: tuple[str, ...]) -> list[Assignment]:
    """Assignments ever borne by the person: their own, and those of any post they ever held."""
    posts = {t.post for t in tenures_of(graph, person)}
    return [a for a in graph.assignments_borne(person, posts) if a.kind in kinds]


def _assignment_check(a: Assignment, day: date) -> Check:
    if in_force(a.valid_from, a.valid_to, day):
        return OK
    return Check(False, "time.assignment.ended" if a.valid_from <= day else "time.assignment.future")


def _bearing(graph: OrgGraph, person: str, a: Assignment, day: date) -> tuple[Tenure | None, Check]:
    """The tenure through which the person bears a post-bound assignment (the one in force on the day,
    else the last before it, else the first after), and whether it was in force."""
    if not a.post:
        return None, OK
    ts = tenures_of(graph, person, a.post)
    t = (next((t for t in ts if in_force(t.valid_from, t.valid_to, day)), None)
         or next((t for t in reversed(ts) if t.valid_from <= day), ts[0]))
    return t, tenure_check(graph, t, day)


def _targets(graph: OrgGraph, place: Place, a: Assignment) -> list[tuple[str, str]]:
    """What an in_charge or safety assignment is onto: its sectors and units, or a safety one's territory."""
    if a.kind == "safety":
        covered = graph.territories(a, place.day)
        return [("safety", next((t for t in covered if t in place.here), covered[0] if covered else ""))]
    return [("sector", s) for s in a.sectors] + [("unit", u) for u in a.units]


def in_charge_near_misses(graph: OrgGraph, incident: Incident, place: Place, person: str) -> Iterator[Candidate]:
    day = incident.day
    for a in _borne(graph, person, CHARGE_KINDS):
        tenure, held = _bearing(graph, person, a, day)
        for kind, target in _targets(graph, place, a):
            path = place.sectors if kind == "sector" else place.here
            distance = path.index(target) if target in path else -1
            yield Candidate(in_charge(graph, person, a, tenure, kind, target, distance, day), (
                OK if kind == "safety" else Check(distance >= 0, f"place.in_charge.{kind}"),
                Check(place.covers(graph, kind, a), "place.in_charge.territory"),
                _assignment_check(a, day), held))


def liaison_near_misses(graph: OrgGraph, incident: Incident, place: Place, person: str) -> Iterator[Candidate]:
    day, group = incident.day, incident.village_group or ""
    for a in _borne(graph, person, LIAISON_KINDS):
        tenure, held = _bearing(graph, person, a, day)
        if a.kind == "group_liaison":
            where = Check(bool(group) and a.village_group == group,
                          "place.liaison.group" if group else "place.liaison.no_group")
        elif a.site:
            where = Check(a.site == place.site, "place.liaison.site")
        else:
            where = Check(a.village == place.village, "place.liaison.village")
        yield Candidate(liaison(person, a, tenure, place.village), (where, _assignment_check(a, day), held))
