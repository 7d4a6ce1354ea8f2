"""Per-incident cost of a trace on the example town and on a generated county, both backends, in one run.

    .venv/bin/python bench/trace_bench.py [--incidents 2000] [--seconds 3] [--profile python|durable]

A trace is three steps, timed apart: the incident's context (engine/context.py
over engine/graph.py), the rule matches (durable_rules or the plain-Python
evaluator) and the chain (engine/chain.py). The county (facts/synth.py: 5,000
people, 10,000 enterprises) should cost about what the town costs per incident:
a query reads only the incident's neighbourhood. What differs is the size of
that neighbourhood (context facts per incident), printed beside the times.
With ``--profile`` the county is traced again under cProfile and the top
entries printed. Figures only; nothing is asserted.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.chain import build_chain  # noqa: E402
from engine.context import build_context  # noqa: E402
from engine.evaluate import BACKENDS  # noqa: E402
from engine.graph import OrgGraph  # noqa: E402
from engine.rulepack import load_pack  # noqa: E402
from facts.load import load_facts  # noqa: E402
from facts.model import Incident  # noqa: E402
from facts.synth import CountySpec, county, incident_records  # noqa: E402

EXAMPLE = Path(__file__).resolve().parent.parent / "facts" / "examples" / "tongchuan"


def timed(graph: OrgGraph, pack, backend, incidents: list[Incident], seconds: float) -> dict:
    """Trace the incidents round after round for at least ``seconds``; seconds per step, per incident."""
    for i in incidents:  # warm up: compile the ruleset, fill caches
        build_chain(pack, graph, (c := build_context(graph, i)), backend.matches(pack, c.facts))
    steps = {"context": 0.0, "match": 0.0, "chain": 0.0}
    n = facts = 0
    clock = time.perf_counter
    start = clock()
    while n < len(incidents) or clock() - start < seconds:
        for i in incidents:
            t0 = clock()
            ctx = build_context(graph, i)
            t1 = clock()
            matches = backend.matches(pack, ctx.facts)
            t2 = clock()
            build_chain(pack, graph, ctx, matches)
            t3 = clock()
            steps["context"] += t1 - t0
            steps["match"] += t2 - t1
            steps["chain"] += t3 - t2
            n += 1
            facts += len(ctx.facts)
    return {"n": n, "facts": facts / n, **{k: v / n for k, v in steps.items()}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--incidents", type=int, default=2000, help="county incidents to trace (default 2000)")
    ap.add_argument("--seconds", type=float, default=3.0, help="least time per measurement (default 3)")
    ap.add_argument("--profile", choices=sorted(BACKENDS), help="also profile the county on this backend")
    args = ap.parse_args()

    pack = load_pack()
    town = load_facts([EXAMPLE])
    spec = CountySpec(incidents=args.incidents)
    t = time.perf_counter()
    org = county(spec)
    incidents = [Incident.model_validate(r) for r in incident_records(spec, org)]
    built = time.perf_counter() - t
    t = time.perf_counter()
    graphs = {"town": OrgGraph(town), "county": OrgGraph(org)}
    print(f"county generated in {built:.1f} s ({len(org.people):,} people, {len(org.units):,} units, "
          f"{len(org.tenures):,} tenures, {len(org.assignments):,} assignments, {len(org.inspections):,} inspections, "
          f"{len(org.signatures):,} signatures); both graphs built in {time.perf_counter() - t:.1f} s\n")

    orgs = {"town": (town, town.incidents), "county": (org, incidents)}
    rows = {}
    print(f"{'org':8} {'people':>7} {'incidents':>9} {'facts/ctx':>9} {'backend':8} {'inc/s':>8} {'ms/inc':>7}"
          f" {'context':>8} {'match':>7} {'chain':>7}")
    for backend in ("python", "durable"):
        for name, (facts, incs) in orgs.items():
            r = rows[name, backend] = timed(graphs[name], pack, BACKENDS[backend](), list(incs), args.seconds)
            ms = 1000 * (r["context"] + r["match"] + r["chain"])
            print(f"{name:8} {len(facts.people):>7,} {len(incs):>9,} {r['facts']:>9.1f} {backend:8} {1000 / ms:>8.0f}"
                  f" {ms:>7.2f} {1000 * r['context']:>8.2f} {1000 * r['match']:>7.2f} {1000 * r['chain']:>7.2f}")
    print()
    for backend in ("python", "durable"):
        town_r, county_r = rows["town", backend], rows["county", backend]
        total = {k: sum(r[s] for s in ("context", "match", "chain")) for k, r in (("town", town_r), ("county", county_r))}
        print(f"{backend}: county / town per incident = {total['county'] / total['town']:.2f}× "
              f"(context {county_r['context'] / town_r['context']:.2f}×; facts per context "
              f"{county_r['facts']:.1f} vs {town_r['facts']:.1f})")

    if args.profile:
        backend = BACKENDS[args.profile]()
        prof = cProfile.Profile()
        prof.enable()
        for i in incidents:
            ctx = build_context(graphs["county"], i)
            build_chain(pack, graphs["county"], ctx, backend.matches(pack, ctx.facts))
        prof.disable()
        print(f"\ncProfile, county, {args.profile}, {len(incidents)} incidents (cumulative):")
        pstats.Stats(prof, stream=sys.stdout).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
