"""Reading INCIDENTS.jsonl: every line validated, in batches, against the org and every scenario's facts."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator, Sequence

from pydantic import ValidationError

from engine.analyses.batch.items import Item, error
from engine.analyses.whatif.evaluate import Variant
from facts.errors import Problem
from facts.load import Origin, check_references, validation_problems
from facts.model import SECTIONS, Incident

#: Incidents validated together (reference checks cost per call, not per incident).
VALIDATE_BATCH = 2000
#: The sections an incident refers to: its site, village and group (units), sector, people.
REFERRED = ("units", "sectors", "people")


class Reader:
    """INCIDENTS.jsonl → valid items, and an error record for every line or scenario that fails."""

    def __init__(self, path: Path, variants: Sequence[Variant], groups: Sequence[Sequence[int]]):
        self.path = path
        self.file = str(path)
        self.variants = variants
        # The records incidents refer to, once per distinct fact set (the baseline's first).
        self.referred = [(members, {s: [(r, Origin("facts", s, n, r.id)) for n, r in
                                         enumerate(getattr(variants[members[0]].facts, s), 1)] for s in REFERRED})
                         for members in groups]
        self.seen: dict[str, int] = {}
        self.lines = 0
        self.errors: list[dict] = []

    def items(self) -> Iterator[Item]:
        batch: list[tuple[int, Incident]] = []
        with self.path.open(encoding="utf-8") as f:
            for n, text in enumerate(f, 1):
                self.lines = n
                incident = self._parse(n, text)
                if incident is not None:
                    batch.append((n, incident))
                if len(batch) == VALIDATE_BATCH:
                    yield from self._checked(batch)
                    batch = []
        yield from self._checked(batch)

    def _parse(self, n: int, text: str) -> Incident | None:
        if not text.strip():
            return None
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as e:
            self.errors.append(error(n, None, None, "input", "", f"not valid JSON: {e.msg} (column {e.colno})",
                                     "one incident per line, a JSON object"))
            return None
        if not isinstance(raw, dict):
            self.errors.append(error(n, None, None, "input", "", "must be a JSON object (one incident)",
                                     "write the fields of an incidents record as a JSON object"))
            return None
        rid = raw.get("id") if isinstance(raw.get("id"), str) else None
        try:
            incident = Incident.model_validate(raw)
        except ValidationError as e:
            self.errors += [error(n, rid, None, "input", p.field, p.message, p.hint)
                            for p in validation_problems(e, Incident, self.file, f"line {n}")]
            return None
        if incident.id in self.seen:
            self.errors.append(error(n, incident.id, None, "input", "id", f"duplicate incident id '{incident.id}'",
                                     f"line {self.seen[incident.id]} has it already; give each incident its own id"))
            return None
        self.seen[incident.id] = n
        return incident

    def _problems(self, referred: dict, batch: list[tuple[int, Incident]]) -> dict[int, list[Problem]]:
        """Reference problems of each line, by line (load_facts's own check, on what incidents refer to)."""
        origins = [(incident, Origin(self.file, "line", n, incident.id)) for n, incident in batch]
        records = {**{s: [] for s in SECTIONS}, **referred, "incidents": origins}
        line_of = {o.record: o.position for _, o in origins}
        out: dict[int, list[Problem]] = {}
        for p in check_references(records):
            out.setdefault(line_of[p.record], []).append(p)
        return out

    def _checked(self, batch: list[tuple[int, Incident]]) -> Iterator[Item]:
        if not batch:
            return
        (_, baseline), *others = self.referred
        bad = self._problems(baseline, batch)
        skips: dict[int, set[int]] = {}
        for members, referred in others:
            for line, problems in self._problems(referred, batch).items():
                if line in bad:
                    continue
                skips.setdefault(line, set()).update(members)
                incident = dict(batch)[line].id
                self.errors += [error(line, incident, self.variants[m].name, "input", p.field,
                                      f"under this scenario: {p.message}", p.hint) for m in members for p in problems]
        for line, incident in batch:
            if line in bad:
                self.errors += [error(line, incident.id, None, "input", p.field, p.message, p.hint) for p in bad[line]]
            else:
                yield Item(line, incident, frozenset(skips.get(line, ())))
