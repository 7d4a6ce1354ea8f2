"""The ground facts about one incident, as of its date: what the rules match on.

Only the neighbourhood of the incident enters a rule session: the incident,
the holders of the town's leading posts, the village's and the site's posts,
the leaders in charge of the incident's sector (or an ancestor sector), the
cadres stationed in or liaising with its village and group, the people
involved, the inspections and signatures of the site on or before the day,
the vacancies that leave a duty unassigned, the reports and who had to make
them, the conduct that bears on the incident's causes or its aftermath, the
orders that had reached the site and its status that day. A district-sized
org costs the same per incident as a town.

Each context fact carries ``src``: the ids of the input records it rests on
(tenure, assignment, inspection, signature, incident, conduct, cause, order).
Those are the evidence
a finding cites. Each kind of fact is defined once, in the module that builds
it (:mod:`engine.incident.kinds` lists them).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from engine.incident.fact import Fact
from engine.incident.grade import EVENT, Grade, classify
from engine.incident.kinds import BUILDERS, INCIDENT
from engine.incident.place import Place
from engine.org.graph import OrgGraph
from facts.canon import digest
from facts.model import Incident


@dataclass(frozen=True)
class IncidentContext:
    incident: Incident
    grade: Grade
    day: date
    place: Place
    facts: tuple[Fact, ...] = field(default_factory=tuple)

    @property
    def town(self) -> str | None:
        return self.place.town

    @property
    def village(self) -> str | None:
        return self.place.village

    @property
    def sector(self) -> str:
        return self.place.sectors[0]

    def by_key(self) -> dict[str, Fact]:
        return {f.key: f for f in self.facts}

    @cached_property
    def digest(self) -> str:
        """Digest of exactly what the rules saw: reproducible, blind to unrelated facts, computed once
        however many scenarios evaluate this context."""
        return digest({"incident": self.incident.model_dump(mode="json", by_alias=True),
                       "facts": [{"kind": f.kind, "key": f.key, **f.fields, "src": list(f.src)} for f in self.facts]})


def build_context(graph: OrgGraph, incident: Incident) -> IncidentContext:
    """The facts the rules see for this incident, as of the incident's date."""
    place = Place.of(graph, incident)
    site, village, sector = graph.units[place.site], place.village, place.sectors[0]
    grade = EVENT if incident.kind == "event" else classify(incident.deaths, incident.serious_injuries,
                                                            incident.direct_loss_yuan)
    facts: list[Fact] = [INCIDENT.fact(f"incident:{incident.id}", {
        "incident": incident.id, "incident_kind": incident.kind, "date": incident.day.isoformat(), "grade": grade.id,
        "grade_rank": grade.rank,
        "sector": sector, "sector_name": graph.sectors[sector].name, "village": village or "",
        "village_name": graph.units[village].name if village else "", "village_group": incident.village_group or "",
        "site": site.id, "site_name": site.name, "deaths": incident.deaths, "serious_injuries": incident.serious_injuries,
        "direct_loss_yuan": incident.direct_loss_yuan}, (incident.id,))]
    for build in BUILDERS:
        facts += build(graph, incident, place)
    unique = {f.key: f for f in facts}  # one post may be reached twice (e.g. two ancestor targets)
    return IncidentContext(incident, grade, incident.day, place, tuple(sorted(unique.values(), key=lambda f: f.key)))
