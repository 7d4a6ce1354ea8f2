"""The main job: from facts and a rule pack to one chain per incident."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from engine.chain.chain import Chain, build_chain
from engine.incident.context import build_context
from engine.org.graph import OrgGraph
from engine.pack.backends import BACKENDS, Backend
from engine.pack.rulepack import RulePack
from facts.errors import UnknownIdError
from facts.model import FactSet, Incident


@dataclass
class Tracer:
    """Owns the graph, the pack and the rule backend for one run; no state outlives it."""

    facts: FactSet
    pack: RulePack
    backend: Backend = field(default_factory=lambda: BACKENDS["durable"]())

    def __post_init__(self) -> None:
        self.graph = OrgGraph(self.facts)
        self.incidents = {i.id: i for i in self.facts.incidents}

    def select(self, ids: Iterable[str] = ()) -> list[Incident]:
        """The incidents asked for, in the order asked; all of them, in file order, by default."""
        ids = list(ids)
        for i in ids:
            if i not in self.incidents:
                raise UnknownIdError("incident", i, self.incidents)
        return [self.incidents[i] for i in ids] if ids else list(self.facts.incidents)

    def trace(self, incident: Incident) -> Chain:
        """The incident judged by the pack as in force on its day."""
        ctx = build_context(self.graph, incident)
        pack = self.pack.as_of(ctx.day)
        return build_chain(pack, self.graph, ctx, self.backend.matches(pack, ctx.facts))
