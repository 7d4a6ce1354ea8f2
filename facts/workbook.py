"""Fact files as workbooks: an ``.xlsx`` file, or a folder of ``.csv`` files, one sheet per section.

The layout and the rules of the cells are :mod:`facts.sheets`. Reading is
as strict as the YAML reader: a cell that does not hold what its column needs
is a problem naming the sheet and the cell as Excel shows them
(``任职!C7``), with a hint, never a guess — a number in a date column is an
error unless Excel stored a date there. Records come out as the plain data a
YAML file would give, with the place of each field, so that the loader's
validation and reference problems name cells too (:meth:`Place.locate`).

``.xlsx`` is read with python-calamine (a county's workbook, 200,000 rows, in
about two seconds; openpyxl's read-only mode takes fifteen) and written with
XlsxWriter; CSV is UTF-8, written with a BOM so that Excel opens it as UTF-8.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable

from facts.errors import FactError, InputError, Problem, did_you_mean
from facts.model import SECTIONS, FactSet
from facts.read import ReadError, decode, read_bytes
from facts.sheets import BY_NAME, IGNORED_SHEETS, RETIRED, SHEETS, WORDS, Column, Sheet, note

#: Excel date-time cells carry no zone: they are read as Beijing time (documented in facts.sheets).
CST = timezone(timedelta(hours=8), "CST")
#: What separates the ids of a list in one cell.
ID_SEPARATORS = re.compile(r"[、,，;；\s]+")
_DATE_TEXT = re.compile(r"^(\d{4})(?:-(\d{1,2})-(\d{1,2})|/(\d{1,2})/(\d{1,2})|年(\d{1,2})月(\d{1,2})日)$")
_INT_TEXT = re.compile(r"^[+-]?\d+$")
TRUE, FALSE = {"是", "true"}, {"否", "false"}


def column_letter(n: int) -> str:
    """The letters Excel shows for the 0-based column ``n`` (0 → A, 26 → AA)."""
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


class CellError(ValueError):
    """A cell that does not hold what its column needs: the message and how to fix it."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.hint = hint


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise CellError("a TRUE/FALSE cell in a text column", "write the text, or clear the cell")
    if isinstance(value, (int, float)):
        if float(value).is_integer():
            return str(int(value))
        raise CellError(f"the number {value} in a text column", "format the column as text and type it again")
    if isinstance(value, (date, time, timedelta)):
        raise CellError(f"Excel turned this into a date or time ({value})",
                        "format the column as text (the template does) and type it again")
    raise CellError(f"an unreadable cell ({type(value).__name__})", "type the value as text")


def _date(value: Any) -> date | str:
    if isinstance(value, datetime):
        if value.time() != time():
            raise CellError(f"a date and a time ({value:%Y-%m-%d %H:%M}) in a date column",
                            "give the date only")
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        m = _DATE_TEXT.match(value.strip())
        if m is None:
            raise CellError(f"'{value}' is not a date", "write 2023-03-01 (or 2023/3/1, 2023年3月1日), "
                                                          "or use an Excel date")
        y, *rest = (g for g in m.groups() if g is not None)
        return f"{int(y):04d}-{int(rest[0]):02d}-{int(rest[1]):02d}"  # the model checks the day exists
    if isinstance(value, bool):
        raise CellError("a TRUE/FALSE cell in a date column", "write the date, e.g. 2023-03-01")
    if isinstance(value, (int, float)):
        raise CellError(f"the number {value:g} in a date column, not a date",
                        "format the cell as a date, or write 2023-03-01")
    raise CellError(f"a {type(value).__name__} in a date column", "write the date, e.g. 2023-03-01")


def _datetime(value: Any) -> datetime | str:
    if isinstance(value, datetime):
        return value.replace(tzinfo=CST)
    if isinstance(value, date):
        raise CellError(f"a date ({value}) without a time of day", "write 2023-03-01T14:20:00+08:00, "
                                                                 "or use an Excel date-time")
    if isinstance(value, str):
        return value.strip()  # the model wants ISO 8601 with a zone, and says so
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise CellError(f"the number {value:g} in a date-time column, not a date-time",
                        "format the cell as a date-time, or write 2023-03-01T14:20:00+08:00")
    raise CellError(f"a {type(value).__name__} in a date-time column", "write 2023-03-01T14:20:00+08:00")


def _int(value: Any) -> int:
    if isinstance(value, bool):
        raise CellError("a TRUE/FALSE cell in a number column", "write the number")
    if isinstance(value, (int, float)):
        if float(value).is_integer():
            return int(value)
        raise CellError(f"{value} is not a whole number", "write a whole number")
    if isinstance(value, str) and _INT_TEXT.match(value.strip()):
        return int(value.strip())
    raise CellError(f"'{value}' is not a whole number", "write a whole number, e.g. 3")


def _number(value: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    try:
        return float(str(value).strip())
    except ValueError:
        raise CellError(f"'{value}' is not a number", "write a number, e.g. 1.5") from None


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE | FALSE:
        return value.strip().lower() in TRUE
    raise CellError(f"'{value}' is not yes or no", "write 是 or 否 (true or false)")


def _enum(value: Any, column: Column) -> str:
    labels, codes = column.enum_labels, column.enum_codes
    text = _text(value).strip()
    if text in labels:
        return text
    if text in codes:
        return codes[text]
    raise CellError(f"'{text}' is not one of: " + ", ".join(f"{zh} ({code})" for code, zh in labels.items()),
                    "pick a value from the list" + did_you_mean(text, [*labels, *codes]))


def cell_value(value: Any, column: Column) -> Any:
    """A cell's value as the fact format holds it (a date, a count, a list of ids …), or CellError."""
    kind = column.kind
    if kind in ("id", "text"):
        return _text(value)
    if kind == "int":
        return _int(value)
    if kind == "number":
        return _number(value)
    if kind == "bool":
        return _bool(value)
    if kind == "date":
        return _date(value)
    if kind == "datetime":
        return _datetime(value)
    if kind == "enum":
        return _enum(value, column)
    if kind == "texts":
        return [line.strip() for line in _text(value).splitlines() if line.strip()]
    items = [x for x in ID_SEPARATORS.split(_text(value)) if x]
    return [_enum(x, column) for x in items] if kind == "enums" else items


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# -- reading ---------------------------------------------------------------------------------------


@dataclass
class Place:
    """Where a record sits in a sheet: its row, the cell of each field, the rows of its nested lists."""

    file: str
    sheet: str  # as titled in the file
    row: int  # 1-based, as Excel shows it
    cells: dict[str, tuple[str, str]]  # column key → (column letter, header as written)
    absent: frozenset[str] = frozenset()  # required columns the sheet lacks (reported once, at its header)
    children: dict[str, list["Place"]] = field(default_factory=dict)

    @property
    def record(self) -> str:
        return f"{self.sheet}!{self.row}:{self.row}"

    def locate(self, path: str) -> tuple[str, str] | None:
        """(``sheet!cell``, header) of a field path as pydantic or the loader give it; None: said already."""
        parts = path.split(".") if path else []
        for n in range(len(parts), 0, -1):
            key = ".".join(parts[:n])
            if key in self.cells:
                letter, header = self.cells[key]
                items = parts[n:]
                suffix = f"[{int(items[0]) + 1}]" if items and items[0].isdigit() else ""
                return f"{self.sheet}!{letter}{self.row}", header + suffix
            if key in self.absent:
                return None
        if len(parts) >= 2 and parts[0] in self.children and parts[1].isdigit():
            rows = self.children[parts[0]]
            if int(parts[1]) < len(rows):
                return rows[int(parts[1])].locate(".".join(parts[2:]))
        return self.record, path


@dataclass
class Records:
    """What a workbook (or a folder of CSV files) holds: raw records by section, their places, problems."""

    records: dict[str, list[tuple[dict, Place]]] = field(default_factory=lambda: {s: [] for s in SECTIONS})
    problems: list[Problem] = field(default_factory=list)
    unreadable: dict[str, set[str]] = field(default_factory=dict)  # ids of records whose cells failed
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # file → sheet title → records read
    dropped: set[int] = field(default_factory=set)  # records a nested row of which failed (by id())

    @staticmethod
    def relocate(p: Problem, place: Place) -> Problem | None:
        """A problem of a record, moved onto the cell it is about (None: reported once, at the header)."""
        where = place.locate(p.field)
        if where is None:
            return None
        record, header = where
        return Problem(p.file, record, header, p.message, "fill in this cell" if p.hint == "add this field" else p.hint)


def _table_problem(file: str, where: str, message: str, hint: str) -> Problem:
    return Problem(file, where, "", message, hint)


class _Reader:
    """Tables (title, rows of cells) in, records with their places out; every problem kept."""

    def __init__(self) -> None:
        self.out = Records()
        self.parents: dict[str, dict[str, tuple[dict, Place]]] = {}  # sheet name → id → parent record

    def tables(self, tables: Iterable[tuple[str, str, list[list[Any]]]]) -> Records:
        """Tables as (file, title, rows); sections first, then the lists nested in them."""
        known: dict[str, tuple[str, str, list[list[Any]]]] = {}
        for file, title, rows in tables:
            spec = BY_NAME.get(title)
            if spec is None:
                if title not in IGNORED_SHEETS and any(not _empty(v) for r in rows for v in r):
                    self.out.problems.append(_table_problem(
                        file, f"sheet '{title}'", "unknown sheet",
                        "name it after a kind of record: " + "、".join(s.zh for s in SHEETS)
                        + did_you_mean(title, BY_NAME)))
                continue
            if spec.name in known:
                first = known[spec.name]
                self.out.problems.append(_table_problem(
                    file, f"sheet '{title}'", f"a second sheet of {spec.zh} ({spec.name})",
                    f"'{first[1]}' in {first[0]} has them already: put them in one sheet"))
                continue
            known[spec.name] = (file, title, rows)
        for spec in SHEETS:
            if spec.name in known:
                self.table(spec, *known[spec.name])
        return self.out

    def _headers(self, spec: Sheet, file: str, title: str, header: list[Any]) -> tuple[dict[int, Column | None], set[str]]:
        names: dict[str, Column | None] = {}
        for c in spec.columns:
            names[c.zh] = names[c.en] = c
        if spec.key:
            names[spec.key[0]] = names[spec.key[1]] = None  # None: the parent's id
        by_index: dict[int, Column | None] = {}
        taken: dict[str, str] = {}
        for i, h in enumerate(header):
            if _empty(h):
                continue
            h = str(h).strip()
            cell = f"{title}!{column_letter(i)}1"
            if h in RETIRED.get(spec.name, {}):
                self.out.problems.append(_table_problem(file, cell, f"column '{h}': {RETIRED[spec.name][h]}",
                                                        "see README: Fact files"))
                continue
            if h not in names:
                lang_names = [c.zh for c in spec.columns] + [c.en for c in spec.columns]
                self.out.problems.append(_table_problem(
                    file, cell, f"unknown column '{h}'",
                    "remove it, or name a column of this sheet" + did_you_mean(h, lang_names)
                    + "; columns: " + "、".join(c.zh for c in spec.columns)))
                continue
            target = names[h]
            ident = target.key if target else "(key)"
            if ident in taken:
                self.out.problems.append(_table_problem(file, cell, f"a second column for '{h}'",
                                                        f"column {taken[ident]} is already '{h}': keep one"))
                continue
            taken[ident] = column_letter(i)
            by_index[i] = target
        present = {c.key for c in by_index.values() if c}
        absent = {c.key for c in spec.columns if c.required and c.key not in present}
        for key in sorted(absent, key=[c.key for c in spec.columns].index):
            c = next(c for c in spec.columns if c.key == key)
            self.out.problems.append(_table_problem(file, f"{title}!1:1", f"no column '{c.zh}' ({c.en})",
                                                    f"add the column '{c.zh}': every {spec.zh} record needs it"))
        if spec.key and "(key)" not in taken:
            self.out.problems.append(_table_problem(
                file, f"{title}!1:1", f"no column '{spec.key[0]}' ({spec.key[1]})",
                f"add it first: the id of the {_sheet_zh(spec.parent)} record each row belongs to"))
        return by_index, absent

    def table(self, spec: Sheet, file: str, title: str, rows: list[list[Any]]) -> None:
        if not rows:
            return
        by_index, absent = self._headers(spec, file, title, rows[0])
        if spec.key and None not in by_index.values():
            return
        # What depends on the header only, shared by every row's Place (which never changes them).
        letters = {i: column_letter(i) for i in by_index}
        headers = {i: str(rows[0][i]).strip() for i in by_index}
        cells: dict[str, tuple[str, str]] = {target.key: (letters[i], headers[i])
                                             for i, target in by_index.items() if target is not None}
        missing = frozenset(absent)
        count = 0
        for n, row in enumerate(rows[1:], 2):
            if all(_empty(v) for v in row):
                continue
            if isinstance(row[0], str) and row[0].lstrip().startswith("#"):
                continue
            raw: dict[str, Any] = {}
            failed = False
            parent = None
            for i, target in by_index.items():
                value = row[i] if i < len(row) else None
                letter, header = letters[i], headers[i]
                if target is None:
                    key = None if _empty(value) else str(cell_value(value, _KEY)).strip()
                    parent = self.parents.get(spec.parent, {}).get(key) if key else None
                    if parent is None:
                        self.out.problems.append(Problem(
                            file, f"{title}!{letter}{n}", header,
                            f"no {_sheet_zh(spec.parent)} record '{key}'" if key else "empty",
                            f"give the id of a record of the sheet {_sheet_zh(spec.parent)}"
                            + (did_you_mean(key, self.parents.get(spec.parent, {})) if key else "")))
                        failed = True
                    continue
                if _empty(value):
                    continue
                try:
                    v = cell_value(value, target)
                except CellError as e:
                    self.out.problems.append(Problem(file, f"{title}!{letter}{n}", header, str(e), e.hint))
                    failed = True
                    continue
                if v == []:
                    continue
                slot = raw
                for part in target.path[:-1]:
                    slot = slot.setdefault(part, {})
                slot[target.path[-1]] = v
            place = Place(file, title, n, cells, missing)
            count += 1
            if failed:
                if spec.parent is None and isinstance(raw.get("id"), str):
                    self.out.unreadable.setdefault(spec.name, set()).add(raw["id"])
                elif parent is not None:  # the parent cannot be validated without this row
                    self.out.unreadable.setdefault(spec.parent, set()).add(parent[0].get("id"))
                    self.out.dropped.add(id(parent[0]))
                continue
            if spec.parent is None:
                self.out.records[spec.name].append((raw, place))
                if spec.children and isinstance(raw.get("id"), str):
                    self.parents.setdefault(spec.name, {}).setdefault(raw["id"].strip(), (raw, place))
            else:
                parent[0].setdefault(spec.attr, []).append(raw)
                parent[1].children.setdefault(spec.attr, []).append(place)
        self.out.counts.setdefault(file, {})[title] = count


_KEY = Column(("id",), "id", "id", "编号", "id", "", True)


def _sheet_zh(name: str | None) -> str:
    """A sheet's Chinese name, for messages."""
    return BY_NAME[name].zh if name in BY_NAME else str(name)


def _finish(out: Records) -> Records:
    """Drop the records a nested row of which could not be read (its problem is reported)."""
    for section, items in out.records.items():
        out.records[section] = [(raw, place) for raw, place in items if id(raw) not in out.dropped]
    return out


def read_xlsx(path: Path, data: bytes | None = None) -> Records:
    """Every sheet of an .xlsx workbook (python-calamine); ``data``: its bytes, read elsewhere (stdin)."""
    from python_calamine import CalamineWorkbook

    file = str(path)
    data = data if data is not None else read_bytes(path)  # a regular file of a bounded size, or a ReadError
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        tables = [(file, name, book.get_sheet_by_name(name).to_python(skip_empty_area=False))
                  for name in book.sheet_names]
    except Exception as e:  # calamine raises its own errors for a file that is not a workbook
        raise FactError([Problem(file, "file", "", f"cannot be read as an Excel workbook: {e}",
                                 "save it from Excel as .xlsx (Excel Workbook)")], what=file) from None
    return _finish(_Reader().tables(tables))


def read_csvs(paths: Iterable[Path]) -> Records:
    """CSV files read together (a folder of them is one workbook): each file's name is its sheet's."""
    tables, problems = [], []
    for path in paths:
        try:  # UTF-8 (Excel's 'CSV UTF-8') or UTF-16 with a BOM; GBK, what Excel saves as plain 'CSV', is named
            text = decode(read_bytes(path), str(path))
        except ReadError as e:
            problems += e.problems
            continue
        tables.append((str(path), path.stem, list(csv.reader(io.StringIO(text, newline="")))))
    out = _Reader().tables(tables)
    out.problems[:0] = problems
    return _finish(out)


# -- writing ---------------------------------------------------------------------------------------


def _records_of(facts: FactSet | None) -> dict[str, list[dict]]:
    return facts.dump() if facts is not None else {}


def _cell_text(value: Any, column: Column, lang: str, where: str) -> Any:
    """The value a cell gets for ``value`` (the inverse of :func:`cell_value`), or InputError."""
    kind = column.kind
    if kind == "bool":
        return {True: "是", False: "否"}[value] if lang == "zh" else str(value).lower()
    if kind == "enum":
        return column.enum_labels[value] if lang == "zh" else value
    if kind == "date":
        return date.fromisoformat(value)
    if kind in ("ids", "enums"):
        labels = column.enum_labels
        items = [labels[v] if kind == "enums" and lang == "zh" else v for v in value]
        bad = [x for x in items if ID_SEPARATORS.search(x)]
        if bad:
            raise _unwritable(where, f"'{bad[0]}' holds a separator of lists in cells (、 , ; or a space)")
        return ("、" if lang == "zh" else ", ").join(items)
    if kind == "texts":
        bad = [x for x in value if not x.strip() or x != x.strip() or "\n" in x or "\r" in x]
        if bad:
            raise _unwritable(where, f"the item {bad[0]!r} is empty, spans lines or has spaces at its ends")
        return "\n".join(value)
    return value


def _unwritable(where: str, why: str) -> Exception:
    return InputError(f"{where}: cannot be written to a sheet losslessly: {why}")


def _rows(spec: Sheet, records: list[dict], lang: str, parent: str | None = None) -> Iterable[list[Any]]:
    """The data rows of a sheet, in record order (a nested sheet: its parents' order)."""
    for n, rec in enumerate(records, 1):
        items = rec.get(spec.attr, []) if parent is not None else [rec]
        for item in items:
            rid = rec.get("id")
            where = f"{spec.parent or spec.name} #{n}" + (f" ({rid})" if rid else "")
            row = [rid] if parent is not None else []
            for c in spec.columns:
                v: Any = item
                for part in c.path:
                    v = v.get(part) if isinstance(v, dict) else None
                row.append(None if v is None else _cell_text(v, c, lang, f"{where}: field '{c.key}'"))
            first = row[0]
            if isinstance(first, str) and first.lstrip().startswith("#"):
                raise _unwritable(where, f"'{first}' starts with #, and a row whose first cell does is a note")
            yield row


def _header(spec: Sheet, lang: str) -> list[tuple[str, str]]:
    """(header, note) of each column of a sheet, the parent's id first in a nested sheet."""
    key = [(spec.key_header(lang), WORDS[lang]["key"])] if spec.key else []
    return key + [(c.header(lang), note(c, lang)) for c in spec.columns]


def _columns_of(spec: Sheet) -> list[Column | None]:
    return ([None] if spec.key else []) + list(spec.columns)


def sheet_tables(facts: FactSet | None, lang: str) -> Iterable[tuple[Sheet, list[Any], list[list[Any]]]]:
    """(sheet, header row, data rows) for every sheet, empty ones included; None: the template."""
    data = _records_of(facts)
    for spec in SHEETS:
        section = spec.parent or spec.name
        rows = list(_rows(spec, data.get(section, []), lang, spec.parent))
        yield spec, _header(spec, lang), rows


def write_xlsx(path: Path, facts: FactSet | None = None, lang: str = "zh") -> None:
    """A workbook of every sheet: headers, the notes row, drop-down lists, and the records (if any).

    Written with XlsxWriter in constant-memory mode: a county's workbook in seconds
    (openpyxl's write-only mode with lxml takes a minute).
    """
    import xlsxwriter

    tables = list(sheet_tables(facts, lang))  # a value no cell can hold is refused before anything is written
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                           "strings_to_numbers": False, "strings_to_urls": False})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    notes = book.add_format({"italic": True, "font_color": "#666666", "text_wrap": True, "valign": "top"})
    text, day, wrap = book.add_format({"num_format": "@"}), book.add_format({"num_format": "yyyy-mm-dd"}), \
        book.add_format({"num_format": "@", "text_wrap": True, "valign": "top"})
    readme = book.add_worksheet(WORDS[lang]["readme"])
    readme.set_column(0, 0, 120)
    for n, line in enumerate(WORDS[lang]["readme_text"]):
        readme.write_string(n, 0, line)
    long_lists: list[tuple[str, ...]] = []  # over Excel's 255 characters: kept on a hidden sheet, one per column
    for spec, header, rows in tables:
        ws = book.add_worksheet(spec.title(lang))
        ws.freeze_panes(2, 0)
        columns = _columns_of(spec)
        for i, ((h, n), c) in enumerate(zip(header, columns)):
            kind = c.kind if c else "id"
            ws.set_column(i, i, max(10, min(40, 2 * len(h) + 4)),
                          day if kind == "date" else text if kind in ("id", "text", "ids") else None)
            values = (("是", "否") if lang == "zh" else ("true", "false")) if kind == "bool" else \
                (tuple(c.enum_labels.values()) if lang == "zh" else tuple(c.enum_labels)) if kind == "enum" else ()
            if values:
                source: list[str] | str = list(values)
                if len(",".join(values)) > 255:
                    if values not in long_lists:
                        long_lists.append(values)
                    letter = column_letter(long_lists.index(values))
                    source = f"='{WORDS[lang]['lists']}'!${letter}$1:${letter}${len(values)}"
                ws.data_validation(2, i, 1_048_575, i, {"validate": "list", "source": source, "error_title": h[:32],
                                                         "error_message": "、".join(values)[:255]})
        ws.write_row(0, 0, [h for h, _ in header], head)  # constant memory: rows are written in order
        ws.write_row(1, 0, [("# " if i == 0 else "") + n for i, (_, n) in enumerate(header)], notes)
        for r, row in enumerate(rows, 2):
            for i, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, str):
                    ws.write_string(r, i, v, wrap if "\n" in v else None)
                elif isinstance(v, date):
                    ws.write_datetime(r, i, datetime.combine(v, time()), day)
                elif isinstance(v, bool):
                    ws.write_boolean(r, i, v)
                else:
                    ws.write_number(r, i, v)
    if long_lists:
        lists = book.add_worksheet(WORDS[lang]["lists"])
        lists.hide()
        for r in range(max(map(len, long_lists))):  # constant memory: row by row
            for i, values in enumerate(long_lists):
                if r < len(values):
                    lists.write_string(r, i, values[r])
    book.close()


def write_csvs(folder: Path, facts: FactSet, lang: str = "zh") -> list[Path]:
    """One UTF-8 CSV (with a BOM, for Excel) per sheet that has records; the folder reads back the same."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for spec, header, rows in sheet_tables(facts, lang):
        if not rows:
            continue
        path = folder / f"{spec.title(lang)}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f, lineterminator="\r\n")
            w.writerow([h for h, _ in header])
            w.writerows([[v.isoformat() if isinstance(v, date) else "" if v is None else v for v in row]
                         for row in rows])
        written.append(path)
    return written
