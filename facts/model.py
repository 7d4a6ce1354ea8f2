"""The fact format, one pydantic model per record kind.

Users write these files by hand or export them from rosters, so every model
forbids unknown fields (a typo is an error, not a silently ignored key) and
every dated relation uses ``from``/``to`` with the half-open convention of
:mod:`facts.timeline`. Every value is one of the strict types of
:mod:`facts.values` (a count is never ``true``, a date never a number).
"""
from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from facts.values import Count, Day, Flag, Id, Moment, Name, Prose
from facts.timeline import overlap


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, use_enum_values=True)


class Dated(Record):
    """A relation in force over [from, to); ``to`` omitted = still in force."""

    valid_from: Day = Field(alias="from")
    valid_to: Day | None = Field(default=None, alias="to")

    @field_validator("valid_to")
    @classmethod
    def _to_after_from(cls, v: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("valid_from")
        if v is not None and start is not None and v <= start:
            raise ValueError(f"'to' ({v}) must be after 'from' ({start}): intervals are half-open [from, to), "
                             "so 'to' is the first day no longer in force")
        return v


class UnitKind(str, Enum):
    town = "town"
    party_committee = "party_committee"
    government = "government"
    congress = "congress"
    office = "office"
    village = "village"
    village_group = "village_group"
    enterprise = "enterprise"


class Role(str, Enum):
    party_secretary = "party_secretary"
    mayor = "mayor"
    deputy_party_secretary = "deputy_party_secretary"
    deputy_mayor = "deputy_mayor"
    congress_chair = "congress_chair"
    committee_member = "committee_member"
    office_head = "office_head"
    enforcement_officer = "enforcement_officer"
    cadre = "cadre"
    village_party_secretary = "village_party_secretary"
    village_director = "village_director"
    enterprise_principal = "enterprise_principal"
    safety_manager = "safety_manager"  # 安全员; in an office or a village, the 专人 for its safety work (§6.1, §6.2)
    employee = "employee"


class Rank(str, Enum):
    """A town post's rank: §4.4 names leaders 副科级以上; the others are 一般干部."""

    leadership = "leadership"  # 副科级以上
    staff = "staff"  # 一般干部


class AssignmentKind(str, Enum):
    in_charge = "in_charge"  # 分管
    safety = "safety"  # 分管（主抓）安全生产 (§4.3): the whole territory
    stationed = "stationed"  # 驻村, or 驻矿 / 驻企 at a site
    village_liaison = "village_liaison"  # 包村
    group_liaison = "group_liaison"  # 包社
    report = "report"  # 报告职责: who reports the incident on a channel for the unit


class Outcome(str, Enum):
    passed = "passed"
    hazards_found = "hazards_found"
    rectification_ordered = "rectification_ordered"
    suspended = "suspended"


class CauseKind(str, Enum):
    direct = "direct"  # 直接原因
    indirect = "indirect"  # 间接原因


class SignatureRole(str, Enum):
    """In what capacity a person signed: only an approver or an acceptor answers for what the document covers."""

    approver = "approver"  # 审批、许可
    acceptor = "acceptor"  # 验收、整改验收
    inspector = "inspector"  # 检查人员在检查记录上签字
    inspected_party = "inspected_party"  # 被检查单位负责人在检查记录上签字 (安全生产法 Art. 68)
    party_to_letter = "party_to_letter"  # 责任书的签订方


#: The capacity a signer is taken to have signed in when the record does not say (by document kind).
DEFAULT_ROLE = {"inspection_record": "inspector", "acceptance": "acceptor", "rectification_acceptance": "acceptor",
                "permit": "approver", "responsibility_letter": "party_to_letter", "approval": "approver"}
#: The documents that accept a rectification (a hazard's ``rectified.accepted_by``).
ACCEPTANCES = ("acceptance", "rectification_acceptance")


class DocKind(str, Enum):
    inspection_record = "inspection_record"
    acceptance = "acceptance"
    rectification_acceptance = "rectification_acceptance"
    permit = "permit"
    responsibility_letter = "responsibility_letter"
    approval = "approval"


class Sector(Record):
    id: Id
    name: Name
    parent: Id | None = None


class StatusKind(str, Enum):
    """What an enterprise was allowed to do over a period (证照, 查封, 关闭, 停产)."""

    licensed = "licensed"  # 证照齐全
    unlicensed = "unlicensed"  # 无证照
    illegal = "illegal"  # 非法（取缔对象）
    sealed = "sealed"  # 查封
    closed = "closed"  # 关闭
    suspended = "suspended"  # 停产停业


class UnitStatus(Dated):
    """An enterprise's status over [from, to): operating while sealed or without a licence is a fact rules use."""

    status: StatusKind
    source: Prose = Field(default="", description="the record it rests on (许可证, 查封决定书 …)")


class Unit(Record):
    id: Id
    name: Name
    kind: UnitKind
    parent: Id | None = None
    village: Id | None = None
    sectors: list[Id] = Field(default=[], description=(
        "an enterprise's sectors (行业领域); an office's business (§6.1)"))
    villages: list[Id] = Field(default=[], description=(
        "the villages an office (a 中心) serves: its head answers with their 包村 leader (§4.6.2)"))

    
    status: list[UnitStatus] = Field(default=[], description="the enterprise's status over time (one at a time)")

    @field_validator("village", "sectors", "villages", "status")
    @classmethod
    def _enterprise_only(cls, v, info: ValidationInfo):
        allowed = {"sectors": ("enterprise", "office"), "villages": ("office",)}.get(info.field_name, ("enterprise",))
        if v and info.data.get("kind") not in (None, *allowed):
            raise ValueError(f"only an {' or '.join(allowed)} has '{info.field_name}'; "
                             f"remove it from this {info.data['kind']}")
        return v

    @field_validator("status")
    @classmethod
    def _one_status_at_a_time(cls, v: list[UnitStatus]) -> list[UnitStatus]:
        ordered = sorted(v, key=lambda s: s.valid_from)
        for a, b in zip(ordered, ordered[1:]):
            if overlap(a.valid_from, a.valid_to, b.valid_from, b.valid_to):
                raise ValueError(f"status '{b.status}' from {b.valid_from} overlaps status '{a.status}' from "
                                 f"{a.valid_from}: end the earlier one (its 'to') on {b.valid_from}")
        return v


class Person(Record):
    id: Id
    name: Name


class Post(Record):
    id: Id
    unit: Id
    title: Name
    role: Role
    rank: Rank | None = Field(default=None, description=(
        "leadership (副科级以上) or staff (一般干部), for the town's posts: §4.4 names leaders only"))
    shared: Flag = Field(default=False, description="several people may hold this post at once")
    safety_lead: SkipJsonSchema[Any] = Field(default=None, exclude=True)

    @field_validator("safety_lead")
    @classmethod
    def _safety_is_an_assignment(cls, v: Any, info: ValidationInfo) -> None:
        if v is not None:
            post = info.data.get("id", "POST")
            raise ValueError("a post has no 'safety_lead' any more: 分管安全生产 (§4.3) is a dated assignment. "
                             "Remove it here and write under 'assignments': "
                             f"{{id: safety-{post}, kind: safety, post: {post}, from: YYYY-MM-DD}}")
        return None


class Tenure(Dated):
    id: Id | None = None
    person: Id
    post: Id
    acting: Flag = False

    @property
    def key(self) -> str:
        """The id given, or one derived from person, post and start."""
        return self.id or f"tenure:{self.person}:{self.post}:{self.valid_from.isoformat()}"


class Channel(str, Enum):
    """The reports the rules require, each with its own deadline (pack parameters)."""

    enterprise_to_authority = "enterprise_to_authority"  # 单位负责人 → 县级以上应急管理部门 (493号令 Art. 9: 1 h)
    village_to_town = "village_to_town"  # 村 → 镇政府 (§4.6.1: 及时)
    town_to_district = "town_to_district"  # 镇 → 区政府 (§4.1(7), §3.2(5); 493号令 Art. 11: 2 h)


class Assignment(Dated):
    id: Id
    kind: AssignmentKind
    post: Id | None = None
    person: Id | None = Field(default=None, validate_default=True)
    sectors: list[Id] = []
    units: list[Id] = Field(default=[], validate_default=True)
    village: Id | None = Field(default=None, validate_default=True)
    site: Id | None = Field(default=None, validate_default=True,
                            description="the enterprise a cadre is stationed at (驻矿, 驻企)")
    village_group: Id | None = Field(default=None, validate_default=True)
    within: Id | None = Field(default=None, description=(
        "the territory (a unit) a sector or safety assignment covers; default: the town of the post's unit, "
        "or for a personal assignment the towns of the posts its person holds that day"))
    source: Prose = ""
    channels: list[Channel] = Field(default=[], validate_default=True, description=(
        "the channels a report assignment (kind report) makes its bearer report on, for the unit in 'units' "
        "(default: the unit of its post; for town_to_district, that unit's town)"))

    @field_validator("person")
    @classmethod
    def _one_bearer(cls, v: str | None, info: ValidationInfo) -> str | None:
        if "post" in info.data and (info.data["post"] is None) == (v is None):
            raise ValueError("give exactly one of 'post' (the duty passes to whoever holds it, §6.3) "
                             "or 'person' (a personal assignment)")
        return v

    @field_validator("units")
    @classmethod
    def _in_charge_target(cls, v: list[str], info: ValidationInfo) -> list[str]:
        if info.data.get("kind") == "in_charge" and not v and not info.data.get("sectors"):
            raise ValueError("an in_charge (分管) assignment needs 'sectors' or 'units'")
        return v

    @field_validator("village", "village_group")
    @classmethod
    def _liaison_target(cls, v: str | None, info: ValidationInfo) -> str | None:
        needs = {"village": ("village_liaison",), "village_group": ("group_liaison",)}[info.field_name]
        if v is None and info.data.get("kind") in needs:
            raise ValueError(f"a {info.data['kind']} assignment needs '{info.field_name}'")
        return v

    @field_validator("site")
    @classmethod
    def _stationed_target(cls, v: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("kind")
        if v is not None and kind != "stationed":
            raise ValueError(f"only a stationed assignment (驻矿, 驻企) has 'site'; remove it from this {kind}")
        if kind == "stationed" and (v is None) == (info.data.get("village") is None):
            raise ValueError("a stationed assignment needs exactly one of 'village' (驻村) or 'site' (驻矿, 驻企)")
        return v

    @field_validator("sectors", "units", "village", "village_group")
    @classmethod
    def _safety_has_no_target(cls, v, info: ValidationInfo):
        if v and info.data.get("kind") == "safety":
            raise ValueError(f"a safety assignment (分管安全生产) covers its whole territory: remove "
                             f"'{info.field_name}' (name the territory with 'within')")
        return v

    @field_validator("channels")
    @classmethod
    def _report_channels(cls, v: list[str], info: ValidationInfo) -> list[str]:
        kind = info.data.get("kind")
        if kind == "report" and not v:
            raise ValueError("a report assignment (报告职责) needs 'channels': the reports its bearer makes")
        if v and kind not in (None, "report"):
            raise ValueError(f"only a report assignment has 'channels'; remove it from this {kind} assignment")
        if kind == "report" and info.data.get("post") is None and not info.data.get("units"):
            raise ValueError("a personal report assignment needs 'units': whose reports the person makes")
        return v

    @property
    def holder_ref(self) -> str:
        return self.post or self.person  # type: ignore[return-value]


class Report(Record):
    """One report of the incident: who made it, on which channel, when, what it said and what was known.

    What the reporter knew when reporting decides 谎报 (罚款处罚规定 Art. 5(3): 故意不如实报告): by
    default the incident's figures; for a report that passes on another's (``relayed_from``), what
    that person had reported; and whatever the investigation established (``known_deaths``,
    ``known_serious_injuries``) over both — a death that came later and was reported by 补报
    (条例 Art. 13) was not known to the first report.
    """

    channel: Channel
    by: Id
    to: Prose = ""
    at: Moment
    learned_at: Moment | None = Field(default=None, description=(
        "when the reporter learned of the incident; the deadline runs from here (default: occurred_at)"))
    deaths: Count | None = Field(default=None, description="deaths reported; omitted = left out (漏报)")
    serious_injuries: Count | None = None
    known_deaths: Count | None = Field(default=None, description=(
        "deaths the reporter knew of when reporting, as the investigation established (default: the incident's "
        "deaths, or the relayed report's)"))
    known_serious_injuries: Count | None = None
    relayed_from: Id | None = Field(default=None, description=(
        "the person whose latest earlier report this one passed on: its figures are theirs, not the relayer's"))
    note: Prose = ""


class IncidentKind(str, Enum):
    accident = "accident"  # 生产安全事故
    event = "event"  # 事件: no accident (暗访 found a concealed hazard, an order ignored; 规定 Art. 18(1))


class Cause(Record):
    """A cause the investigation established, and what it rests on: hazards of the site, conduct of people."""

    id: Id = Field(description="unique within the incident (and among the incidents of its site, if a signature "
                               "covers it)")
    kind: CauseKind
    description: Prose
    hazards: list[Id] = Field(default=[], description="ids of the hazards (``hazards``) the cause rests on")
    conduct: list[Id] = Field(default=[], description="ids of the conduct (``conduct``) the cause rests on")


class Incident(Record):
    id: Id
    occurred_at: Moment
    site: Id
    sector: Id | None = None
    village: Id | None = None
    village_group: Id | None = None
    deaths: Count = 0
    serious_injuries: Count = 0
    direct_loss_yuan: Count = 0
    description: Prose = ""
    involved: list[Id] = []
    deceased: list[Id] = Field(default=[], description="people who died in it")
    reports: list[Report] = []
    concealed_by: list[Id] = Field(default=[], description=(
        "people and units the investigation found to have concealed the incident (瞒报)"))
    causes: list[Cause] = Field(default=[], description=(
        "the direct and indirect causes the investigation established; without them no inspection or "
        "signature can be tied to the incident, and they are listed to examine (待核实)"))
    kind: IncidentKind = Field(default="accident", description=(
        "accident (default) or event (事件: no casualties, no grade, no reporting duty)"))

    @field_validator("causes")
    @classmethod
    def _distinct_causes(cls, v: list[Cause]) -> list[Cause]:
        ids = [c.id for c in v]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"cause id {', '.join(repr(i) for i in twice)} is used twice; give each cause its own id")
        return v

    @field_validator("kind")
    @classmethod
    def _an_event_is_no_accident(cls, v: str, info: ValidationInfo) -> str:
        held = [f for f in ("deaths", "serious_injuries", "reports", "concealed_by") if info.data.get(f)]
        if v == "event" and held:
            raise ValueError(f"an event (事件) is not an accident: it has no '{held[0]}'; "
                             f"make it 'kind: accident', or leave out '{held[0]}'")
        return v

    @field_validator("deceased")
    @classmethod
    def _no_more_dead_than_deaths(cls, v: list[str], info: ValidationInfo) -> list[str]:
        deaths = info.data.get("deaths")
        if deaths is not None and len(set(v)) > deaths:
            raise ValueError(f"{len(set(v))} people are listed as having died, but 'deaths' is {deaths}")
        return v

    @property
    def day(self) -> date:
        return self.occurred_at.date()


class Inspection(Record):
    id: Id
    date: Day
    site: Id
    inspectors: list[Id] = Field(min_length=1)
    outcome: Outcome
    hazards: list[Prose] = Field(default=[], description="what the record says it found, in its own words")
    at: Moment | None = Field(default=None, description=(
        "when it began, with its zone: an inspection on the incident's day after the accident never counts"))
    hazards_found: list[Id] = Field(default=[], description="ids of the hazards (``hazards``) it found")

    @field_validator("at")
    @classmethod
    def _at_on_its_day(cls, v: Moment | None, info: ValidationInfo) -> Moment | None:
        day = info.data.get("date")
        if v is not None and day is not None and v.date() != day:
            raise ValueError(f"'at' ({v.isoformat()}) is not on the inspection's date ({day})")
        return v

    @field_validator("hazards_found")
    @classmethod
    def _found_means_not_passed(cls, v: list[str], info: ValidationInfo) -> list[str]:
        if v and info.data.get("outcome") == "passed":
            raise ValueError("an inspection that found hazards did not pass: give its outcome "
                             "(hazards_found, rectification_ordered or suspended)")
        return v


class Signature(Record):
    id: Id
    person: Id
    date: Day
    site: Id
    document: DocKind
    inspection: Id | None = None
    title: Prose = ""
    role: SignatureRole | None = Field(default=None, validate_default=True, description=(
        "in what capacity they signed; default by document: an acceptance's signer accepts, a permit's or an "
        "approval's approves, an inspection record's inspects, a responsibility letter's is a party to it"))
    covers: list[Id] = Field(default=[], description=(
        "ids of the hazards or causes the document approved, accepted, permitted or certified"))

    @field_validator("role")
    @classmethod
    def _letter_is_no_approval(cls, v: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("document") == "responsibility_letter" and v not in (None, "party_to_letter"):
            raise ValueError("a responsibility letter (责任书) records a duty taken on, not an approval: "
                             "its signers are 'party_to_letter'")
        return v

    @property
    def capacity(self) -> str:
        """The role given, else the usual one for the document."""
        return self.role or DEFAULT_ROLE[self.document]


class DutyKind(str, Enum):
    monthly_meeting = "monthly_meeting"  # §4.1(4) 每月至少召开一次防范较大以上安全事故的工作会议
    emergency_plan = "emergency_plan"  # §4.1(6) 制定安全生产事故应急救援预案
    drill = "drill"  # §4.1(6) 适时组织演练
    self_inspection = "self_inspection"  # §4.7(5) 每月不少于一次对本单位安全生产检查


class DutyRecord(Record):
    """A record that a periodic duty was performed: a meeting's minutes, a plan, a drill, a self-inspection."""

    id: Id
    kind: DutyKind
    unit: Id
    date: Day
    people: list[Id] = []
    note: Prose = ""


class Rectification(Record):
    """The rectification of a hazard: the inspection that ordered it, by when, and the signature that accepted it."""

    ordered_by: Id = Field(description="the inspection that ordered it")
    due: Day | None = None
    accepted_by: Id | None = Field(default=None, description=(
        "the signature (an acceptance) that accepted it as done; none = never verified"))


class Hazard(Dated):
    """A hazard at a site over [from, to) (``to``: removed), who found it and how its rectification went."""

    id: Id
    site: Id
    description: Name
    kind: Prose = Field(default="", description="what kind of hazard, in the investigators' words (e.g. 边坡浮石)")
    found_by: Id | None = Field(default=None, description="the inspection that found it")
    rectified: Rectification | None = None


class Declaration(Dated):
    """Records declared complete: every record of these kinds for this unit over [from, to) was loaded.

    Only where such a declaration covers a period is the absence of a record a finding;
    elsewhere it is a data gap (the facts do not show whether the duty was done).
    """

    id: Id | None = None
    unit: Id
    kinds: list[DutyKind] = Field(min_length=1)
    note: Prose = ""

    @property
    def key(self) -> str:
        """The id given, or one derived from unit and start."""
        return self.id or f"records:{self.unit}:{self.valid_from.isoformat()}"


class ConductAct(str, Enum):
    """What the investigation found someone did or failed to do (labels: the word catalog's ``act``)."""

    illegal_command = "illegal_command"  # 违章指挥
    rule_violation = "rule_violation"  # 违章作业
    organised_illegal_production = "organised_illegal_production"  # 组织非法生产
    illegal_production = "illegal_production"  # 非法生产
    illegal_entry = "illegal_entry"  # 非法入井
    illegal_construction = "illegal_construction"  # 违法建设
    unsealing = "unsealing"  # 擅自启封
    defied_stop_order = "defied_stop_order"  # 拒不执行停产指令
    refused_rectification = "refused_rectification"  # 拒不整改
    improper_inspection = "improper_inspection"  # 未按规定检查
    hazard_missed = "hazard_missed"  # 检查未发现隐患
    rectification_not_urged = "rectification_not_urged"  # 未督促整改
    weak_urging = "weak_urging"  # 督促不力
    lax_supervision = "lax_supervision"  # 监管不到位
    oversight_failure = "oversight_failure"  # 失察
    premature_acceptance = "premature_acceptance"  # 整改未验收即验收
    rules_not_implemented = "rules_not_implemented"  # 未落实安全管理制度
    training_lacking = "training_lacking"  # 安全教育培训不到位
    safety_facilities_missing = "safety_facilities_missing"  # 未配备安全设施
    casualties_not_verified = "casualties_not_verified"  # 未核实伤亡情况
    shallow_investigation = "shallow_investigation"  # 调查不深入
    late_report = "late_report"  # 未及时报告
    private_settlement = "private_settlement"  # 私了
    scene_destroyed = "scene_destroyed"  # 破坏事故现场
    evidence_tampered = "evidence_tampered"  # 伪造或销毁证据
    false_report = "false_report"  # 谎报
    concealment = "concealment"  # 瞒报
    other = "other"  # 其他 (the description says what)


#: Acts that happen after an accident, in its reporting and handling (条例 Arts. 35–36, 39): they bear on
#: the accident they name (``incident``), never on a cause, and name their actor without one.
AFTERMATH_ACTS = frozenset({"casualties_not_verified", "late_report", "private_settlement", "scene_destroyed",
                            "evidence_tampered", "false_report", "concealment"})


class Conduct(Record):
    """What the investigation established that a person or a unit did or failed to do.

    It bears on an incident through a cause that lists it (``incidents[].causes[].conduct``), or, for
    an act of the aftermath (:data:`AFTERMATH_ACTS`), through ``incident``. Otherwise it names nobody.
    """

    id: Id
    by: Id | None = Field(default=None, description="the person or unit who did it")
    actor: Prose = Field(default="", description="who did it, in words, when the investigation could not name them")
    incident: Id | None = None
    date: Day | None = None
    valid_from: Day | None = Field(default=None, alias="from")
    valid_to: Day | None = Field(default=None, alias="to")
    act: ConductAct
    description: Prose = ""
    source: Name = Field(description="the record it rests on: 询问笔录, 调查组认定, 现场勘验 …")

    @model_validator(mode="after")
    def _who_and_when(self) -> "Conduct":
        if self.by is None and not self.actor.strip():
            raise ValueError("give 'by' (a person or unit id), or 'actor' (who, in words) when the "
                             "investigation could not name them")
        if self.date is not None and self.valid_from is not None:
            raise ValueError("give 'date' (one day) or 'from'/'to' (a period), not both")
        if self.valid_to is not None and (self.valid_from is None or self.valid_to <= self.valid_from):
            raise ValueError("'to' needs a 'from' before it: periods are half-open [from, to)")
        return self

    @property
    def start(self) -> date | None:
        """The day it was done, or began."""
        return self.date or self.valid_from


class OrderKind(str, Enum):
    stop_production = "stop_production"  # 停产
    suspension = "suspension"  # 停业整顿
    rectification = "rectification"  # 整改


#: Orders that stop the site: an incident while one is in force shows the site operated.
STOP_ORDERS = ("stop_production", "suspension")


class OrderRelay(Record):
    """Who passed an order on, and when (镇 → 村 → 企业)."""

    by: Id
    date: Day
    to: Prose = ""


class OrderCheck(Record):
    """A check that the order was carried out (督促落实)."""

    by: Id
    date: Day
    note: Prose = ""


class Order(Record):
    """A stop or rectification order to a site, who passed it on, and who had to see it carried out.

    It reaches the site on its ``date``, or on the last ``relayed`` date, and is in force until
    ``until`` (half-open; none = still in force). ``checks`` are the follow-up checks the facts
    record; ``checks_complete`` says the investigation established all of them, so that no check
    means nobody checked (otherwise whether anyone did is not known: a data gap).
    """

    id: Id
    kind: OrderKind
    site: Id
    by: Id = Field(description="the issuing unit or person")
    date: Day
    relayed: list[OrderRelay] = []
    until: Day | None = None
    due: Day | None = Field(default=None, description="a rectification order's deadline")
    enforce: list[Id] = Field(default=[], description="the people who had to see it carried out")
    checks: list[OrderCheck] = []
    checks_complete: Flag = Field(default=False, description=(
        "the investigation established every follow-up check: none listed = nobody checked it was carried out"))
    description: Prose = ""
    source: Prose = ""

    @model_validator(mode="after")
    def _dates(self) -> "Order":
        if self.until is not None and self.until <= self.date:
            raise ValueError(f"'until' ({self.until}) must be after 'date' ({self.date}): it is the first day "
                             "the order no longer holds")
        if self.due is not None and (self.kind != "rectification" or self.due < self.date):
            raise ValueError("'due' is a rectification order's deadline, on or after its 'date'")
        early = [f"{part} by {x.by} on {x.date}" for part, xs in (("relayed", self.relayed), ("checks", self.checks))
                 for x in xs if x.date < self.date]
        if early:
            raise ValueError(f"{early[0]} is before the order's date {self.date}")
        return self

    @property
    def received(self) -> date:
        """The day the order reached the site."""
        return max([self.date, *(r.date for r in self.relayed)])


#: The sections of a fact file, in the order they are loaded and dumped.
SECTIONS: dict[str, type[Record]] = {
    "sectors": Sector,
    "units": Unit,
    "people": Person,
    "posts": Post,
    "tenures": Tenure,
    "assignments": Assignment,
    "incidents": Incident,
    "inspections": Inspection,
    "signatures": Signature,
    "duty_records": DutyRecord,
    "hazards": Hazard,
    "conduct": Conduct,
    "orders": Order,
    "records": Declaration,
}


class FactSet(Record):
    """Everything loaded from one or more fact files, merged."""

    sectors: list[Sector] = []
    units: list[Unit] = []
    people: list[Person] = []
    posts: list[Post] = []
    tenures: list[Tenure] = []
    assignments: list[Assignment] = []
    incidents: list[Incident] = []
    inspections: list[Inspection] = []
    signatures: list[Signature] = []
    duty_records: list[DutyRecord] = []
    hazards: list[Hazard] = []
    conduct: list[Conduct] = []
    orders: list[Order] = []
    records: list[Declaration] = []

    def dump(self) -> dict:
        """Plain data in the file format (``from``/``to`` spelled as users write them)."""
        return self.model_dump(mode="json", by_alias=True, exclude_defaults=True)
