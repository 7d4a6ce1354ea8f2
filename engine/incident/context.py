"""The ground facts about one incident, as of its date: what the rules match on.

Only the neighbourhood of the incident enters a rule session: the incident,
the holders of the town's leading posts, the village's and the site's posts,
the leaders in charge of the incident's sector (or an ancestor sector), the
cadres stationed in or liaising with its village and group, the people
involved, the inspections and signatures of the site on or before the day,
and the vacancies that leave a duty unassigned. A district-sized org costs
the same per incident as a town.

Each context fact carries ``src``: the ids of the input records it rests on
(tenure, assignment, inspection, signature, incident). Those are the evidence
a finding cites.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from engine.incident import duties
from engine.incident.fact import Fact
from engine.incident.grade import Grade, classify
from engine.incident.place import Place
from engine.org.graph import OrgGraph, node
from facts.canon import digest
from facts.model import Incident

#: The context-fact schema: kind → field → type. Rule packs are checked against it.
SCHEMA: dict[str, dict[str, type]] = {
    "incident": {"incident": str, "date": str, "grade": str, "grade_rank": int, "sector": str,
                 "sector_name": str, "village": str, "village_name": str, "village_group": str, "site": str,
                 "site_name": str, "deaths": int,
                 "serious_injuries": int, "direct_loss_yuan": int},
    "holds": {"person": str, "post": str, "title": str, "role": str, "unit": str, "scope": str,
              "safety_lead": bool, "acting": bool, "tenure": str},
    "in_charge": {"person": str, "post": str, "assignment": str, "target_kind": str, "target": str,
                  "distance": int, "via": str},
    "liaison": {"person": str, "post": str, "assignment": str, "assignment_kind": str, "village": str,
                "village_group": str, "via": str},
    "inspection": {"person": str, "inspection": str, "date": str, "days_before": int, "outcome": str},
    "signature": {"person": str, "signature": str, "document": str, "date": str, "days_before": int,
                  "inspection": str},
    "involved": {"person": str},
    "vacancy": {"post": str, "title": str, "role": str, "unit": str, "scope": str, "assignment": str},
    "report": {"report": str, "channel": str, "by": str, "at": str, "minutes_after": int, "first": bool,
               "deaths_given": bool, "injuries_given": bool, "understated": bool},
    "report_duty": {"channel": str, "person": str, "post": str, "role": str},
    "concealment": {"person": str},
    "duty_record": {"duty": str, "scope": str, "unit": str, "record": str, "date": str, "days_before": int},
    "duty_gap": {"duty": str, "scope": str, "unit": str, "month": str, "months_before": int},
    "exposure": {"person": str, "post": str, "assignment": str, "hazard": str, "sector": str, "from": str,
                 "to": str, "days": int},
    "unit": {"unit": str, "name": str, "unit_kind": str, "sector": str},
}

#: Roles whose post being vacant on the day leaves a duty of the plan unassigned.
DUTY_ROLES = {"town": ("party_secretary", "mayor"), "village": ("village_party_secretary",),
              "site": ("enterprise_principal",)}


@dataclass(frozen=True)
class IncidentContext:
    incident: Incident
    grade: Grade
    day: date
    town: str | None
    village: str | None
    sector: str
    facts: tuple[Fact, ...] = field(default_factory=tuple)

    def by_key(self) -> dict[str, Fact]:
        return {f.key: f for f in self.facts}

    @cached_property
    def digest(self) -> str:
        """Digest of exactly what the rules saw: reproducible, blind to unrelated facts, computed once
        however many scenarios evaluate this context."""
        return digest({"incident": self.incident.model_dump(mode="json", by_alias=True),
                       "facts": [f.as_json() for f in self.facts]})


def _holds_facts(graph: OrgGraph, unit_id: str, scope: str, day: date, roles: tuple[str, ...]) -> list[Fact]:
    """Holders of the unit's posts with the given roles (and safety leads); a vacancy for a duty post."""
    out = []
    for post in graph.posts_of(unit_id):
        if post.role not in roles and not post.safety_lead:
            continue
        holders = graph.holders(post.id, day)
        for h in holders:
            out.append(Fact("holds", f"holds:{h.person}:{post.id}",
                            {"person": h.person, "post": post.id, "title": post.title, "role": post.role,
                             "unit": unit_id, "scope": scope, "safety_lead": post.safety_lead,
                             "acting": h.tenure.acting, "tenure": h.tenure.key}, (h.tenure.key,)))
        if not holders and (post.role in DUTY_ROLES.get(scope, ()) or (scope == "town" and post.safety_lead)):
            out.append(_vacancy(post, scope, ""))
    return out


def _vacancy(post, scope: str, assignment: str) -> Fact:
    key = f"vacancy:{post.id}" + (f":{assignment}" if assignment else "")
    return Fact("vacancy", key, {"post": post.id, "title": post.title, "role": post.role, "unit": post.unit,
                                 "scope": scope, "assignment": assignment}, (assignment,) if assignment else ())


def build_context(graph: OrgGraph, incident: Incident) -> IncidentContext:
    """The facts the rules see for this incident, as of the incident's date."""
    day = incident.day
    place = Place.of(graph, incident)
    site, village, town, sector = graph.units[place.site], place.village, place.town, place.sectors[0]
    grade = classify(incident.deaths, incident.serious_injuries, incident.direct_loss_yuan)
    facts: list[Fact] = [Fact("incident", f"incident:{incident.id}", {
        "incident": incident.id, "date": day.isoformat(), "grade": grade.id, "grade_rank": grade.rank,
        "sector": sector, "sector_name": graph.sectors[sector].name, "village": village or "",
        "village_name": graph.units[village].name if village else "", "village_group": incident.village_group or "",
        "site": site.id, "site_name": site.name, "deaths": incident.deaths, "serious_injuries": incident.serious_injuries,
        "direct_loss_yuan": incident.direct_loss_yuan}, (incident.id,))]

    # Posts: the town's leadership, the village's, the site's (only the roles the plan names).
    for unit in place.units["town"]:
        facts += _holds_facts(graph, unit, "town", day, DUTY_ROLES["town"])
    if village:
        facts += _holds_facts(graph, village, "village", day, ("village_party_secretary", "village_director"))
    facts += _holds_facts(graph, site.id, "site", day, ("enterprise_principal", "safety_manager"))

    # 分管: the sector and its ancestors; the site, its village and their ancestors as units.
    targets = [("sector", s, d) for d, s in enumerate(place.sectors)]
    targets += [("unit", u, d) for d, u in enumerate(place.here)]
    for kind, target, distance in targets:
        n = node(kind, target)

        def here(a, kind=kind) -> bool:
            return place.covers(graph, kind, a)

        for duty in graph.bearers(n, ("in_charge",), day, here):
            a = duty.assignment
            facts.append(Fact("in_charge", f"in_charge:{duty.person}:{a.id}:{target}", {
                "person": duty.person, "post": a.post or "", "assignment": a.id, "target_kind": kind,
                "target": target, "distance": distance, "via": "post" if a.post else "person"},
                (a.id,) + ((duty.tenure.key,) if duty.tenure else ())))
        for a in graph.vacant_duties(n, ("in_charge",), day, here):
            facts.append(_vacancy(graph.posts[a.post], "in_charge", a.id))

    # 驻村 / 包村 / 包社
    for target in filter(None, (village, incident.village_group)):
        rels = ("stationed", "village_liaison") if target == village else ("group_liaison",)
        for duty in graph.bearers(node("unit", target), rels, day):
            a = duty.assignment
            facts.append(Fact("liaison", f"liaison:{duty.person}:{a.id}", {
                "person": duty.person, "post": a.post or "", "assignment": a.id, "assignment_kind": a.kind,
                "village": a.village or village or "", "village_group": a.village_group or "",
                "via": "post" if a.post else "person"}, (a.id,) + ((duty.tenure.key,) if duty.tenure else ())))
        for a in graph.vacant_duties(node("unit", target), rels, day):
            facts.append(_vacancy(graph.posts[a.post], a.kind, a.id))

    for pid in sorted(set(incident.involved)):
        facts.append(Fact("involved", f"involved:{pid}", {"person": pid}, (incident.id,)))

    # Acts stay with the person who did them, whatever post they hold now (§5).
    for ins in graph.inspections_of(site.id):
        if ins.date <= day:
            for pid in sorted(set(ins.inspectors)):
                facts.append(Fact("inspection", f"inspection:{ins.id}:{pid}", {
                    "person": pid, "inspection": ins.id, "date": ins.date.isoformat(),
                    "days_before": (day - ins.date).days, "outcome": ins.outcome}, (ins.id,)))
    for sig in graph.signatures_of(site.id):
        if sig.date <= day:
            facts.append(Fact("signature", f"signature:{sig.id}", {
                "person": sig.person, "signature": sig.id, "document": sig.document, "date": sig.date.isoformat(),
                "days_before": (day - sig.date).days, "inspection": sig.inspection or ""}, (sig.id,)))

    # Beyond the four principles: reporting, periodic duties, exposure to hazards, answerable units.
    for build in (duties.reporting, duties.periodic, duties.exposure, duties.units_answerable):
        facts += build(graph, incident, place)

    unique = {f.key: f for f in facts}  # one post may be reached twice (e.g. two ancestor targets)
    ordered = tuple(sorted(unique.values(), key=lambda f: f.key))
    return IncidentContext(incident, grade, day, town, village, sector, ordered)

