"""Every kind of context fact, its builder and its near misses, listed once.

The schema rule packs are checked against (:data:`SCHEMA`), the builders a
context runs (:data:`BUILDERS`), and the near misses why-not walks
(:data:`NEAR_MISSES`) all come from the :class:`~engine.incident.fact.Kind`
declarations beside the code that builds each kind.
"""
from __future__ import annotations

from typing import Callable, Iterator

from engine.incident import acts, assignments, conduct, duties, orders, posts, reporting
from engine.incident.fact import Candidate, Fact, Kind
from engine.incident.place import Place
from engine.org.graph import OrgGraph
from facts.model import Incident

INCIDENT = Kind("incident", {"incident": str, "incident_kind": str, "date": str, "grade": str, "grade_rank": int,
                             "sector": str,
                             "sector_name": str, "village": str, "village_name": str, "village_group": str,
                             "site": str, "site_name": str, "deaths": int, "serious_injuries": int,
                             "direct_loss_yuan": int},
                description="the incident itself: an accident or an event (事件), where, when, its grade and "
                            "casualties")

KINDS: tuple[Kind, ...] = (INCIDENT, posts.HOLDS, assignments.IN_CHARGE, assignments.LIAISON, acts.INSPECTION,
                           acts.SIGNATURE, acts.INVOLVED, posts.VACANCY, reporting.REPORT, reporting.REPORT_DUTY,
                           reporting.CONCEALMENT, reporting.UNIT_CONCEALMENT, duties.DUTY_RECORD, duties.DUTY_GAP,
                           duties.EXPOSURE, duties.UNIT, duties.RECORDS, duties.RECORDS_GAP, conduct.CONDUCT,
                           conduct.UNIT_CONDUCT, conduct.UNNAMED_CONDUCT, conduct.DECEASED, orders.ORDER,
                           orders.ORDER_DUTY, orders.SITE_STATUS)
BY_NAME: dict[str, Kind] = {k.name: k for k in KINDS}
#: The context-fact schema: kind → field → type.
SCHEMA: dict[str, dict[str, type]] = {k.name: dict(k.fields) for k in KINDS}

Builder = Callable[[OrgGraph, Incident, Place], list[Fact]]
BUILDERS: tuple[Builder, ...] = (posts.build, assignments.build, acts.build, reporting.build, duties.periodic,
                                 duties.exposure, duties.units_answerable, conduct.build, orders.build)

NearMisses = Callable[[OrgGraph, Incident, Place, str], Iterator[Candidate]]
#: For a kind a person can be named through, the facts of that kind the graph holds for them on any
#: day and at any place, each with the implicit conditions of its kind (why-not's candidates).
NEAR_MISSES: dict[str, NearMisses] = {
    "holds": posts.near_misses,
    "in_charge": assignments.in_charge_near_misses,
    "liaison": assignments.liaison_near_misses,
    "inspection": acts.inspection_near_misses,
    "signature": acts.signature_near_misses,
    "conduct": conduct.near_misses,
}


def stands_for_duty(fact: Fact) -> bool:
    """Whether a context fact stands for a duty of the plan borne by someone (or left with nobody)."""
    kind = BY_NAME[fact.kind]
    return bool(kind.duty) and (fact.kind not in ("holds", "vacancy") or posts.bears_duty(fact))
