"""Hypothesis strategies that build valid fact sets by construction.

Rule authors import these to test their own packs; wenze's property tests and
``wenze check`` use them too. Every fact set drawn here passes the model
validation and :func:`facts.load.check_references`, and survives
``load_facts`` of its :meth:`~facts.model.FactSet.dump` unchanged: nothing is
generated and then filtered, so shrinking stays fast and examples stay small.

What a drawn town holds (ids are short and predictable, so a shrunk example
reads well):

- sectors ``sec0…`` forming a tree (each parent drawn among the earlier ones);
- units: the town ``town`` with ``party`` (party committee), ``gov``
  (government) and ``bureau`` (an office, sometimes with sectors of its
  business, §6.1, and villages it serves as a 中心, §4.6.2); villages ``v0…``
  with village groups ``v0g0…``; enterprises ``e0…`` in a village, with one or
  two sectors, whose parent is the town or their village;
- people ``p0…``;
- posts: ``p_sec`` (party secretary), ``p_mayor``, deputy mayors ``p_dep0…``
  (of rank ``leadership``, or with no rank given), the bureau's head
  ``p_bureau_head``, its 专人 ``p_bureau_safety`` and the shared ``p_officer``
  (enforcement officers, rank ``staff``); ``p_v0_sec`` / ``p_v0_dir`` per village;
  ``p_e0_boss`` / ``p_e0_safety`` per enterprise (its staff appear as the people
  ``involved`` in an incident);
- tenures ``t0…``: each single-holder post goes through a succession of
  periods on arbitrary days, each held by someone or left vacant, every other
  one in an acting capacity (代), the last one possibly open-ended; the shared
  officers' post gets a few holders with free intervals;
- assignments ``a0…`` (分管 / 分管安全生产 / 驻村 or 驻企 / 包村 / 包社), bound to a
  town post (passing to its holder, §6.3; sometimes a head's) or to a person,
  each in force over its own interval; sometimes a cadre of an incident's
  village group (包社), or of its village (驻村), in force on its day; and
  ``w0…``, a division of work around an incident: someone in charge of its
  sector (or a parent), its site or village, or safety, stationed there or
  liaising with it;
- incidents ``inc0…`` (at least one) at an enterprise, with casualties, loss,
  people involved, sometimes a village group, reports on the three channels
  (on time or late around the 1 h / 2 h deadlines, figures given, left out or
  understated) and people found to have concealed it;
- hazards ``h0…`` at incident sites, existing over a period before the day
  (sometimes ended), each perhaps found by an inspection of its site and its
  rectification ordered by one and accepted by a signature (an acceptance)
  or never; each incident with zero to two causes ``inc0c0…`` (direct or
  indirect), resting on some hazards of its site or on none;
- inspections ``i0…`` and signatures ``s0…`` of enterprise sites, dated
  around the incidents (before, after, inside and outside the look-back
  windows), an inspection sometimes timed (``at``) and finding some hazards of
  its site (never with outcome passed), a signature sometimes citing an
  inspection of the same site, covering hazards and causes of its site (or
  nothing) in a capacity (``role``) of its own or its document's;
- duty records ``r0…``: per incident, a run of monthly meetings (town) and
  self-inspections (site) ending some months before it, maybe an emergency
  plan and a drill, kept diligently, partly or lapsed; declarations ``d0…``
  that the records of some kinds of the town or of an incident's site are
  complete over a period reaching back from around the incident.
- drawn after all of the above, so that those draws shrink as they did before
  these facts existed: report-duty assignments (kind ``report``), enterprises'
  statuses, what the investigation adds to each incident (now and then an
  event instead of an accident; who died, the site among the concealers,
  reports relaying another's figures or made before a later death), conduct
  ``c0…`` (by people, units or someone unnamed; acts of the aftermath naming
  the incident, others dated before it), resting under the incidents' causes
  or under causes of their own, and orders ``o0…`` to the sites (an event
  always has the stop order it ignored).

Days are drawn as offsets from :data:`BASE_DAY` within :data:`HORIZON` days;
incidents happen at a local time in UTC+8.

Public API
----------
``towns(**sizes)``
    FactSet with at least one incident. Keyword sizes: ``max_sectors``,
    ``max_villages``, ``max_enterprises``, ``max_people``, ``max_deputies``,
    ``max_assignments``, ``max_incidents``, ``max_acts`` (inspections and
    signatures each).
``scenarios(**sizes)``
    ``(FactSet, incident_id)``: a town and one of its incidents.
``unrelated_facts(facts)``
    A FactSet of *new* records only — a village (with a group), a root sector,
    an enterprise there, new people, posts, tenures, assignments, acts and
    possibly an incident — that can touch no incident of ``facts``: no shared
    ids, no shared people, nothing in the incidents' sectors or villages.
    Combine with :func:`merge`.
``unbearing_conduct(facts, incident_id)``
    New conduct records that bear on nothing in the incident (no cause lists
    them; of another incident, of none, or of this one but not of its aftermath).
``new_inspection(facts, incident_id)`` / ``new_signature(facts, incident_id)``
    One more inspection (or signature) of the incident's site by people of
    ``facts``, with a fresh id, dated around the incident day, naming some
    hazards (and causes) of the site.
``act_bearing_on_no_cause(facts, incident_id)``
    A FactSet of one more inspection or signature of the incident's site that,
    by construction, bears on none of the incident's causes.
``without_causes(facts)``
    Plain function: the same facts with every incident's causes taken away.
``shuffled(facts)``
    The same facts with every section in a drawn order.
``merge(*factsets)``
    Plain function: the sections concatenated (no strategy).
``to_yaml(facts)``
    Plain function: the fact file text ``wenze`` loads (used to print examples).

Example::

    from hypothesis import given
    from facts.strategies import scenarios

    @given(scenarios())
    def test_every_link_cites_a_clause(scenario):
        facts, incident = scenario
        ...
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from itertools import count
from typing import Callable

import yaml
from hypothesis import strategies as st

from facts.model import (
    ACCEPTANCES,
    AFTERMATH_ACTS,
    SECTIONS,
    Assignment,
    Cause,
    CauseKind,
    Channel,
    Conduct,
    ConductAct,
    Declaration,
    DocKind,
    DutyRecord,
    FactSet,
    Hazard,
    Incident,
    Inspection,
    Order,
    OrderCheck,
    OrderKind,
    OrderRelay,
    Outcome,
    Person,
    Post,
    Rectification,
    Report,
    Sector,
    Signature,
    SignatureRole,
    StatusKind,
    Tenure,
    Unit,
    UnitStatus,
)
from facts.timeline import in_force
from facts.tree import ancestors

BASE_DAY = date(2020, 1, 1)
HORIZON = 4 * 365
TZ = timezone(timedelta(hours=8))
#: How far around an incident an act may be dated: beyond the shipped 365-day windows, and after the day.
ACT_BEFORE, ACT_AFTER = 420, 30

DOCUMENTS = [d.value for d in DocKind]
OUTCOMES = [o.value for o in Outcome]
ROLES = [r.value for r in SignatureRole]
HAZARD_KINDS = ["边坡浮石", "脚手架连墙件缺失", "静电接地失效", "疏散通道堵塞"]

# Strategies built once: hypothesis validates each new strategy object, which dominates generation time.
_BOOL = st.booleans()
_DAY = st.integers(0, HORIZON)
_LENGTH = st.integers(1, HORIZON)
_CUTS = st.lists(_DAY, min_size=2, max_size=4, unique=True)
_ACT_OFFSET = st.integers(-ACT_BEFORE, ACT_AFTER)
_DOCUMENT = st.sampled_from(DOCUMENTS)
_OUTCOME = st.sampled_from(OUTCOMES)
_FOUND_OUTCOME = st.sampled_from([o for o in OUTCOMES if o != "passed"])
_CAUSE_KIND = st.sampled_from([k.value for k in CauseKind])
_CAUSES = st.integers(0, 2)
_HAZARDS = st.integers(1, 3)
_CHANNEL = st.sampled_from([c.value for c in Channel])
_LEARNED = st.integers(0, 600)
_REPORT_DELAY = st.sampled_from([0, 30, 60, 61, 119, 120, 121, 600])
_MONTHS_BACK = st.integers(0, 4)
_STREAK = st.integers(0, 6)
_RECORD_AGE = st.integers(0, 1000)
_PLAN_AGE = st.integers(0, 1500)  # a plan or a drill: often older than the two years of a drill's interval
#: How a town keeps its records: some given and some declared, all given, or declared complete and lapsed.
_RECORD_KEEPING = st.sampled_from(["mixed", "diligent", "lapsed"])
_DEPUTY_RANK = st.sampled_from(["leadership", "leadership", "leadership", None])
_DECLARED_BACK = st.sampled_from([20, 800, 1200, 1500])
LAPSED_BACK = 1500  # days a lapsed town's records are declared complete: beyond every check of the pack
_DUTY_BACK = st.sampled_from([10, 900, 1500])
_LOSS = st.sampled_from([0, 50_000, 2_000_000, 15_000_000, 60_000_000])
_EVENT = st.sampled_from([False] * 7 + [True])  # an event (事件) now and then, not what it shrinks to
_ACT = st.sampled_from([a.value for a in ConductAct])
_AFTER_ACTS = sorted(AFTERMATH_ACTS)
_BEFORE_ACTS = [a.value for a in ConductAct if a.value not in AFTERMATH_ACTS]
_ORDER_KIND = st.sampled_from([k.value for k in OrderKind])
_STATUS = st.sampled_from([s.value for s in StatusKind])
_BEFORE = st.integers(0, 400)  # days before an incident that conduct or an order is dated
_SHORT = st.integers(0, 60)


def day(offset: int) -> date:
    return BASE_DAY + timedelta(days=offset)


def merge(*factsets: FactSet) -> FactSet:
    """The sections of the fact sets concatenated, in the order given."""
    return FactSet(**{s: [r for f in factsets for r in getattr(f, s)] for s in SECTIONS})


def to_yaml(facts: FactSet) -> str:
    """The facts as a YAML fact file that ``wenze validate`` / ``trace`` load."""
    return yaml.safe_dump(facts.dump(), allow_unicode=True, sort_keys=False, default_flow_style=None, width=120)


def _pick(draw, items: list):
    """One of the items (shrinks towards the first). Indexing a cached integers strategy is far
    cheaper than a new ``sampled_from`` per draw."""
    return items[draw(st.integers(0, len(items) - 1))]


def _maybe(draw, items: list):
    """None (what it shrinks to) or one of the items."""
    return _pick(draw, items) if items and draw(_BOOL) else None


def _subset(draw, items: list, min_size: int = 0, max_size: int = 2) -> list:
    """Distinct items, in the order drawn."""
    idx = draw(st.lists(st.integers(0, len(items) - 1), min_size=min_size, max_size=max_size, unique=True)) \
        if items else []
    return [items[i] for i in idx]


def _interval(draw) -> tuple[date, date | None]:
    """A half-open interval [from, to) starting inside the horizon, sometimes still in force."""
    start = draw(_DAY)
    return day(start), (None if draw(_BOOL) else day(start + draw(_LENGTH)))


def _succession(draw, post: str, people: list[str], ids: Callable[[], str]) -> list[Tenure]:
    """Consecutive tenures of one single-holder post: each period held by someone or vacant."""
    cuts = sorted(draw(_CUTS))
    open_end = draw(_BOOL)
    out = []
    for i, (a, b) in enumerate(zip(cuts, cuts[1:])):
        holder = _pick(draw, [*people, None])  # None: the post is vacant for this period
        if holder is None:
            continue
        last = i == len(cuts) - 2
        out.append(Tenure(id=ids(), person=holder, post=post, valid_from=day(a),
                          valid_to=None if last and open_end else day(b), acting=i % 2 == 1))
    return out


def _shared_tenures(draw, post: str, people: list[str], ids: Callable[[], str]) -> list[Tenure]:
    out = []
    for person in _subset(draw, people, 0, 3):
        start, end = _interval(draw)
        out.append(Tenure(id=ids(), person=person, post=post, valid_from=start, valid_to=end))
    return out


def _counter(prefix: str) -> Callable[[], str]:
    c = count()
    return lambda: f"{prefix}{next(c)}"


@dataclass(frozen=True)
class _Acts:
    """What happened at the sites around the anchor incidents: the incidents with their causes, hazards,
    inspections and signatures."""

    incidents: list[Incident]
    hazards: list[Hazard]
    inspections: list[Inspection]
    signatures: list[Signature]


def _acts(draw, facts_people: list[str], sites: list[str], anchors: list[Incident], incidents: list[Incident],
          n_max: int, prefix: str = "") -> _Acts:
    """Hazards at the anchors' sites, the causes of each of the ``incidents`` (resting on some of those
    hazards, or on none), and inspections and signatures of the sites dated around the anchors.

    Every way an act can bear on a cause is drawn by construction: an inspection finds some hazards
    of its site (or none, or something it does not name) at a time of day or not, a hazard is found
    by an inspection and its rectification ordered and accepted or not, a signature covers hazards
    and causes of its site (or nothing) in a capacity of its own (or its document's usual one).
    """
    ids = {kind: _counter(f"{prefix}{kind}") for kind in ("h", "i", "s")}

    def when() -> tuple[date, str]:
        inc = _pick(draw, anchors)
        site = _pick(draw, [inc.site] + [s for s in sites if s != inc.site])
        return inc.day + timedelta(days=draw(_ACT_OFFSET)), site

    hazards = []
    for _ in range(draw(_HAZARDS)):
        inc = _pick(draw, anchors)
        start = inc.day - timedelta(days=draw(_RECORD_AGE))
        end = None if draw(_BOOL) else start + timedelta(days=draw(_LENGTH))
        hazards.append(Hazard(id=ids["h"](), site=inc.site, description="隐患", kind=_pick(draw, HAZARD_KINDS),
                              valid_from=start, valid_to=end))
    at_site = {site: [h.id for h in hazards if h.site == site] for site in {*sites, *(a.site for a in anchors)}}
    with_causes = [inc.model_copy(update={"causes": [
        Cause(id=f"{inc.id}c{n}", kind=draw(_CAUSE_KIND), description="原因", hazards=_subset(draw, at_site[inc.site]))
        for n in range(draw(_CAUSES))]}) for inc in incidents]
    causes_at = {site: [c.id for inc in with_causes if inc.site == site for c in inc.causes] for site in at_site}

    inspections = []
    for _ in range(draw(st.integers(0, n_max))):
        d, site = when()
        found = _subset(draw, [h.id for h in hazards if h.site == site and in_force(h.valid_from, h.valid_to, d)])
        outcome = draw(_FOUND_OUTCOME if found else _OUTCOME)  # found nothing named: passed, or found unnamed
        at = datetime.combine(d, time(draw(st.integers(0, 23))), TZ) if draw(_BOOL) else None
        inspections.append(Inspection(id=ids["i"](), date=d, site=site, inspectors=_subset(draw, facts_people, 1, 2),
                                      outcome=outcome, at=at, hazards_found=found))
    signatures = []
    for _ in range(draw(st.integers(0, n_max))):
        d, site = when()
        document = draw(_DOCUMENT)
        roles = ["party_to_letter"] if document == "responsibility_letter" else ROLES
        signatures.append(Signature(id=ids["s"](), person=_pick(draw, facts_people), date=d, site=site,
                                    document=document,
                                    inspection=_maybe(draw, [i.id for i in inspections if i.site == site]),
                                    role=_maybe(draw, roles), covers=_subset(draw, at_site[site] + causes_at[site])))

    def settled(h: Hazard) -> Hazard:
        """Who found the hazard, and how its rectification went (the acts of its own site)."""
        found_by = _maybe(draw, [i.id for i in inspections if i.site == h.site
                                 and in_force(h.valid_from, h.valid_to, i.date) and i.hazards_found])
        ordered_by = _maybe(draw, [i.id for i in inspections if i.site == h.site])
        accepted = [s.id for s in signatures if s.site == h.site and s.document in ACCEPTANCES]
        rectified = Rectification(ordered_by=ordered_by, due=_maybe(draw, [h.valid_from + timedelta(days=30)]),
                                  accepted_by=_maybe(draw, accepted)) if ordered_by else None
        return h.model_copy(update={"found_by": found_by, "rectified": rectified})

    return _Acts(with_causes, [settled(h) for h in hazards], inspections, signatures)


def _month_day(d: date, back: int) -> date:
    """The 15th of the month ``back`` months before the month of ``d``."""
    m = d.year * 12 + d.month - 1 - back
    return date(m // 12, m % 12 + 1, 15)


def _duty_records(draw, keeping: str, anchors: list[Incident], town_units: list[str],
                  ids: Callable[[], str]) -> list[DutyRecord]:
    """Periodic duties around an incident: a run of months with meetings (the town) and with
    self-inspections (the site), ending some months before it; maybe a plan and a drill.
    A diligent town has them all: every month's records, a plan, a recent drill; a lapsed one
    (its records declared complete, see :func:`_declarations`) no plan and no recent drill."""
    out = []
    diligent = keeping == "diligent"
    for inc in anchors:
        for kind, units in (("monthly_meeting", town_units), ("self_inspection", [inc.site])):
            unit, first = _pick(draw, units), 0 if diligent else draw(_MONTHS_BACK)
            out += [DutyRecord(id=ids(), kind=kind, unit=unit, date=_month_day(inc.day, back))
                    for back in range(first, first + (7 if diligent else draw(_STREAK)))]
        for kind in ("emergency_plan", "drill"):
            if keeping == "lapsed":
                continue
            if diligent or draw(_BOOL):
                out.append(DutyRecord(id=ids(), kind=kind, unit=_pick(draw, town_units),
                                      date=inc.day - timedelta(days=draw(_PLAN_AGE) // (4 if diligent else 1))))
    return out


def _declarations(draw, keeping: str, anchors: list[Incident], town_units: list[str],
                  ids: Callable[[], str]) -> list[Declaration]:
    """Declarations that the records of some kinds of the town or of an incident's site are complete,
    over a period reaching back from around an incident (sometimes far enough for every check; a
    lapsed town's, always)."""
    out = []
    for inc in anchors:
        for units, kinds in ((town_units, ["monthly_meeting", "emergency_plan", "drill"]), ([inc.site], ["self_inspection"])):
            if keeping == "lapsed":
                out.append(Declaration(id=ids(), unit=units[0], kinds=kinds,
                                       valid_from=inc.day - timedelta(days=LAPSED_BACK)))
            elif draw(_BOOL) or draw(_BOOL):
                start = inc.day - timedelta(days=draw(_DECLARED_BACK))
                end = None if draw(_BOOL) else inc.day + timedelta(days=draw(st.integers(-40, 40)))
                out.append(Declaration(id=ids(), unit=_pick(draw, units),
                                       kinds=kinds if draw(_BOOL) else _subset(draw, kinds, 1, 3),
                                       valid_from=start, valid_to=end if end is None or end > start else None))
    return out


def _division_of_work(draw, anchors: list[Incident], sectors: dict[str, Sector], sites: dict[str, Unit],
                      holders: list[str], people: list[str], ids: Callable[[], str]) -> list[Assignment]:
    """Duties in force around an incident, as a town's division of work has them: someone in charge
    of its sector or a parent, or of its site or village (分管), of safety (分管安全生产), stationed in
    its village or at its site (驻村, 驻企), or liaising with its village or group (包村, 包社), bound to
    a post or a person, since some time before it (sometimes long enough for every duty over time)
    and often still in force."""
    out = []
    kinds = ("in_charge", "safety", "stationed", "village_liaison", "group_liaison")
    for inc in anchors:
        path = ancestors(inc.sector or sites[inc.site].sectors[0], sectors)  # its sector, then the parents
        for kind in kinds:
            if not (draw(_BOOL) or draw(_BOOL)) or (kind == "group_liaison" and not inc.village_group):
                continue
            places = {"site": inc.site, "village": inc.village or sites[inc.site].village}
            who = {"post": _pick(draw, holders)} if draw(_BOOL) else {"person": _pick(draw, people)}
            start = inc.day - timedelta(days=draw(_DUTY_BACK))
            end = None if draw(_BOOL) else inc.day + timedelta(days=draw(st.integers(-30, 30)))
            if kind == "in_charge":
                target = {"sectors": [_pick(draw, path)]} if draw(_BOOL) or draw(_BOOL) else \
                    {"units": [_pick(draw, list(places.values()))]}
            elif kind == "stationed":
                where = _pick(draw, ["village", "site"])
                target = {where: places[where]}
            elif kind == "village_liaison":
                target = {"village": places["village"]}
            elif kind == "group_liaison":
                target = {"village_group": inc.village_group}
            else:
                target = {}
            out.append(Assignment(id=ids(), kind=kind, valid_from=start,
                                  valid_to=end if end and end > start else None, **who, **target))
    return out


def _incident(draw, id_: str, site: Unit, groups: list[str], people: list[str]) -> Incident:
    at = datetime.combine(day(draw(_DAY)), time(draw(st.integers(0, 23)), draw(st.integers(0, 59))), TZ)
    deaths = draw(st.integers(0, 4))
    injuries = draw(st.integers(0, 12))
    reports = [_report(draw, at, deaths, injuries, people) for _ in range(draw(st.integers(0, 3)))]
    return Incident(id=id_, occurred_at=at, site=site.id,
                    sector=_maybe(draw, site.sectors), village_group=_maybe(draw, groups),
                    deaths=deaths, serious_injuries=injuries,
                    direct_loss_yuan=draw(_LOSS), involved=_subset(draw, people), reports=reports,
                    concealed_by=_subset(draw, people, 0, 1))


def _report(draw, occurred: datetime, deaths: int, injuries: int, people: list[str]) -> Report:
    """A report on a channel, on time or late (around the 1 h and 2 h deadlines), its figures
    given, left out or understated."""
    learned = occurred + timedelta(minutes=draw(_LEARNED)) if draw(_BOOL) else None
    at = (learned or occurred) + timedelta(minutes=draw(_REPORT_DELAY))

    def figure(actual: int) -> int | None:
        return _pick(draw, [actual, None, max(actual - 1, 0)])

    return Report(channel=draw(_CHANNEL), by=_pick(draw, people), at=at, learned_at=learned,
                  deaths=figure(deaths), serious_injuries=figure(injuries))


def _investigated(draw, inc: Incident, people: list[str]) -> Incident:
    """What an investigation adds to an incident: an event (事件) now and then instead of an accident;
    for an accident, who died, the site among those concealing it, and reports that relay another's
    figures (unchanged or not) or whose maker knew fewer deaths than came (a later death)."""
    if draw(_EVENT):
        return Incident(id=inc.id, kind="event", occurred_at=inc.occurred_at, site=inc.site, sector=inc.sector,
                        village_group=inc.village_group, involved=inc.involved, causes=inc.causes)
    reports: list[Report] = []
    for r in inc.reports:
        update: dict = {"known_deaths": max(inc.deaths - 1, 0)} if draw(_BOOL) and draw(_BOOL) else {}
        earlier = [e for e in reports if e.at <= r.at]
        if earlier and draw(_BOOL):
            src = _pick(draw, earlier)
            update["relayed_from"] = src.by
            if draw(_BOOL):
                update.update(deaths=src.deaths, serious_injuries=src.serious_injuries)
        reports.append(r.model_copy(update=update))
    return inc.model_copy(update={"reports": reports, "deceased": _subset(draw, people, 0, min(inc.deaths, 2)),
                                  "concealed_by": inc.concealed_by
                                  + ([inc.site] if draw(_BOOL) and draw(_BOOL) else [])})


def _conduct(draw, incidents: list[Incident], parties: list[str], ids: Callable[[], str]) -> list[Conduct]:
    """Conduct around each incident: by a person, a unit or someone unnamed; naming the incident or not;
    acts of the aftermath on its day, others up to a year or so before."""
    out = []
    for inc in incidents:
        for _ in range(draw(st.integers(0, 3))):
            after = draw(_BOOL)
            act = _pick(draw, _AFTER_ACTS if after else _BEFORE_ACTS)
            by = _pick(draw, [*parties, inc.site, None])
            out.append(Conduct(id=ids(), by=by, actor="" if by else "某人", act=act, source="调查组认定",
                               incident=inc.id if after or draw(_BOOL) else None,
                               date=inc.day if after else inc.day - timedelta(days=draw(_BEFORE))))
    return out


def _causes(draw, incidents: list[Incident], conduct: list[Conduct]) -> list[Incident]:
    """Conduct that could bear on each incident, resting under its causes, or under a cause of its own."""
    out = []
    for inc in incidents:
        fit = [c.id for c in conduct if c.incident in (None, inc.id) and c.start <= inc.day
               and c.act not in AFTERMATH_ACTS]
        causes = [c.model_copy(update={"conduct": _subset(draw, fit, 0, 2)}) for c in inc.causes]
        causes += [Cause(id=f"{inc.id}k{n}", kind=draw(_CAUSE_KIND), description="原因",
                         conduct=_subset(draw, fit, 1, 2))
                   for n in range(draw(st.integers(0, 1)) if fit else 0)]
        out.append(inc.model_copy(update={"causes": causes}))
    return out


def _orders(draw, incidents: list[Incident], issuers: list[str], people: list[str],
            ids: Callable[[], str]) -> list[Order]:
    """Orders to the incidents' sites, dated around them; an event always has a stop order it ignored
    (what an unannounced check finds)."""
    out = []
    for inc in incidents:
        event = inc.kind == "event"
        for n in range(1 if event else draw(st.integers(0, 2))):
            kind = "stop_production" if event else draw(_ORDER_KIND)
            start = inc.day - timedelta(days=draw(_BEFORE) + (1 if event else -30))
            relayed = [OrderRelay(by=_pick(draw, people), date=start + timedelta(days=draw(_SHORT)))] \
                if not event and draw(_BOOL) else []
            until = None if event or draw(_BOOL) else start + timedelta(days=draw(_LENGTH))
            due = start + timedelta(days=draw(_SHORT)) if kind == "rectification" and draw(_BOOL) else None
            checks = [OrderCheck(by=_pick(draw, people), date=start + timedelta(days=draw(_SHORT)))] \
                if draw(_BOOL) else []
            out.append(Order(id=ids(), kind=kind, site=inc.site, by=_pick(draw, issuers), date=start, relayed=relayed,
                             until=until, due=due, enforce=_subset(draw, people, 0, 2), checks=checks,
                             checks_complete=draw(_BOOL)))
    return out


def _report_duties(draw, first: int, posts: list[str], people: list[str], enterprises: list[Unit],
                   villages: list[str]) -> list[Assignment]:
    """Report-duty assignments (kind report): who reports on a channel for a site, a village or the town."""
    out = []
    for a in range(first, first + draw(st.integers(0, 2))):
        who = {"post": _pick(draw, posts)} if draw(_BOOL) else {"person": _pick(draw, people)}
        channel = draw(_CHANNEL)
        whose = {"enterprise_to_authority": [_pick(draw, enterprises).id], "village_to_town": [_pick(draw, villages)],
                 "town_to_district": [] if "post" in who else ["gov"]}[channel]
        start, end = _interval(draw)
        out.append(Assignment(id=f"a{a}", kind="report", valid_from=start, valid_to=end, channels=[channel],
                              units=whose, **who))
    return out


def _statuses(draw) -> list[UnitStatus]:
    """An enterprise's consecutive statuses (none, or one to three periods)."""
    if not draw(_BOOL):
        return []
    cuts = sorted(draw(_CUTS))
    open_end = draw(_BOOL)
    return [UnitStatus(status=draw(_STATUS), valid_from=day(a),
                       valid_to=None if open_end and i == len(cuts) - 2 else day(b))
            for i, (a, b) in enumerate(zip(cuts, cuts[1:]))]


@st.composite
def towns(draw, *, max_sectors: int = 5, max_villages: int = 3, max_enterprises: int = 3, max_people: int = 8,
          max_deputies: int = 3, max_assignments: int = 6, max_incidents: int = 2, max_acts: int = 4) -> FactSet:
    """A town with its org, duties and at least one incident (see the module docstring)."""
    sectors: list[Sector] = []
    for i in range(draw(st.integers(1, max_sectors))):
        parent = _maybe(draw, [s.id for s in sectors])
        sectors.append(Sector(id=f"sec{i}", name=f"行业{i}", parent=parent))
    sector_ids = [s.id for s in sectors]

    units = [Unit(id="town", name="测试镇", kind="town"),
             Unit(id="party", name="镇党委", kind="party_committee", parent="town"),
             Unit(id="gov", name="镇人民政府", kind="government", parent="town")]
    groups: dict[str, list[str]] = {}
    for v in range(draw(st.integers(1, max_villages))):
        vid = f"v{v}"
        units.append(Unit(id=vid, name=f"{v}村", kind="village", parent="town"))
        groups[vid] = [f"{vid}g{g}" for g in range(draw(st.integers(0, 2)))]
        units += [Unit(id=g, name=f"{vid}村{g}社", kind="village_group", parent=vid) for g in groups[vid]]
    units.append(Unit(id="bureau", name="综合行政执法局", kind="office", parent="gov",
                      sectors=_subset(draw, sector_ids, 0, 2), villages=_subset(draw, sorted(groups), 0, 1)))
    enterprises = []
    for e in range(draw(st.integers(1, max_enterprises))):
        village = _pick(draw, sorted(groups))
        enterprises.append(Unit(id=f"e{e}", name=f"企业{e}", kind="enterprise",
                                parent=_pick(draw, ["town", village]), village=village,
                                sectors=_subset(draw, sector_ids, 1, 2)))
    units += enterprises

    people = [f"p{i}" for i in range(draw(st.integers(2, max_people)))]
    town_posts = [Post(id="p_sec", unit="party", title="党委书记", role="party_secretary", rank="leadership"),
                  Post(id="p_mayor", unit="gov", title="镇长", role="mayor", rank="leadership")]
    town_posts += [Post(id=f"p_dep{d}", unit="gov", title="副镇长", role="deputy_mayor", rank=draw(_DEPUTY_RANK))
                   for d in range(draw(st.integers(0, max_deputies)))]
    officer = Post(id="p_officer", unit="bureau", title="执法员", role="enforcement_officer", rank="staff", shared=True)
    bureau = [Post(id="p_bureau_head", unit="bureau", title="局长", role="office_head", rank="leadership"),
              Post(id="p_bureau_safety", unit="bureau", title="安全生产专干", role="safety_manager", rank="staff")]
    posts = [*town_posts, officer, *bureau]
    for vid in sorted(groups):
        posts += [Post(id=f"p_{vid}_sec", unit=vid, title="村党支部书记", role="village_party_secretary"),
                  Post(id=f"p_{vid}_dir", unit=vid, title="村委会主任", role="village_director")]
    for e in enterprises:
        posts += [Post(id=f"p_{e.id}_boss", unit=e.id, title="负责人", role="enterprise_principal"),
                  Post(id=f"p_{e.id}_safety", unit=e.id, title="安全员", role="safety_manager")]

    tenure_ids = _counter("t")
    tenures = []
    for post in posts:
        make = _shared_tenures if post.shared else _succession
        tenures += make(draw, post.id, people, tenure_ids)

    all_groups = [g for gs in groups.values() for g in gs]
    holders = [p.id for p in (*town_posts, officer, *bureau)]
    assignments = []
    for a in range(draw(st.integers(0, max_assignments))):
        kinds = ["in_charge", "safety", "stationed", "village_liaison"] + (["group_liaison"] if all_groups else [])
        kind = _pick(draw, kinds)
        who = {"post": _pick(draw, holders)} if draw(_BOOL) else {"person": _pick(draw, people)}
        start, end = _interval(draw)
        if kind == "in_charge":
            target = ({"units": _subset(draw, sorted(groups) + [e.id for e in enterprises], 1, 2)} if draw(_BOOL)
                      else {"sectors": _subset(draw, sector_ids, 1, 2)})
        elif kind == "safety":
            target = {}
        elif kind == "group_liaison":
            target = {"village_group": _pick(draw, all_groups)}
        elif kind == "stationed" and draw(_BOOL):
            target = {"site": _pick(draw, [e.id for e in enterprises])}  # 驻矿, 驻企
        else:
            target = {"village": _pick(draw, sorted(groups))}
        assignments.append(Assignment(id=f"a{a}", kind=kind, valid_from=start, valid_to=end, **who, **target))

    incidents = []
    for i in range(draw(st.integers(1, max_incidents))):
        site = _pick(draw, enterprises)
        incidents.append(_incident(draw, f"inc{i}", site, groups[site.village], people))
    for inc in incidents:  # the cadre of the incident's group (包社), or of its village (驻村), on its day, sometimes
        if draw(_BOOL):
            village = next(e.village for e in enterprises if e.id == inc.site)
            kind, target = (("group_liaison", {"village_group": inc.village_group}) if inc.village_group
                            else ("stationed", {"village": village}))
            assignments.append(Assignment(id=f"a{len(assignments)}", kind=kind, person=_pick(draw, people),
                                          valid_from=inc.day - timedelta(days=draw(_RECORD_AGE)), **target))

    acts = _acts(draw, people, [e.id for e in enterprises], incidents, incidents, max_acts)
    keeping = draw(_RECORD_KEEPING)
    assignments += _division_of_work(draw, incidents, {s.id: s for s in sectors}, {e.id: e for e in enterprises},
                                     holders, people, _counter("w"))
    duty_records = _duty_records(draw, keeping, incidents, ["town", "party", "gov"], _counter("r"))
    declarations = _declarations(draw, keeping, incidents, ["town", "party", "gov"], _counter("d"))
    # Drawn last, so that the draws above shrink as they did before these facts existed.
    assignments += _report_duties(draw, len(assignments), holders, people, enterprises, sorted(groups))
    units = [u.model_copy(update={"status": _statuses(draw)}) if u.kind == "enterprise" else u for u in units]
    incidents = [_investigated(draw, i, people) for i in acts.incidents]
    conduct = _conduct(draw, incidents, [*people, *(e.id for e in enterprises)], _counter("c"))
    incidents = _causes(draw, incidents, conduct)
    orders = _orders(draw, incidents, ["gov", "bureau", *people], people, _counter("o"))
    return FactSet(sectors=sectors, units=units, people=[Person(id=p, name=f"人员{p[1:]}") for p in people],
                   posts=posts, tenures=tenures, assignments=assignments, incidents=incidents,
                   inspections=acts.inspections, signatures=acts.signatures, duty_records=duty_records,
                   hazards=acts.hazards, conduct=conduct, orders=orders, records=declarations)


def scenarios(**sizes) -> st.SearchStrategy[tuple[FactSet, str]]:
    """A town and the id of one of its incidents."""
    return towns(**sizes).flatmap(
        lambda f: st.tuples(st.just(f), st.sampled_from([i.id for i in f.incidents])))


def _ids(facts: FactSet) -> set[str]:
    return {getattr(r, "id", None) or "" for s in SECTIONS for r in getattr(facts, s)}


def _free_prefix(facts: FactSet, stem: str) -> str:
    """A prefix no id of the facts starts with, so new ids cannot collide."""
    ids = _ids(facts)
    n = 0
    while any(i.startswith(f"{stem}{n}_") for i in ids):
        n += 1
    return f"{stem}{n}_"


@st.composite
def unrelated_facts(draw, facts: FactSet) -> FactSet:
    """New records elsewhere in the town that no incident of ``facts`` can see (merge them in).

    A new village (with one group) under the first town unit, a new root sector,
    an enterprise in both, new people holding its posts, duties onto the new
    village, sector and enterprise only, acts and orders on the new enterprise only,
    and perhaps an incident there, with its conduct and causes. Nothing refers to an
    existing person, post, village, sector or incident, so no existing incident's
    context changes.
    """
    x = _free_prefix(facts, "other")
    town = next((u.id for u in facts.units if u.kind == "town"), None)
    village, group, sector, site = f"{x}village", f"{x}group", f"{x}sector", f"{x}site"
    people = [f"{x}p{i}" for i in range(draw(st.integers(1, 4)))]
    enterprise = Unit(id=site, name="他村企业", kind="enterprise", parent=village, village=village, sectors=[sector])
    posts = [Post(id=f"{x}vsec", unit=village, title="他村书记", role="village_party_secretary"),
             Post(id=f"{x}boss", unit=site, title="他村企业负责人", role="enterprise_principal")]
    tenure_ids = _counter(f"{x}t")
    tenures = [t for p in posts for t in _succession(draw, p.id, people, tenure_ids)]
    assignments = []
    for i, (kind, target) in enumerate([("in_charge", {"sectors": [sector]}), ("in_charge", {"units": [site]}),
                                        ("stationed", {"village": village}),
                                        ("village_liaison", {"village": village}),
                                        ("group_liaison", {"village_group": group})]):
        if draw(_BOOL):
            start, end = _interval(draw)
            assignments.append(Assignment(id=f"{x}a{i}", kind=kind, person=_pick(draw, people),
                                          valid_from=start, valid_to=end, **target))
    incidents = [_incident(draw, f"{x}inc", enterprise, [group], people)] if draw(_BOOL) else []
    anchors = incidents or list(facts.incidents) or [_incident(draw, f"{x}anchor", enterprise, [group], people)]
    anchors = [a.model_copy(update={"site": site}) for a in anchors]
    acts = _acts(draw, people, [site], anchors, incidents, 2, x)
    enterprise = enterprise.model_copy(update={"status": _statuses(draw)})
    incidents = [_investigated(draw, i, people) for i in acts.incidents]
    conduct = _conduct(draw, incidents, people, _counter(f"{x}c"))  # of the new incident only
    incidents = _causes(draw, incidents, conduct)
    orders = _orders(draw, anchors, [village, *people], people, _counter(f"{x}o"))
    return FactSet(sectors=[Sector(id=sector, name="他行业")],
                   units=[Unit(id=village, name="他村", kind="village", parent=town),
                          Unit(id=group, name="他村一社", kind="village_group", parent=village), enterprise],
                   people=[Person(id=p, name=f"他人{i}") for i, p in enumerate(people)],
                   posts=posts, tenures=tenures, assignments=assignments, incidents=incidents,
                   inspections=acts.inspections, signatures=acts.signatures, hazards=acts.hazards, conduct=conduct,
                   orders=orders)


def _site_and_id(facts: FactSet, incident_id: str, section: str) -> tuple[Incident, str]:
    inc = next(i for i in facts.incidents if i.id == incident_id)
    return inc, f"{_free_prefix(facts, 'new_' + section)}0"


@st.composite
def new_inspection(draw, facts: FactSet, incident_id: str) -> Inspection:
    """One more inspection of the incident's site, by people of the facts, dated around the incident,
    finding some hazards of the site (or none)."""
    inc, id_ = _site_and_id(facts, incident_id, "inspection")
    d = inc.day + timedelta(days=draw(_ACT_OFFSET))
    found = _subset(draw, [h.id for h in facts.hazards if h.site == inc.site and in_force(h.valid_from, h.valid_to, d)])
    return Inspection(id=id_, date=d, site=inc.site,
                      inspectors=_subset(draw, [p.id for p in facts.people], 1, 2),
                      outcome=draw(_FOUND_OUTCOME if found else _OUTCOME), hazards_found=found)


@st.composite
def new_signature(draw, facts: FactSet, incident_id: str) -> Signature:
    """One more signature on a document about the incident's site, dated around the incident, covering
    some hazards and causes of the site (or nothing), in a drawn capacity or its document's usual one."""
    inc, id_ = _site_and_id(facts, incident_id, "signature")
    named = [h.id for h in facts.hazards if h.site == inc.site]  # what an act of the site may cover
    named += [c.id for i in facts.incidents if i.site == inc.site for c in i.causes]
    document = draw(_DOCUMENT)
    return Signature(id=id_, person=_pick(draw, [p.id for p in facts.people]), site=inc.site,
                     date=inc.day + timedelta(days=draw(_ACT_OFFSET)), document=document,
                     role=_maybe(draw, ["party_to_letter"] if document == "responsibility_letter" else ROLES),
                     covers=_subset(draw, named))


@st.composite
def act_bearing_on_no_cause(draw, facts: FactSet, incident_id: str) -> FactSet:
    """One more inspection or signature of the incident's site that, by construction, bears on none of
    the incident's causes (merge it in).

    A signature covers only what none of the causes is or rests on (other hazards of the site, or
    nothing), in any capacity; an inspection finds every hazard behind a cause that exists on its day
    and suspends the site, or is made when none exists.
    """
    inc = next(i for i in facts.incidents if i.id == incident_id)
    behind = {h for c in inc.causes for h in c.hazards}
    if draw(_BOOL):
        sig = draw(new_signature(facts, incident_id))
        return FactSet(signatures=[sig.model_copy(update={"covers": [
            t for t in sig.covers if t not in behind and t not in {c.id for c in inc.causes}]})])
    ins = draw(new_inspection(facts, incident_id))
    existing = [h.id for h in facts.hazards if h.id in behind and in_force(h.valid_from, h.valid_to, ins.date)]
    if existing:
        ins = ins.model_copy(update={"hazards_found": list(dict.fromkeys([*ins.hazards_found, *existing])),
                                     "outcome": "suspended"})
    return FactSet(inspections=[ins])


def without_causes(facts: FactSet) -> FactSet:
    """The same facts with every incident's causes taken away (and the signatures' covers of them)."""
    causes = {c.id for i in facts.incidents for c in i.causes}
    return facts.model_copy(update={
        "incidents": [i.model_copy(update={"causes": []}) for i in facts.incidents],
        "signatures": [s.model_copy(update={"covers": [t for t in s.covers if t not in causes]})
                       for s in facts.signatures]})


@st.composite
def unbearing_conduct(draw, facts: FactSet, incident_id: str) -> list[Conduct]:
    """Conduct that bears on nothing in the incident: by anyone of the facts (a person, a unit, or
    unnamed), of another incident or of none, or of this one but neither listed by its causes nor an
    act of its aftermath; dated around it."""
    inc = next(i for i in facts.incidents if i.id == incident_id)
    x = _free_prefix(facts, "unbearing")
    parties = [p.id for p in facts.people] + [u.id for u in facts.units]
    others = [i.id for i in facts.incidents if i.id != incident_id]
    out = []
    for n in range(draw(st.integers(1, 3))):
        incident = _pick(draw, [None, *others, incident_id])
        act = _pick(draw, _BEFORE_ACTS) if incident == incident_id else draw(_ACT)
        by = _maybe(draw, parties)
        out.append(Conduct(id=f"{x}{n}", by=by, actor="" if by else "某人", act=act, incident=incident,
                           date=inc.day + timedelta(days=draw(_ACT_OFFSET)), source="调查组认定"))
    return out


@st.composite
def shuffled(draw, facts: FactSet) -> FactSet:
    """The same records with each section in a drawn order."""
    return FactSet(**{s: draw(st.permutations(getattr(facts, s))) for s in SECTIONS})
