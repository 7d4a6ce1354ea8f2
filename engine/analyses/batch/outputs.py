"""The batch's output files, each written atomically, and the tallies behind summary.md."""
from __future__ import annotations

import csv
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from engine.analyses.whatif.evaluate import Variant
from engine.outputs.diff import CSV_COLUMNS, ChainDiff
from engine.pack.rulepack import RulePack

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
