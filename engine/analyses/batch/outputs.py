"""The batch's output folder, replaced as a whole, and the tallies behind summary.md."""
from __future__ import annotations

import csv
import ctypes
import errno
import fcntl
import os
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from engine.analyses.whatif.evaluate import Variant
from engine.outputs.diff import CSV_COLUMNS, ChainDiff
from engine.outputs.table import md_cell
from engine.pack.rulepack import RulePack
from engine.words.catalog import phrase
from facts.errors import InputError, brief

OUTPUTS = ("chains.jsonl", "diff.csv", "summary.md", "summary.xlsx", "errors.jsonl")
#: Outputs written whole at the end by a library (a workbook), not streamed through a text file.
BINARY = ("summary.xlsx",)
#: What earlier versions left in DIR when killed: removed, never refused.
_OLD_TEMPS = re.compile(r"^\.(" + "|".join(map(re.escape, OUTPUTS)) + r")\..+\.tmp$")
#: A cell a spreadsheet would run as a formula (=, +, -, @; tab and CR start one too).
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def neutralised(row: dict) -> dict:
    """The row with every cell a spreadsheet would read as a formula made text (a leading ')."""
    return {k: "'" + v if isinstance(v, str) and v.startswith(_FORMULA) else v for k, v in row.items()}


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2 RENAME_EXCHANGE); False where the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Outputs:
    """The output folder of one run: a new folder beside DIR, filled, then put in DIR's place as a whole.

    A kill at any moment leaves DIR holding the previous run's outputs or the new
    run's, never a mix. What a killed run leaves beside DIR (``.DIR.new-*``) is removed
    by the next run on DIR; a run holds ``.DIR.lock`` (an flock, released by the system
    even when the process is killed), so two batches never write one DIR. DIR may hold
    nothing but a batch's outputs: it is replaced whole, and nobody's other files may
    go with it. Every problem with DIR is an InputError (exit 2).
    """

    def __init__(self, out: Path):
        self.out = out
        if out.is_symlink() or (out.exists() and not out.is_dir()):
            raise InputError(f"--out {out}: is {'a symbolic link' if out.is_symlink() else 'a file'}, not a folder; "
                             "give the path of a folder (it is created if missing)")
        self.parent = Path(os.path.abspath(out)).parent
        self.name = Path(os.path.abspath(out)).name
        try:
            self.parent.mkdir(parents=True, exist_ok=True)
            self._lock = os.open(self.parent / f".{self.name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise InputError(f"--out {out}: cannot write in {self.parent}: {e.strerror or e}") from None
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(self._lock, 32, 0).decode("ascii", "replace").strip()
            os.close(self._lock)
            raise InputError(f"--out {out}: another wenze batch (process {holder or '?'}) is writing to it; "
                             "wait for it to finish, or give another --out") from None
        try:
            os.ftruncate(self._lock, 0)
            os.pwrite(self._lock, str(os.getpid()).encode(), 0)
            self._tidy()
            self.new = Path(tempfile.mkdtemp(dir=self.parent, prefix=f".{self.name}.new-"))
            os.chmod(self.new, 0o755)  # mkdtemp makes it private; the outputs are an ordinary folder
            # diff.csv with a BOM: Excel opens a CSV as UTF-8 only when it starts with one
            self.files = {n: open(self.new / n, "w", encoding="utf-8-sig" if n.endswith(".csv") else "utf-8",
                                  newline="") for n in OUTPUTS if n not in BINARY}
        except InputError:
            self._release()
            raise
        except OSError as e:
            self._release()
            raise InputError(f"--out {out}: cannot write in {self.parent}: {e.strerror or e}") from None
        self.diff = csv.DictWriter(self.files["diff.csv"], fieldnames=CSV_COLUMNS, lineterminator="\n")
        self.diff.writeheader()

    def _tidy(self) -> None:
        """Put back what an interrupted swap left aside; remove what killed runs left; refuse a folder not ours."""
        leftovers = sorted(self.parent.glob(f".{self.name}.new-*")) + sorted(self.parent.glob(f".{self.name}.old-*"))
        if not self.out.exists():
            aside = [p for p in leftovers if p.name.startswith(f".{self.name}.old-")]
            if aside:  # killed between the two renames of the fallback swap: the previous outputs
                os.rename(aside[-1], self.out)
                leftovers.remove(aside[-1])
        for p in leftovers:
            shutil.rmtree(p, ignore_errors=True)
        if not self.out.exists():
            return
        for p in self.out.iterdir():
            if _OLD_TEMPS.match(p.name):
                p.unlink(missing_ok=True)
        foreign = sorted(p.name for p in self.out.iterdir() if p.name not in OUTPUTS)
        if foreign:
            raise InputError(f"--out {self.out}: holds other files than a batch's outputs "
                             f"({', '.join(brief(n, 40) for n in foreign[:5])}{', …' if len(foreign) > 5 else ''}); "
                             "the folder is replaced as a whole, so give the batch a folder of its own")

    def path(self, name: str) -> Path:
        """Where an output written whole by a library (summary.xlsx) goes: the new folder."""
        return self.new / name

    def write_rows(self, rows: Iterable[dict]) -> None:
        self.diff.writerows(neutralised(r) for r in rows)

    def commit(self) -> None:
        """Put the new folder in DIR's place in one step (two renames where the system cannot swap)."""
        for f in self.files.values():
            f.flush()
            os.fsync(f.fileno())
            f.close()
        _fsync_dir(self.new)
        if not self.out.exists():
            os.rename(self.new, self.out)
        elif _exchange(self.new, self.out):
            shutil.rmtree(self.new)  # now the previous outputs
        else:
            aside = self.parent / f".{self.name}.old-{os.getpid()}"
            os.rename(self.out, aside)
            os.rename(self.new, self.out)
            shutil.rmtree(aside)
        _fsync_dir(self.parent)

    def discard(self) -> None:
        for f in self.files.values():
            f.close()
        shutil.rmtree(self.new, ignore_errors=True)

    def _release(self) -> None:
        fcntl.flock(self._lock, fcntl.LOCK_UN)
        os.close(self._lock)

    def __enter__(self) -> "Outputs":
        return self

    def __exit__(self, kind, value, tb) -> None:
        """Discard an unfinished run (an error, Ctrl-C, SIGTERM); release the lock in every case."""
        try:
            if kind is not None:
                self.discard()
        finally:
            self._release()


@dataclass
class Tally:
    """One scenario's figures for summary.md."""

    evaluated: int = 0
    affected: int = 0
    links: Counter = field(default_factory=Counter)  # added / removed / changed
    gaps: Counter = field(default_factory=Counter)
    examine: Counter = field(default_factory=Counter)  # acts to examine added / removed
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
        self.examine.update(x.change for x in d.examine)


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
               phrase(lang, "summary.f_gaps_added"), phrase(lang, "summary.f_gaps_removed"),
               phrase(lang, "summary.f_examine_added"), phrase(lang, "summary.f_examine_removed"))
    for v in variants[1:]:
        t = tallies[v.name]
        out.append(SummaryTable(v.name, (v.description,) if v.description else (), figures, ((
            t.evaluated, t.affected, t.links["added"], t.links["removed"], t.links["changed"], len(t.people["added"]),
            len(t.people["removed"]), t.gaps["added"], t.gaps["removed"], t.examine["added"],
            t.examine["removed"]),)))
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
        out += ["| " + " | ".join(map(md_cell, t.header)) + " |", "|" + "---|" * len(t.header)]
        out += ["| " + " | ".join(md_cell(str(c)) for c in row) + " |" for row in t.rows]
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
