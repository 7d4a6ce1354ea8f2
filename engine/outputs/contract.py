"""The JSON contract of ``wenze trace --format json``, as a JSON Schema (``wenze schema --chain``).

The chain is written by :meth:`engine.chain.chain.Chain.as_json`; these models say, field by
field, what it holds, for the people who read it with other tools. They are strict (no field
they do not name), and the tests validate the example town's chains against them, so the
schema and the output cannot drift apart. One incident gives one chain (an object); several
give an array of chains, in the order asked.
"""
from __future__ import annotations

from typing import Any, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ResponsibilityGrade(_Out):
    """A grade of responsibility (直接责任, 主要领导责任 …), as the rule pack's `grades` define it."""

    id: str = Field(description="the grade's id in the rule pack")
    zh: str = Field(description="its words in Chinese, as written in a finding (主要领导责任)")
    en: str = Field(description="its words in English")
    severity: int = Field(description="ordinal: higher is heavier; grades of one kind of party never tie")


class Finding(_Out):
    """One rule that named the party, graded, and the input records it rests on."""

    rule: str = Field(description="the id of the rule of the pack that named the party")
    principle: str = Field(description="the principle the rule encodes (a key of the pack's `principles`)")
    category: str = Field(description="the plan's category of responsibility (a key of the pack's `categories`)")
    clause: Optional[str] = Field(description="the clause of the plan the rule rests on (null for a rule that rests "
                                              "on a source beyond the plan alone)")
    source: Optional[str] = Field(description="the source beyond the plan the rule rests on (a key of the pack's "
                                              "`sources`), if any")
    tier: Optional[str] = Field(description="the band the rule places the party in; null for a failing that "
                                            "places nobody (a late report)")
    evidence: list[str] = Field(description="ids of the input records the finding rests on, sorted")
    mitigated_by: list[str] = Field(description="rules that lower this finding (due diligence shown)")
    grade: str = Field(description="the id of the grade the pack gives the finding ('' for a pack without grades)")
    graded_by: list[str] = Field(description="the gradings (pack section `grading`) that gave the grade")
    escalated_by: list[str] = Field(description="the escalations (pack section `escalations`) that raised it")


class _Party(_Out):
    name: str
    tier: str = Field(description="the highest band the party's post-bound findings reach")
    findings: list[Finding]
    mitigations: list[Finding] = Field(description="findings of mitigating rules (due diligence shown)")
    grade: Optional[ResponsibilityGrade] = Field(description="the heaviest grade among the findings; null for a "
                                                             "pack without grades")
    pursued: bool = Field(description="false: responsible, not pursued (免予追究) — the person died in the incident")
    categories: list[str]
    principles: list[str]
    rules: list[str]
    clauses: list[str]
    sources: list[str] = Field(description="the sources beyond the plan the findings rest on")
    evidence: list[str] = Field(description="every id the findings rest on, sorted")


class Post(_Out):
    post: str
    title: str
    unit: str
    acting: bool


class Link(_Party):
    """A person in the chain."""

    person: str = Field(description="the person's id")
    posts: list[Post] = Field(description="the posts the person held on the incident's day")


class UnitLink(_Party):
    """A unit the plan makes answerable (the enterprise, the village, the town, an office)."""

    unit: str = Field(description="the unit's id")
    kind: str = Field(description="the unit's kind (enterprise, village, town, office)")


class Exoneration(_Out):
    person: str
    rule: str = Field(description="the exonerating rule")
    removed: list[str] = Field(description="the rules whose findings it removed")
    evidence: list[str]


class GapWarning(_Out):
    rule: str = Field(description="the id of the pack's gap")
    clause: str
    message: dict[str, str] = Field(description="the warning in each language (zh, en)")
    evidence: list[str]


class ToExamine(_Out):
    """An act whose bearing on the incident the facts do not decide (待核实): never a link."""

    person: str
    act: str = Field(description="the kind of act (inspection, signature)")
    record: str = Field(description="the id of the act's record")
    rule: str = Field(description="the id of the pack's `examine` entry")
    text: dict[str, str] = Field(description="what the person did, in each language (zh, en)")
    decides: list[str] = Field(description="the facts that would decide, as section[id].field of the fact files")


class AccidentGrade(_Out):
    """The accident's grade by 国务院令第493号 Art. 3 (an event, 事件, has none: id ``event``, rank 0)."""

    id: str
    rank: int = Field(description="1 一般, 2 较大, 3 重大, 4 特别重大; 0 for an event (事件)")
    zh: str
    en: str
    criterion: str = Field(description="the criterion that decided it ('' for 一般 with none reached)")
    threshold: int


class Incident(_Out):
    id: str
    kind: str = Field(description="accident (生产安全事故) or event (事件: no casualties, no grade, no reporting)")
    occurred_at: str = Field(description="ISO 8601 with its zone")
    site: str
    sector: str = Field(description="the incident's sector as resolved (the site's by default)")
    village: Optional[str]
    village_group: Optional[str]
    deaths: int
    serious_injuries: int
    direct_loss_yuan: int
    description: str
    deceased: list[str] = Field(description="ids of the people who died in it")


class RulePackRef(_Out):
    id: str
    digest: str = Field(description="sha256 of the pack as loaded")
    version: str = Field(description="sha256 of the version of the pack in force on the incident's day (the "
                                     "digest itself for a pack with nothing dated)")


class LawWarning(_Out):
    """The incident fell outside the period of the pack that judged it."""

    kind: str = Field(description="before_pack or after_pack")
    zh: str
    en: str


class Chain(_Out):
    """One incident's responsibility chain."""

    incident: Incident
    grade: AccidentGrade
    links: list[Link] = Field(description="people, by band from the scene upward (or heaviest grade first, with "
                                          "trace --order severity)")
    units: list[UnitLink]
    exonerated: list[Exoneration]
    gaps: list[GapWarning] = Field(description="duties the plan assigns that the facts leave with nobody")
    to_examine: list[ToExamine] = Field(description="acts listed to examine (待核实), with the facts that would decide")
    rulepack: RulePackRef
    warnings: list[LawWarning] = Field(description="said on the chain and in every output")
    facts_digest: str = Field(description="sha256 of exactly the facts the rules saw for this incident")


OUTPUT = TypeAdapter(Union[Chain, list[Chain]])


def chain_schema() -> dict[str, Any]:
    """The JSON Schema of trace's JSON output: a chain, or an array of chains."""
    schema = OUTPUT.json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "wenze trace --format json",
            "description": "One incident's responsibility chain (an object), or several (an array, in the order "
                           "asked).", **schema}
