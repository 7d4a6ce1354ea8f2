"""Per-incident cost of a trace on the example town and on a generated county, both backends, in one run.

    .venv/bin/python bench/trace_bench.py [--incidents 1000] [--seconds 1] [--rounds 5] [--profile python|durable]
                                          [--dated]

A trace is three steps, timed apart: the incident's context (engine/incident
over engine/org), the rule matches (the version of the pack in force on the
incident's day, then durable_rules or the plain-Python evaluator) and the chain
(engine/chain). With ``--dated`` two parameters of the pack are dated (three
versions over the incidents' five years), to show what judging each incident by
the law of its day costs. The county (facts/synth.py: 5,000
people, 10,000 enterprises) should cost about what a town costs per incident:
a query reads only the incident's neighbourhood. Against the example town, what
differs is also the size of that neighbourhood (context facts per incident,
printed beside the times); against one town of the same generator (``synth
town``: the county's density, a twelfth of its size) only the size of the org does.
With ``--profile`` the county is traced again under cProfile and the top
entries printed. Figures only; nothing is asserted.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.chain.chain import build_chain  # noqa: E402
from engine.incident.context import build_context  # noqa: E402
from engine.org.graph import OrgGraph  # noqa: E402
from engine.pack.backends import BACKENDS  # noqa: E402
from engine.pack.rulepack import load_pack  # noqa: E402
from facts.load import load_facts  # noqa: E402
from facts.model import Incident  # noqa: E402
from facts.synth import CountySpec, county, incident_records  # noqa: E402

EXAMPLE = Path(__file__).resolve().parent.parent / "facts" / "examples" / "tongchuan"


def timed(graph: OrgGraph, pack, backend, incidents: list[Incident], seconds: float) -> dict:
    """One round: the incidents traced over and over for at least ``seconds``; seconds per step, per incident."""
    steps = {"context": 0.0, "match": 0.0, "chain": 0.0}
    n = facts = 0
    clock = time.perf_counter
    start = clock()
    while n < len(incidents) or clock() - start < seconds:
        for i in incidents:
            t0 = clock()
            ctx = build_context(graph, i)
            t1 = clock()
            version = pack.as_of(ctx.day)
            matches = backend.matches(version, ctx.facts)
            t2 = clock()
            build_chain(version, graph, ctx, matches)
            t3 = clock()
            steps["context"] += t1 - t0
            steps["match"] += t2 - t1
            steps["chain"] += t3 - t2
            n += 1
            facts += len(ctx.facts)
    return {"n": n, "facts": facts / n, **{k: v / n for k, v in steps.items()}}


def best(rounds: list[dict]) -> dict:
    """The fastest round: on a shared machine, noise only ever adds time."""
    return min(rounds, key=lambda r: r["context"] + r["match"] + r["chain"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--incidents", type=int, default=1000, help="incidents of each synthetic org (default 1000)")
    ap.add_argument("--seconds", type=float, default=1.0, help="least time per round (default 1)")
    ap.add_argument("--rounds", type=int, default=5, help="rounds per org and backend; the best is kept (default 5)")
    ap.add_argument("--profile", choices=sorted(BACKENDS), help="also profile the county on this backend")
    ap.add_argument("--dated", action="store_true", help="date two parameters of the pack (three versions)")
    args = ap.parse_args()

    pack = load_pack()
    if args.dated:
        dated = {"enterprise_report_minutes": {date(2022, 4, 24): 60, date(2023, 7, 1): 30},
                 "inspection_window_days": {date(2022, 4, 24): 365, date(2024, 1, 1): 180}}
        pack = pack.model_copy(update={"parameters": {**pack.parameters, **{
            name: pack.parameters[name].set_to(values) for name, values in dated.items()}}})
        print(f"dated pack: {len(pack.versions())} versions\n")
    town = load_facts([EXAMPLE])
    spec = CountySpec(incidents=args.incidents)
    one = CountySpec(towns=1, villages=25, enterprises=833, people=420, incidents=args.incidents)
    t = time.perf_counter()
    org, small = county(spec), county(one)
    incidents = [Incident.model_validate(r) for r in incident_records(spec, org)]
    built = time.perf_counter() - t
    t = time.perf_counter()
    graphs = {"town": OrgGraph(town), "synth town": OrgGraph(small), "county": OrgGraph(org)}
    print(f"county generated in {built:.1f} s ({len(org.people):,} people, {len(org.units):,} units, "
          f"{len(org.tenures):,} tenures, {len(org.assignments):,} assignments, {len(org.inspections):,} inspections, "
          f"{len(org.signatures):,} signatures); both graphs built in {time.perf_counter() - t:.1f} s\n")

    orgs = {"town": (town, town.incidents),
            "synth town": (small, [Incident.model_validate(r) for r in incident_records(one, small)]),
            "county": (org, incidents)}
    rows = {}
    print(f"{'org':10} {'people':>7} {'incidents':>9} {'facts/ctx':>9} {'backend':8} {'inc/s':>8} {'ms/inc':>7}"
          f" {'context':>8} {'match':>7} {'chain':>7}   (best of {args.rounds} rounds, the orgs interleaved)")
    for backend in ("python", "durable"):
        engines = {name: BACKENDS[backend]() for name in orgs}
        for name, (_, incs) in orgs.items():  # warm up: compile the ruleset, fill caches
            timed(graphs[name], pack, engines[name], list(incs), 0)
        rounds: dict[str, list[dict]] = {name: [] for name in orgs}
        for _ in range(args.rounds):
            for name, (_, incs) in orgs.items():
                rounds[name].append(timed(graphs[name], pack, engines[name], list(incs), args.seconds))
        for name, (facts, incs) in orgs.items():
            r = rows[name, backend] = best(rounds[name])
            ms = 1000 * (r["context"] + r["match"] + r["chain"])
            print(f"{name:10} {len(facts.people):>7,} {len(incs):>9,} {r['facts']:>9.1f} {backend:8} {1000 / ms:>8.0f}"
                  f" {ms:>7.2f} {1000 * r['context']:>8.2f} {1000 * r['match']:>7.2f} {1000 * r['chain']:>7.2f}")
    print()
    for backend in ("python", "durable"):
        county_r = rows["county", backend]
        for name in ("town", "synth town"):
            r = rows[name, backend]
            ratio = sum(county_r[s] for s in ("context", "match", "chain")) / sum(r[s] for s in ("context", "match", "chain"))
            print(f"{backend}: county / {name} per incident = {ratio:.2f}× (context {county_r['context'] / r['context']:.2f}×;"
                  f" facts per context {county_r['facts']:.1f} vs {r['facts']:.1f})")

    if args.profile:
        backend = BACKENDS[args.profile]()
        prof = cProfile.Profile()
        prof.enable()
        for i in incidents:
            ctx = build_context(graphs["county"], i)
            version = pack.as_of(ctx.day)
            build_chain(version, graphs["county"], ctx, backend.matches(version, ctx.facts))
        prof.disable()
        print(f"\ncProfile, county, {args.profile}, {len(incidents)} incidents (cumulative):")
        pstats.Stats(prof, stream=sys.stdout).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
