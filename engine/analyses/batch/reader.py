"""Reading the incidents of a batch: every record validated, in batches, against the org and every scenario's facts.

The incidents come as JSON lines (streamed: one incident per line, ``-`` for
standard input), or as a fact file of any other form — YAML, JSON, an Excel
workbook, a CSV file — whose ``incidents`` section (sheet ``事故``, with
``事故报告``) holds them; other sections of such a file are not read. A record's
``line`` is its line in JSON lines, its position in a YAML or JSON file, and
its row in a sheet, where an error also names its ``cell`` (``事故!C7``).

Whatever its bytes, every line of JSON lines ends as an item or an error record:
lines are read as bytes and decoded one by one (UTF-8, a BOM on the first; a file
that starts with a UTF-16 or UTF-32 BOM is decoded as a whole), parsed by
:func:`facts.read.parse_json`, and a line longer than :data:`MAX_LINE` is reported
without being held.
"""
from __future__ import annotations

import codecs
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Iterator, Sequence

from pydantic import ValidationError

from engine.analyses.batch.items import Item, error
from engine.analyses.whatif.evaluate import Variant
from facts.errors import Problem, ProblemsError, brief
from facts.load import STDIN, Origin, check_references, validation_problems
from facts.model import SECTIONS, Incident
from facts.read import ReadError, bom_encoding, not_utf8, parse_json, read_document
from facts.workbook import Place, Records, read_csvs, read_xlsx

#: Bytes in one line: an incident is a few hundred.
MAX_LINE = 1 << 20
#: What a blank line, or one already reported, gives: not a record (a line holding `null` is one, and wrong).
_NOTHING = object()


@dataclass
class Source:
    """Where the incidents come from: raw records by line (or position, or row), problems found reading them."""

    path: Path
    records: list[tuple[int, Any, Place | None]] | None = None  # None: JSON lines, streamed
    problems: list[tuple[int, Problem]] = field(default_factory=list)  # (line, problem) of the reading itself

    @property
    def file(self) -> str:
        return "<stdin>" if str(self.path) == STDIN else str(self.path)

    def total(self) -> int:
        """How many records (lines) there are, for a progress bar."""
        if self.records is not None:
            return len(self.records)
        if str(self.path) == STDIN:
            return 0
        with self.path.open("rb") as f:
            return sum(1 for _ in f)

    def lines(self) -> Iterator[tuple[int, str | ReadError]]:
        """(line number, its text or why it cannot be read), one line at a time, whatever the bytes."""
        stream = sys.stdin.buffer if str(self.path) == STDIN else self.path.open("rb")
        try:
            yield from self._lines(stream)
        finally:
            if stream is not sys.stdin.buffer:
                stream.close()

    def _lines(self, f: BinaryIO) -> Iterator[tuple[int, str | ReadError]]:
        head = f.peek(4)[:4] if hasattr(f, "peek") else b""
        codec = bom_encoding(head)
        if codec in ("utf-16", "utf-32"):
            n, text = 0, io.TextIOWrapper(f, encoding=codec, newline="\n")
            try:
                for n, line in enumerate(text, 1):
                    yield n, line
            except UnicodeDecodeError:
                yield n + 1, ReadError(self.file, f"is not {codec.upper()} from here on, as its byte-order mark "
                                       "says; the lines after this one are not read", "save the file again as UTF-8")
            finally:
                text.detach()  # the stream is closed by its owner
            return
        for n, raw in enumerate(iter(lambda: f.readline(MAX_LINE + 1), b""), 1):
            if n == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
                while (rest := f.readline(MAX_LINE)) and not rest.endswith(b"\n"):
                    pass
                yield n, ReadError(self.file, f"the line is longer than {MAX_LINE:,} bytes", "one incident per line")
                continue
            try:
                yield n, raw.decode("utf-8")
            except UnicodeDecodeError as e:
                yield n, not_utf8(raw, e, self.file, first_line=n)


def open_incidents(path: Path) -> Source:
    """A batch's incidents by the file's form: .jsonl (or -) streamed, any fact file read whole."""
    suffix = path.suffix.lower()
    if str(path) == STDIN or suffix in (".jsonl", ".ndjson", ""):
        return Source(path)
    try:
        if suffix in (".xlsx", ".csv"):
            read: Records = read_xlsx(path) if suffix == ".xlsx" else read_csvs([path])
            rows = [(place.row, raw, place) for raw, place in read.records["incidents"]]
            first = rows[0][0] if rows else 1
            return Source(path, rows, [(_row_of(p.record, first), p) for p in read.problems])
        doc = read_document(path)
    except ProblemsError as e:  # the file's reading, or a workbook's
        return Source(path, [], [(0, p) for p in e.problems])
    items = doc.get("incidents") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        return Source(path, [], [(0, Problem(str(path), "file", "", "holds no list of incidents",
                                             "give an 'incidents' section (or a list of incidents)"))])
    return Source(path, [(n, raw, None) for n, raw in enumerate(items, 1)])


def _row_of(record: str, default: int) -> int:
    """The row of a cell reference (事故!C7 → 7)."""
    digits = "".join(ch for ch in record.split("!")[-1].split(":")[0] if ch.isdigit())
    return int(digits) if digits else default

#: Incidents validated together (reference checks cost per call, not per incident).
VALIDATE_BATCH = 2000
#: The sections an incident refers to: its site, village and group (units), sector, people, its causes' hazards
#: and conduct.
REFERRED = ("units", "sectors", "people", "hazards", "conduct")


class Reader:
    """The incidents → valid items, and an error record for every record or scenario that fails."""

    def __init__(self, source: Source, variants: Sequence[Variant], groups: Sequence[Sequence[int]]):
        self.source = source
        self.file = source.file
        self.variants = variants
        self.places: dict[int, Place] = {}
        # The records incidents refer to, once per distinct fact set (the baseline's first).
        self.referred = [(members, {s: [(r, Origin("facts", s, n, r.id)) for n, r in
                                         enumerate(getattr(variants[members[0]].facts, s), 1)] for s in REFERRED})
                         for members in groups]
        self.seen: dict[str, int] = {}
        self.lines = 0
        self.errors: list[dict] = []

    def items(self) -> Iterator[Item]:
        batch: list[tuple[int, Incident]] = []
        for n, p in self.source.problems:
            self.errors.append(self._error(n, None, None, p))
        records = self.source.records
        rows = ((n, text, None) for n, text in self.source.lines()) if records is None else iter(records)
        for n, raw, place in rows:
            self.lines = n if records is None else self.lines + 1
            try:
                if records is None:
                    raw = self._json(n, raw)
                if place is not None:
                    self.places[n] = place
                incident = self._parse(n, raw) if raw is not _NOTHING else None
            except Exception as e:  # noqa: BLE001 - a bug on one record must not lose the others
                self.errors.append(error(n, None, None, "internal", "", f"{type(e).__name__}: {e}",
                                         "a failure inside wenze; please report it with this record"))
                incident = None
            if incident is not None:
                batch.append((n, incident))
            if len(batch) == VALIDATE_BATCH:
                yield from self._checked(batch)
                batch = []
        yield from self._checked(batch)

    def _error(self, n: int, incident: str | None, scenario: str | None, p: Problem, prefix: str = "") -> dict:
        """An error record of a problem; moved onto its cell when the record came from a sheet."""
        place = self.places.get(n)
        moved = Records.relocate(p, place) if place is not None and "!" not in p.record else p
        moved = moved or p
        out = error(n, incident, scenario, "input", moved.field, prefix + moved.message, moved.hint)
        if "!" in moved.record:
            out["cell"] = moved.record
        return out

    def _json(self, n: int, text: str | ReadError) -> Any:
        """The line's value; _NOTHING for a blank line (skipped) or one already reported."""
        if isinstance(text, str) and not text.strip(" \t\r\n"):  # JSON's whitespace: "\x1c" is not blank
            return _NOTHING
        try:
            if isinstance(text, ReadError):
                raise text
            return parse_json(text, self.file, first_line=n)
        except ReadError as e:
            p = e.problems[0]  # the record says the line: the message keeps the column
            self.errors.append(error(n, None, None, "input", "", p.message.replace(f"line {n}, ", ""), p.hint))
            return _NOTHING

    def _parse(self, n: int, raw: Any) -> Incident | None:
        if not isinstance(raw, dict):
            self.errors.append(error(n, None, None, "input", "", "must be a JSON object (one incident)",
                                     "write the fields of an incidents record as a JSON object"))
            return None
        rid = brief(raw["id"], 200) if isinstance(raw.get("id"), str) else None
        try:
            incident = Incident.model_validate(raw)
        except ValidationError as e:
            self.errors += [self._error(n, rid, None, p)
                            for p in validation_problems(e, Incident, self.file, f"line {n}")]
            return None
        if incident.id in self.seen:
            self.errors.append(self._error(n, incident.id, None, Problem(
                self.file, f"line {n}", "id", f"duplicate incident id '{incident.id}'",
                f"line {self.seen[incident.id]} has it already; give each incident its own id")))
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
            if p.record in line_of:  # the records referred to were checked when the org was loaded
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
                self.errors += [self._error(line, incident, self.variants[m].name, p, "under this scenario: ")
                                for m in members for p in problems]
        for line, incident in batch:
            if line in bad:
                self.errors += [self._error(line, incident.id, None, p) for p in bad[line]]
            else:
                yield Item(line, incident, frozenset(skips.get(line, ())))
