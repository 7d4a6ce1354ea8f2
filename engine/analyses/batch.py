"""Many incidents under the baseline and every scenario, across processes: `wenze batch`.

**Input.** ``INCIDENTS.jsonl`` holds one incident per line, a JSON object in
the fact-file format of an ``incidents`` record; blank lines are skipped.
Inspections, signatures and the other acts of a site are the site's history,
shared by every incident there, so they belong in the org files (``--org``),
whose own incidents are not evaluated.

**Outputs** in DIR, each written to a temporary file in DIR and moved over the
old one (:func:`os.replace`): a crash leaves the old file or the new, never half.

- ``chains.jsonl``: one line per incident and variant, ``{"incident", "scenario",
  "chain"}`` (the chain's JSON contract), in input order, the baseline first;
- ``diff.csv``: one row per link or gap a scenario changes (:data:`engine.outputs.diff.CSV_COLUMNS`);
- ``summary.md``: per scenario, incidents affected, links and people added and
  removed, the posts most affected;
- ``errors.jsonl``: one line per failure, ``{"line", "incident", "scenario",
  "kind", "field", "message", "hint"}``. ``kind`` is ``input`` for a record that
  failed validation (the whole line; or one scenario, whose facts lack an id the
  incident names) and ``internal`` for a failure inside wenze: an engine error,
  or a worker process that died while evaluating the incident.

A bad record never stops the others. **Exit status**: 0 if every record was
evaluated under every variant; 2 if some record failed validation; 1 if
anything failed inside (that wins over 2: the output is incomplete for a
reason the input does not explain).

**Work.** An incident's context is computed once per distinct fact set and
evaluated under every variant on it (:class:`engine.analyses.whatif.Evaluator`). With
``workers`` ≥ 1 the incidents go in small chunks to worker processes (fork
where the platform has it), each with its own rule backend: a durable_rules
Host is created inside its process, never shared. The parent reads and
validates, writes, and watches: when a worker dies, its chunk is re-run one
incident at a time in a fresh worker, so only the incident that kills a worker
is lost, and reported. ``workers=0`` evaluates in this process (for profiling).
"""
from __future__ import annotations

import csv
import gc
import json
import multiprocessing
import os
import tempfile
from collections import Counter, deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from pydantic import ValidationError

from engine.analyses.whatif import (
    Evaluator,
    Variant,
    load_scenario,
    scenario_paths,
    variants,
)
from engine.outputs.diff import CSV_COLUMNS, ChainDiff, diff_chains
from engine.pack.backends import BACKENDS, Backend
from engine.pack.rulepack import RulePack
from facts.canon import canonical_json
from facts.errors import InputError, Problem
from facts.load import Origin, check_references, load_facts, validation_problems
from facts.model import SECTIONS, Incident

#: Incidents validated together (reference checks cost per call, not per incident).
VALIDATE_BATCH = 2000
#: Incidents sent to a worker at a time: small, so a dead worker costs little to redo.
CHUNK = 32
#: The sections an incident refers to: its site, village and group (units), sector, people.
REFERRED = ("units", "sectors", "people")


@dataclass(frozen=True)
class Item:
    """One valid incident, its line, and the variants whose facts cannot take it (reported already)."""

    line: int
    incident: Incident
    skip: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Outcome:
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


def evaluate(evaluator: Evaluator, backend: Backend, item: Item) -> Outcome:
    """The item under every variant it can take; a failure in one variant leaves the others."""
    names = [v.name for v in evaluator.variants]
    errors: list[dict] = []

    def failed(members: list[int], e: Exception) -> None:
        errors.extend(error(item.line, item.incident.id, names[n], "internal", "", f"{type(e).__name__}: {e}",
                            "a failure inside wenze; please report it with this record") for n in members)

    chains = evaluator.run(backend, lambda graph: item.incident, item.skip, failed)
    lines = tuple(canonical_json({"incident": item.incident.id, "scenario": n, "chain": c.as_json()})
                  for n, c in zip(names, chains) if c is not None)
    diffs = tuple(diff_chains(item.incident.id, n, chains[0], c)
                  for n, c in zip(names[1:], chains[1:]) if c is not None and chains[0] is not None)
    return Outcome(item.line, item.incident.id, lines, diffs, tuple(errors))


def crashed(item: Item, code: int | None) -> Outcome:
    """The outcome of an item whose worker died on it twice: in its chunk, then alone."""
    return Outcome(item.line, item.incident.id, (), (), (error(
        item.line, item.incident.id, None, "internal", "",
        f"the worker process died while evaluating this incident (exit code {code})",
        "a failure inside wenze (or the machine: memory?); the other incidents are unaffected"),))


# -- reading and validating ----------------------------------------------------------------


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


# -- workers ---------------------------------------------------------------------------------


def _serve(evaluator: Evaluator, backend_name: str, conn: Connection) -> None:
    """A worker's life: its own backend (a durable Host is never shared), then chunks until None."""
    backend = BACKENDS[backend_name]()
    while (chunk := conn.recv()) is not None:
        conn.send([evaluate(evaluator, backend, item) for item in chunk])


@dataclass(frozen=True)
class _Task:
    seq: int  # the chunk's number
    items: list[Item]
    alone: bool = False  # one item of a chunk whose worker died: if this dies too, it is reported


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    task: _Task | None = None


class Pool:
    """Worker processes fed one chunk each at a time, so the chunk a dead worker held is known."""

    def __init__(self, evaluator: Evaluator, backend: str, workers: int):
        methods = multiprocessing.get_all_start_methods()
        self.mp = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self.evaluator, self.backend, self.size = evaluator, backend, workers
        self.workers: list[_Worker] = []

    def _start(self) -> _Worker:
        here, there = self.mp.Pipe()
        p = self.mp.Process(target=_serve, args=(self.evaluator, self.backend, there), daemon=True)
        p.start()
        there.close()
        return _Worker(p, here)

    def map(self, chunks: Iterable[list[Item]]) -> Iterator[list[Outcome]]:
        """Each chunk's outcomes, in the order of the chunks."""
        source = (_Task(seq, items) for seq, items in enumerate(chunks))
        retry: deque[_Task] = deque()
        done: dict[int, list[Outcome]] = {}  # chunk → outcomes so far
        missing: dict[int, int] = {}  # chunk → items not yet resolved
        following = 0
        self.workers = [self._start() for _ in range(self.size)]
        try:
            while True:
                for w in self.workers:
                    if w.task is None:
                        w.task = retry.popleft() if retry else next(source, None)
                        if w.task is not None:
                            missing.setdefault(w.task.seq, len(w.task.items))
                            w.conn.send(w.task.items)
                busy = [w for w in self.workers if w.task is not None]
                if not busy:
                    return
                ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy]))
                for w in busy:
                    if w.conn in ready or w.process.sentinel in ready:
                        task, w.task = w.task, None
                        try:
                            outcomes = w.conn.recv()
                        except (EOFError, OSError):
                            outcomes = self._replace(w, task, retry)
                        done.setdefault(task.seq, []).extend(outcomes)
                        missing[task.seq] -= len(outcomes)
                while missing.get(following) == 0:
                    del missing[following]
                    yield sorted(done.pop(following), key=lambda o: o.line)
                    following += 1
        finally:
            self._stop()

    def _replace(self, w: _Worker, task: _Task, retry: deque[_Task]) -> list[Outcome]:
        """A worker died on this task: start another; redo the items one by one, or report the lone one."""
        w.process.join()
        code = w.process.exitcode
        w.conn.close()
        fresh = self._start()
        w.process, w.conn = fresh.process, fresh.conn
        if task.alone:
            return [crashed(task.items[0], code)]
        retry.extendleft(_Task(task.seq, [item], alone=True) for item in reversed(task.items))
        return []

    def _stop(self) -> None:
        for w in self.workers:
            try:
                w.conn.send(None)
            except OSError:  # already gone
                pass
        for w in self.workers:
            w.process.join(timeout=10)
            if w.process.is_alive():
                w.process.kill()
                w.process.join()
            w.conn.close()


def _chunks(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    chunk: list[Item] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# -- outputs -----------------------------------------------------------------------------------

OUTPUTS = ("chains.jsonl", "diff.csv", "summary.md", "errors.jsonl")


class Outputs:
    """The output files, written to temporaries in DIR and moved over the old ones only at the end."""

    def __init__(self, out: Path):
        out.mkdir(parents=True, exist_ok=True)
        self.out = out
        self.temps: dict[str, Path] = {}
        self.files = {}
        for name in OUTPUTS:
            fd, tmp = tempfile.mkstemp(dir=out, prefix=f".{name}.", suffix=".tmp")
            os.chmod(fd, 0o644)  # mkstemp makes it private; the outputs are ordinary files
            self.temps[name] = Path(tmp)
            self.files[name] = os.fdopen(fd, "w", encoding="utf-8", newline="")
        self.diff = csv.DictWriter(self.files["diff.csv"], fieldnames=CSV_COLUMNS, lineterminator="\n")
        self.diff.writeheader()

    def commit(self) -> None:
        for name, f in self.files.items():
            f.flush()
            os.fsync(f.fileno())
            f.close()
            os.replace(self.temps[name], self.out / name)

    def discard(self) -> None:
        for name, f in self.files.items():
            f.close()
            self.temps[name].unlink(missing_ok=True)


@dataclass
class Tally:
    """One scenario's figures for summary.md."""

    evaluated: int = 0
    affected: int = 0
    links: Counter = field(default_factory=Counter)  # added / removed / changed
    gaps: Counter = field(default_factory=Counter)
    people: dict[str, set[str]] = field(default_factory=lambda: {"added": set(), "removed": set()})
    posts: Counter = field(default_factory=Counter)  # (post, title) → links changed

    def add(self, d: ChainDiff) -> None:
        self.evaluated += 1
        self.affected += d.affected
        for c in d.links:
            self.links[c.change] += 1
            if c.party_kind == "person" and c.change in self.people:
                self.people[c.change].add(c.party)
            self.posts.update(c.posts)
        self.gaps.update(g.change for g in d.gaps)


@dataclass(frozen=True)
class BatchResult:
    lines: int
    evaluated: int  # incidents evaluated under at least one variant
    failed_input: int  # error records of kind input
    failed_internal: int  # error records of kind internal
    out: Path

    @property
    def exit_code(self) -> int:
        return 1 if self.failed_internal else 2 if self.failed_input else 0


def summary(result: BatchResult, org: Sequence[Path], incidents: Path, pack: RulePack, backend: str,
            variants: Sequence[Variant], tallies: dict[str, Tally]) -> str:
    out = ["# wenze batch: summary", "", "| | |", "|---|---|",
           f"| org | {', '.join(map(str, org))} |", f"| incidents | {incidents} ({result.lines} lines) |",
           f"| evaluated | {result.evaluated} incidents × {len(variants)} variants |",
           f"| failed | {result.failed_input} input, {result.failed_internal} internal (see errors.jsonl) |",
           f"| rule pack | {pack.pack.id} ({pack.digest[:19]}) |", f"| backend | {backend} |", ""]
    for v in variants[1:]:
        t = tallies[v.name]
        out += [f"## {v.name}", ""] + ([v.description, ""] if v.description else [])
        out += ["| incidents evaluated | affected | links added | removed | changed | people added | "
                "people removed | gaps added | gaps removed |", "|---|---|---|---|---|---|---|---|---|",
                f"| {t.evaluated} | {t.affected} | {t.links['added']} | {t.links['removed']} | {t.links['changed']} | "
                f"{len(t.people['added'])} | {len(t.people['removed'])} | {t.gaps['added']} | {t.gaps['removed']} |", ""]
        if t.posts:
            out += ["Most affected posts (links added, removed or changed, by a post held that day):", "",
                    "| post | title | links |", "|---|---|---|"]
            out += [f"| {p} | {title} | {n} |" for (p, title), n in
                    sorted(t.posts.items(), key=lambda kv: (-kv[1], kv[0]))[:10]]
            out.append("")
    return "\n".join(out)


def run_batch(org: Sequence[Path], incidents: Path, pack: RulePack, out: Path, scenarios: Sequence[str] = (),
              workers: int = 1, backend: str = "durable", progress: Callable[[int], None] | None = None,
              ) -> BatchResult:
    """Evaluate every incident of INCIDENTS.jsonl under the baseline and each scenario; write DIR."""
    for path in (p for spec in scenarios for p in scenario_paths(spec)):
        if any("incidents" in c.sections for c in load_scenario(path).changes):
            raise InputError(f"{path}: the scenario changes incidents; a batch takes its incidents from "
                             f"{incidents}, so a scenario for it may change only the org, the acts and the rules")
    with _long_lived():
        facts = load_facts(org)
        vs = variants(facts.model_copy(update={"incidents": []}), pack, scenarios)
        evaluator = Evaluator(vs)
    try:
        return _run(evaluator, vs, org, incidents, pack, out, workers, backend, progress)
    finally:
        gc.unfreeze()


@contextmanager
def _long_lived() -> Iterator[None]:
    """What is made inside lives for the whole run: keep the cyclic collector off it.

    Loading a county makes millions of objects and no garbage, and the collector
    would scan them all again and again (two thirds of the load time); frozen, they
    are not scanned during the run either, and forked workers, whose collector
    would otherwise write to every page it scans, share them without copying.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        gc.freeze()
    finally:
        if enabled:
            gc.enable()


def _run(evaluator: Evaluator, vs: list[Variant], org: Sequence[Path], incidents: Path, pack: RulePack, out: Path,
         workers: int, backend: str, progress: Callable[[int], None] | None) -> BatchResult:
    reader = Reader(incidents, vs, [members for _, members in evaluator.groups])
    tallies = {v.name: Tally() for v in vs[1:]}
    files = Outputs(out)
    evaluated = 0
    try:
        if workers:
            results = Pool(evaluator, backend, workers).map(_chunks(reader.items(), CHUNK))
        else:
            local = BACKENDS[backend]()
            results = ([evaluate(evaluator, local, item)] for item in reader.items())
        for outcomes in results:
            for o in outcomes:
                evaluated += bool(o.chains)
                for line in o.chains:
                    files.files["chains.jsonl"].write(line + "\n")
                for d in o.diffs:
                    tallies[d.scenario].add(d)
                    files.diff.writerows(d.rows())
                reader.errors.extend(o.errors)
            if progress and outcomes:
                progress(outcomes[-1].line)  # the last line done (lines are read ahead, in batches)
        errors = sorted(reader.errors, key=lambda e: (e["line"], e["scenario"] or ""))
        for e in errors:
            files.files["errors.jsonl"].write(canonical_json(e) + "\n")
        kinds = Counter(e["kind"] for e in errors)
        result = BatchResult(reader.lines, evaluated, kinds["input"], kinds["internal"], out)
        files.files["summary.md"].write(summary(result, org, incidents, pack, backend, vs, tallies) + "\n")
    except BaseException:
        files.discard()
        raise
    files.commit()
    return result
