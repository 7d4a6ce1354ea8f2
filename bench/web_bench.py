"""What the workbench saves over the CLI on a county: the org parsed once, then each answer, in one run.

    .venv/bin/python bench/web_bench.py [--enterprises 10000] [--backend durable] [--rounds 5]

The county is facts/synth.py's (5,000 people, 10,000 enterprises by default),
written as one JSON fact file with a few of its incidents. Each question is
asked two ways:

- the CLI: ``wenze trace DIR --incident X --format json`` (or ``explain``), a
  process that loads the county every time;
- the workbench: a real server (uvicorn on the loopback, as the tests start
  it) that loaded the county once; the same question over HTTP, for an
  incident it has not traced yet ("first") and again ("again": a page reuses
  its case's traced chain, the API traces anew on the loaded graph).

Median of ``--rounds`` calls (each on another incident for "first"); the
server's resident memory after loading. Figures only; nothing is asserted.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.pack.rulepack import DEFAULT_PACK, load_pack  # noqa: E402
from engine.web.app import create_app  # noqa: E402
from engine.web.workspace import Workspace  # noqa: E402
from facts.synth import CountySpec, county, incident_records  # noqa: E402
from tests.webserver import call, running  # noqa: E402


def vm_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def median_ms(times: list[float]) -> str:
    return f"{statistics.median(times) * 1000:9.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enterprises", type=int, default=10_000)
    parser.add_argument("--backend", choices=("durable", "python"), default="durable")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    spec = CountySpec(enterprises=args.enterprises)
    org = county(spec)
    incidents = list(incident_records(spec, org, 3 * args.rounds))
    ids = [i["id"] for i in incidents]
    wenze = Path(sys.executable).with_name("wenze")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "county"
        folder.mkdir()
        (folder / "county.json").write_text(json.dumps({**org.dump(), "incidents": incidents}, ensure_ascii=False),
                                            encoding="utf-8")
        print(f"county: {len(org.people)} people, {len(org.units)} units, {len(org.tenures)} tenures, "
              f"{len(org.inspections)} inspections, {len(org.signatures)} signatures; backend {args.backend}")

        def cli(*words: str) -> None:
            subprocess.run([str(wenze), *words, str(folder), "--format", "json", "--backend", args.backend],
                           check=True, capture_output=True)

        rows = {"trace one incident": [timed(lambda i=i: cli("trace", "--incident", i)) for i in ids[:args.rounds]]}
        person = org.people[0].id
        rows["explain one person"] = [timed(lambda i=i: cli("explain", "--incident", i, "--person", person))
                                      for i in ids[:args.rounds]]
        for what, times in rows.items():
            print(f"CLI        {what:<22} {median_ms(times)}  (a process that loads the county each time)")

        before = vm_rss_mb()
        t = time.perf_counter()
        ws = Workspace([folder], load_pack(), DEFAULT_PACK, args.backend)
        opened = time.perf_counter() - t
        print(f"workbench  open the county once      {opened * 1000:9.1f} ms, "
              f"+{vm_rss_mb() - before:.0f} MB resident")
        try:
            with running(create_app(ws)) as url:
                page = f"{url}/c/opened/incident/{{}}"
                asks = {
                    "incident page": lambda i: call("GET", page.format(i)),
                    "person page": lambda i: call("GET", page.format(i) + f"/person/{person}"),
                    "POST /api/trace": lambda i: call("POST", f"{url}/api/trace", {"incidents": [i]}),
                    "POST /api/explain": lambda i: call("POST", f"{url}/api/explain",
                                                        {"incident": i, "person": person}),
                }
                fresh = iter(ids[args.rounds:])
                for what, ask in asks.items():
                    first = [timed(lambda i=next(fresh): ask(i)) for _ in range(args.rounds // 2 or 1)]
                    seen = ids[args.rounds]
                    again = [timed(lambda: ask(seen)) for _ in range(args.rounds)]
                    print(f"workbench  {what:<22} first {median_ms(first)}, again {median_ms(again)}")
        finally:
            ws.close()


if __name__ == "__main__":
    main()
