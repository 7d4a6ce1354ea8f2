"""What people did at the site (``inspection``, ``signature``) and who was involved (``involved``).

Acts stay with the person who did them, whatever post they hold now (§5); only
acts before the accident enter its context (an inspection on its day that began
after it does not). Each act is told against each cause of the incident: the
fields ``cause``, ``cause_kind``, ``hazard`` and ``bears`` say how the act bears
on it, so the pack decides, as data, which bearings make a person answerable:

an inspection, for each hazard a cause rests on
  ``missed``           the hazard existed on its day and it did not find it;
  ``not_followed_up``  it found the hazard and no acceptance of the rectification came before the incident;
  ``suspended``        it found the hazard and suspended the site;
  ``followed_up``      it found the hazard and its rectification was accepted before the incident;
  ``absent``           the hazard did not exist on its day;
  ``unrecorded``       it found something, but the facts do not say what (``hazards_found``);
a signature, for each cause
  ``covers``           the document covers the cause or a hazard it rests on;
  ``accepted_not_done``  it accepted the rectification of a hazard the cause rests on;
and for an act that reaches no cause: ``none`` (the causes rest on no hazard, or the
document covers other things), ``unrecorded`` (a signature whose document's ``covers``
are not given) or ``no_causes`` (the incident has none: nothing can be decided).
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterator

from engine.incident.fact import OK, Candidate, Check, Fact, Kind
from engine.incident.place import Place
from engine.org.graph import OrgGraph
from facts.model import Cause, Hazard, Incident, Inspection, Signature
from facts.timeline import in_force

_BEARING = {"cause": str, "cause_kind": str, "hazard": str, "bears": str}
INSPECTION = Kind("inspection", {"person": str, "inspection": str, "date": str, "days_before": int, "outcome": str,
                                 **_BEARING},
                  implicit=("date",), checks_first=True,
                  description="a person inspected the site before the accident; how it bears on each hazard behind a "
                              "cause")
SIGNATURE = Kind("signature", {"person": str, "signature": str, "document": str, "capacity": str, "date": str,
                               "days_before": int, "inspection": str, **_BEARING},
                 implicit=("date",), checks_first=True,
                 description="a person signed a document about the site on or before the day; how it bears on each "
                             "cause")
INVOLVED = Kind("involved", {"person": str}, implicit=("named",),
                description="a person the investigation lists as involved in the incident")

#: No cause: the act is told once, tied to nothing.
_UNTIED = {"cause": "", "cause_kind": "", "hazard": ""}


def _behind(graph: OrgGraph, incident: Incident) -> list[tuple[Cause, Hazard]]:
    """Each cause with each hazard it rests on, in the order the investigation gives them."""
    return [(c, graph.hazards[h]) for c in incident.causes for h in dict.fromkeys(c.hazards) if h in graph.hazards]


def before_the_accident(ins: Inspection, incident: Incident) -> bool:
    """On an earlier day, or on its day and not begun after it (an inspection without ``at`` counts that day)."""
    return ins.date < incident.day or (ins.date == incident.day and (ins.at is None or ins.at < incident.occurred_at))


def _found_bearing(graph: OrgGraph, ins: Inspection, hz: Hazard, incident: Incident) -> tuple[str, tuple[str, ...]]:
    """How an inspection that found the hazard bears on it, and the record of its rectification's acceptance."""
    if ins.outcome == "suspended":
        return "suspended", ()
    accepted = graph.signatures.get(hz.rectified.accepted_by or "") if hz.rectified else None
    if accepted is not None and ins.date <= accepted.date <= incident.day:
        return "followed_up", (accepted.id,)
    return "not_followed_up", ()


def inspection(graph: OrgGraph, ins: Inspection, person: str, incident: Incident,
               behind: list[tuple[Cause, Hazard]]) -> list[Fact]:
    """The inspection told against each hazard behind a cause (once, tied to nothing, when there is none)."""
    base = {"person": person, "inspection": ins.id, "date": ins.date.isoformat(),
            "days_before": (incident.day - ins.date).days, "outcome": ins.outcome}
    key = f"inspection:{ins.id}:{person}"
    if not behind:
        return [INSPECTION.fact(key, {**base, **_UNTIED, "bears": "none" if incident.causes else "no_causes"},
                                (ins.id,))]
    out = []
    for cause, hz in behind:
        extra: tuple[str, ...] = ()
        if graph.found(ins.id, hz.id):
            bears, extra = _found_bearing(graph, ins, hz, incident)
        elif not in_force(hz.valid_from, hz.valid_to, ins.date):
            bears = "absent"
        else:
            bears = "missed" if graph.findings_recorded(ins) else "unrecorded"
        out.append(INSPECTION.fact(f"{key}:{cause.id}:{hz.id}", {
            **base, "cause": cause.id, "cause_kind": cause.kind, "hazard": hz.id, "bears": bears},
            (ins.id, cause.id, hz.id, *extra)))
    return out


def signature(graph: OrgGraph, sig: Signature, incident: Incident) -> list[Fact]:
    """The signature told against each cause it bears on (once, tied to nothing, when it bears on none)."""
    base = {"person": sig.person, "signature": sig.id, "document": sig.document, "capacity": sig.capacity,
            "date": sig.date.isoformat(), "days_before": (incident.day - sig.date).days,
            "inspection": sig.inspection or ""}
    key = f"signature:{sig.id}"
    covered = set(sig.covers)
    out = []
    for cause in incident.causes:
        ties = [("", "covers")] if cause.id in covered else []
        for h in dict.fromkeys(cause.hazards):
            hz = graph.hazards.get(h)
            if hz is not None and hz.rectified and hz.rectified.accepted_by == sig.id:
                ties.append((h, "accepted_not_done"))
            elif h in covered:
                ties.append((h, "covers"))
        out += [SIGNATURE.fact(f"{key}:{cause.id}:{h}", {
            **base, "cause": cause.id, "cause_kind": cause.kind, "hazard": h, "bears": bears},
            (sig.id, cause.id, *((h,) if h else ()))) for h, bears in ties]
    if not out:
        bears = "no_causes" if not incident.causes else "none" if sig.covers else "unrecorded"
        out.append(SIGNATURE.fact(key, {**base, **_UNTIED, "bears": bears}, (sig.id,)))
    return out


def build(graph: OrgGraph, incident: Incident, place: Place) -> list[Fact]:
    day, behind = incident.day, _behind(graph, incident)
    out = [INVOLVED.fact(f"involved:{pid}", {"person": pid}, (incident.id,)) for pid in sorted(set(incident.involved))]
    out += [f for ins in graph.inspections_of(place.site) if before_the_accident(ins, incident)
            for pid in sorted(set(ins.inspectors)) for f in inspection(graph, ins, pid, incident, behind)]
    out += [f for sig in graph.signatures_of(place.site) if sig.date <= day for f in signature(graph, sig, incident)]
    return out


def _clock(moment: datetime, incident: Incident) -> str:
    return moment.astimezone(incident.occurred_at.tzinfo).strftime("%H:%M")


def inspection_near_misses(graph: OrgGraph, incident: Incident, place: Place, person: str) -> Iterator[Candidate]:
    behind = _behind(graph, incident)
    for ins in graph.inspections_of(place.site):
        if person in ins.inspectors:
            if before_the_accident(ins, incident):
                check = OK
            elif ins.date > incident.day:
                check = Check(False, "time.inspection.after")
            else:
                check = Check(False, "time.inspection.after_time", {"at_time": _clock(ins.at, incident),
                                                                     "occurred_time": _clock(incident.occurred_at,
                                                                                             incident)})
            facts = inspection(graph, ins, person, incident, behind)
            for fact in facts if check.ok else facts[:1]:  # after the accident, what it bore on is moot
                yield Candidate(fact, (check,))


def signature_near_misses(graph: OrgGraph, incident: Incident, place: Place, person: str) -> Iterator[Candidate]:
    for sig in graph.signatures_of(place.site):
        if sig.person == person:
            check = Check(sig.date <= incident.day, "time.signature.after")
            facts = signature(graph, sig, incident)
            for fact in facts if check.ok else facts[:1]:
                yield Candidate(fact, (check,))
