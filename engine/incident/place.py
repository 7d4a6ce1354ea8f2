"""Where an incident happened, resolved once and passed to every builder of its context."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from engine.org.graph import OrgGraph
from facts.model import Incident


@dataclass(frozen=True)
class Place:
    """Where an incident happened, resolved once: its site, village, town and sector, and their trees.

    ``here`` is the site's and the village's chain of units up to the town: a sector
    assignment is territorial, so a town's deputy in charge of 非煤矿山 answers for the
    quarries of that town, not of the next town in the same district. ``day`` is the
    incident's: a personal assignment covers the towns of the posts its person holds that day.
    """

    site: str
    village: str | None
    town: str | None
    sectors: tuple[str, ...]  # the incident's sector and its ancestors, nearest first
    here: tuple[str, ...]
    day: date
    #: scope → units whose posts count: the site, the village, the town's leadership, and the town's
    #: offices whose business covers the incident's sector or that serve its village
    units: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, graph: OrgGraph, incident: Incident) -> "Place":
        site = graph.units[incident.site]
        village = incident.village or graph.village_of(site.id)
        town = graph.town_of(site.id)
        here = tuple(dict.fromkeys(graph.unit_path(site.id) + (graph.unit_path(village) if village else [])))
        sectors = tuple(graph.sector_path(incident.sector or site.sectors[0]))
        offices = tuple(o.id for o in (graph.offices(town) if town else ())
                        if set(o.sectors) & set(sectors) or village in o.villages)
        units = {"site": (site.id,), "village": (village,) if village else (),
                 "town": tuple(u.id for u in graph.leadership_units(town)) if town else (), "office": offices}
        return cls(site.id, village, town, sectors, here, incident.day, units)

    def business(self, graph: OrgGraph, office: str) -> str:
        """The incident's sector (or the ancestor) an office's business covers (§6.1); '' for none."""
        return next((s for s in self.sectors if s in graph.units[office].sectors), "")

    def serves(self, graph: OrgGraph, office: str) -> str:
        """The incident's village when an office (a 中心) serves it (§4.6.2); '' otherwise."""
        return self.village if self.village and self.village in graph.units[office].villages else ""

    def owner(self, scope: str) -> str | None:
        """The unit whose records a periodic duty of the scope is: the site, or the town."""
        return {"site": self.site, "town": self.town}.get(scope)

    def scope_of(self, unit: str) -> str:
        """Whether a unit is the town's leadership, the village, the site or an office reached ('' for none)."""
        return next((scope for scope in ("town", "village", "site", "office") if unit in self.units.get(scope, ())), "")

    def covers(self, graph: OrgGraph, kind: str, a) -> bool:
        """Whether a sector or safety assignment reaches this place on its day (unit targets always do)."""
        return kind == "unit" or not self._here.isdisjoint(graph.territories(a, self.day))

    @cached_property
    def _here(self) -> frozenset[str]:
        return frozenset(self.here)
