"""Duties and acts come and go; after every step the chain agrees with a plain model of §5.

The machine starts from the small test town with one incident at its quarry, caused by a
hazard there (and another hazard no cause rests on), then assigns and unassigns sectors
(分管) and safety (分管安全生产), stations and withdraws cadres (驻村 / 驻企 / 包村 / 包社),
ends tenures, and adds and removes inspections (finding some hazards or none) and signatures
(covering the hazards, the cause or nothing, in some capacity). After each step the
principles each person is named under (谁分管 · 谁驻村 · 谁检查 · 谁签字) must be what
:func:`four_principles` computes from the raw facts, with no engine code.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from facts.load import load_facts
from facts.model import Assignment, Cause, FactSet, Hazard, Incident, Inspection, Signature
from facts.strategies import DOCUMENTS, OUTCOMES, TZ, merge
from facts.timeline import in_force
from tests.conftest import BASE_TOWN
from tests.properties.support import chain_of, holders

FOUR = ("in_charge", "stationed", "inspected", "signed")
HEAD_ROLES = ("party_secretary", "mayor")
INCIDENT = Incident(id="inc", occurred_at=datetime(2023, 6, 15, 10, 0, tzinfo=TZ), site="pit",
                    village_group="east_g1", deaths=1,
                    causes=[Cause(id="c1", kind="direct", description="边坡浮石滚落", hazards=["hz1"])])
DAY = INCIDENT.day
HAZARDS = [Hazard(id="hz1", site="pit", description="边坡浮石", valid_from=DAY - timedelta(days=200)),
           Hazard(id="hz2", site="pit", description="道路沉降", valid_from=DAY - timedelta(days=400),
                  valid_to=DAY - timedelta(days=100))]
ROLES = ("approver", "acceptor")


def _up(parents: dict[str, str | None], start: str | None) -> list[str]:
    out = []
    while start is not None and start not in out:
        out.append(start)
        start = parents.get(start)
    return out


def four_principles(facts: FactSet, pack, inc: Incident) -> dict[str, set[str]]:
    """Who the four principles of §5 name for the incident, read straight from the facts.

    谁分管: bearers on the day of a 分管 assignment onto the site or a unit above it or its
    village; of one onto the incident's sector or a parent sector when their rank is given
    or they are one of the town's heads (a rank not given is a data gap); and of a 分管安全
    assignment (the pack files it under the same principle).
    谁驻村: bearers of a 驻村 / 包村 assignment onto the village, of a 驻企 one onto the site,
    or of a 包社 one onto the group.
    谁检查: inspectors of the site within the window who missed a hazard behind a cause existing on
    their day (their record names what they found, or they passed the site) or found it without
    suspending the site (no rectification is ever accepted here).
    谁签字: approvers and acceptors, within the window, of a counted document covering the cause
    or a hazard behind it.
    A post-bound assignment is borne by whoever holds the post on the day (§6.3). The town
    is the only one, so a personal sector or safety assignment reaches it when its person
    holds a post that day, and no other time.
    """
    day = inc.day
    units = {u.id: u for u in facts.units}
    site = units[inc.site]
    village = inc.village or site.village
    sectors = set(_up({s.id: s.parent for s in facts.sectors}, inc.sector or site.sectors[0]))
    places = set(_up({u.id: u.parent for u in facts.units}, site.id) + _up({u.id: u.parent for u in facts.units},
                                                                             village))
    out: dict[str, set[str]] = defaultdict(set)

    def name(people, principle):
        for p in people:
            out[p].add(principle)

    posts = {p.id: p for p in facts.posts}
    heads = {p for post in facts.posts if post.role in HEAD_ROLES for p in holders(facts, post.id, day)}

    def held_ranks(person):
        return {posts[t.post].rank for t in facts.tenures if t.person == person and in_force(t.valid_from, t.valid_to, day)}

    for a in facts.assignments:
        if not in_force(a.valid_from, a.valid_to, day):
            continue
        bearers = holders(facts, a.post, day) if a.post else {a.person}
        territorial = bearers if a.post else {p for p in bearers if held_ranks(p)}  # a personal one: posts held
        ranked = {p for p in territorial if (posts[a.post].rank if a.post else held_ranks(p) - {None}) or p in heads}
        if a.kind == "in_charge" and places & set(a.units):
            name(bearers, "in_charge")
        if a.kind == "in_charge" and sectors & set(a.sectors):
            name(ranked, "in_charge")
        if a.kind == "safety":
            name(territorial, "in_charge")
        if (a.kind in ("stationed", "village_liaison") and a.village == village) or \
                (a.kind == "stationed" and a.site == inc.site) or \
                (a.kind == "group_liaison" and a.village_group == inc.village_group):
            name(bearers, "stationed")
    behind = {h for c in inc.causes for h in c.hazards}
    recorded = {i.id for i in facts.inspections if i.hazards_found}  # they say what they found
    for ins in facts.inspections:
        if ins.site != inc.site or not 0 <= (day - ins.date).days <= pack.param("inspection_window_days"):
            continue
        for h in (h for h in facts.hazards if h.id in behind):
            found = h.id in ins.hazards_found
            existed = in_force(h.valid_from, h.valid_to, ins.date)
            if (found and ins.outcome != "suspended") or (
                    not found and existed and (ins.outcome == "passed" or ins.id in recorded)):
                name(ins.inspectors, "inspected")
    for sig in facts.signatures:
        if sig.site == inc.site and 0 <= (day - sig.date).days <= pack.param("signature_window_days") \
                and sig.document in pack.param("signature_kinds") and sig.capacity in ROLES \
                and set(sig.covers) & (behind | {c.id for c in inc.causes}):
            name([sig.person], "signed")
    return dict(out)


BASE = merge(load_facts([BASE_TOWN]), FactSet(incidents=[INCIDENT], hazards=HAZARDS))
PEOPLE = st.sampled_from([p.id for p in BASE.people])
POSTS = st.sampled_from([p.id for p in BASE.posts])
OFFSET = st.integers(-420, 40)  # days from the incident, around the 365-day windows
LENGTH = st.none() | st.integers(1, 800)
SITES = st.sampled_from(["pit", "pit", "diner"])


class FourPrinciplesMachine(RuleBasedStateMachine):
    assignments = Bundle("assignments")
    signatures = Bundle("signatures")

    def __init__(self, pack, backend):
        super().__init__()
        self.pack, self.backend = pack, backend
        self.facts = BASE
        self.serial = 0

    def _id(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}{self.serial}"

    def _with(self, section: str, items: list) -> None:
        self.facts = self.facts.model_copy(update={section: items})

    def _assign(self, by_post: bool, who: str, post: str, start: int, length: int | None, **fields) -> str:
        a = Assignment(id=self._id("m_a"), valid_from=DAY + timedelta(days=start),
                       valid_to=None if length is None else DAY + timedelta(days=start + length),
                       **({"post": post} if by_post else {"person": who}), **fields)
        self._with("assignments", [*self.facts.assignments, a])
        return a.id

    @initialize(target=assignments)
    def the_town_s_own_duties(self):
        return multiple(*(a.id for a in BASE.assignments))

    @rule(target=assignments, by_post=st.booleans(), who=PEOPLE, post=POSTS, start=OFFSET, length=LENGTH,
          sectors=st.lists(st.sampled_from(["industry", "mining", "quarry", "catering"]), min_size=1, max_size=2,
                           unique=True))
    def assign_sectors(self, by_post, who, post, start, length, sectors):
        return self._assign(by_post, who, post, start, length, kind="in_charge", sectors=sectors)

    @rule(target=assignments, by_post=st.booleans(), who=PEOPLE, post=POSTS, start=OFFSET, length=LENGTH,
          units=st.lists(st.sampled_from(["pit", "diner", "east", "west", "town"]), min_size=1, max_size=2,
                         unique=True))
    def assign_units(self, by_post, who, post, start, length, units):
        return self._assign(by_post, who, post, start, length, kind="in_charge", units=units)

    @rule(target=assignments, by_post=st.booleans(), who=PEOPLE, post=POSTS, start=OFFSET, length=LENGTH)
    def assign_safety(self, by_post, who, post, start, length):
        return self._assign(by_post, who, post, start, length, kind="safety")

    @rule(target=assignments, by_post=st.booleans(), who=PEOPLE, post=POSTS, start=OFFSET, length=LENGTH,
          kind=st.sampled_from(["stationed", "village_liaison"]), village=st.sampled_from(["east", "west"]))
    def station_in_a_village(self, by_post, who, post, start, length, kind, village):
        return self._assign(by_post, who, post, start, length, kind=kind, village=village)

    @rule(target=assignments, by_post=st.booleans(), who=PEOPLE, post=POSTS, start=OFFSET, length=LENGTH,
          site=SITES)
    def station_at_a_site(self, by_post, who, post, start, length, site):
        return self._assign(by_post, who, post, start, length, kind="stationed", site=site)

    @rule(target=assignments, by_post=st.booleans(), who=PEOPLE, post=POSTS, start=OFFSET, length=LENGTH)
    def assign_a_village_group(self, by_post, who, post, start, length):
        return self._assign(by_post, who, post, start, length, kind="group_liaison", village_group="east_g1")

    @rule(assignment=consumes(assignments))
    def unassign(self, assignment):
        self._with("assignments", [a for a in self.facts.assignments if a.id != assignment])

    @rule(tenure=st.sampled_from([t.key for t in BASE.tenures]), offset=st.integers(-60, 60))
    def end_a_tenure(self, tenure, offset):
        """The holder leaves the post (earlier or later than the incident); nobody succeeds."""
        end = DAY + timedelta(days=offset)
        self._with("tenures", [t.model_copy(update={"valid_to": end})
                               if t.key == tenure and t.valid_from < end and (t.valid_to is None or end < t.valid_to)
                               else t for t in self.facts.tenures])

    @rule(site=SITES, inspectors=st.lists(PEOPLE, min_size=1, max_size=2, unique=True), offset=OFFSET,
          outcome=st.sampled_from(OUTCOMES), finds=st.lists(st.sampled_from(["hz1", "hz2"]), unique=True))
    def inspect(self, site, inspectors, offset, outcome, finds):
        """An inspection; at the quarry it finds some of the hazards existing that day (then it did not pass)."""
        day = DAY + timedelta(days=offset)
        found = [h.id for h in HAZARDS if h.id in finds and site == h.site and in_force(h.valid_from, h.valid_to, day)]
        ins = Inspection(id=self._id("m_i"), date=day, site=site, inspectors=inspectors,
                         outcome="hazards_found" if found and outcome == "passed" else outcome, hazards_found=found)
        self._with("inspections", [*self.facts.inspections, ins])

    @rule(target=signatures, site=SITES, person=PEOPLE, offset=OFFSET, document=st.sampled_from(DOCUMENTS),
          covers=st.sampled_from([[], ["hz1"], ["c1"], ["hz2"], ["hz1", "hz2"]]),
          role=st.sampled_from([None, *ROLES, "inspector", "inspected_party"]))
    def sign(self, site, person, offset, document, covers, role):
        sig = Signature(id=self._id("m_s"), person=person, date=DAY + timedelta(days=offset), site=site,
                        document=document, covers=covers,
                        role=None if document == "responsibility_letter" else role)
        self._with("signatures", [*self.facts.signatures, sig])
        return sig.id

    @rule(signature=consumes(signatures))
    def withdraw_a_signature(self, signature):
        self._with("signatures", [s for s in self.facts.signatures if s.id != signature])

    @invariant()
    def the_chain_names_whom_the_four_principles_name(self):
        chain = chain_of(self.facts, self.pack, self.backend, INCIDENT.id)
        named = {link.person: {f.principle for f in link.findings} & set(FOUR) for link in chain.links}
        assert {p: s for p, s in named.items() if s} == four_principles(self.facts, self.pack, INCIDENT)


def test_four_principles_after_every_step(pack, durable_backend):
    """After every step of every run, the chain and the model name the same people under the same principles."""
    run_state_machine_as_test(lambda: FourPrinciplesMachine(pack, durable_backend),
                              settings=settings(settings.default, stateful_step_count=15))
