"""Many incidents under the baseline and every scenario, across processes: `wenze batch`.

**Input.** ``INCIDENTS.jsonl`` holds one incident per line, a JSON object in
the fact-file format of an ``incidents`` record; blank lines are skipped. A
YAML, JSON, Excel or CSV fact file may hold them instead, in its ``incidents``
section (:mod:`engine.analyses.batch.reader`).
Inspections, signatures and the other acts of a site are the site's history,
shared by every incident there, so they belong in the org files (``--org``),
whose own incidents are not evaluated.

**Outputs** in DIR, written into a new folder beside it that takes DIR's place
as a whole at the end (:class:`engine.analyses.batch.outputs.Outputs`): a crash,
Ctrl-C or a kill leaves the previous run's outputs or the new ones, never a
mix; a second batch on the same DIR is refused while one runs.

- ``chains.jsonl``: one line per incident and variant, ``{"incident", "scenario",
  "chain"}`` (the chain's JSON contract), in input order, the baseline first;
- ``diff.csv``: one row per link or gap a scenario changes (:data:`engine.outputs.diff.CSV_COLUMNS`),
  UTF-8 with a BOM (Excel opens it as such), each coded value beside its label; a cell that a
  spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``) starts with ``'``;
- ``summary.md`` and ``summary.xlsx``: per scenario, incidents affected, links and people added and
  removed, the posts most affected;
- ``errors.jsonl``: one line per failure, ``{"line", "incident", "scenario",
  "kind", "field", "message", "hint"}``. ``kind`` is ``input`` for a record that
  failed validation (the whole line; or one scenario, whose facts lack an id the
  incident names) and ``internal`` for a failure inside wenze: an engine error,
  or a worker process that died while evaluating the incident.

A bad record never stops the others, whatever its bytes. **Exit status**: 0 if every record was
evaluated under every variant; 2 if some record failed validation; 1 if
anything failed inside (that wins over 2: the output is incomplete for a
reason the input does not explain).

**Work.** An incident's context is computed once per distinct fact set and
evaluated under every variant on it (:class:`engine.analyses.whatif.evaluate.Evaluator`). With
``workers`` ≥ 1 the incidents go in small chunks to worker processes (fork
where the platform has it), each with its own rule backend: a durable_rules
Host is created inside its process, never shared. The parent reads and
validates, writes, and watches: when a worker dies, its chunk is re-run one
incident at a time in a fresh worker, so only the incident that kills a worker
is lost, and reported. ``workers=0`` evaluates in this process (for profiling).
SIGINT and SIGTERM stop the workers quietly and raise :class:`Interrupted`;
DIR is left as it was.
"""
from __future__ import annotations

import gc
import signal
import threading
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Sequence

from engine.analyses.batch.items import evaluate
from engine.analyses.batch.outputs import BatchResult, Outputs, Tally, summary, summary_tables, summary_xlsx
from engine.analyses.batch.pool import Pool, chunks
from engine.analyses.batch.reader import Reader, Source, open_incidents
from engine.analyses.whatif.evaluate import Evaluator, Variant, scenario_paths, variants
from engine.analyses.whatif.scenario import load_scenario
from engine.pack.backends import BACKENDS
from engine.pack.rulepack import RulePack
from facts.canon import canonical_json
from facts.errors import InputError
from facts.load import load_facts

#: Incidents sent to a worker at a time: small, so a dead worker costs little to redo.
CHUNK = 32


class Interrupted(KeyboardInterrupt):
    """The run was stopped by SIGINT or SIGTERM; its output folder is as it was before."""


def run_batch(org: Sequence[Path], incidents: Path | Source, pack: RulePack, out: Path, scenarios: Sequence[str] = (),
              workers: int = 1, backend: str = "durable", progress: Callable[[int], None] | None = None,
              lang: str = "zh") -> BatchResult:
    """Evaluate every incident (of a file, or a source opened already) under the baseline and each scenario."""
    source = incidents if isinstance(incidents, Source) else open_incidents(incidents)
    for path in (p for spec in scenarios for p in scenario_paths(spec)):
        if any("incidents" in c.sections for c in load_scenario(path).changes):
            raise InputError(f"{path}: the scenario changes incidents; a batch takes its incidents from "
                             f"{source.file}, so a scenario for it may change only the org, the acts and the rules")
    with Outputs(out) as files:
        with _interruptible(out):
            with _long_lived():
                facts = load_facts(org)
                vs = variants(facts.model_copy(update={"incidents": []}), pack, scenarios)
                evaluator = Evaluator(vs)
            try:
                result = _run(evaluator, vs, org, source, pack, files, workers, backend, progress, lang)
            finally:
                gc.unfreeze()
        files.commit()  # one rename: a signal now leaves the old folder or the new, both whole
        return result


@contextmanager
def _interruptible(out: Path) -> Iterator[None]:
    """SIGTERM raises Interrupted as Ctrl-C raises KeyboardInterrupt, so the run ends the same clean way."""
    said = f"{out} is as it was before this run"

    def stop(signum, frame):
        raise Interrupted(f"{signal.Signals(signum).name}; {said}")

    main = threading.current_thread() is threading.main_thread()
    before = signal.signal(signal.SIGTERM, stop) if main else None
    try:
        yield
    except Interrupted:
        raise
    except KeyboardInterrupt:
        raise Interrupted(f"SIGINT; {said}") from None
    finally:
        if main:
            signal.signal(signal.SIGTERM, before)


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


def _run(evaluator: Evaluator, vs: list[Variant], org: Sequence[Path], source: Source, pack: RulePack,
         files: Outputs, workers: int, backend: str, progress: Callable[[int], None] | None, lang: str) -> BatchResult:
    reader = Reader(source, vs, [members for _, members in evaluator.groups])
    tallies = {v.name: Tally() for v in vs[1:]}
    packs = {v.name: v.pack for v in vs}
    evaluated = 0
    if workers:
        results = Pool(evaluator, backend, workers).map(chunks(reader.items(), CHUNK))
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
                files.write_rows(d.rows(packs[d.scenario], lang))
            reader.errors.extend(o.errors)
        if progress and outcomes:
            progress(outcomes[-1].line)  # the last line done (lines are read ahead, in batches)
    errors = sorted(reader.errors, key=lambda e: (e["line"], e["scenario"] or ""))
    for e in errors:
        files.files["errors.jsonl"].write(canonical_json(e) + "\n")
    kinds = Counter(e["kind"] for e in errors)
    result = BatchResult(reader.lines, evaluated, kinds["input"], kinds["internal"], files.out)
    tables = summary_tables(result, org, source.file, pack, backend, vs, tallies, lang)
    files.files["summary.md"].write(summary(tables) + "\n")
    summary_xlsx(tables, files.path("summary.xlsx"))
    return result
