"""What-if scenarios: named, pure transformations of (facts, rule pack), written as YAML.

A scenario file has a ``name``, a ``description`` and a list of ``changes``,
applied in order; each change is a mapping with one key, its kind:

- ``disable_rules: [ID, …]`` / ``enable_rules: [ID, …]`` — rules or gaps of the
  pack; enabling brings back a rule disabled earlier (by this scenario or one
  composed before it). A rule that only mitigates or exonerates others goes
  with them when they are all disabled: it has nothing left to act on;
- ``set_params: {NAME: VALUE, …}`` — pack parameters;
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
from datetime import date
from pathlib import Path
from typing import Any, Callable, Collection, Sequence

from pydantic import BaseModel, ConfigDict, Field, RootModel, ValidationError

from engine.chain.chain import Chain, build_chain
from engine.incident.context import build_context
from engine.org.graph import OrgGraph
from engine.outputs.diff import Comparison
from engine.pack.backends import Backend
from engine.pack.compile import Match
from engine.pack.rulepack import (
    Gap,
    Param,
    ParamRef,
    Rule,
    RulePack,
    check_pack,
    load_pack,
)
from facts.canon import canonical_json
from facts.errors import (
    Problem,
    ProblemsError,
    RulePackError,
    UnknownIdError,
    did_you_mean,
)
from facts.load import Origin, check_references, read_document, validation_problems
from facts.model import SECTIONS, FactSet, Incident, Record, Tenure

BASELINE = "baseline"


class ScenarioError(ProblemsError):
    """A scenario file that does not load, or a change that does not apply."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class _Ids(RootModel[list[str]]):
    model_config = ConfigDict(frozen=True)


class _Params(RootModel[dict[str, Any]]):
    model_config = ConfigDict(frozen=True)


class _Records(RootModel[dict[str, list[dict[str, Any]]]]):
    model_config = ConfigDict(frozen=True)


class _IdsBySection(RootModel[dict[str, list[str]]]):
    model_config = ConfigDict(frozen=True)


class _PackPath(RootModel[str]):
    model_config = ConfigDict(frozen=True)


class EndTenure(_Strict):
    tenure: str
    on: date


class Reassign(_Strict):
    assignment: str
    post: str | None = None
    person: str | None = None
    since: date | None = Field(default=None, alias="from")


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
    name: str = Field(min_length=1, pattern=r"^[^\s+]+$")
    description: str = ""
    changes: list[Any] = Field(min_length=1)


def load_scenario(path: str | Path) -> Scenario:
    """Read and check the shape of a scenario file; ScenarioError lists every problem."""
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise ScenarioError([Problem(file, "scenario", "", "no such scenario file", "give a scenario YAML file")],
                            what=file)
    raw = read_document(path)
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
            problems.append(Problem(file, where, str(kind), f"unknown change '{kind}'{did_you_mean(kind, CHANGES)}",
                                    f"use one of: {', '.join(CHANGES)}"))
            continue
        try:
            changes.append(Change(i, kind, CHANGES[kind].model_validate(arg)))
        except ValidationError as e:
            problems += [Problem(p.file, f"{where} ({kind})", p.field, p.message, p.hint)
                         for p in validation_problems(e, CHANGES[kind], file, where)]
    if problems:
        raise ScenarioError(problems, what=file)
    return Scenario(top.name, top.description, path, tuple(changes))


def record_id(record: Record) -> str:
    """How a record is named by a change: its id (a tenure's key when it has none)."""
    return record.key if isinstance(record, Tenure) else record.id


@dataclass(frozen=True)
class _State:
    """Facts, the last whole pack loaded (with parameters as set), and the rules and gaps in force."""

    facts: FactSet
    library: RulePack
    active: frozenset[str]

    def pack(self) -> RulePack:
        everything = {i.id for i in (*self.library.rules, *self.library.gaps)}
        if self.active == everything:
            return self.library
        rules = []
        for r in self.library.rules:
            kept = [o for o in r.overrides if o in self.active]
            if r.id not in self.active or (r.effect != "liable" and not kept):
                continue  # disabled, or a mitigation (exoneration) of rules that are all disabled
            rules.append(r if kept == r.overrides else r.model_copy(update={"overrides": kept}))
        return self.library.model_copy(update={"rules": rules,
                                               "gaps": [g for g in self.library.gaps if g.id in self.active]})


class _Applier:
    """Applies one scenario's changes in order, collecting every problem (a failed change is skipped)."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.file = str(scenario.path)
        self.problems: list[Problem] = []

    def problem(self, change: Change, field: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.file, f"changes #{change.index} ({change.kind})", field, message, hint))

    def run(self, state: _State) -> _State:
        for change in self.scenario.changes:
            before = len(self.problems)
            new = getattr(self, f"_{change.kind}")(state, change, change.arg)
            if len(self.problems) == before:
                state = self._checked(state, new, change)
        return state

    def _checked(self, old: _State, new: _State, change: Change) -> _State:
        """The new state if the pack still checks and every reference still resolves; else the old one."""
        where = f"{self.file}: changes #{change.index} ({change.kind})"
        problems = []
        if new.library is not old.library or new.active != old.active:
            problems += check_pack(new.pack(), where)
        if change.kind in ("add", "replace", "remove"):
            problems += check_references({s: [(r, Origin(where, s, n, record_id(r)))
                                              for n, r in enumerate(getattr(new.facts, s), 1)] for s in SECTIONS})
        self.problems += problems
        return old if problems else new

    # -- rule pack ------------------------------------------------------------------------

    def _known(self, state: _State, change: Change, ids: list[str]) -> bool:
        names = [i.id for i in (*state.library.rules, *state.library.gaps)]
        for n, rid in enumerate(ids):
            if rid not in names:
                self.problem(change, f"{change.kind}.{n}", f"unknown rule '{rid}'{did_you_mean(rid, names)}",
                             f"rules and gaps of pack {state.library.pack.id}: {', '.join(names)}")
        return all(rid in names for rid in ids)

    def _disable_rules(self, state: _State, change: Change, arg: _Ids) -> _State:
        self._known(state, change, arg.root)
        return _State(state.facts, state.library, state.active - set(arg.root))

    def _enable_rules(self, state: _State, change: Change, arg: _Ids) -> _State:
        self._known(state, change, arg.root)
        return _State(state.facts, state.library, state.active | set(arg.root))

    def _set_params(self, state: _State, change: Change, arg: _Params) -> _State:
        params = dict(state.library.parameters)
        for name, value in arg.root.items():
            if name not in params:
                self.problem(change, f"set_params.{name}", f"unknown parameter '{name}'{did_you_mean(name, params)}",
                             f"parameters of pack {state.library.pack.id}: {', '.join(params)}")
                continue
            try:
                params[name] = Param.model_validate({**params[name].model_dump(), "value": value})
            except ValidationError:
                self.problem(change, f"set_params.{name}", f"{value!r} is not a parameter value",
                             "give a number, a word, yes/no, or a list of them")
        return _State(state.facts, state.library.model_copy(update={"parameters": params}), state.active)

    def _swap_pack(self, state: _State, change: Change, arg: _PackPath) -> _State:
        path = Path(arg.root) if Path(arg.root).is_absolute() else self.scenario.path.parent / arg.root
        try:
            pack = load_pack(path)
        except RulePackError as e:
            self.problem(change, "swap_pack", f"the rule pack {path} does not load", "fix the pack; its problems follow")
            self.problems += e.problems
            return state
        return _State(state.facts, pack, frozenset(i.id for i in (*pack.rules, *pack.gaps)))

    # -- facts ------------------------------------------------------------------------------

    def _section(self, change: Change, section: str) -> bool:
        if section in SECTIONS:
            return True
        self.problem(change, f"{change.kind}.{section}", f"unknown section '{section}'{did_you_mean(section, SECTIONS)}",
                     f"use one of: {', '.join(SECTIONS)}")
        return False

    def _records(self, change: Change, section: str, raws: list[dict]) -> list[Record]:
        out = []
        for n, raw in enumerate(raws, 1):
            try:
                out.append(SECTIONS[section].model_validate(raw))
            except ValidationError as e:
                self.problems += validation_problems(e, SECTIONS[section], self.file,
                                                     f"changes #{change.index} ({change.kind}) {section} #{n}")
        return out

    def _lookup(self, change: Change, field: str, section: str, items: list[Record], rid: str) -> int | None:
        """The position of the record with this id in its section, or None (reported)."""
        ids = [record_id(r) for r in items]
        if rid in ids:
            return ids.index(rid)
        noun = section.removesuffix("s") if section != "people" else "person"
        self.problem(change, field, f"unknown {noun} '{rid}'{did_you_mean(rid, ids)}",
                     f"name a record of '{section}' in the facts")
        return None

    def _add(self, state: _State, change: Change, arg: _Records) -> _State:
        update = {}
        for section, raws in arg.root.items():
            if not self._section(change, section):
                continue
            items = list(getattr(state.facts, section))
            known = {record_id(r) for r in items}
            for n, record in enumerate(self._records(change, section, raws), 1):
                if record_id(record) in known:
                    self.problem(change, f"add.{section}.{n - 1}", f"{section} '{record_id(record)}' already exists",
                                 "use 'replace' to change a record, or give the new one its own id")
                known.add(record_id(record))
                items.append(record)
            update[section] = items
        return _State(state.facts.model_copy(update=update), state.library, state.active)

    def _replace(self, state: _State, change: Change, arg: _Records) -> _State:
        update = {}
        for section, raws in arg.root.items():
            if not self._section(change, section):
                continue
            items = list(getattr(state.facts, section))
            for n, record in enumerate(self._records(change, section, raws)):
                at = self._lookup(change, f"replace.{section}.{n}", section, items, record_id(record))
                if at is not None:
                    items[at] = record
            update[section] = items
        return _State(state.facts.model_copy(update=update), state.library, state.active)

    def _remove(self, state: _State, change: Change, arg: _IdsBySection) -> _State:
        update = {}
        for section, ids in arg.root.items():
            if not self._section(change, section):
                continue
            items = list(getattr(state.facts, section))
            for n, rid in enumerate(ids):
                at = self._lookup(change, f"remove.{section}.{n}", section, items, rid)
                if at is not None:
                    del items[at]
            update[section] = items
        return _State(state.facts.model_copy(update=update), state.library, state.active)

    def _end_tenure(self, state: _State, change: Change, arg: EndTenure) -> _State:
        items = list(state.facts.tenures)
        at = self._lookup(change, "end_tenure.tenure", "tenures", items, arg.tenure)
        if at is None:
            return state
        t = items[at]
        if arg.on <= t.valid_from or (t.valid_to is not None and arg.on >= t.valid_to):
            self.problem(change, "end_tenure.on", f"tenure '{arg.tenure}' runs {t.valid_from} – {t.valid_to or ''}; "
                         f"{arg.on} does not end it early", "give a day after its start and before its end")
            return state
        items[at] = t.model_copy(update={"valid_to": arg.on})
        return _State(state.facts.model_copy(update={"tenures": items}), state.library, state.active)

    def _reassign(self, state: _State, change: Change, arg: Reassign) -> _State:
        items = list(state.facts.assignments)
        at = self._lookup(change, "reassign.assignment", "assignments", items, arg.assignment)
        if (arg.post is None) == (arg.person is None):
            self.problem(change, "reassign", "give exactly one of 'post' or 'person'",
                         "the duty passes to a post (and whoever holds it) or to a person")
            return state
        section, value = ("posts", arg.post) if arg.post else ("people", arg.person)
        if self._lookup(change, f"reassign.{'post' if arg.post else 'person'}", section,
                        list(getattr(state.facts, section)), value) is None or at is None:
            return state
        a = items[at]
        holder = {"post": arg.post, "person": arg.person}
        if arg.since is None or arg.since <= a.valid_from:
            items[at] = a.model_copy(update=holder)
        elif a.valid_to is not None and arg.since >= a.valid_to:
            self.problem(change, "reassign.from", f"assignment '{a.id}' already ended on {a.valid_to}",
                         "give a day before its end")
            return state
        else:
            items[at] = a.model_copy(update={"valid_to": arg.since})
            items.insert(at + 1, a.model_copy(update={**holder, "id": f"{a.id}@{arg.since.isoformat()}",
                                                      "valid_from": arg.since}))
        return _State(state.facts.model_copy(update={"assignments": items}), state.library, state.active)


def apply(scenarios: Sequence[Scenario], facts: FactSet, pack: RulePack) -> tuple[FactSet, RulePack]:
    """The facts and pack after every scenario's changes, in order; the inputs are left as they were.

    Without fact changes the FactSet returned is ``facts`` itself; without rule
    changes the pack returned is ``pack`` itself.
    """
    state = _State(facts, pack, frozenset(i.id for i in (*pack.rules, *pack.gaps)))
    problems: list[Problem] = []
    for scenario in scenarios:
        applier = _Applier(scenario)
        state = applier.run(state)
        problems += applier.problems
    if problems:
        raise ScenarioError(problems, what=" + ".join(str(s.path) for s in scenarios))
    return state.facts, state.pack()


@dataclass(frozen=True)
class Variant:
    """The baseline, or the baseline under one scenario (or several composed, ``a+b``)."""

    name: str
    description: str
    facts: FactSet
    pack: RulePack
    scenarios: tuple[Scenario, ...] = ()


def scenario_paths(spec: str) -> list[Path]:
    """``S.yaml`` → [S.yaml]; ``A.yaml+B.yaml`` → [A.yaml, B.yaml] (composed in that order)."""
    return [Path(spec)] if Path(spec).exists() else [Path(p) for p in spec.split("+")]


def variants(facts: FactSet, pack: RulePack, specs: Sequence[str]) -> list[Variant]:
    """The baseline, then one variant per scenario spec; every problem of every scenario reported at once."""
    out = [Variant(BASELINE, "", facts, pack)]
    problems: list[Problem] = []
    for spec in specs:
        try:
            scenarios = tuple(load_scenario(p) for p in scenario_paths(spec))
            f, p = apply(scenarios, facts, pack)
        except ScenarioError as e:
            problems += e.problems
            continue
        name = "+".join(s.name for s in scenarios)
        if name in {v.name for v in out}:
            problems.append(Problem(spec, "scenario", "name", f"scenario name '{name}' is used twice",
                                    f"'{BASELINE}' is reserved; give each scenario its own name"))
            continue
        out.append(Variant(name, " / ".join(s.description for s in scenarios if s.description), f, p, scenarios))
    if problems:
        raise ScenarioError(problems, what="the scenarios")
    return out


def _reraise(members: list[int], error: Exception) -> None:
    raise error


def _signature(pack: RulePack, item: Rule | Gap) -> str:
    """What a rule's (or gap's) matches depend on: its conditions, the parameter values they read, its switch."""
    patterns = (*item.when.values(), *item.unless.values())
    params = sorted({o.param for p in patterns for _, _, o in p.tests if isinstance(o, ParamRef)})
    switch = getattr(item, "enabled_by", None)
    return canonical_json({"conditions": item.model_dump(mode="json", include={"when", "unless"}),
                           "params": {name: pack.param(name) for name in params},
                           "on": switch is None or pack.param(switch)})


@dataclass(frozen=True)
class _Reuse:
    """A variant's matches from its group's first variant's: the rules that match alike, and a pack of the rest.

    The rest is matched on the facts of the kinds its patterns name: no other fact can bind or block them.
    """

    same: frozenset[str]
    rest: RulePack | None  # None: nothing left to match
    kinds: frozenset[str]

    @classmethod
    def plan(cls, first: RulePack, pack: RulePack) -> "_Reuse":
        before = {i.id: _signature(first, i) for i in (*first.rules, *first.gaps)}
        same = frozenset(i.id for i in (*pack.rules, *pack.gaps) if before.get(i.id) == _signature(pack, i))
        rest = pack.model_copy(update={"rules": [r for r in pack.rules if r.id not in same],
                                       "gaps": [g for g in pack.gaps if g.id not in same]})
        items = (*rest.rules, *rest.gaps)
        kinds = frozenset(p.kind for i in items for p in (*i.when.values(), *i.unless.values()))
        return cls(same, rest if items else None, kinds)

    def matches(self, backend: Backend, first: list[Match], facts: tuple) -> list[Match]:
        own = backend.matches(self.rest, tuple(f for f in facts if f.kind in self.kinds)) if self.rest else []
        return sorted([m for m in first if m.rule in self.same] + own, key=lambda m: (m.rule, m.bindings))


class Evaluator:
    """Every variant's chain of an incident, with one context per incident per distinct fact set.

    Variants whose scenarios change only the rule pack share the baseline's
    FactSet object, hence its graph and each incident's context. They share
    matches too: a rule whose conditions and parameters a scenario leaves as
    they were matches what it matched for the first variant on those facts
    (rules match independently of each other), so only the rules a scenario
    changed are matched again. The chain is then built under each variant's pack.
    """

    def __init__(self, variants: Sequence[Variant]):
        self.variants = list(variants)
        groups: dict[int, tuple[OrgGraph, list[int]]] = {}
        for n, v in enumerate(self.variants):
            if id(v.facts) not in groups:
                groups[id(v.facts)] = (OrgGraph(v.facts), [])
            groups[id(v.facts)][1].append(n)
        self.groups = list(groups.values())
        self._reuse = {n: _Reuse.plan(self.variants[members[0]].pack, self.variants[n].pack)
                       for _, members in self.groups for n in members[1:]}

    def run(self, backend: Backend, incident_of: Callable[[OrgGraph], Incident | None],
            skip: Collection[int] = (), on_error: Callable[[list[int], Exception], None] = _reraise,
            ) -> list[Chain | None]:
        """Chains in variant order: None where the incident is absent, skipped, or failed (``on_error``)."""
        out: list[Chain | None] = [None] * len(self.variants)
        for graph, members in self.groups:
            todo = [n for n in members if n not in skip]
            incident = incident_of(graph) if todo else None
            if incident is None:
                continue
            try:
                ctx = build_context(graph, incident)
            except Exception as e:  # noqa: BLE001 - on_error decides: re-raise, or record and go on
                on_error(todo, e)
                continue
            first: list[Match] | None = None
            for n in todo:
                pack = self.variants[n].pack
                try:
                    if n == members[0]:
                        matches = first = backend.matches(pack, ctx.facts)
                    elif first is not None:
                        matches = self._reuse[n].matches(backend, first, ctx.facts)
                    else:  # the first variant failed: nothing to share
                        matches = backend.matches(pack, ctx.facts)
                    out[n] = build_chain(pack, graph, ctx, matches)
                except Exception as e:  # noqa: BLE001 - as above
                    on_error([n], e)
        return out

    def incident_ids(self, wanted: Sequence[str] = ()) -> list[str]:
        """The incidents asked for, checked; else every incident of the baseline, then any a scenario adds."""
        known = list(dict.fromkeys(i.id for g, _ in self.groups for i in g.facts.incidents))
        for i in wanted:
            if i not in known:
                raise UnknownIdError("incident", i, known)
        return list(wanted) or known


def compare(variants: Sequence[Variant], backend: Backend, incidents: Sequence[str] = ()) -> list[Comparison]:
    """Each incident (all by default) under every variant, the baseline first: `wenze whatif`."""
    evaluator = Evaluator(variants)
    names = tuple(v.name for v in variants)

    def version(incident_id: str) -> Callable[[OrgGraph], Incident | None]:
        return lambda graph: next((i for i in graph.facts.incidents if i.id == incident_id), None)

    return [Comparison(i, names, tuple(evaluator.run(backend, version(i)))) for i in evaluator.incident_ids(incidents)]
