"""How long a county's org takes to load, from YAML, JSON and an Excel workbook (and CSV), in one run.

    .venv/bin/python bench/load_bench.py [--rounds 2] [--enterprises 10000]

The county is facts/synth.py's (5,000 people, 10,000 enterprises: about 60,000
tenures, 50,000 inspections, 60,000 signatures), written once in each form by
the writers wenze uses (facts/convert.py). Each load is timed whole
(``load_facts``: read, validate every record, check every reference) and split
into reading (the parser: PyYAML's C loader, json, python-calamine with the
cells' conversion) and the rest; the best of the rounds is printed, with the
cyclic collector off as ``load_facts`` has it. Figures only; nothing is asserted.
"""
from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from facts.convert import write_facts  # noqa: E402
from facts.load import load_facts  # noqa: E402
from facts.read import CoreLoader, read_document  # noqa: E402
from facts.synth import CountySpec, county  # noqa: E402
from facts.workbook import read_csvs, read_xlsx  # noqa: E402


def best(fn, rounds: int) -> float:
    """The best time of ``rounds`` calls, the cyclic collector off as load_facts has it."""
    times = []
    for _ in range(rounds):
        gc.collect()
        gc.disable()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
        gc.enable()
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--enterprises", type=int, default=10_000)
    args = parser.parse_args()
    facts = county(CountySpec(enterprises=args.enterprises))
    sizes = {s: len(getattr(facts, s)) for s in ("units", "people", "posts", "tenures", "inspections", "signatures")}
    print(f"county: {sizes}; YAML loader: {CoreLoader.__mro__[1].__name__} with the core schema")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        forms = {"yaml": out / "org.yaml", "json": out / "org.json", "xlsx": out / "org.xlsx", "csv": out / "csv"}
        for form, path in forms.items():
            t = time.perf_counter()
            write_facts(facts, path)
            size = sum(f.stat().st_size for f in path.rglob("*")) if path.is_dir() else path.stat().st_size
            print(f"{form:>5}: written in {time.perf_counter() - t:5.1f} s, {size / 1e6:5.1f} MB")
        readers = {"yaml": lambda: read_document(forms["yaml"]), "json": lambda: read_document(forms["json"]),
                   "xlsx": lambda: read_xlsx(forms["xlsx"]), "csv": lambda: read_csvs(sorted(forms["csv"].glob("*.csv")))}
        print(f"{'form':>5}  {'load_facts':>10}  {'of which reading':>16}")
        for form, path in forms.items():
            whole = best(lambda: load_facts([path]), args.rounds)
            read = best(readers[form], args.rounds)
            print(f"{form:>5}  {whole:9.1f}s  {read:15.1f}s")


if __name__ == "__main__":
    main()
