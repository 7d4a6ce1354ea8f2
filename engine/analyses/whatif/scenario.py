"""What-if scenarios: named, pure transformations of (facts, rule pack), written as YAML.

A scenario file has a ``name``, a ``description`` and a list of ``changes``,
applied in order; each change is a mapping with one key, its kind:

- ``disable_rules: [ID, …]`` / ``enable_rules: [ID, …]`` — rules, gaps or acts to examine of the
  pack; enabling brings back a rule disabled earlier (by this scenario or one
  composed before it). A rule that only mitigates or exonerates others goes
  with them when they are all disabled: it has nothing left to act on;
- ``set_params: {NAME: VALUE, …}`` — pack parameters; a VALUE that maps days
  to values (``{2022-04-24: 60, 2025-01-01: 30}``) dates the parameter;
- ``add: {SECTION: [RECORD, …]}`` / ``replace: {SECTION: [RECORD, …]}`` — records
  in the fact-file format (replace matches by id);
- ``remove: {SECTION: [ID, …]}``;
- ``end_tenure: {tenure: ID, on: DATE}`` — the tenure ends early, on DATE;
- ``reassign: {assignment: ID, post: ID | person: ID, from: DATE}`` — the duty
  passes to another post or person from DATE (the whole assignment without it);
- ``swap_pack: PATH`` — another rule pack (relative to the scenario file).

Applying scenarios never mutates their input: facts and packs are frozen
models, and each change builds new ones. A scenario that changes only the rule
pack returns the very same FactSet object, which is how a batch knows that an
incident's context can be computed once and shared. An unknown rule,
parameter or record is an error naming the scenario file, the change and the
id, with the closest known one.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, RootModel, ValidationError

from facts.errors import (
    Problem,
    ProblemsError,
    brief,
    did_you_mean,
)
from facts.load import validation_problems
from facts.read import ReadError, read_document
from facts.values import Day, Id, Prose

BASELINE = "baseline"


class ScenarioError(ProblemsError):
    """A scenario file that does not load, or a change that does not apply."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class _Ids(RootModel[list[Id]]):
    model_config = ConfigDict(frozen=True)


class _Params(RootModel[dict[str, Any]]):
    model_config = ConfigDict(frozen=True)


class _Records(RootModel[dict[str, list[dict[str, Any]]]]):
    model_config = ConfigDict(frozen=True)


class _IdsBySection(RootModel[dict[str, list[Id]]]):
    model_config = ConfigDict(frozen=True)


class _PackPath(RootModel[str]):
    model_config = ConfigDict(frozen=True)


class EndTenure(_Strict):
    tenure: Id
    on: Day


class Reassign(_Strict):
    assignment: Id
    post: Id | None = None
    person: Id | None = None
    since: Day | None = Field(default=None, alias="from")


#: Change kind → the model of its argument.
CHANGES: dict[str, type[BaseModel]] = {
    "disable_rules": _Ids, "enable_rules": _Ids, "set_params": _Params, "add": _Records,
    "replace": _Records, "remove": _IdsBySection, "end_tenure": EndTenure, "reassign": Reassign,
    "swap_pack": _PackPath,
}


@dataclass(frozen=True)
class Change:
    index: int  # 1-based position in the file, for messages
    kind: str
    arg: BaseModel

    @property
    def sections(self) -> set[str]:
        """The fact sections this change touches."""
        if self.kind in ("add", "replace", "remove"):
            return set(self.arg.root)
        return {"tenures"} if self.kind == "end_tenure" else {"assignments"} if self.kind == "reassign" else set()


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    path: Path
    changes: tuple[Change, ...]


class _File(_Strict):
    name: Id = Field(pattern=r"^[^+]+$")
    description: Prose = ""
    changes: list[Any] = Field(min_length=1)


def load_scenario(path: str | Path) -> Scenario:
    """Read and check the shape of a scenario file; ScenarioError lists every problem."""
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise ScenarioError([Problem(file, "scenario", "", "no such scenario file", "give a scenario YAML file")],
                            what=file)
    try:
        raw = read_document(path)
    except ReadError as e:
        raise ScenarioError(e.problems, what=file) from None
    if not isinstance(raw, dict):
        raise ScenarioError([Problem(file, "scenario", "", "the top level must be a mapping",
                                     "give 'name', 'description' and a list of 'changes'")], what=file)
    try:
        top = _File.model_validate(raw)
    except ValidationError as e:
        raise ScenarioError(validation_problems(e, _File, file, "scenario"), what=file) from None
    problems, changes = [], []
    for i, item in enumerate(top.changes, 1):
        where = f"changes #{i}"
        if not isinstance(item, dict) or len(item) != 1:
            problems.append(Problem(file, where, "", "a change is a mapping with one key, its kind",
                                    "write e.g. '- disable_rules: [stationed_cadre]'"))
            continue
        kind, arg = next(iter(item.items()))
        if kind not in CHANGES:
            problems.append(Problem(file, where, brief(kind), f"unknown change '{brief(kind)}'"
                                    f"{did_you_mean(kind, CHANGES)}", f"use one of: {', '.join(CHANGES)}"))
            continue
        try:
            changes.append(Change(i, kind, CHANGES[kind].model_validate(arg)))
        except ValidationError as e:
            problems += [Problem(p.file, f"{where} ({kind})", p.field, p.message, p.hint)
                         for p in validation_problems(e, CHANGES[kind], file, where)]
    if problems:
        raise ScenarioError(problems, what=file)
    return Scenario(top.name, top.description, path, tuple(changes))
