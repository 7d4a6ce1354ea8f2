"""Evaluate a rule pack over an incident's context facts: durable_rules or plain Python.

durable_rules keeps a process-global host behind its DSL; wenze never uses
it. :class:`DurableBackend` owns a Host of its own (timer threads off), one
ruleset per pack digest, and one short-lived session per incident whose state
is deleted afterwards (a ruleset holds at most 1,024 live sessions). Fact ids
inside a session are ``f0, f1, …``: durable keys facts by a 32-bit FNV-1 hash
of the id, and these ids are checked collision-free up to :data:`MAX_FACTS`.
Two crashes found here are avoided: ``assert_facts([])`` and ``delete_state``
on a session where no action ran both kill the process (see engine.pack.compile).
"""
from __future__ import annotations

import copy
import itertools
from typing import Callable, Protocol

from durable import engine as durable_engine

from engine.incident.fact import Fact
from engine.pack.compile import (
    ENGINE_RULES,
    PHASE,
    Match,
    Matcher,
    clauses_of,
    to_durable,
)
from engine.pack.rulepack import RulePack
from facts.errors import EngineError

MAX_FACTS = 100_000


class Backend(Protocol):
    name: str

    def matches(self, pack: RulePack, facts: tuple[Fact, ...]) -> list[Match]: ...


class PythonBackend:
    """The oracle: the same conditions in plain Python."""

    name = "python"

    def __init__(self) -> None:
        self._matchers: dict[str, Matcher] = {}

    def matches(self, pack: RulePack, facts: tuple[Fact, ...]) -> list[Match]:
        m = self._matchers.get(pack.digest)
        if m is None:
            m = self._matchers[pack.digest] = Matcher(pack)
        return m.matches(facts)


class _SyncHost(durable_engine.Host):
    """A durable Host without its polling threads; actions are resolved by name."""

    def __init__(self, actions: Callable[[str], Callable]):
        self._actions = actions
        super().__init__()

    def _run(self) -> None:  # no timer threads: every action runs inside assert_facts
        pass

    def get_action(self, action_name: str) -> Callable:
        return self._actions(action_name)


class DurableBackend:
    """durable_rules as the matching core, owned by this object and nothing else."""

    name = "durable"

    def __init__(self) -> None:
        self._host = _SyncHost(self._recorder)
        self._rulesets: dict[str, str] = {}
        self._aliases: dict[str, dict[str, tuple[str, ...]]] = {}
        self._fired: list[tuple[str, dict]] | None = None
        self._sids = itertools.count(1)

    def _recorder(self, rule_id: str) -> Callable:
        def record(c) -> None:
            if self._fired is None:  # pragma: no cover - only outside an evaluation
                raise EngineError(f"rule {rule_id} fired outside an evaluation")
            self._fired.append((rule_id, {a: f["id"] for a, f in c._m.items()}))
        return record

    def _ruleset(self, pack: RulePack) -> str:
        name = self._rulesets.get(pack.digest)
        if name is None:
            name = f"wenze_{pack.pack.id}_{pack.digest[7:19]}".replace("-", "_")
            self._host.set_rulesets({name: copy.deepcopy(to_durable(pack))})  # durable mutates the dict
            self._rulesets[pack.digest] = name
            self._aliases[name] = {i.id: tuple(i.when) for i in clauses_of(pack)}
        return name

    def matches(self, pack: RulePack, facts: tuple[Fact, ...]) -> list[Match]:
        if len(facts) > MAX_FACTS:
            raise EngineError(f"an incident context of {len(facts)} facts exceeds {MAX_FACTS}")
        rs = self._ruleset(pack)
        sid = str(next(self._sids))
        local = {f"f{i}": f.key for i, f in enumerate(facts)}
        self._fired = []
        try:
            if facts:  # assert_facts with an empty list crashes durable (SIGSEGV)
                self._host.assert_facts(rs, [{"sid": sid, "id": fid, "t": f.kind, **f.fields}
                                             for fid, f in zip(local, facts)])
            # Negated rules wait for this: their activation is created only now, with every fact present.
            self._host.assert_fact(rs, {"sid": sid, "id": PHASE, "t": PHASE, "n": 2})
            state = self._host.get_state(rs, sid)
            if "exception" in state:  # durable swallows action errors into the state
                raise EngineError(f"a rule action failed: {state['exception']}")
            fired = self._fired
        except EngineError:
            raise
        except Exception as e:  # durable's own exceptions carry no context
            raise EngineError(f"durable_rules failed: {type(e).__name__}: {e}") from e
        finally:
            self._fired = None
            self._host.delete_state(rs, sid)
        aliases = self._aliases[rs]
        out = [Match(rule, tuple((a, local[bound[a]]) for a in aliases[rule]))
               for rule, bound in fired if rule not in ENGINE_RULES]
        return sorted(set(out), key=lambda m: (m.rule, m.bindings))


BACKENDS = {"durable": DurableBackend, "python": PythonBackend}
