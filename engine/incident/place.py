"""Where an incident happened, resolved once and passed to every builder of its context."""
from __future__ import annotations

from dataclasses import dataclass, field

from engine.org.graph import OrgGraph
from facts.model import Incident


@dataclass(frozen=True)
class Place:
    """Where an incident happened, resolved once: its site, village, town and sector, and their trees.

    ``here`` is the site's and the village's chain of units up to the town: a sector
    assignment is territorial, so a town's deputy in charge of 非煤矿山 answers for the
    quarries of that town, not of the next town in the same district.
    """

    site: str
    village: str | None
    town: str | None
    sectors: tuple[str, ...]  # the incident's sector and its ancestors, nearest first
    here: tuple[str, ...]
    units: dict[str, tuple[str, ...]] = field(default_factory=dict)  # scope → units whose posts count

    @classmethod
    def of(cls, graph: OrgGraph, incident: Incident) -> "Place":
        site = graph.units[incident.site]
        village = incident.village or graph.village_of(site.id)
        town = graph.town_of(site.id)
        here = tuple(dict.fromkeys(graph.unit_path(site.id) + (graph.unit_path(village) if village else [])))
        units = {"site": (site.id,), "village": (village,) if village else (),
                 "town": tuple(u.id for u in graph.leadership_units(town)) if town else ()}
        return cls(site.id, village, town, tuple(graph.sector_path(incident.sector or site.sectors[0])), here, units)

    def owner(self, scope: str) -> str | None:
        """The unit whose records a periodic duty of the scope is: the site, or the town."""
        return {"site": self.site, "town": self.town}.get(scope)

    def scope_of(self, unit: str) -> str:
        """Whether a unit is the town's leadership, the village or the site ('' for none of them)."""
        return next((scope for scope in ("town", "village", "site") if unit in self.units.get(scope, ())), "")

    def covers(self, graph: OrgGraph, kind: str, a) -> bool:
        """Whether an in_charge assignment reaches this place (unit targets always do)."""
        return kind == "unit" or graph.territory(a) in self.here or graph.territory(a) is None
