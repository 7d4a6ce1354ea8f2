"""A synthetic county: an org the size of a real one, and years of incidents, from a seed.

The benchmarks and the batch tests need an organisation far larger than the
example town, with the same shape: towns with their leadership, villages and
village groups, enterprises with principals and safety managers, tenures that
succeed each other (sometimes after a vacancy), divisions of work (分管) that
are redrawn every two years, stationed cadres (驻村) rotated every year, and
the inspections and signatures of every site. The same :class:`CountySpec`
always gives the same records (plain :mod:`random`, seeded; no hypothesis):
it must build 5,000 people, 10,000 enterprises and 100,000 incidents in
seconds.

Run ``python -m facts.synth DIR`` to write a fact dir (``org.json`` with the
org, inspections and signatures; ``incidents.jsonl`` with one incident per
line) that ``wenze batch --org DIR --incidents DIR/incidents.jsonl`` reads.
"""
from __future__ import annotations

import argparse
import json
import random
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

from facts.model import FactSet

CST = timezone(timedelta(hours=8))

#: The sector tree (id, name, parent): roots are what a leader is put in charge of.
SECTORS = (
    ("industry_trade", "工矿商贸", None), ("non_coal_mining", "非煤矿山", "industry_trade"),
    ("sand_gravel", "砂石开采", "non_coal_mining"), ("hazardous_chemicals", "危险化学品", "industry_trade"),
    ("metallurgy", "冶金", "industry_trade"), ("construction", "建筑施工", None), ("gas", "燃气", None),
    ("fuel_retail", "成品油零售", None), ("fire", "消防", None), ("crowded_places", "人员密集场所", "fire"),
    ("road_traffic", "道路交通", None), ("special_equipment", "特种设备", None), ("agriculture", "农业农村", None),
)
#: Sectors an enterprise works in (leaves and mid-tree nodes, so 分管 reaches it at several distances).
SITE_SECTORS = ("sand_gravel", "non_coal_mining", "hazardous_chemicals", "metallurgy", "construction", "gas",
                "fuel_retail", "crowded_places", "fire", "road_traffic", "special_equipment", "agriculture")
#: The town's posts: (suffix, unit suffix, title, role), all of leadership rank (副科级以上). The shared
#: posts of staff rank are added apart; deputy_mayor_1 is the safety lead (an assignment, §4.3).
TOWN_POSTS = (
    ("party_secretary", "party", "党委书记", "party_secretary"),
    ("deputy_party_secretary", "party", "党委副书记", "deputy_party_secretary"),
    ("armed_forces_head", "party", "武装部长", "committee_member"),
    ("publicity_member", "party", "宣传委员", "committee_member"),
    ("discipline_secretary", "party", "纪委书记", "committee_member"),
    ("mayor", "gov", "镇长", "mayor"),
    ("deputy_mayor_1", "gov", "副镇长（分管安全）", "deputy_mayor"),
    ("deputy_mayor_2", "gov", "副镇长", "deputy_mayor"),
    ("deputy_mayor_3", "gov", "副镇长", "deputy_mayor"),
    ("deputy_mayor_4", "gov", "副镇长", "deputy_mayor"),
    ("congress_chair", "congress", "人大主席", "congress_chair"),
    ("enforcement_head", "enforcement", "综合行政执法局局长", "office_head"),
)
#: The posts that can be put in charge of sectors or assigned a village (包村).
LEADER_POSTS = ("deputy_party_secretary", "armed_forces_head", "publicity_member", "discipline_secretary",
                "deputy_mayor_1", "deputy_mayor_2", "deputy_mayor_3", "deputy_mayor_4", "congress_chair")
DOCUMENTS = ("inspection_record", "acceptance", "rectification_acceptance", "permit", "responsibility_letter",
             "approval")
OUTCOMES = ("passed", "hazards_found", "rectification_ordered", "suspended")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞建国海燕文斌波宁辉凯晨浩宇欣怡志"


@dataclass(frozen=True)
class CountySpec:
    """How big a county to build, over which years, from which seed."""

    seed: int = 7
    towns: int = 12
    villages: int = 300
    groups_per_village: int = 2
    enterprises: int = 10_000
    people: int = 5_000
    start: date = date(2019, 1, 1)
    years: int = 5
    incidents: int = 100_000
    inspections_per_site_year: float = 1.0

    @property
    def end(self) -> date:
        return self.start.replace(year=self.start.year + self.years)

    def __post_init__(self) -> None:
        need = self.towns * TOWN_PEOPLE + self.villages * VILLAGE_PEOPLE + 1
        if min(self.towns, self.villages, self.enterprises) < 1 or self.villages < self.towns:
            raise ValueError("a county needs at least one town, one village per town and one enterprise")
        if self.people < need:
            raise ValueError(f"{self.people} people are too few for {self.towns} towns and {self.villages} "
                             f"villages: give at least {need}")


#: People kept per town (leaders, officers, cadres) and per village (its heads, over the years).
TOWN_PEOPLE, VILLAGE_PEOPLE = 38, 2  # 24 leaders (two per post, for successions), officers, cadres
OFFICERS, CADRES = 8, 6


class _County:
    """The builder: one RNG, record lists in the fact-file format, id pools."""

    def __init__(self, spec: CountySpec):
        self.spec = spec
        self.rng = random.Random(spec.seed)
        self.days = (spec.end - spec.start).days
        self.records: dict[str, list[dict]] = {s: [] for s in
                                               ("sectors", "units", "people", "posts", "tenures", "assignments",
                                                "inspections", "signatures")}
        self.officers: dict[str, list[str]] = {}  # town → enforcement officers (person ids)
        self.principal: dict[str, str] = {}  # enterprise → its principal post

    def add(self, section: str, **record) -> dict:
        record = {k: v for k, v in record.items() if v is not None}
        self.records[section].append(record)
        return record

    def day(self, lo: int = 0, hi: int | None = None) -> date:
        """A day between start+lo and start+hi (days)."""
        return self.spec.start + timedelta(days=self.rng.randrange(lo, self.days if hi is None else hi))

    def person(self, pid: str) -> str:
        self.add("people", id=pid, name=self.rng.choice(SURNAMES) + "".join(self.rng.choices(GIVEN, k=2)))
        return pid

    def succession(self, post: str, pool: list[str], first: str | None = None) -> None:
        """Holders of a single-holder post over the years: 1–4 year terms, sometimes a vacancy between."""
        rng, end = self.rng, self.spec.end
        since = self.spec.start - timedelta(days=rng.randrange(30, 700))
        holder = first or rng.choice(pool)
        while True:
            until = since + timedelta(days=rng.randrange(365, 4 * 365))
            if until >= end:
                self.add("tenures", id=f"t-{post}-{since.isoformat()}", person=holder, post=post, **{"from": since})
                return
            self.add("tenures", id=f"t-{post}-{since.isoformat()}", person=holder, post=post,
                     **{"from": since, "to": until})
            since = until + timedelta(days=0 if rng.random() < 0.9 else rng.randrange(1, 90))
            holder = rng.choice(pool)

    def periods(self, years: int) -> Iterator[tuple[date, date | None]]:
        """Consecutive [from, to) periods of the given length covering the span; the last one open."""
        since = self.spec.start - timedelta(days=120)
        while True:
            until = since.replace(year=since.year + years)
            if until >= self.spec.end:
                yield since, None
                return
            yield since, until
            since = until

    def assign(self, aid: str, kind: str, holder: tuple[str, str], since: date, until: date | None, **target) -> None:
        self.add("assignments", id=aid, kind=kind, **{holder[0]: holder[1]}, **target,
                 **{"from": since, "to": until}, source="合成数据 / synthetic")

    # -- the org ------------------------------------------------------------------------

    def build(self) -> dict[str, list[dict]]:
        spec, rng = self.spec, self.rng
        for sid, name, parent in SECTORS:
            self.add("sectors", id=sid, name=name, parent=parent)
        people = iter(f"p{n:05d}" for n in range(1, spec.people + 1))
        villages_of: dict[str, list[str]] = {}
        for t in range(1, spec.towns + 1):
            town = f"t{t:02d}"
            pool = [self.person(next(people)) for _ in range(TOWN_PEOPLE)]
            self.town(town, pool)
            villages_of[town] = []
        village_towns = [f"t{1 + v % spec.towns:02d}" for v in range(spec.villages)]
        groups: dict[str, list[str]] = {}
        for v, town in enumerate(village_towns, 1):
            vid = f"{town}-v{v:03d}"
            villages_of[town].append(vid)
            heads = [self.person(next(people)) for _ in range(VILLAGE_PEOPLE)]
            groups[vid] = self.village(vid, town, heads)
        staff = [self.person(p) for p in people]
        for e in range(1, spec.enterprises + 1):
            town = rng.choice(sorted(villages_of))
            self.enterprise(f"e{e:05d}", town, rng.choice(villages_of[town]), staff)
        self.duties(villages_of, groups)
        return self.records

    def town(self, town: str, pool: list[str]) -> None:
        units = {"party": "party_committee", "gov": "government", "congress": "congress"}
        self.add("units", id=town, name=f"合成{town}镇", kind="town")
        for suffix, kind in units.items():
            self.add("units", id=f"{town}-{suffix}", name=f"{town}{suffix}", kind=kind, parent=town)
        self.add("units", id=f"{town}-enforcement", name=f"{town}综合行政执法局", kind="office", parent=f"{town}-gov")
        leaders = pool[:len(TOWN_POSTS) * 2]
        for n, (suffix, unit, title, role) in enumerate(TOWN_POSTS):
            post = f"{town}-{suffix}"
            self.add("posts", id=post, unit=f"{town}-{unit}", title=title, role=role, rank="leadership")
            self.succession(post, leaders, first=leaders[n])
        officers = pool[len(leaders):len(leaders) + OFFICERS]
        cadres = pool[len(leaders) + OFFICERS:len(leaders) + OFFICERS + CADRES]
        for post, title, role, members in (("officer", "执法队员", "enforcement_officer", officers),
                                           ("cadre", "镇政府干部", "cadre", cadres)):
            pid = f"{town}-{post}"
            unit = f"{town}-enforcement" if post == "officer" else f"{town}-gov"
            self.add("posts", id=pid, unit=unit, title=title, role=role, rank="staff", shared=True)
            for who in members:
                since = self.spec.start - timedelta(days=self.rng.randrange(30, 900))
                until = self.day(365) if self.rng.random() < 0.2 else None
                self.add("tenures", id=f"t-{pid}-{who}", person=who, post=pid, **{"from": since, "to": until})
        self.officers[town] = officers

    def village(self, vid: str, town: str, heads: list[str]) -> list[str]:
        self.add("units", id=vid, name=f"合成{vid}村", kind="village", parent=town)
        for role, title in (("village_party_secretary", "村党支部书记"), ("village_director", "村委会主任")):
            self.add("posts", id=f"{vid}-{role}", unit=vid, title=title, role=role)
            self.succession(f"{vid}-{role}", heads, first=heads[0])
        gids = [f"{vid}-g{g}" for g in range(1, self.spec.groups_per_village + 1)]
        for gid in gids:
            self.add("units", id=gid, name=f"{gid}社", kind="village_group", parent=vid)
        return gids

    def enterprise(self, eid: str, town: str, village: str, staff: list[str]) -> None:
        self.add("units", id=eid, name=f"合成企业{eid}", kind="enterprise", parent=town, village=village,
                 sectors=[self.rng.choice(SITE_SECTORS)])
        for role, title in (("enterprise_principal", "主要负责人"), ("safety_manager", "安全员")):
            self.add("posts", id=f"{eid}-{role}", unit=eid, title=title, role=role)
            self.succession(f"{eid}-{role}", staff)
        officers = self.officers[town]
        per_site = self.spec.inspections_per_site_year * self.spec.years
        for n in range(int(per_site + self.rng.random())):
            iid, when = f"ins-{eid}-{n}", self.day(-365)
            inspectors = self.rng.sample(officers, self.rng.choice((1, 2, 2)))
            self.add("inspections", id=iid, date=when, site=eid, inspectors=inspectors,
                     outcome=self.rng.choice(OUTCOMES))
            if self.rng.random() < 0.8:
                self.add("signatures", id=f"sig-{iid}", person=inspectors[0], date=when, site=eid,
                         document="inspection_record", inspection=iid)
            if self.rng.random() < 0.4:
                self.add("signatures", id=f"sig-{eid}-{n}", person=self.rng.choice(officers), site=eid,
                         date=self.day(-365), document=self.rng.choice(DOCUMENTS))

    def duties(self, villages_of: dict[str, list[str]], groups: dict[str, list[str]]) -> None:
        """分管安全生产 for the whole span; 分管 redrawn every two years (some to an officer personally, who
        covers the town of their post), 包村 likewise, 驻村 rotated yearly, 包社 for the whole span."""
        rng = self.rng
        roots = [s for s, _, parent in SECTORS if parent is None]
        for town, villages in sorted(villages_of.items()):
            posts = [f"{town}-{p}" for p in LEADER_POSTS]
            self.assign(f"{town}-safety", "safety", ("post", f"{town}-deputy_mayor_1"),
                        self.spec.start - timedelta(days=120), None)
            self.assign(f"{town}-charge-safety", "in_charge", ("post", f"{town}-deputy_mayor_1"),
                        self.spec.start - timedelta(days=120), None, units=[f"{town}-enforcement"])
            for n, (since, until) in enumerate(self.periods(2)):
                for sector in roots:
                    if rng.random() < 0.05:  # nobody in charge: a data gap the engine must report
                        continue
                    holder = ("post", rng.choice(posts)) if rng.random() < 0.9 else \
                        ("person", rng.choice(self.officers[town]))
                    self.assign(f"{town}-charge-{sector}-{n}", "in_charge", holder, since, until, sectors=[sector])
                for v in villages:
                    self.assign(f"{v}-liaison-{n}", "village_liaison", ("post", rng.choice(posts)), since, until,
                                village=v)
            for v in villages:
                for n, (since, until) in enumerate(self.periods(1)):
                    self.assign(f"{v}-stationed-{n}", "stationed", ("person", rng.choice(self.officers[town])),
                                since, until, village=v)
                for g in groups[v]:
                    if rng.random() < 0.9:
                        self.assign(f"{g}-group", "group_liaison", ("person", rng.choice(self.officers[town])),
                                    self.spec.start - timedelta(days=120), None, village_group=g)


def county_records(spec: CountySpec = CountySpec()) -> dict[str, list[dict]]:
    """The org, inspections and signatures as fact-file records (no incidents)."""
    return _County(spec).build()


def county(spec: CountySpec = CountySpec()) -> FactSet:
    """The org, inspections and signatures as a validated FactSet (no incidents)."""
    return FactSet.model_validate(county_records(spec), by_alias=True)


def incident_records(spec: CountySpec, org: FactSet, count: int | None = None) -> Iterator[dict]:
    """``count`` incidents (the spec's by default) at random sites and times, as fact-file records.

    Drawn from their own RNG stream, so the org is the same whatever the count.
    """
    rng = random.Random(f"{spec.seed}:incidents")
    sites = [u for u in org.units if u.kind == "enterprise"]
    groups: dict[str, list[str]] = {}
    for u in org.units:
        if u.kind == "village_group":
            groups.setdefault(u.parent, []).append(u.id)
    staff = [p.id for p in org.people][spec.towns * TOWN_PEOPLE + spec.villages * VILLAGE_PEOPLE:]
    seconds = (spec.end - spec.start).days * 86400
    t0 = datetime.combine(spec.start, datetime.min.time(), CST)
    for n in range(1, (spec.incidents if count is None else count) + 1):
        site = rng.choice(sites)
        deaths = rng.choices((0, 1, 2, 3, 10), (60, 30, 5, 4, 1))[0]
        record = {"id": f"inc-{n:06d}", "occurred_at": (t0 + timedelta(seconds=rng.randrange(seconds))).isoformat(),
                  "site": site.id, "deaths": deaths, "serious_injuries": rng.choices((0, 1, 2, 5), (60, 25, 10, 5))[0],
                  "direct_loss_yuan": rng.randrange(0, 5_000_000, 1000), "involved": rng.sample(staff, rng.randint(1, 2))}
        if rng.random() < 0.3 and groups.get(site.village):
            record["village_group"] = rng.choice(groups[site.village])
        yield record


def write_fact_dir(spec: CountySpec, out: Path, incidents: int | None = None) -> tuple[Path, Path]:
    """Write ``org.json`` and ``incidents.jsonl`` under ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    org = county(spec)
    org_path, inc_path = out / "org.json", out / "incidents.jsonl"
    org_path.write_text(json.dumps(org.dump(), ensure_ascii=False) + "\n", encoding="utf-8")
    with inc_path.open("w", encoding="utf-8") as f:
        for record in incident_records(spec, org, incidents):
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return org_path, inc_path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m facts.synth", description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the fact dir to write (org.json, incidents.jsonl)")
    defaults = CountySpec()
    for f in fields(CountySpec):
        if f.name != "start":
            parser.add_argument(f"--{f.name.replace('_', '-')}", type=type(getattr(defaults, f.name)),
                                default=getattr(defaults, f.name))
    args = vars(parser.parse_args(argv))
    out = args.pop("out")
    spec = CountySpec(**args)
    org_path, inc_path = write_fact_dir(spec, out)
    print(f"{org_path}: {asdict(spec)}\n{inc_path}: {spec.incidents} incidents")


if __name__ == "__main__":
    main()
