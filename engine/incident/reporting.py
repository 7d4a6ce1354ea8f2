"""Context facts for reporting an accident, as 《生产安全事故罚款处罚规定》 Art. 5 defines its failures.

- 迟报 (Art. 5(1)): the first report on a channel after its deadline. ``minutes_after`` counts
  whole minutes rounded up from when the reporter learned of the accident (``learned_at``,
  default the time it occurred): 60 min 00 s is within an hour, 60 min 01 s is not.
- 漏报 (Art. 5(2)): no report on a channel, or a figure left out that existed when reporting
  (``omitted``: deaths or serious injuries known and not stated).
- 谎报 (Art. 5(3)): a figure that contradicts what the reporter knew when reporting
  (``contradicts``). What was known is, by default, the incident's figures; for a report that
  passes on another's (``relayed_from``), what that person had reported, so relaying is not the
  relayer's 谎报; and, over both, what the investigation established (``known_deaths``,
  ``known_serious_injuries``), so a death that came later and was reported by 补报 (条例 Art. 13)
  does not make the first report false. A conduct record of act 谎报 is the other way
  (:mod:`engine.incident.conduct`).
- 瞒报 (Art. 5(4)): everyone the investigation found concealing it, people and units, with or
  without a duty to report (``concealed_by``, or conduct of act 瞒报).

Who had to report on a channel (``report_duty``): whoever a report-duty assignment (kind
``report``) in force on the day names for the site, the village or the town; where none does,
the holders of the roles the law and the plan give the duty by default (``basis`` = the role).
An event (事件) is not an accident: it has no reporting facts at all.
"""
from __future__ import annotations

import math

from engine.incident.fact import Fact, Kind
from engine.incident.place import Place
from engine.org.graph import OrgGraph
from facts.model import Incident, Report
from facts.timeline import in_force

REPORT = Kind("report", {"report": str, "channel": str, "by": str, "person": str, "at": str, "minutes_after": int,
                         "first": bool, "omitted": bool, "contradicts": bool, "relayed": bool},
              description="a report of the incident on a channel: its delay, and how its figures compare with "
                          "what the reporter knew")
REPORT_DUTY = Kind("report_duty", {"channel": str, "person": str, "post": str, "basis": str, "assignment": str},
                   description="a person who had to report on a channel: by a report-duty assignment "
                               "(basis 'assignment') or, where none names anyone, by the role of their post")
CONCEALMENT = Kind("concealment", {"person": str},
                   description="a person the investigation found to have concealed the accident")
UNIT_CONCEALMENT = Kind("unit_concealment", {"unit": str, "name": str, "unit_kind": str},
                        description="a unit the investigation found to have concealed the accident")

#: Each channel: the scope of the unit whose report it is, and the roles that report by default.
REPORTERS = {"enterprise_to_authority": ("site", ("enterprise_principal",)),
             "village_to_town": ("village", ("village_party_secretary", "village_director")),
             "town_to_district": ("town", ("mayor",))}
FIGURES = (("deaths", "known_deaths"), ("serious_injuries", "known_serious_injuries"))


def known(incident: Incident, report: Report) -> tuple[dict[str, int | None], bool]:
    """What the reporter knew of each figure when reporting, and whether the report relays another's.

    A report relays when it passes on, unchanged, the figures of the latest earlier report of the
    person named in ``relayed_from``; changed figures are the relayer's own.
    """
    base: dict[str, int | None] = {"deaths": incident.deaths, "serious_injuries": incident.serious_injuries}
    relayed = False
    if report.relayed_from:
        earlier = [r for r in incident.reports if r.by == report.relayed_from and r.at <= report.at and r is not report]
        source = max(earlier, key=lambda r: r.at)
        base = {"deaths": source.deaths, "serious_injuries": source.serious_injuries}
        relayed = all(getattr(report, f) == base[f] for f, _ in FIGURES)
    for figure, field in FIGURES:
        if getattr(report, field) is not None:
            base[figure] = getattr(report, field)
    return base, relayed


def report_fact(incident: Incident, n: int, r: Report, first: bool) -> Fact:
    rid = f"{incident.id}/report/{n}"
    learned = r.learned_at or incident.occurred_at
    knew, relayed = known(incident, r)
    given = {f: getattr(r, f) for f, _ in FIGURES}
    return REPORT.fact(f"report:{n:03d}", {
        "report": rid, "channel": r.channel, "by": r.by, "person": r.by, "at": r.at.isoformat(),
        "minutes_after": math.ceil((r.at - learned).total_seconds() / 60), "first": first,
        "omitted": any(given[f] is None and (knew[f] or 0) > 0 for f in given),
        "contradicts": any(given[f] is not None and knew[f] is not None and given[f] != knew[f] for f in given),
        "relayed": relayed}, (rid,))


def _duties(graph: OrgGraph, incident: Incident, place: Place, channel: str) -> list[Fact]:
    """Who had to report on the channel that day: the bearers of a report assignment, else the role holders."""
    scope, roles = REPORTERS[channel]
    whose = {"site": place.site, "village": place.village, "town": place.town}[scope]
    day, out = incident.day, []
    for a in graph.report_duties(channel, whose) if whose else ():
        if not in_force(a.valid_from, a.valid_to, day):
            continue
        bearers = [(h.person, h.tenure.key) for h in graph.holders(a.post, day)] if a.post else [(a.person, None)]
        out += [REPORT_DUTY.fact(f"report_duty:{channel}:{person}:{a.id}", {
            "channel": channel, "person": person, "post": a.post or "", "basis": "assignment", "assignment": a.id},
            (a.id,) + ((tenure,) if tenure else ())) for person, tenure in bearers]
    if out:
        return out
    for unit in place.units[scope]:
        for post in graph.posts_of(unit):
            if post.role in roles:
                out += [REPORT_DUTY.fact(f"report_duty:{channel}:{h.person}:{post.id}", {
                    "channel": channel, "person": h.person, "post": post.id, "basis": post.role, "assignment": ""},
                    (h.tenure.key,)) for h in graph.holders(post.id, day)]
    return out


def build(graph: OrgGraph, incident: Incident, place: Place) -> list[Fact]:
    """The reports made, who had to make them, and who concealed the accident (nothing for an event)."""
    if incident.kind == "event":
        return []
    first: dict[str, int] = {}
    for n, r in sorted(enumerate(incident.reports, 1), key=lambda x: (x[1].at, x[0])):
        first.setdefault(r.channel, n)
    out = [report_fact(incident, n, r, first[r.channel] == n) for n, r in enumerate(incident.reports, 1)]
    for channel in REPORTERS:
        out += _duties(graph, incident, place, channel)
    concealers: dict[str, list[str]] = {}
    for who in incident.concealed_by:
        concealers.setdefault(who, []).append(incident.id)
    for c in graph.conduct_of(incident.id):
        if c.act == "concealment" and c.by:
            concealers.setdefault(c.by, []).append(c.id)
    for who, src in sorted(concealers.items()):
        if who in graph.people:
            out.append(CONCEALMENT.fact(f"concealment:{who}", {"person": who}, tuple(sorted(set(src)))))
        else:
            unit = graph.units[who]
            out.append(UNIT_CONCEALMENT.fact(f"unit_concealment:{who}", {
                "unit": who, "name": unit.name, "unit_kind": unit.kind}, tuple(sorted(set(src)))))
    return out
