"""What the investigation established that people and units did (``conduct``, ``unit_conduct``,
``unnamed_conduct``), and who died (``deceased``).

Conduct enters an incident's context in two ways only. A cause of the incident lists it: the
fact carries that cause (``cause``, ``cause_kind``), and a person needs no post to be named for
it. Or it is an act of the aftermath (reporting, the scene, evidence, a private settlement:
:data:`facts.model.AFTERMATH_ACTS`) naming this accident: it bears on how the accident was
handled, not on why it happened (``cause`` is ""). Any other conduct enters nowhere, so it
changes nothing. Conduct whose actor the investigation could not name (``actor`` without
``by``) becomes ``unnamed_conduct``, for a data gap that names the act.
"""
from __future__ import annotations

from typing import Iterator

from engine.incident.fact import Candidate, Check, Fact, Kind
from engine.incident.place import Place
from engine.org.graph import OrgGraph
from facts.model import AFTERMATH_ACTS, Conduct, Incident

_COMMON = {"conduct": str, "act": str, "cause": str, "cause_kind": str, "date": str, "source": str}
CONDUCT = Kind("conduct", {**_COMMON, "person": str, "scope": str}, implicit=("bears",),
               description="a person's own act or omission bearing on a cause of the incident, or on its "
                           "aftermath; scope: where they worked that day (site, village, town or none)")
UNIT_CONDUCT = Kind("unit_conduct", {**_COMMON, "unit": str, "name": str, "unit_kind": str},
                    description="a unit's act or omission bearing on a cause of the incident, or on its aftermath")
UNNAMED_CONDUCT = Kind("unnamed_conduct", {**_COMMON, "actor": str},
                       description="an act bearing on the incident whose actor the investigation could not name")
DECEASED = Kind("deceased", {"person": str}, description="a person who died in the incident")


def bearings(incident: Incident, graph: OrgGraph) -> list[tuple[Conduct, str, str]]:
    """(conduct, cause id, cause kind) for each conduct bearing on the incident, causes first.

    An act of the aftermath is never under a cause (the loader refuses it), so no conduct comes twice; an
    event (事件) has no aftermath: no accident was reported or handled."""
    out = [(graph.conduct[cid], cause.id, cause.kind) for cause in incident.causes for cid in cause.conduct]
    if incident.kind == "event":
        return out
    return out + [(c, "", "") for c in graph.conduct_of(incident.id) if c.act in AFTERMATH_ACTS]


def _scope(graph: OrgGraph, place: Place, person: str, incident: Incident) -> str:
    """Where the person worked on the incident's day: the site (a post there, or among those involved in the
    incident), the village, the town (a post there), or none of them."""
    scopes = {place.scope_of(h.post.unit) for h in graph.posts_held(person, incident.day)}
    if person in incident.involved:
        scopes.add("site")
    return next((s for s in ("site", "village", "town") if s in scopes), "none")


def conduct_fact(graph: OrgGraph, place: Place, incident: Incident, c: Conduct, cause: str, kind: str) -> Fact:
    common = {"conduct": c.id, "act": c.act, "cause": cause, "cause_kind": kind,
              "date": c.start.isoformat() if c.start else "", "source": c.source}
    src = (c.id, cause) if cause else (c.id,)
    key = f"{c.id}:{cause}"
    if c.by is None:
        return UNNAMED_CONDUCT.fact(f"unnamed_conduct:{key}", {**common, "actor": c.actor}, src)
    if c.by in graph.people:
        return CONDUCT.fact(f"conduct:{key}", {**common, "person": c.by,
                                                "scope": _scope(graph, place, c.by, incident)}, src)
    unit = graph.units[c.by]
    return UNIT_CONDUCT.fact(f"unit_conduct:{key}", {**common, "unit": c.by, "name": unit.name,
                                                      "unit_kind": unit.kind}, src)


def build(graph: OrgGraph, incident: Incident, place: Place) -> list[Fact]:
    out = [conduct_fact(graph, place, incident, c, cause, kind) for c, cause, kind in bearings(incident, graph)]
    out += [DECEASED.fact(f"deceased:{p}", {"person": p}, (incident.id,)) for p in sorted(set(incident.deceased))]
    return out


def near_misses(graph: OrgGraph, incident: Incident, place: Place, person: str) -> Iterator[Candidate]:
    """The person's conduct that bears on nothing here: no cause of this incident lists it, and it is
    not an act of this incident's aftermath."""
    bearing = {c.id for c, _, _ in bearings(incident, graph)}
    for c in graph.conduct_by(person):
        if c.id not in bearing:
            yield Candidate(conduct_fact(graph, place, incident, c, "", ""), (Check(False, "conduct.no_bearing"),))
