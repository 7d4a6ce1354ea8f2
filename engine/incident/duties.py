"""Context facts for the duties beyond the four principles: periodic duties, exposure to
hazards over time, and the units the plan makes answerable (reporting: :mod:`engine.incident.reporting`).

Each builder returns :class:`~engine.incident.context.Fact` objects for one incident. An
absence is evidenced too: a month without a self-inspection cites
``no-record:self_inspection:SITE:2023-01``, an id that names exactly what the
facts do not hold, so a finding resting on it can be checked and disputed.
"""
from __future__ import annotations

from datetime import date

from engine.incident.fact import Fact, Kind
from engine.incident.place import Place
from engine.org.graph import OrgGraph, node
from facts.model import Declaration, Incident
from facts.timeline import in_force

DUTY_RECORD = Kind("duty_record", {"duty": str, "scope": str, "unit": str, "record": str, "date": str,
                                   "days_before": int},
                   description="the latest record of a periodic duty of the site or the town")
DUTY_GAP = Kind("duty_gap", {"duty": str, "scope": str, "unit": str, "month": str, "months_before": int},
                description="a checked month with no record of a monthly duty, in a period whose records were "
                            "declared complete (records): a failure of whoever bore the duty that whole month")
RECORDS_GAP = Kind("records_gap", {"duty": str, "scope": str, "unit": str, "unit_name": str, "months": int,
                                   "period": str, "count": int},
                   description="the months among the last `months` checked with no record of a monthly duty and no "
                               "declaration that its records are complete (period: those months): whether the duty "
                               "was done is not known")
RECORDS = Kind("records", {"duty": str, "scope": str, "unit": str, "since": str, "days": int},
               description="the records of a duty of the site or the town declared complete without a break from "
                           "`since` up to the incident's day (days: how many days back)")
EXPOSURE = Kind("exposure", {"person": str, "post": str, "assignment": str, "hazard": str, "sector": str,
                             "from": str, "to": str, "days": int},
                description="a predecessor in charge of the sector while a hazard of the site existed")
UNIT = Kind("unit", {"unit": str, "name": str, "unit_kind": str, "sector": str},
            description="a unit the plan makes answerable: the town, the village, the enterprise, an office")

#: How many full months before the incident's month the periodic duties are checked.
MONTHS_CHECKED = 6
#: The monthly duties: (duty kind, whose records: "site" or "town").
MONTHLY = (("self_inspection", "site"), ("monthly_meeting", "town"))


def _month_start(day: date, back: int) -> date:
    m = day.year * 12 + day.month - 1 - back
    return date(m // 12, m % 12 + 1, 1)


def _month_name(m: int) -> str:
    """A month index (year * 12 + month - 1) as 'YYYY-MM'."""
    return f"{m // 12:04d}-{m % 12 + 1:02d}"


def _month(d: date) -> str:
    return _month_name(d.year * 12 + d.month - 1)


def _covering(declarations: list[Declaration], kind: str, start: date, end: date) -> tuple[str, ...] | None:
    """The keys of the declarations whose periods together cover [start, end) for the kind, or None."""
    used, reach = [], start
    for d in sorted((d for d in declarations if kind in d.kinds), key=lambda d: (d.valid_from, d.key)):
        if d.valid_from <= reach and (d.valid_to is None or d.valid_to > reach):
            used.append(d.key)
            if d.valid_to is None or d.valid_to >= end:
                return tuple(used)
            reach = d.valid_to
    return None


def _since(declarations: list[Declaration], kind: str, day: date) -> tuple[date, tuple[str, ...]] | None:
    """How far back before the day the kind's records are declared complete without a break, and by which."""
    chain: list[Declaration] = []
    reach = day
    for d in sorted((d for d in declarations if kind in d.kinds), key=lambda d: (d.valid_from, d.key), reverse=True):
        if d.valid_from < reach and (d.valid_to is None or d.valid_to >= reach):
            chain.append(d)
            reach = d.valid_from
    return (reach, tuple(sorted(d.key for d in chain))) if chain else None


def _period(months: list[tuple[int, str]]) -> str:
    """Months (months back, YYYY-MM), nearest first, as runs of consecutive months, earliest first:
    '2023-01…2023-03, 2023-05'."""
    runs: list[list[str]] = []
    last = None
    for back, month in months:
        if last is not None and back == last + 1:
            runs[-1][0] = month
        else:
            runs.append([month, month])
        last = back
    return ", ".join(a if a == b else f"{a}…{b}" for a, b in reversed(runs))


def periodic(graph: OrgGraph, incident: Incident, place: Place) -> list[Fact]:
    """The latest record of each periodic duty, the records declared complete, and the checked months
    with no record: a failure where the records were declared complete, a data gap where they were not.

    ``duty_record`` is the latest record of a duty kind for the site or the town
    on or before the day (with its age in days); ``records`` how far back the
    records of a kind are declared complete; ``duty_gap`` a full month before
    the incident's month with no record of a monthly duty, inside a declared
    period; ``records_gap`` the months without a record outside any, for each
    number of months checked (the pack chooses how many).
    """
    day = incident.day
    out = []
    for scope in ("site", "town"):
        latest: dict[str, object] = {}
        months: dict[str, set[str]] = {}
        declarations = [d for unit in place.units[scope] for d in graph.declarations_of(unit)]
        for unit in place.units[scope]:
            for rec in graph.duty_records_of(unit):
                if rec.date <= day:
                    if rec.kind not in latest or (rec.date, rec.id) > (latest[rec.kind].date, latest[rec.kind].id):
                        latest[rec.kind] = rec
                    months.setdefault(rec.kind, set()).add(_month(rec.date))
        for kind, rec in sorted(latest.items()):
            out.append(DUTY_RECORD.fact(f"duty_record:{scope}:{kind}", {
                "duty": kind, "scope": scope, "unit": rec.unit, "record": rec.id, "date": rec.date.isoformat(),
                "days_before": (day - rec.date).days}, (rec.id,)))
        owner = place.owner(scope)
        if not owner:
            continue
        for kind in sorted({k for d in declarations for k in d.kinds}):
            found = _since(declarations, kind, day)
            if found:
                out.append(RECORDS.fact(f"records:{scope}:{kind}", {
                    "duty": kind, "scope": scope, "unit": owner, "since": found[0].isoformat(),
                    "days": (day - found[0]).days}, found[1]))
        for duty, duty_scope in MONTHLY:
            if duty_scope != scope:
                continue
            recorded, kinds = months.get(duty, set()), [d for d in declarations if duty in d.kinds]
            unknown: list[tuple[int, str]] = []
            for back in range(1, MONTHS_CHECKED + 1):
                month = _month_name(day.year * 12 + day.month - 1 - back)
                if month in recorded:
                    continue
                declared = kinds and _covering(kinds, duty, _month_start(day, back), _month_start(day, back - 1))
                if not declared:
                    unknown.append((back, month))
                    continue
                out.append(DUTY_GAP.fact(f"duty_gap:{duty}:{month}", {
                    "duty": duty, "scope": scope, "unit": owner, "month": month, "months_before": back},
                    (f"no-record:{duty}:{owner}:{month}", *declared)))
            fields, src, within = None, (), []
            for n in range(1, MONTHS_CHECKED + 1):  # a window's months change only when one more is unknown
                if unknown and unknown[0][0] == n:
                    within.append(unknown.pop(0))
                    fields = {"duty": duty, "scope": scope, "unit": owner, "unit_name": graph.units[owner].name,
                              "period": _period(within), "count": len(within)}
                    src = tuple(f"no-record:{duty}:{owner}:{m}" for _, m in reversed(within))
                if fields:
                    out.append(RECORDS_GAP.fact(f"records_gap:{duty}:{n}", {**fields, "months": n}, src))
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
    for office in place.units["office"]:
        matched = place.business(graph, office)
        if matched:
            out.append(UNIT.fact(f"unit:{office}", {"unit": office, "name": graph.units[office].name,
                                                       "unit_kind": graph.units[office].kind, "sector": matched},
                                 (office,)))
    return out
