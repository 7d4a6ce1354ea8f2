"""The organisation as a graph whose every edge carries a validity interval.

Nodes are ``person:ID``, ``post:ID``, ``unit:ID`` and ``sector:ID``. Edges:

- ``holds``      person → post     (a tenure; key = tenure id)
- ``in_charge``  post|person → sector|unit (分管; key = assignment id)
- ``safety``     post|person → the unit of each territory it may cover (分管安全生产, §4.3)
- ``stationed`` / ``village_liaison`` / ``group_liaison``  post|person → unit (a village, a site, a group)
- ``post_of``    post → unit;  ``part_of`` unit → parent unit, sector → parent sector
- ``located_in`` enterprise → village;  ``works_in`` enterprise → sector

Every "as of" query takes a day and filters with :func:`facts.timeline.in_force`.
Queries touch only the neighbourhood of the node asked about, so their cost
does not grow with the size of the org (a district is as fast as a town).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Callable, Iterable, Iterator

import networkx as nx

from facts.model import (
    Assignment,
    Declaration,
    Conduct,
    DutyRecord,
    FactSet,
    Hazard,
    Inspection,
    Order,
    Post,
    Signature,
    Tenure,
    Unit,
)
from facts.timeline import in_force
from facts.tree import ancestors, village_of

TOWN_LEADERSHIP = ("town", "party_committee", "government", "congress")
#: Post ranks, highest first; a person's rank on a day is the highest of the posts they hold.
RANKS = ("leadership", "staff")


def _index(items, field: str, order) -> dict[str, list]:
    """Records grouped by one of their fields, each group sorted: the per-site look-ups of a context."""
    out: dict[str, list] = defaultdict(list)
    for item in items:
        out[getattr(item, field)].append(item)
    return {k: sorted(v, key=order) for k, v in out.items()}


def node(kind: str, id_: str) -> str:
    return f"{kind}:{id_}"


@dataclass(frozen=True)
class Holding:
    """A person holding a post on a day, through one tenure."""

    person: str
    post: Post
    tenure: Tenure


@dataclass(frozen=True)
class Duty:
    """An assignment in force on a day, and who bears it that day.

    ``tenure`` is the holder's tenure when the assignment is bound to a post
    (§6.3: the duty passes to whoever holds the post), None for a personal one.
    """

    person: str
    assignment: Assignment
    tenure: Tenure | None


#: The org's fixed relations (a unit in its parent, an enterprise in its village, a post in its unit, a sector in
#: its parent): the structure a path from a duty to a site walks.
STRUCTURE = ("part_of", "located_in", "works_in", "post_of")


class OrgGraph:
    """Answers who held what, and who answered for what, on a given day."""

    def __init__(self, facts: FactSet):
        self.facts = facts
        self.people = {p.id: p for p in facts.people}
        self.posts = {p.id: p for p in facts.posts}
        self.units = {u.id: u for u in facts.units}
        self.sectors = {s.id: s for s in facts.sectors}
        self.tenures = {t.key: t for t in facts.tenures}
        self.assignments = {a.id: a for a in facts.assignments}
        g = nx.MultiDiGraph()
        for s in facts.sectors:
            g.add_node(node("sector", s.id), kind="sector")
            if s.parent:
                g.add_edge(node("sector", s.id), node("sector", s.parent), "part_of", rel="part_of")
        for u in facts.units:
            g.add_node(node("unit", u.id), kind="unit")
            if u.parent:
                g.add_edge(node("unit", u.id), node("unit", u.parent), "part_of", rel="part_of")
            if u.village:
                g.add_edge(node("unit", u.id), node("unit", u.village), "located_in", rel="located_in")
            for s in u.sectors:
                g.add_edge(node("unit", u.id), node("sector", s), f"works_in:{s}", rel="works_in")
        for p in facts.people:
            g.add_node(node("person", p.id), kind="person")
        for p in facts.posts:
            g.add_node(node("post", p.id), kind="post")
            g.add_edge(node("post", p.id), node("unit", p.unit), "post_of", rel="post_of")
        for t in facts.tenures:
            g.add_edge(node("person", t.person), node("post", t.post), t.key, rel="holds",
                       valid_from=t.valid_from, valid_to=t.valid_to)
        self.g = g
        self._territories: dict[str, str] = {}  # post → the unit its duties cover (see post_territory)
        self._post_tenures: dict[str, tuple[Tenure, ...]] = {}  # post → its tenures in date order
        self._unit_posts: dict[str, tuple[Post, ...]] = {}  # unit → its posts by id
        # Tenures by person: the posts a personal safety charge may cover, and what why-not walks (not a scan).
        self._person_tenures = _index(facts.tenures, "person", lambda t: (t.valid_from, t.post, t.key))
        for a in facts.assignments:
            src = node("post", a.post) if a.post else node("person", a.person)
            targets = [node("sector", s) for s in a.sectors] + [node("unit", u) for u in a.units]
            targets += [node("unit", v) for v in (a.village, a.site, a.village_group) if v]
            if a.kind == "safety":  # onto every territory it may cover: found from the incident's town
                posts = [a.post] if a.post else sorted({t.post for t in self.person_tenures(a.person)})
                targets = [node("unit", t) for t in ([a.within] if a.within else
                                                     sorted({self.post_territory(p) for p in posts}))]
            for t in targets:
                g.add_edge(src, t, a.id, rel=a.kind, valid_from=a.valid_from, valid_to=a.valid_to)
        # Edges indexed by (node, relation): a query reads only the edges it asks about, so the
        # thousand enterprises of a town (each an in-edge of the town and of its sector) cost nothing.
        self._in: dict[tuple[str, str], list[tuple[str, str, dict]]] = {}
        self._out: dict[tuple[str, str], list[tuple[str, str, dict]]] = {}
        for src, dst, key, d in g.edges(keys=True, data=True):
            self._in.setdefault((dst, d["rel"]), []).append((src, key, d))
            self._out.setdefault((src, d["rel"]), []).append((dst, key, d))
        self._inspections = _index(facts.inspections, "site", lambda i: (i.date, i.id))
        self._signatures = _index(facts.signatures, "site", lambda s: (s.date, s.id))
        self._duty_records = _index(facts.duty_records, "unit", lambda r: (r.date, r.id))
        self._hazards = _index(facts.hazards, "site", lambda h: (h.valid_from, h.id))
        self.inspections = {i.id: i for i in facts.inspections}
        self.signatures = {s.id: s for s in facts.signatures}
        self.hazards = {h.id: h for h in facts.hazards}
        self.orders = {o.id: o for o in facts.orders}
        # Who found each hazard: its own found_by and every inspection listing it among hazards_found.
        self._finders: dict[str, set[str]] = defaultdict(set)
        for h in facts.hazards:
            if h.found_by:
                self._finders[h.id].add(h.found_by)
        for i in facts.inspections:
            for h in i.hazards_found:
                self._finders[h].add(i.id)
        self._recorded = {i for found in self._finders.values() for i in found}
        self._declarations = _index(facts.records, "unit", lambda d: (d.valid_from, d.key))
        self.conduct = {c.id: c for c in facts.conduct}
        self._conduct = _index((c for c in facts.conduct if c.incident), "incident", lambda c: c.id)
        self._conduct_by = _index(self.conduct.values(), "by", lambda c: c.id)  # by the person or unit who acted
        self._orders = _index(facts.orders, "site", lambda o: (o.date, o.id))
        # What a person ever bore, for why-not: indexed, not a scan of a county's records.
        self._post_assignments = _index((a for a in facts.assignments if a.post), "post", lambda a: a.id)
        self._person_assignments = _index((a for a in facts.assignments if a.person), "person", lambda a: a.id)

    def inspections_of(self, site: str) -> list[Inspection]:
        return self._inspections.get(site, [])

    def signatures_of(self, site: str) -> list[Signature]:
        return self._signatures.get(site, [])

    def duty_records_of(self, unit: str) -> list[DutyRecord]:
        return self._duty_records.get(unit, [])

    def hazards_of(self, site: str) -> list[Hazard]:
        return self._hazards.get(site, [])

    def found(self, inspection: str, hazard: str) -> bool:
        """Whether the inspection found the hazard (by the hazard's ``found_by`` or the inspection's list)."""
        return inspection in self._finders.get(hazard, ())

    def findings_recorded(self, ins: Inspection) -> bool:
        """Whether the facts say what the inspection found: it passed, or some hazard is recorded as found by it."""
        return ins.outcome == "passed" or ins.id in self._recorded
    def conduct_of(self, incident_id: str) -> list[Conduct]:
        """The conduct records that name the incident (``incident``), by id."""
        return self._conduct.get(incident_id, [])

    def conduct_by(self, party: str) -> list[Conduct]:
        """The conduct records of one person or unit (``by``), by id."""
        return self._conduct_by.get(party, [])

    def orders_of(self, site: str) -> list[Order]:
        return self._orders.get(site, [])

    @cached_property
    def _report_duties(self) -> dict[tuple[str, str], list[Assignment]]:
        """Report-duty assignments by (channel, the unit whose reports they are): a town's reports are its own,
        whichever of its leadership units or offices the assignment names."""
        out: dict[tuple[str, str], list[Assignment]] = defaultdict(list)
        for a in self.facts.assignments:
            if a.kind != "report":
                continue
            units = a.units or [self.posts[a.post].unit]
            for channel in a.channels:
                for u in units:
                    whose = self.town_of(u) if channel == "town_to_district" else u
                    if whose:
                        out[(channel, whose)].append(a)
        return {k: sorted(v, key=lambda a: a.id) for k, v in out.items()}

    def report_duties(self, channel: str, unit: str) -> list[Assignment]:
        """The report-duty assignments (kind report) on a channel for a unit, whatever their dates."""
        return self._report_duties.get((channel, unit), [])

    def declarations_of(self, unit: str) -> list[Declaration]:
        """The declarations that the unit's records of some kinds are complete over a period."""
        return self._declarations.get(unit, [])

    def person_tenures(self, person: str) -> list[Tenure]:
        """Every tenure the person ever had, in date order."""
        return self._person_tenures.get(person, [])

    def assignments_borne(self, person: str, posts: Iterable[str]) -> list[Assignment]:
        """The person's own assignments and those of the posts given, by id."""
        found = {a.id: a for a in self._person_assignments.get(person, [])}
        for post in posts:
            found.update((a.id, a) for a in self._post_assignments.get(post, []))
        return [found[k] for k in sorted(found)]

    def tenures_of(self, post_id: str) -> tuple[Tenure, ...]:
        """Every tenure of the post, whenever it was held, in date order (predecessors; how long a holder
        has held it). Sorted once per post: every incident asks for the posts of its town."""
        if post_id not in self._post_tenures:
            self._post_tenures[post_id] = tuple(sorted(
                (self.tenures[k] for _, k, _ in self._in.get((node("post", post_id), "holds"), ())),
                key=lambda t: (t.valid_from, t.key)))
        return self._post_tenures[post_id]

    # -- time-filtered neighbourhoods -------------------------------------------------

    def _edges_in(self, target: str, rels: tuple[str, ...], day: date) -> Iterator[tuple[str, str, dict]]:
        for rel in rels:
            for src, key, d in self._in.get((target, rel), ()):
                if in_force(d["valid_from"], d["valid_to"], day):
                    yield src, key, d

    def holders(self, post_id: str, day: date) -> list[Holding]:
        """Who holds the post on the day (several for a shared post), by person id. Read from the post's
        tenures in date order: every incident asks this of every post of its town."""
        post = self.posts[post_id]
        out = [Holding(t.person, post, t) for t in self.tenures_of(post_id) if in_force(t.valid_from, t.valid_to, day)]
        return sorted(out, key=lambda h: (h.person, h.tenure.key)) if len(out) > 1 else out

    def posts_held(self, person_id: str, day: date) -> list[Holding]:
        """Every post the person holds on the day (one person may hold several)."""
        out = []
        for dst, key, d in self._out.get((node("person", person_id), "holds"), ()):
            if in_force(d["valid_from"], d["valid_to"], day):
                out.append(Holding(person_id, self.posts[dst.split(":", 1)[1]], self.tenures[key]))
        return sorted(out, key=lambda h: h.post.id)

    def posts_of(self, unit_id: str) -> tuple[Post, ...]:
        """The posts of a unit, by id (sorted once per unit: every incident asks for its town's)."""
        if unit_id not in self._unit_posts:
            ids = [s for s, _, _ in self._in.get((node("unit", unit_id), "post_of"), ())]
            self._unit_posts[unit_id] = tuple(sorted((self.posts[i.split(":", 1)[1]] for i in ids), key=lambda p: p.id))
        return self._unit_posts[unit_id]

    def bearers(self, target: str, rels: tuple[str, ...], day: date,
                where: Callable[[Assignment], bool] | None = None) -> list[Duty]:
        """Who bears the assignments of the given kinds onto a node on the day (those ``where`` keeps).

        A post-bound assignment is borne by each holder of the post that day; a
        personal one by its person. A vacant post bears nothing (see :meth:`vacant_duties`).
        ``where`` filters before the holders are looked up: a sector is a hub of
        every town's assignments, and only the incident's town's are wanted.
        """
        out: list[Duty] = []
        if not any((target, rel) in self._in for rel in rels):  # most units are the target of no duty
            return out
        for _, key, _ in self._edges_in(target, rels, day):
            a = self.assignments[key]
            if where is not None and not where(a):
                continue
            if a.post:
                out.extend(Duty(h.person, a, h.tenure) for h in self.holders(a.post, day))
            else:
                out.append(Duty(a.person, a, None))
        return sorted(out, key=lambda d: (d.assignment.id, d.person))

    def post_territory(self, post_id: str) -> str:
        """The unit a post's duties cover: the town of its unit, else the top of its unit's tree (a district)."""
        if post_id not in self._territories:  # asked for every assignment onto a sector, for every incident
            unit = self.posts[post_id].unit
            self._territories[post_id] = self.town_of(unit) or self.unit_path(unit)[-1]
        return self._territories[post_id]

    def territories(self, a: Assignment, day: date) -> tuple[str, ...]:
        """The units a sector or safety assignment covers on the day: ``within``; else the territory of
        its post; else, for a personal one, the territories of the posts its person holds that day
        (none when they hold none: a personal duty does not reach every town)."""
        if a.within or a.post:
            return (a.within or self.post_territory(a.post),)
        return tuple(sorted({self.post_territory(h.post.id) for h in self.posts_held(a.person, day)}))

    def ranked(self, person: str, day: date) -> Holding | None:
        """The post of highest rank the person holds on the day (None when no post of theirs has a rank)."""
        held = [h for h in self.posts_held(person, day) if h.post.rank]
        return min(held, key=lambda h: (RANKS.index(h.post.rank), h.post.id), default=None)

    def assignments_onto(self, target: str, rel: str) -> list[Assignment]:
        """Every assignment of a kind onto a node, whatever its dates (for exposure windows)."""
        return sorted((self.assignments[k] for _, k, _ in self._in.get((target, rel), ())), key=lambda a: a.id)

    def vacant_duties(self, target: str, rels: tuple[str, ...], day: date,
                      where: Callable[[Assignment], bool] | None = None) -> list[Assignment]:
        """Post-bound assignments onto the node (those ``where`` keeps) whose post nobody holds on the day."""
        if not any((target, rel) in self._in for rel in rels):
            return []
        found = (self.assignments[k] for _, k, _ in self._edges_in(target, rels, day))
        return sorted((a for a in found if a.post and (where is None or where(a)) and not self.holders(a.post, day)),
                      key=lambda a: a.id)

    # -- trees -------------------------------------------------------------------------

    def sector_path(self, sector_id: str) -> list[str]:
        """The sector and its ancestors, nearest first."""
        return ancestors(sector_id, self.sectors)

    def unit_path(self, unit_id: str) -> list[str]:
        """The unit and its ancestors by ``parent``, nearest first."""
        return ancestors(unit_id, self.units)

    def village_of(self, unit_id: str) -> str | None:
        return village_of(unit_id, self.units)

    def town_of(self, unit_id: str) -> str | None:
        """The nearest ancestor of kind town (through the village for an enterprise)."""
        start = [unit_id] + ([self.village_of(unit_id)] if self.village_of(unit_id) else [])
        for s in start:
            for uid in self.unit_path(s):
                if self.units[uid].kind == "town":
                    return uid
        return None

    @cached_property
    def structure(self) -> nx.Graph:
        """The fixed structure (:data:`STRUCTURE`), undirected, each edge with its relation and the end it starts
        from; built once per graph, as a county's has tens of thousands of edges and every explanation walks it."""
        s = nx.Graph()
        for u, v, d in self.g.edges(data=True):
            if d["rel"] in STRUCTURE:
                s.add_edge(u, v, rel=d["rel"], src=u)
        return s

    @cached_property
    def _office_children(self) -> dict[str, list[str]]:
        """Each unit's children that lead or serve it (not its villages and enterprises: thousands in a town)."""
        out: dict[str, list[str]] = {}
        for u in self.units.values():
            if u.parent and (u.kind in TOWN_LEADERSHIP or u.kind == "office"):
                out.setdefault(u.parent, []).append(u.id)
        return out

    def leadership_units(self, town_id: str) -> list[Unit]:
        """The town itself and its party committee, government and congress."""
        ids = [town_id] + [c for c in self._office_children.get(town_id, []) if self.units[c].kind in TOWN_LEADERSHIP]
        return [self.units[i] for i in sorted(ids)]

    def offices(self, town_id: str) -> list[Unit]:
        """The town's offices (办/中心/所/局), under the town or under its leadership units."""
        parents = [town_id] + [u.id for u in self.leadership_units(town_id)]
        ids = {c for p in parents for c in self._office_children.get(p, []) if self.units[c].kind == "office"}
        return [self.units[i] for i in sorted(ids)]
