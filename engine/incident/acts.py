"""What people did at the site (``inspection``, ``signature``) and who was involved (``involved``).

Acts stay with the person who did them, whatever post they hold now (§5); only
acts on or before the incident's day enter its context.
"""
from __future__ import annotations

from typing import Iterator

from engine.incident.fact import Candidate, Check, Fact, Kind
from engine.incident.place import Place
from engine.org.graph import OrgGraph
from facts.model import Incident, Inspection, Signature

INSPECTION = Kind("inspection", {"person": str, "inspection": str, "date": str, "days_before": int, "outcome": str},
                  implicit=("date",), description="a person inspected the site on or before the incident's day")
SIGNATURE = Kind("signature", {"person": str, "signature": str, "document": str, "date": str, "days_before": int,
                               "inspection": str},
                 implicit=("date",), description="a person signed a document about the site on or before the day")
INVOLVED = Kind("involved", {"person": str}, implicit=("named",),
                description="a person the investigation lists as involved in the incident")


def inspection(ins: Inspection, person: str, incident: Incident) -> Fact:
    return INSPECTION.fact(f"inspection:{ins.id}:{person}", {
        "person": person, "inspection": ins.id, "date": ins.date.isoformat(),
        "days_before": (incident.day - ins.date).days, "outcome": ins.outcome}, (ins.id,))


def signature(sig: Signature, incident: Incident) -> Fact:
    return SIGNATURE.fact(f"signature:{sig.id}", {
        "person": sig.person, "signature": sig.id, "document": sig.document, "date": sig.date.isoformat(),
        "days_before": (incident.day - sig.date).days, "inspection": sig.inspection or ""}, (sig.id,))


def build(graph: OrgGraph, incident: Incident, place: Place) -> list[Fact]:
    day = incident.day
    out = [INVOLVED.fact(f"involved:{pid}", {"person": pid}, (incident.id,)) for pid in sorted(set(incident.involved))]
    out += [inspection(ins, pid, incident) for ins in graph.inspections_of(place.site) if ins.date <= day
            for pid in sorted(set(ins.inspectors))]
    out += [signature(sig, incident) for sig in graph.signatures_of(place.site) if sig.date <= day]
    return out


def inspection_near_misses(graph: OrgGraph, incident: Incident, place: Place, person: str) -> Iterator[Candidate]:
    for ins in graph.inspections_of(place.site):
        if person in ins.inspectors:
            yield Candidate(inspection(ins, person, incident), (Check(ins.date <= incident.day, "time.inspection.after"),))


def signature_near_misses(graph: OrgGraph, incident: Incident, place: Place, person: str) -> Iterator[Candidate]:
    for sig in graph.signatures_of(place.site):
        if sig.person == person:
            yield Candidate(signature(sig, incident), (Check(sig.date <= incident.day, "time.signature.after"),))
