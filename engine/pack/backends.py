"""Evaluate a rule pack over an incident's context facts: durable_rules or plain Python.

durable_rules keeps a process-global host behind its DSL; wenze never uses
it. :class:`DurableBackend` owns a Host of its own (timer threads off), the
rulesets of each pack digest (named by the engine, never by the pack: a NUL in a
ruleset name is an error), and one short-lived session per incident and
ruleset whose state is deleted afterwards (a ruleset holds at most 1,024 live
sessions). Fact ids inside a session are ``f0, f1, …``: durable keys facts by a
32-bit FNV-1 hash of the id, and these ids are checked collision-free up to
:data:`MAX_FACTS`; a larger context is refused (exit 2) rather than given to
durable. Two crashes found here are avoided: ``assert_facts([])`` and
``delete_state`` on a session where no action ran both kill the process (see
engine.pack.compile).
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
    DurableRuleset,
    Match,
    Matcher,
    to_durable,
)
from engine.pack.rulepack import RulePack
from facts.errors import EngineError, InputError

#: Facts in one session: the ids f0 … f99999 are FNV-1 distinct (beyond, ids collide and durable slows:
#: 200,000 facts take 15 s to assert).
MAX_FACTS = 100_000


class TooManyFactsError(InputError):
    """An incident whose context durable_rules cannot take in one session; the Python matcher can."""


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
        self._rulesets: dict[str, list[tuple[str, DurableRuleset]]] = {}
        self._fired: list[tuple[str, dict]] | None = None
        self._sids = itertools.count(1)

    def _recorder(self, rule_id: str) -> Callable:
        def record(c) -> None:
            if self._fired is None:  # pragma: no cover - only outside an evaluation
                raise EngineError(f"rule {rule_id} fired outside an evaluation")
            self._fired.append((rule_id, {a: f["id"] for a, f in c._m.items()}))
        return record

    def _compiled(self, pack: RulePack) -> list[tuple[str, DurableRuleset]]:
        rulesets = self._rulesets.get(pack.digest)
        if rulesets is None:
            rulesets = [(f"wenze_{pack.digest[7:19]}_{n}", rs) for n, rs in enumerate(to_durable(pack))]
            for name, rs in rulesets:
                self._host.set_rulesets({name: copy.deepcopy(rs.body)})  # durable mutates the dict
            self._rulesets[pack.digest] = rulesets
        return rulesets

    def matches(self, pack: RulePack, facts: tuple[Fact, ...]) -> list[Match]:
        if len(facts) > MAX_FACTS:
            incident = next((f.fields.get("incident") for f in facts if f.kind == "incident"), None)
            raise TooManyFactsError(f"incident {incident}: its context holds {len(facts):,} facts; durable_rules "
                                    f"takes at most {MAX_FACTS:,} in one session (docs/durable-rules.md). "
                                    "Evaluate it with --backend python, which gives the same chain")
        local = {f"f{i}": f.key for i, f in enumerate(facts)}
        out: set[Match] = set()
        for name, rs in self._compiled(pack):
            sid = str(next(self._sids))
            fired = self._session(name, rs, sid, [rs.fact(sid, fid, f.kind, f.fields) for fid, f in zip(local, facts)])
            out.update(Match(rule, tuple((a, local[bound[a]]) for a in rs.aliases[rule]))
                       for rule, bound in fired if rule not in ENGINE_RULES)
        return sorted(out, key=lambda m: (m.rule, m.bindings))

    def _session(self, name: str, rs: DurableRuleset, sid: str, facts: list[dict]) -> list[tuple[str, dict]]:
        """One session of one ruleset: the facts, then the phase fact; what fired; the session deleted."""
        self._fired = []
        try:
            if facts:  # assert_facts with an empty list crashes durable (SIGSEGV)
                self._host.assert_facts(name, facts)
            # Negated rules wait for this: their activation is created only now, with every fact present.
            self._host.assert_fact(name, {"sid": sid, "id": PHASE, "t": PHASE, "n": 2})
            state = self._host.get_state(name, sid)
            if "exception" in state:  # durable swallows action errors into the state
                raise EngineError(f"a rule action failed: {state['exception']}")
            return self._fired
        except EngineError:
            raise
        except Exception as e:  # durable's own exceptions carry no context
            raise EngineError(f"durable_rules failed: {type(e).__name__}: {e}") from e
        finally:
            self._fired = None
            self._host.delete_state(name, sid)


BACKENDS = {"durable": DurableBackend, "python": PythonBackend}
