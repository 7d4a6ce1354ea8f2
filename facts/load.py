"""Load fact files (YAML, JSON, Excel workbooks, CSV), validate every record, then every reference.

All problems of a load are collected and raised together as one
:class:`~facts.errors.FactError`, each naming the file, the record (position
and id) and the field, with a hint — in a workbook or CSV, the sheet and the
cell (``任职!C7``). ``-`` reads a YAML or JSON document (or a workbook) from
standard input. Files are read by :mod:`facts.read`. Nothing here prints or exits.
"""
from __future__ import annotations

import gc
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from pydantic import BaseModel, ValidationError

from facts.errors import FactError, Problem, ProblemsError, brief, did_you_mean
from facts.model import ACCEPTANCES, AFTERMATH_ACTS, SECTIONS, FactSet, Record
from facts.read import read_document, read_stdin
from facts.timeline import in_force, overlap
from facts.tree import ancestors, village_of
from facts.sheets import BY_NAME
from facts.workbook import Place, Records, read_csvs, read_xlsx

DOCUMENT_SUFFIXES = (".yaml", ".yml", ".json")
SUFFIXES = (*DOCUMENT_SUFFIXES, ".xlsx", ".csv")
STDIN, STDIN_NAME = "-", "<stdin>"


@dataclass(frozen=True)
class Origin:
    file: str
    section: str
    position: int  # 1-based
    id: str | None
    row: str | None = None  # for a record read from a sheet: its row as Excel names it (任职!7:7)

    @property
    def record(self) -> str:
        label = self.row or f"{self.section} #{self.position}"
        return f"{label} ({brief(self.id)})" if self.id else label


def fact_files(paths: Iterable[str | Path]) -> list[Path]:
    """The files named, with directories expanded to their fact files in name order."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():  # Excel's lock files (~$name.xlsx) are not fact files
            out.extend(sorted(f for f in p.rglob("*") if f.suffix.lower() in SUFFIXES and f.is_file()
                              and not f.name.startswith("~$")))
        else:
            out.append(p)
    return out


def section_counts(path: Path) -> dict[str, int]:
    """Records per section in one file (for a summary line; the file is assumed valid)."""
    if path.suffix.lower() in (".xlsx", ".csv"):
        read = read_xlsx(path) if path.suffix.lower() == ".xlsx" else read_csvs([path])
        return {BY_NAME[title].name: n for title, n in read.counts.get(str(path), {}).items() if n}
    doc = read_document(path) or {}
    return {s: len(doc[s]) for s in SECTIONS if isinstance(doc.get(s), list) and doc[s]}


def _field_name(loc: tuple) -> str:
    return ".".join(brief(x, 40) for x in loc)


def _hint(err: dict, model: type[BaseModel]) -> str:
    kind = err["type"]
    if kind == "missing":
        return "add this field"
    if kind == "extra_forbidden":
        if len(err["loc"]) > 1:  # nested: the top model's fields would mislead
            return "remove it, or check its spelling"
        names = [f.alias or n for n, f in model.model_fields.items() if not f.exclude]
        return "remove it, or spell a known field" + did_you_mean(str(err["loc"][-1]), names) + \
            f"; known fields: {', '.join(names)}"
    if kind == "enum":
        return "use one of the values listed"
    if kind.startswith(("date", "timezone")):
        return "write dates as YYYY-MM-DD and times as YYYY-MM-DDTHH:MM:SS+08:00"
    if kind == "string_pattern_mismatch":
        return "ids are one word with no spaces"
    if kind == "value_error":
        return ""  # our own validators say how to fix it in the message
    return "see `wenze schema` for the format"


def validation_problems(e: ValidationError, model: type[BaseModel], file: str, record: str) -> list[Problem]:
    """Turn pydantic's errors into Problems phrased for a person writing the file."""
    out = []
    for err in e.errors(include_url=False):
        msg = err["msg"].removeprefix("Value error, ")
        out.append(Problem(file, record, _field_name(err["loc"]), msg, _hint(err, model)))
    return out


def _label_id(section: str, raw: Any) -> str | None:
    """How a record is named in messages: its id, or person @ post for a tenure without one."""
    if not isinstance(raw, dict):
        return None
    if raw.get("id") is None and section == "tenures" and raw.get("person") and raw.get("post"):
        return f"{brief(raw['person'])} @ {brief(raw['post'])}"
    if raw.get("id") is None and section == "records" and raw.get("unit") and raw.get("from"):
        return f"{brief(raw['unit'])} from {brief(raw['from'])}"
    rid = raw.get("id")
    return rid if isinstance(rid, str) or rid is None else brief(rid)


class _Loader:
    def __init__(self) -> None:
        self.records: dict[str, list[tuple[Record, Origin]]] = defaultdict(list)
        self.problems: list[Problem] = []
        self.unparsed_ids: dict[str, set[str]] = defaultdict(set)  # records that failed: known, not re-reported
        self.places: dict[tuple[str, str], Place] = {}  # (file, record) → its row, for records read from sheets

    def add_document(self, path: Path, doc: Any) -> None:
        file = str(path)
        if doc is None:
            return
        if not isinstance(doc, dict):
            self.problems.append(Problem(file, "file", "", "the top level must be a mapping of sections",
                                         f"start the file with one of: {', '.join(SECTIONS)}"))
            return
        for section, items in doc.items():
            if section not in SECTIONS:
                self.problems.append(Problem(file, f"section '{brief(section)}'", "", "unknown section",
                                             "use one of: " + ", ".join(SECTIONS) + did_you_mean(section, SECTIONS)))
                continue
            if not isinstance(items, list):
                self.problems.append(Problem(file, f"section '{section}'", "", "must be a list of records",
                                             "write each record as a '- ' list item"))
                continue
            for pos, raw in enumerate(items, 1):
                self.add_record(file, section, pos, raw)

    def add_record(self, file: str, section: str, pos: int, raw: Any, place: Place | None = None) -> None:
        """Validate one record; its problems named by its place in a sheet when it has one."""
        model = SECTIONS[section]
        rid = _label_id(section, raw)
        origin = Origin(file, section, pos, rid, place.record if place else None)
        if not isinstance(raw, dict):
            self.problems.append(Problem(file, origin.record, "", "must be a mapping of fields",
                                         "write 'field: value' lines"))
            return
        if place is not None:
            self.places[(file, origin.record)] = place
        try:
            self.records[section].append((model.model_validate(raw), origin))
        except ValidationError as e:
            self.problems.extend(self.located(validation_problems(e, model, file, origin.record)))
            if origin.id:
                self.unparsed_ids[section].add(origin.id)

    def add_sheets(self, read: Records) -> None:
        """The records of a workbook or of a folder of CSV files, with the problems of their cells."""
        self.problems.extend(read.problems)
        for section, ids in read.unreadable.items():
            self.unparsed_ids[section].update(i for i in ids if isinstance(i, str))
        for section, items in read.records.items():
            positions: dict[str, int] = defaultdict(int)
            for raw, place in items:
                positions[place.file] += 1
                self.add_record(place.file, section, positions[place.file], raw, place)

    def located(self, problems: Iterable[Problem]) -> list[Problem]:
        """Problems of records read from sheets moved onto their cells; the others as they are."""
        out: dict[Problem, None] = {}  # in order, each once (a Problem is frozen, so hashable)
        for p in problems:
            place = self.places.get((p.file, p.record))
            moved = p if place is None else Records.relocate(p, place)
            if moved is not None:
                out[moved] = None
        return list(out)

    def factset(self) -> FactSet:
        return FactSet(**{s: [r for r, _ in self.records[s]] for s in SECTIONS})


def load_facts(paths: Iterable[str | Path], documents: Iterable[tuple[str, Any]] = ()) -> FactSet:
    """Load, validate and cross-check the fact files; raise FactError listing every problem.

    ``documents``: (name, data) of documents already in memory (a test case's input), loaded
    with the files so that references may cross them.
    """
    files = fact_files(paths)
    documents = list(documents)
    if not files and not documents:
        raise FactError([Problem(", ".join(map(str, paths)) or "(none)", "paths", "", "no fact files found",
                                 f"give fact files ({', '.join(SUFFIXES)}) or folders holding them")],
                        what="the paths given")
    with _collector_paused():
        return _load(files, documents)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while loading, as it was after.

    A county's load makes a million objects and no cycles; the collector would scan
    them again and again (it doubles the load time).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load(files: list[Path], documents: list[tuple[str, Any]]) -> FactSet:
    loader = _Loader()
    csvs: dict[Path, list[Path]] = defaultdict(list)  # a folder of CSV files is one workbook
    for path in files:
        try:
            if path.suffix.lower() == ".csv":
                csvs[path.parent].append(path)
            elif path.suffix.lower() == ".xlsx":
                loader.add_sheets(read_xlsx(path))
            elif str(path) == STDIN:  # a workbook (a zip file) or a YAML or JSON document
                data = read_stdin(STDIN_NAME)
                stdin = Path(STDIN_NAME)
                if data.startswith(b"PK\x03\x04"):
                    loader.add_sheets(read_xlsx(stdin, data))
                else:
                    loader.add_document(stdin, read_document(stdin, data))
            else:
                loader.add_document(path, read_document(path))
        except ProblemsError as e:  # the file's reading (facts.read), or a workbook's
            loader.problems.extend(e.problems)
    for group in csvs.values():
        loader.add_sheets(read_csvs(group))
    for name, doc in documents:
        loader.add_document(Path(name), doc)
    loader.problems.extend(loader.located(check_references(loader.records, loader.unparsed_ids)))
    if loader.problems:
        names = [*map(str, files), *(n for n, _ in documents)]
        raise FactError(loader.problems, what=", ".join(names) if len(names) < 4 else f"{len(names)} fact files")
    return loader.factset()


#: What a record of a section is called in a message about a reference to it.
_NOUNS = {"people": "person", "sectors": "sector", "units": "unit", "posts": "post",
          "inspections": "inspection", "hazards": "hazard", "signatures": "signature",
          "conduct": "conduct record", "incidents": "incident"}


def check_references(records: dict[str, list[tuple[Record, Origin]]],
                     unparsed: dict[str, set[str]] | None = None) -> list[Problem]:
    """Every id used is defined, ids are unique, intervals of single-holder posts do not overlap.

    ``unparsed`` holds the ids of records that failed validation: they count as
    defined, so one bad record is reported once, not again at every use.
    """
    unparsed = unparsed or {}
    problems: list[Problem] = []
    index: dict[str, dict[str, Record]] = {}
    for section, items in records.items():
        seen: dict[str, Origin] = {}
        for rec, origin in items:
            rid = getattr(rec, "id", None)
            if rid is None:
                continue
            if rid in seen:
                first = seen[rid]
                problems.append(Problem(origin.file, origin.record, "id", f"duplicate id '{rid}'",
                                        f"it is already used by {first.record} in {first.file}; give each record its own id"))
            else:
                seen[rid] = origin
        index[section] = {r.id: r for r, _ in items if getattr(r, "id", None) is not None}

    causes: dict[tuple[str, str], list[str]] = {}  # (site, cause id) → the incidents there stating it

    def same_site(origin: Origin, field: str, section: str, value: str | None, site: str) -> None:
        """A hazard and the inspection that found it, ordered or accepted its rectification, are of one site."""
        target = index.get(section, {}).get(value) if value else None
        if target is not None and target.site != site:
            problems.append(Problem(origin.file, origin.record, field, f"'{value}' is of site '{target.site}', "
                                    f"not '{site}'", "a hazard is found, and its rectification ordered and "
                                    "accepted, at its own site: check both ids"))

    def existed(origin: Origin, field: str, hazard: Record | None, ins: Record | None) -> None:
        """An inspection finds a hazard only on a day it existed, and does not pass the site that day."""
        if hazard is not None and ins is not None and ins.outcome == "passed":
            problems.append(Problem(origin.file, origin.record, field, f"inspection '{ins.id}' passed the site: it "
                                    f"found no hazard, not '{hazard.id}'", "give the inspection the outcome it had "
                                    "(hazards_found, rectification_ordered or suspended), or correct 'found_by'"))
        elif hazard is not None and ins is not None and not in_force(hazard.valid_from, hazard.valid_to, ins.date):
            until = f" to {hazard.valid_to}" if hazard.valid_to else ""
            problems.append(Problem(origin.file, origin.record, field, f"hazard '{hazard.id}' existed from "
                                    f"{hazard.valid_from}{until}; inspection '{ins.id}' of {ins.date} cannot have "
                                    "found it",
                                    "correct the hazard's 'from'/'to', or what the inspection found"))

    def ref(origin: Origin, field: str, value: str | None, section: str, kinds: tuple[str, ...] = ()) -> None:
        if value is None:
            return
        target = index.get(section, {}).get(value)
        if target is None and value in unparsed.get(section, ()):
            return
        noun = _NOUNS[section]
        if target is None:
            problems.append(Problem(origin.file, origin.record, field, f"unknown {noun} '{value}'{did_you_mean(value, index.get(section, {}))}",
                                    f"define it under '{section}' or correct the id"))
        elif kinds and (actual := target.document if section == "signatures" else target.kind) not in kinds:
            problems.append(Problem(origin.file, origin.record, field,
                                    f"'{value}' is a {actual}, not a {' or '.join(kinds)}",
                                    f"name a {noun} of kind {' or '.join(kinds)}"))

    def party(origin: Origin, field: str, value: str | None) -> None:
        """A person or a unit (who did something, who issued an order)."""
        if value is None or value in index.get("people", {}) or value in index.get("units", {}) or \
                value in unparsed.get("people", ()) or value in unparsed.get("units", ()):
            return
        known = [*index.get("people", {}), *index.get("units", {})]
        problems.append(Problem(origin.file, origin.record, field,
                                f"unknown person or unit '{value}'{did_you_mean(value, known)}",
                                "define it under 'people' or 'units', or correct the id"))

    for s, o in records["sectors"]:
        ref(o, "parent", s.parent, "sectors")
    problems.extend(_loops(records["sectors"], "sector"))
    problems.extend(_loops(records["units"], "unit"))
    for u, o in records["units"]:
        ref(o, "parent", u.parent, "units")
        ref(o, "village", u.village, "units", ("village",))
        for i, sec in enumerate(u.sectors):
            ref(o, f"sectors.{i}", sec, "sectors")
        for i, v in enumerate(u.villages):
            ref(o, f"villages.{i}", v, "units", ("village",))
        if u.kind == "enterprise" and not u.sectors:
            problems.append(Problem(o.file, o.record, "sectors", "an enterprise needs at least one sector",
                                    "list the sector ids it works in (行业领域)"))
    for p, o in records["posts"]:
        ref(o, "unit", p.unit, "units")
    for t, o in records["tenures"]:
        ref(o, "person", t.person, "people")
        ref(o, "post", t.post, "posts")
    problems.extend(_tenure_overlaps(records["tenures"], index.get("posts", {})))
    for a, o in records["assignments"]:
        ref(o, "post", a.post, "posts")
        ref(o, "person", a.person, "people")
        for i, sec in enumerate(a.sectors):
            ref(o, f"sectors.{i}", sec, "sectors")
        for i, unit in enumerate(a.units):
            ref(o, f"units.{i}", unit, "units")
        ref(o, "village", a.village, "units", ("village",))
        ref(o, "site", a.site, "units", ("enterprise",))
        ref(o, "village_group", a.village_group, "units", ("village_group",))
        ref(o, "within", a.within, "units")
        if a.kind == "report" and a.post and not a.units:
            post = index.get("posts", {}).get(a.post)
            unit = index.get("units", {}).get(post.unit) if post else None
            for channel, kind in (("enterprise_to_authority", "enterprise"), ("village_to_town", "village")):
                if unit is not None and channel in a.channels and unit.kind != kind:
                    problems.append(Problem(o.file, o.record, "units", f"post '{a.post}' is not a {kind}'s, so "
                                            f"whose {channel} reports it makes is not known",
                                            f"name the {kind} in 'units'"))
    for inc, o in records["incidents"]:
        ref(o, "site", inc.site, "units")
        ref(o, "sector", inc.sector, "sectors")
        ref(o, "village", inc.village, "units", ("village",))
        ref(o, "village_group", inc.village_group, "units", ("village_group",))
        site = index.get("units", {}).get(inc.site)
        if site is not None and inc.sector is None and not site.sectors:
            problems.append(Problem(o.file, o.record, "sector", f"no sector given and site '{inc.site}' has none",
                                    "give the incident a 'sector'"))
        if site is not None and inc.village is None and village_of(site.id, index.get("units", {})) is None:
            problems.append(Problem(o.file, o.record, "village", f"no village given and site '{inc.site}' is in none",
                                    "give the incident a 'village'"))
        for i, pid in enumerate(inc.involved):
            ref(o, f"involved.{i}", pid, "people")
        for i, rep in enumerate(inc.reports):
            ref(o, f"reports.{i}.by", rep.by, "people")
            if rep.at < (rep.learned_at or inc.occurred_at):
                problems.append(Problem(o.file, o.record, f"reports.{i}.at",
                                        f"the report at {rep.at.isoformat()} is before the reporter learned of the "
                                        "incident", "check 'at', 'learned_at' and 'occurred_at'"))
        for i, pid in enumerate(inc.concealed_by):
            party(o, f"concealed_by.{i}", pid)
        for i, pid in enumerate(inc.deceased):
            ref(o, f"deceased.{i}", pid, "people")
        problems.extend(_relays(inc, o))
        for i, cause in enumerate(inc.causes):
            causes.setdefault((inc.site, cause.id), []).append(inc.id)
            for j, hz in enumerate(cause.hazards):
                ref(o, f"causes.{i}.hazards.{j}", hz, "hazards")
            for j, c in enumerate(cause.conduct):
                ref(o, f"causes.{i}.conduct.{j}", c, "conduct")
        problems.extend(_conduct_of_causes(inc, o, index.get("conduct", {})))
    for ins, o in records["inspections"]:
        ref(o, "site", ins.site, "units")
        for i, pid in enumerate(ins.inspectors):
            ref(o, f"inspectors.{i}", pid, "people")
        for i, hz in enumerate(ins.hazards_found):
            ref(o, f"hazards_found.{i}", hz, "hazards")
            same_site(o, f"hazards_found.{i}", "hazards", hz, ins.site)
            existed(o, f"hazards_found.{i}", index.get("hazards", {}).get(hz), ins)
    for rec, o in records["duty_records"]:
        ref(o, "unit", rec.unit, "units")
        for i, pid in enumerate(rec.people):
            ref(o, f"people.{i}", pid, "people")
    for dec, o in records["records"]:
        ref(o, "unit", dec.unit, "units")
    for hz, o in records["hazards"]:
        ref(o, "site", hz.site, "units")
        ref(o, "found_by", hz.found_by, "inspections")
        same_site(o, "found_by", "inspections", hz.found_by, hz.site)
        existed(o, "found_by", hz, index.get("inspections", {}).get(hz.found_by or ""))
        if hz.rectified:
            ref(o, "rectified.ordered_by", hz.rectified.ordered_by, "inspections")
            same_site(o, "rectified.ordered_by", "inspections", hz.rectified.ordered_by, hz.site)
            ref(o, "rectified.accepted_by", hz.rectified.accepted_by, "signatures", ACCEPTANCES)
            same_site(o, "rectified.accepted_by", "signatures", hz.rectified.accepted_by, hz.site)
    coverable = {*index.get("hazards", {}), *(c for _, c in causes)}
    for c, o in records["conduct"]:
        party(o, "by", c.by)
        if records["incidents"]:  # an org without incidents (a batch's) meets its incidents later
            ref(o, "incident", c.incident, "incidents")
    for order, o in records["orders"]:
        ref(o, "site", order.site, "units", ("enterprise",))
        party(o, "by", order.by)
        for i, r in enumerate(order.relayed):
            ref(o, f"relayed.{i}.by", r.by, "people")
        for i, pid in enumerate(order.enforce):
            ref(o, f"enforce.{i}", pid, "people")
        for i, c in enumerate(order.checks):
            ref(o, f"checks.{i}.by", c.by, "people")
    for sig, o in records["signatures"]:
        ref(o, "person", sig.person, "people")
        ref(o, "site", sig.site, "units")
        ref(o, "inspection", sig.inspection, "inspections")
        for i, target in enumerate(sig.covers):
            if target not in coverable and target not in unparsed.get("hazards", ()):
                problems.append(Problem(o.file, o.record, f"covers.{i}", f"'{target}' is neither a hazard nor a "
                                        f"cause{did_you_mean(target, coverable)}",
                                        "name a hazard (under 'hazards') or a cause (an incident's 'causes')"))
            elif len(causes.get((sig.site, target), ())) > 1:
                problems.append(Problem(o.file, o.record, f"covers.{i}", f"'{target}' is a cause of "
                                        f"{' and '.join(causes[sig.site, target])}, both at site '{sig.site}'",
                                        "give the causes of incidents at one site distinct ids"))
    return problems


def _relays(inc, o: Origin) -> list[Problem]:
    """A report that passes on another's figures names someone who reported before it."""
    out = []
    for i, rep in enumerate(inc.reports):
        if rep.relayed_from is not None and not any(
                r.by == rep.relayed_from and r.at <= rep.at for j, r in enumerate(inc.reports) if j != i):
            out.append(Problem(o.file, o.record, f"reports.{i}.relayed_from",
                               f"'{rep.relayed_from}' made no report before this one ({rep.at.isoformat()})",
                               "name the person whose report this one passed on, or add their report"))
    return out


def _conduct_of_causes(inc, o: Origin, conduct: dict) -> list[Problem]:
    """Conduct of another incident, begun after this one, or of its aftermath, is no cause of it."""
    out = []
    for i, cause in enumerate(inc.causes):
        for j, cid in enumerate(cause.conduct):
            c = conduct.get(cid)
            if c is None:
                continue
            if c.act in AFTERMATH_ACTS:
                out.append(Problem(o.file, o.record, f"causes.{i}.conduct.{j}",
                                   f"conduct '{cid}' ({c.act}) is an act after the accident, not a cause of it",
                                   "name the incident in the conduct's 'incident', and leave it out of the cause"))
            elif c.incident is not None and c.incident != inc.id:
                out.append(Problem(o.file, o.record, f"causes.{i}.conduct.{j}",
                                   f"conduct '{cid}' is of incident '{c.incident}', not this one",
                                   "list conduct of this incident, or correct the conduct's 'incident'"))
            elif c.start is not None and c.start > inc.day:
                out.append(Problem(o.file, o.record, f"causes.{i}.conduct.{j}",
                                   f"conduct '{cid}' began on {c.start}, after the incident ({inc.day}): it cannot "
                                   "be a cause of it", "check the conduct's date, or leave it out of the cause"))
    return out


def _loops(items: list[tuple[Record, Origin]], noun: str) -> list[Problem]:
    """Records that are their own ancestor by ``parent`` (sectors and units form trees)."""
    records = {r.id: r for r, _ in items}
    out = []
    for r, o in items:
        top = records.get(ancestors(r.id, records)[-1])
        if top is not None and top.parent == r.id:
            out.append(Problem(o.file, o.record, "parent", f"{noun} '{r.id}' is its own ancestor",
                               f"{noun}s form a tree: remove the loop"))
    return out


def _tenure_overlaps(items: list[tuple[Record, Origin]], posts: dict[str, Record]) -> list[Problem]:
    by_post: dict[str, list[tuple[Record, Origin]]] = defaultdict(list)
    for t, o in items:
        by_post[t.post].append((t, o))
    out = []
    for post_id, ts in by_post.items():
        post = posts.get(post_id)
        if post is None or post.shared:
            continue
        ts.sort(key=lambda x: x[0].valid_from)
        for (a, _), (b, ob) in zip(ts, ts[1:]):
            if overlap(a.valid_from, a.valid_to, b.valid_from, b.valid_to):
                out.append(Problem(ob.file, ob.record, "from",
                                   f"post '{post_id}' is already held by '{a.person}' from {a.valid_from}"
                                   f"{' to ' + str(a.valid_to) if a.valid_to else ' with no end'}",
                                   f"end the earlier tenure on {b.valid_from} (its 'to'), or mark the post 'shared: true'"))
    return out
