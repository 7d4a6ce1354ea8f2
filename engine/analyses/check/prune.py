"""Pruning an example to the records and fields that still show the finding, so it reads as a small fact file."""
from __future__ import annotations

from typing import Callable

from pydantic import ValidationError

from facts.load import Origin, check_references
from facts.model import SECTIONS, FactSet


def _valid(facts: FactSet) -> bool:
    """True when the facts pass the loader's reference checks (what `wenze trace` would accept)."""
    records = {s: [(r, Origin("example", s, i, getattr(r, "id", None))) for i, r in enumerate(getattr(facts, s), 1)]
               for s in SECTIONS}
    try:
        return facts.incidents != [] and not check_references(records)
    except KeyError:  # the loader's loop check assumes every parent exists; a dangling one is invalid anyway
        return False


def prune(facts: FactSet, keeps: Callable[[FactSet], bool]) -> FactSet:
    """Drop records (acts first, whole runs then single ones) and reset optional fields, while the
    facts stay valid and still show the finding.

    Hypothesis shrinks the choices that drew the town; this removes what those choices
    could not (a village nothing refers to, a person with no post, a report beside the point).
    """
    changed = True
    while changed:
        simpler = _simplify(facts, keeps)
        changed, facts = simpler is not facts, simpler
        for section in reversed(SECTIONS):
            size = len(getattr(facts, section))
            while size:
                i = 0
                while i < len(getattr(facts, section)):
                    items = getattr(facts, section)
                    trial = facts.model_copy(update={section: items[:i] + items[i + size:]})
                    if _valid(trial) and keeps(trial):
                        facts, changed = trial, True
                    else:
                        i += size
                size //= 2
    return facts


def _simplify(facts: FactSet, keeps: Callable[[FactSet], bool]) -> FactSet:
    """Reset each optional field of each record to its default (no reports, no casualties, no end
    date…) where the facts stay valid and still show the finding."""
    for section in SECTIONS:
        for i in range(len(getattr(facts, section))):
            rec = getattr(facts, section)[i]
            for name, spec in type(rec).model_fields.items():
                if spec.is_required() or getattr(rec, name) == spec.default:
                    continue
                try:
                    simpler = type(rec).model_validate({**rec.model_dump(), name: spec.default})
                except ValidationError:
                    continue
                items = list(getattr(facts, section))
                items[i] = simpler
                trial = facts.model_copy(update={section: items})
                if _valid(trial) and keeps(trial):
                    facts, rec = trial, simpler
    return facts
