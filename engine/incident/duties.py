"""Context facts for the duties beyond the four principles: reporting, periodic duties,
exposure to hazards over time, and the units the plan makes answerable.

Each builder returns :class:`~engine.incident.context.Fact` objects for one incident. An
absence is evidenced too: a month without a self-inspection cites
``no-record:self_inspection:SITE:2023-01``, an id that names exactly what the
facts do not hold, so a finding resting on it can be checked and disputed.
"""
from __future__ import annotations

import math
from datetime import date

from engine.incident.fact import Fact, Kind
from engine.incident.place import Place
from engine.org.graph import OrgGraph, node
from facts.model import Incident
from facts.timeline import in_force

REPORT = Kind("report", {"report": str, "channel": str, "by": str, "at": str, "minutes_after": int, "first": bool,
                         "deaths_given": bool, "injuries_given": bool, "understated": bool},
              description="a report of the incident on a channel, with its delay and what it stated")
REPORT_DUTY = Kind("report_duty", {"channel": str, "person": str, "post": str, "role": str},
                   description="a person whose post had to report on a channel")
CONCEALMENT = Kind("concealment", {"person": str}, description="a person the investigation found to have concealed it")
DUTY_RECORD = Kind("duty_record", {"duty": str, "scope": str, "unit": str, "record": str, "date": str,
                                   "days_before": int},
                   description="the latest record of a periodic duty of the site or the town")
DUTY_GAP = Kind("duty_gap", {"duty": str, "scope": str, "unit": str, "month": str, "months_before": int},
                description="a checked month with no record of a monthly duty")
EXPOSURE = Kind("exposure", {"person": str, "post": str, "assignment": str, "hazard": str, "sector": str,
                             "from": str, "to": str, "days": int},
                description="a predecessor in charge of the sector while a hazard of the site existed")
UNIT = Kind("unit", {"unit": str, "name": str, "unit_kind": str, "sector": str},
            description="a unit the plan makes answerable: the town, the village, the enterprise, an office")

#: How many full months before the incident's month the periodic duties are checked.
MONTHS_CHECKED = 6
#: The monthly duties: (duty kind, whose records: "site" or "town").
MONTHLY = (("self_inspection", "site"), ("monthly_meeting", "town"))
#: Roles whose holders must report on each channel (the pack chooses which count).
REPORTERS = {"enterprise_to_authority": ("site", ("enterprise_principal",)),
             "village_to_town": ("village", ("village_party_secretary", "village_director")),
             "town_to_district": ("town", ("mayor",))}


def reporting(graph: OrgGraph, incident: Incident, place: Place) -> list[Fact]:
    """The reports made, who had to make them, and who concealed the incident.

    ``minutes_after`` counts whole minutes rounded up from when the reporter
    learned of the incident (``learned_at``, default the time it occurred): a
    report 60 min 00 s after is within an hour, one 60 min 01 s after is not.
    Only the first report on a channel is checked for lateness and content.
    """
    out = []
    first: dict[str, int] = {}
    for n, r in sorted(enumerate(incident.reports, 1), key=lambda x: (x[1].at, x[0])):
        first.setdefault(r.channel, n)
    for n, r in enumerate(incident.reports, 1):
        rid = f"{incident.id}/report/{n}"
        learned = r.learned_at or incident.occurred_at
        out.append(REPORT.fact(f"report:{n:03d}", {
            "report": rid, "channel": r.channel, "by": r.by, "at": r.at.isoformat(),
            "minutes_after": math.ceil((r.at - learned).total_seconds() / 60), "first": first[r.channel] == n,
            "deaths_given": r.deaths is not None, "injuries_given": r.serious_injuries is not None,
            "understated": (r.deaths is not None and r.deaths < incident.deaths)
            or (r.serious_injuries is not None and r.serious_injuries < incident.serious_injuries)}, (rid,)))
    day = incident.day
    for channel, (scope, roles) in REPORTERS.items():
        for unit in place.units[scope]:
            for post in graph.posts_of(unit):
                if post.role in roles:
                    for h in graph.holders(post.id, day):
                        out.append(REPORT_DUTY.fact(f"report_duty:{channel}:{h.person}:{post.id}", {
                            "channel": channel, "person": h.person, "post": post.id, "role": post.role},
                            (h.tenure.key,)))
    for pid in sorted(set(incident.concealed_by)):
        out.append(CONCEALMENT.fact(f"concealment:{pid}", {"person": pid}, (incident.id,)))
    return out


def _month(day: date, back: int) -> str:
    m = day.year * 12 + day.month - 1 - back
    return f"{m // 12:04d}-{m % 12 + 1:02d}"


def periodic(graph: OrgGraph, incident: Incident, place: Place) -> list[Fact]:
    """The latest record of each periodic duty, and each checked month with no record.

    ``duty_record`` is the latest record of a duty kind for the site or the town
    on or before the day (with its age in days); ``duty_gap`` is a full month
    before the incident's month with no record of a monthly duty.
    """
    day = incident.day
    out = []
    for scope in ("site", "town"):
        latest: dict[str, object] = {}
        months: dict[str, set[str]] = {}
        for unit in place.units[scope]:
            for rec in graph.duty_records_of(unit):
                if rec.date <= day:
                    if rec.kind not in latest or (rec.date, rec.id) > (latest[rec.kind].date, latest[rec.kind].id):
                        latest[rec.kind] = rec
                    months.setdefault(rec.kind, set()).add(rec.date.strftime("%Y-%m"))
        for kind, rec in sorted(latest.items()):
            out.append(DUTY_RECORD.fact(f"duty_record:{scope}:{kind}", {
                "duty": kind, "scope": scope, "unit": rec.unit, "record": rec.id, "date": rec.date.isoformat(),
                "days_before": (day - rec.date).days}, (rec.id,)))
        owner = place.owner(scope)
        for duty, duty_scope in MONTHLY:
            if duty_scope != scope or not owner:
                continue
            for back in range(1, MONTHS_CHECKED + 1):
                month = _month(day, back)
                if month not in months.get(duty, set()):
                    out.append(DUTY_GAP.fact(f"duty_gap:{duty}:{month}", {
                        "duty": duty, "scope": scope, "unit": owner, "month": month, "months_before": back},
                        (f"no-record:{duty}:{owner}:{month}",)))
    return out


def exposure(graph: OrgGraph, incident: Incident, place: Place) -> list[Fact]:
    """Who held a post in charge of the sector while a hazard at the site existed, other than that day's holder.

    A predecessor answers for failures during their own tenure (规定 Art. 24);
    the exposure window is the hazard's existence before the incident.
    """
    day = incident.day
    out = []
    for hz in graph.hazards_of(incident.site):
        if hz.valid_from > day:
            continue
        h_end = min(hz.valid_to or day, day)
        for sector in place.sectors:
            for a in graph.assignments_onto(node("sector", sector), "in_charge"):
                if not a.post or not place.covers(graph, "sector", a):
                    continue
                current = {h.person for h in graph.holders(a.post, day)} if in_force(
                    a.valid_from, a.valid_to, day) else set()
                for t in graph.tenures_of(a.post):
                    start = max(hz.valid_from, a.valid_from, t.valid_from)
                    ends = [e for e in (h_end, a.valid_to, t.valid_to) if e is not None]
                    end = min(ends)
                    if start >= end or t.person in current:
                        continue
                    out.append(EXPOSURE.fact(f"exposure:{t.person}:{a.id}:{hz.id}:{t.key}", {
                        "person": t.person, "post": a.post, "assignment": a.id, "hazard": hz.id,
                        "sector": sector, "from": start.isoformat(), "to": end.isoformat(),
                        "days": (end - start).days}, (hz.id, a.id, t.key)))
    return out


def units_answerable(graph: OrgGraph, incident: Incident, place: Place) -> list[Fact]:
    """The units the plan makes answerable: the town (§4.1), the village (§4.6.1), the enterprise (§4.5),
    and the town's offices whose business covers the incident's sector (§6.1)."""
    places = [u for u in (place.town, place.village, place.site) if u]
    out = [UNIT.fact(f"unit:{u}", {"unit": u, "name": graph.units[u].name, "unit_kind": graph.units[u].kind,
                                      "sector": ""}, (u,)) for u in places]
    for office in graph.offices(place.town) if place.town else []:
        matched = next((s for s in place.sectors if s in office.sectors), None)
        if matched:
            out.append(UNIT.fact(f"unit:{office.id}", {"unit": office.id, "name": office.name,
                                                          "unit_kind": office.kind, "sector": matched},
                            (office.id,)))
    return out
