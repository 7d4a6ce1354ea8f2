"""`wenze batch` at the size of a county, in one run: throughput, scenarios, county vs town, memory.

    .venv/bin/python bench/batch_bench.py [--incidents 100000] [--sample 10000] [--backend durable]
                                          [--parts throughput,scenarios,town,memory]

- **throughput**: incidents per second with 1 and with 2 worker processes,
  baseline only, over ``--incidents`` incidents (steady state: from the first
  chunk back to the last, so loading the org is not counted; the wall time is
  printed too);
- **scenarios**: the cost of 5 rule-only scenarios relative to the baseline
  alone, per incident, in this process, over ``--sample`` incidents;
- **town**: the per-incident cost on the county relative to the example town
  (its 30 batch incidents repeated under new ids), in this process, ``--sample`` each;
- **memory**: this process's resident memory (VmRSS) after 10,000 and after
  ``--incidents`` incidents of an in-process run, and its peak (ru_maxrss); and
  the peak of the worker processes of the throughput runs. It must stay flat:
  durable_rules keeps session state unless each session is deleted.

The county is facts/synth.py's (5,000 people, 300 villages, 10,000 enterprises,
five years of tenures). Outputs go to a temporary folder, removed at the end.
Figures only; nothing is asserted.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.analyses.batch.run import run_batch  # noqa: E402
from engine.pack.rulepack import load_pack  # noqa: E402
from facts.synth import CountySpec, write_fact_dir  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "facts" / "examples"
#: Five scenarios that change only the rule pack (the first two ship with the examples).
RULE_ONLY = {
    "no-stationed": None,
    "acts-two-years": None,
    "no-joint-responsibility": "  - disable_rules: [town_heads, missed_monthly_meeting]\n",
    "village-director-is-head": "  - set_params: {village_head_roles: [village_director]}\n",
    "predecessors-answer": "  - set_params: {predecessors_answer: true}\n",
}


def vm_rss_mb() -> float:
    """This process's resident memory now (tracemalloc would miss durable's C allocations)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


class Clock:
    """Progress callback: when each count of lines was reached, for a steady-state rate."""

    def __init__(self, marks: dict[int, callable] | None = None):
        self.points: list[tuple[float, int]] = []
        self.marks = dict(marks or {})

    def __call__(self, lines: int) -> None:
        self.points.append((time.perf_counter(), lines))
        for at in [m for m in self.marks if lines >= m]:
            self.marks.pop(at)(lines)

    def rate(self) -> float:
        (t0, n0), (t1, n1) = self.points[0], self.points[-1]
        return (n1 - n0) / (t1 - t0) if t1 > t0 else float("nan")


def batch(org: Path, incidents: Path, out: Path, backend: str, workers: int, scenarios=(), marks=None):
    clock = Clock(marks)
    t = time.perf_counter()
    result = run_batch([org], incidents, load_pack(), out, list(scenarios), workers, backend, clock)
    return result, clock.rate(), time.perf_counter() - t


def head(src: Path, dst: Path, n: int) -> Path:
    with src.open(encoding="utf-8") as f, dst.open("w", encoding="utf-8") as g:
        for _, line in zip(range(n), f):
            g.write(line)
    return dst


def town_incidents(dst: Path, n: int) -> Path:
    """The example batch's incidents repeated under new ids, n lines."""
    rows = [json.loads(l) for l in (EXAMPLES / "tongchuan-batch" / "incidents.jsonl").read_text(encoding="utf-8").splitlines()]
    with dst.open("w", encoding="utf-8") as f:
        for k in range(n):
            row = rows[k % len(rows)]
            f.write(json.dumps({**row, "id": f"{row['id']}-{k}"}, ensure_ascii=False) + "\n")
    return dst


def scenario_files(tmp: Path) -> list[str]:
    out = []
    for name, changes in RULE_ONLY.items():
        if changes is None:
            shipped = {"no-stationed": "no-stationed.yaml", "acts-two-years": "signatures-two-years.yaml"}[name]
            out.append(str(EXAMPLES / "scenarios" / shipped))
        else:
            path = tmp / f"{name}.yaml"
            path.write_text(f"name: {name}\nchanges:\n{changes}", encoding="utf-8")
            out.append(str(path))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--incidents", type=int, default=100_000, help="throughput and memory runs (default 100000)")
    ap.add_argument("--sample", type=int, default=10_000, help="scenario and town comparisons (default 10000)")
    ap.add_argument("--backend", default="durable", choices=["durable", "python"])
    ap.add_argument("--parts", default="throughput,scenarios,town,memory")
    args = ap.parse_args()
    parts = set(args.parts.split(","))

    with tempfile.TemporaryDirectory(prefix="wenze-bench-") as tmp_name:
        tmp = Path(tmp_name)
        t = time.perf_counter()
        org, incidents = write_fact_dir(CountySpec(incidents=args.incidents), tmp / "county")
        print(f"county: {org.stat().st_size / 1e6:.0f} MB of org facts, {args.incidents:,} incidents, "
              f"generated in {time.perf_counter() - t:.0f} s; backend {args.backend}\n")
        sample = head(incidents, tmp / "sample.jsonl", args.sample)

        if "throughput" in parts:
            for workers in (1, 2):
                r, rate, wall = batch(org, incidents, tmp / "out", args.backend, workers)
                print(f"throughput, {workers} worker{'s' if workers > 1 else ''}: {rate:,.0f} incidents/s steady "
                      f"({r.evaluated:,} incidents in {wall:.0f} s wall, loading included; exit {r.exit_code})")
            print(f"peak memory of a worker process: {peak_mb(resource.RUSAGE_CHILDREN):.0f} MB\n")

        if "scenarios" in parts:
            _, alone, _ = batch(org, sample, tmp / "out", args.backend, 0)
            _, five, _ = batch(org, sample, tmp / "out", args.backend, 0, scenario_files(tmp))
            print(f"5 rule-only scenarios: {1000 / five:.2f} ms per incident vs {1000 / alone:.2f} baseline alone "
                  f"= {alone / five:.2f}× the cost for 6× the chains (contexts shared), {args.sample:,} incidents\n")

        if "town" in parts:
            _, on_county, _ = batch(org, sample, tmp / "out", args.backend, 0)
            _, on_town, _ = batch(EXAMPLES / "tongchuan", town_incidents(tmp / "town.jsonl", args.sample),
                                  tmp / "out", args.backend, 0)
            print(f"per incident: county {1000 / on_county:.2f} ms, example town {1000 / on_town:.2f} ms "
                  f"= {on_town / on_county:.2f}× ({args.sample:,} incidents each, in this process)\n")

        if "memory" in parts:
            seen: dict[int, float] = {}
            marks = {n: (lambda n: seen.setdefault(n, vm_rss_mb())) for n in (1_000, 10_000, args.incidents)}
            before = vm_rss_mb()
            r, rate, wall = batch(org, incidents, tmp / "out", args.backend, 0, marks=marks)
            print(f"memory, in this process (VmRSS): {before:.0f} MB before the run; "
                  + ", ".join(f"{mb:.0f} MB after {n:,} incidents" for n, mb in sorted(seen.items()))
                  + f"; peak {peak_mb(resource.RUSAGE_SELF):.0f} MB ({rate:,.0f} incidents/s in this process)")


if __name__ == "__main__":
    main()
