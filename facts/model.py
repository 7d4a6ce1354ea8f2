"""The fact format, one pydantic model per record kind.

Users write these files by hand or export them from rosters, so every model
forbids unknown fields (a typo is an error, not a silently ignored key) and
every dated relation uses ``from``/``to`` with the half-open convention of
:mod:`engine.timeline`.
"""
from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, pattern=r"^[^\s]+$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, use_enum_values=True)


class Dated(Record):
    """A relation in force over [from, to); ``to`` omitted = still in force."""

    valid_from: date = Field(alias="from")
    valid_to: date | None = Field(default=None, alias="to")

    @model_validator(mode="after")
    def _to_after_from(self):
        if self.valid_to is not None and self.valid_to <= self.valid_from:
            raise ValueError(
                f"'to' ({self.valid_to}) must be after 'from' ({self.valid_from}); "
                "intervals are half-open [from, to)"
            )
        return self


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
    safety_manager = "safety_manager"
    employee = "employee"


class AssignmentKind(str, Enum):
    in_charge = "in_charge"  # 分管
    stationed = "stationed"  # 驻村
    village_liaison = "village_liaison"  # 包村
    group_liaison = "group_liaison"  # 包社


class Outcome(str, Enum):
    passed = "passed"
    hazards_found = "hazards_found"
    rectification_ordered = "rectification_ordered"
    suspended = "suspended"


class DocKind(str, Enum):
    inspection_record = "inspection_record"
    acceptance = "acceptance"
    rectification_acceptance = "rectification_acceptance"
    permit = "permit"
    responsibility_letter = "responsibility_letter"
    approval = "approval"


class Sector(Record):
    id: Id
    name: Text
    parent: Id | None = None


class Unit(Record):
    id: Id
    name: Text
    kind: UnitKind
    parent: Id | None = None
    village: Id | None = None
    sectors: list[Id] = []

    @model_validator(mode="after")
    def _enterprise_fields(self):
        if self.kind != UnitKind.enterprise.value and (self.village or self.sectors):
            raise ValueError("only an enterprise has 'village' and 'sectors'")
        return self


class Person(Record):
    id: Id
    name: Text


class Post(Record):
    id: Id
    unit: Id
    title: Text
    role: Role
    safety_lead: bool = False
    shared: bool = Field(default=False, description="several people may hold this post at once")


class Tenure(Dated):
    id: Id | None = None
    person: Id
    post: Id
    acting: bool = False

    @property
    def key(self) -> str:
        """The id given, or one derived from person, post and start."""
        return self.id or f"tenure:{self.person}:{self.post}:{self.valid_from.isoformat()}"


class Assignment(Dated):
    id: Id
    kind: AssignmentKind
    post: Id | None = None
    person: Id | None = None
    sectors: list[Id] = []
    units: list[Id] = []
    village: Id | None = None
    village_group: Id | None = None
    source: str = ""

    @model_validator(mode="after")
    def _shape(self):
        if (self.post is None) == (self.person is None):
            raise ValueError("give exactly one of 'post' (passes to the holder, §6.3) or 'person' (personal)")
        kind = self.kind
        if kind == "in_charge" and not (self.sectors or self.units):
            raise ValueError("an in_charge (分管) assignment needs 'sectors' or 'units'")
        if kind in ("stationed", "village_liaison") and not self.village:
            raise ValueError(f"a {kind} assignment needs 'village'")
        if kind == "group_liaison" and not self.village_group:
            raise ValueError("a group_liaison (包社) assignment needs 'village_group'")
        return self

    @property
    def holder_ref(self) -> str:
        return self.post or self.person  # type: ignore[return-value]


class Report(Record):
    by: Id
    to: Text
    at: AwareDatetime
    deaths: int | None = Field(default=None, ge=0)
    serious_injuries: int | None = Field(default=None, ge=0)
    note: str = ""


class Incident(Record):
    id: Id
    occurred_at: AwareDatetime
    site: Id
    sector: Id | None = None
    village: Id | None = None
    village_group: Id | None = None
    deaths: int = Field(default=0, ge=0)
    serious_injuries: int = Field(default=0, ge=0)
    direct_loss_yuan: int = Field(default=0, ge=0)
    description: str = ""
    involved: list[Id] = []
    reports: list[Report] = []

    @property
    def day(self) -> date:
        return self.occurred_at.date()


class Inspection(Record):
    id: Id
    date: date
    site: Id
    inspectors: list[Id] = Field(min_length=1)
    outcome: Outcome
    hazards: list[str] = []


class Signature(Record):
    id: Id
    person: Id
    date: date
    site: Id
    document: DocKind
    inspection: Id | None = None
    title: str = ""


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

    def dump(self) -> dict:
        """Plain data in the file format (``from``/``to`` spelled as users write them)."""
        return self.model_dump(mode="json", by_alias=True, exclude_defaults=True)
