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
from engine.words.catalog import phrase

OUTPUTS = ("chains.jsonl", "diff.csv", "summary.md", "summary.xlsx", "errors.jsonl")
#: Outputs written whole at the end by a library (a workbook), not streamed through a text file.
BINARY = ("summary.xlsx",)


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
            if name in BINARY:
                os.close(fd)
                continue
            # diff.csv with a BOM: Excel opens a CSV as UTF-8 only when it starts with one
            self.files[name] = os.fdopen(fd, "w", encoding="utf-8-sig" if name.endswith(".csv") else "utf-8",
                                         newline="")
        self.diff = csv.DictWriter(self.files["diff.csv"], fieldnames=CSV_COLUMNS, lineterminator="\n")
        self.diff.writeheader()

    def commit(self) -> None:
        for name, f in self.files.items():
            f.flush()
            os.fsync(f.fileno())
            f.close()
        for name in OUTPUTS:
            os.replace(self.temps[name], self.out / name)

    def discard(self) -> None:
        for f in self.files.values():
            f.close()
        for tmp in self.temps.values():
            tmp.unlink(missing_ok=True)


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


@dataclass(frozen=True)
class SummaryTable:
    """One table of the summary: a heading (a scenario's name, or the run), text under it, its rows."""

    title: str
    text: tuple[str, ...]
    header: tuple[str, ...]
    rows: tuple[tuple, ...]


def summary_tables(result: BatchResult, org: Sequence[Path], incidents: str, pack: RulePack, backend: str,
                   variants: Sequence[Variant], tallies: dict[str, Tally], lang: str = "zh") -> list[SummaryTable]:
    """The summary as tables, rendered as Markdown (summary.md) and as sheets (summary.xlsx)."""
    out = [SummaryTable(phrase(lang, "summary.title"), (), ("", ""), (
        (phrase(lang, "summary.org"), ", ".join(map(str, org))),
        (phrase(lang, "summary.incidents"), phrase(lang, "summary.incidents_value", file=incidents, lines=result.lines)),
        (phrase(lang, "summary.evaluated"), phrase(lang, "summary.evaluated_value", n=result.evaluated, v=len(variants))),
        (phrase(lang, "summary.failed"), phrase(lang, "summary.failed_value", input=result.failed_input,
                                                internal=result.failed_internal)),
        (phrase(lang, "summary.pack"), f"{pack.pack.id} ({pack.digest[:19]})"),
        (phrase(lang, "summary.backend"), backend)))]
    figures = (phrase(lang, "summary.f_evaluated"), phrase(lang, "summary.f_affected"), phrase(lang, "summary.f_added"),
               phrase(lang, "summary.f_removed"), phrase(lang, "summary.f_changed"),
               phrase(lang, "summary.f_people_added"), phrase(lang, "summary.f_people_removed"),
               phrase(lang, "summary.f_gaps_added"), phrase(lang, "summary.f_gaps_removed"))
    for v in variants[1:]:
        t = tallies[v.name]
        out.append(SummaryTable(v.name, (v.description,) if v.description else (), figures, ((
            t.evaluated, t.affected, t.links["added"], t.links["removed"], t.links["changed"], len(t.people["added"]),
            len(t.people["removed"]), t.gaps["added"], t.gaps["removed"]),)))
        if t.posts:
            out.append(SummaryTable("", (phrase(lang, "summary.posts_title"),), (
                phrase(lang, "summary.post"), phrase(lang, "summary.post_title"), phrase(lang, "summary.links")), tuple(
                (p, title, n) for (p, title), n in sorted(t.posts.items(), key=lambda kv: (-kv[1], kv[0]))[:10])))
    return out


def summary(tables: Sequence[SummaryTable]) -> str:
    """summary.md: the run's table under the title, then a section per scenario."""
    out = []
    for n, t in enumerate(tables):
        if t.title:
            out += [f"{'#' if n == 0 else '##'} {t.title}", ""]
        out += [*(line for line in t.text), *([""] if t.text else [])]
        out += ["| " + " | ".join(t.header) + " |", "|" + "---|" * len(t.header)]
        out += ["| " + " | ".join(str(c) for c in row) + " |" for row in t.rows]
        out.append("")
    return "\n".join(out)


def summary_xlsx(tables: Sequence[SummaryTable], path: Path) -> None:
    """summary.xlsx: the same tables, one under another on one sheet, numbers as numbers, text never a formula."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    ws = book.add_worksheet("summary")
    title, bold = book.add_format({"bold": True, "font_size": 13}), book.add_format({"bold": True})
    ws.set_column(0, 0, 28)
    ws.set_column(1, 1, 40)
    ws.set_column(2, 8, 12)
    r = 0
    for t in tables:
        if t.title:
            ws.write_string(r, 0, t.title, title)
            r += 1
        for line in t.text:
            ws.write_string(r, 0, line)
            r += 1
        if any(t.header):
            ws.write_row(r, 0, list(t.header), bold)
            r += 1
        for row in t.rows:
            ws.write_row(r, 0, list(row))
            r += 1
        r += 1
    book.close()
