"""One batch line as evaluated: the item, its outcome (chains, diffs, errors), and the error record."""
from __future__ import annotations

from dataclasses import dataclass

from engine.analyses.whatif.evaluate import Evaluator
from engine.outputs.diff import ChainDiff, diff_chains
from engine.pack.backends import Backend
from facts.canon import canonical_json
from facts.errors import InputError
from facts.model import Incident


@dataclass(frozen=True)
class Item:
    """One valid incident, its line, and the variants whose facts cannot take it (reported already)."""

    line: int
    incident: Incident
    skip: frozenset[int] = frozenset()


@dataclass(frozen=True)
class ItemResult:
    """What evaluating one item gave: a chain line per variant evaluated, diffs, failures."""

    line: int
    incident: str
    chains: tuple[str, ...]
    diffs: tuple[ChainDiff, ...]
    errors: tuple[dict, ...]


def error(line: int, incident: str | None, scenario: str | None, kind: str, field: str, message: str,
          hint: str = "") -> dict:
    """One line of errors.jsonl."""
    return {"line": line, "incident": incident, "scenario": scenario, "kind": kind, "field": field,
            "message": message, "hint": hint}


def evaluate(evaluator: Evaluator, backend: Backend, item: Item) -> ItemResult:
    """The item under every variant it can take; a failure in one variant leaves the others."""
    names = [v.name for v in evaluator.variants]
    errors: list[dict] = []

    def failed(members: list[int], e: Exception) -> None:
        if isinstance(e, InputError):  # e.g. a context too large for durable_rules
            errors.extend(error(item.line, item.incident.id, names[n], "input", "", str(e), "") for n in members)
            return
        errors.extend(error(item.line, item.incident.id, names[n], "internal", "", f"{type(e).__name__}: {e}",
                            "a failure inside wenze; please report it with this record") for n in members)

    chains = evaluator.run(backend, lambda graph: item.incident, item.skip, failed)
    lines = tuple(canonical_json({"incident": item.incident.id, "scenario": n, "chain": c.as_json()})
                  for n, c in zip(names, chains) if c is not None)
    diffs = tuple(diff_chains(item.incident.id, n, chains[0], c)
                  for n, c in zip(names[1:], chains[1:]) if c is not None and chains[0] is not None)
    return ItemResult(item.line, item.incident.id, lines, diffs, tuple(errors))


def crashed(item: Item, code: int | None) -> ItemResult:
    """The outcome of an item whose worker died on it twice: in its chunk, then alone."""
    return ItemResult(item.line, item.incident.id, (), (), (error(
        item.line, item.incident.id, None, "internal", "",
        f"the worker process died while evaluating this incident (exit code {code})",
        "a failure inside wenze (or the machine: memory?); the other incidents are unaffected"),))
