"""Applying scenarios: each change builds new frozen facts and packs, never mutating its input."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from pydantic import ValidationError

from engine.analyses.whatif.scenario import (
    Change,
    EndTenure,
    Reassign,
    Scenario,
    ScenarioError,
    _Ids,
    _IdsBySection,
    _PackPath,
    _Params,
    _Records,
)
from engine.pack.rulepack import (
    RulePack,
    check_pack,
    load_pack,
)
from facts.errors import (
    Problem,
    RulePackError,
    brief,
    did_you_mean,
    shown,
)
from facts.load import Origin, check_references, validation_problems
from facts.model import SECTIONS, Declaration, FactSet, Record, Tenure


def record_id(record: Record) -> str:
    """How a record is named by a change: its id (a tenure's or a declaration's key when it has none)."""
    return record.key if isinstance(record, (Tenure, Declaration)) else record.id


@dataclass(frozen=True)
class _State:
    """Facts, the last whole pack loaded (with parameters as set), and the rules, gaps and acts to examine in force."""

    facts: FactSet
    library: RulePack
    active: frozenset[str]

    def pack(self) -> RulePack:
        return self.library.without({i.id for i in self.library.items} - self.active)


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
            problems += check_pack(new.pack(), where, [r.id for r in new.library.rules])  # a disabled rule is known
        if change.kind in ("add", "replace", "remove"):
            problems += check_references({s: [(r, Origin(where, s, n, record_id(r)))
                                              for n, r in enumerate(getattr(new.facts, s), 1)] for s in SECTIONS})
        self.problems += problems
        return old if problems else new

    # -- rule pack ------------------------------------------------------------------------

    def _known(self, state: _State, change: Change, ids: list[str]) -> bool:
        names = [i.id for i in state.library.items]
        for n, rid in enumerate(ids):
            if rid not in names:
                self.problem(change, f"{change.kind}.{n}", f"unknown rule '{rid}'{did_you_mean(rid, names)}",
                             f"rules, gaps and acts to examine of pack {state.library.pack.id}: {', '.join(names)}")
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
                self.problem(change, f"set_params.{brief(name)}",
                             f"unknown parameter '{brief(name)}'{did_you_mean(name, params)}",
                             f"parameters of pack {state.library.pack.id}: {', '.join(params)}")
                continue
            try:
                params[name] = params[name].set_to(value)
            except ValidationError:
                self.problem(change, f"set_params.{name}", f"{shown(value)} is not a parameter value",
                             "give a number, a word, yes/no, or a list of them; or dated values {DAY: value, …}")
        return _State(state.facts, state.library.model_copy(update={"parameters": params}), state.active)

    def _swap_pack(self, state: _State, change: Change, arg: _PackPath) -> _State:
        path = Path(arg.root) if Path(arg.root).is_absolute() else self.scenario.path.parent / arg.root
        try:
            pack = load_pack(path)
        except RulePackError as e:
            self.problem(change, "swap_pack", f"the rule pack {path} does not load", "fix the pack; its problems follow")
            self.problems += e.problems
            return state
        return _State(state.facts, pack, frozenset(i.id for i in pack.items))

    # -- facts ------------------------------------------------------------------------------

    def _section(self, change: Change, section: str) -> bool:
        if section in SECTIONS:
            return True
        self.problem(change, f"{change.kind}.{brief(section)}",
                     f"unknown section '{brief(section)}'{did_you_mean(section, SECTIONS)}",
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
    state = _State(facts, pack, frozenset(i.id for i in pack.items))
    problems: list[Problem] = []
    for scenario in scenarios:
        applier = _Applier(scenario)
        state = applier.run(state)
        problems += applier.problems
    if problems:
        raise ScenarioError(problems, what=" + ".join(str(s.path) for s in scenarios))
    return state.facts, state.pack()
