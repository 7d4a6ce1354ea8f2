"""What a running workbench holds: cases (fact files parsed once, chains traced once) and one temp folder.

A case is the fact files opened on the command line, or a set uploaded from the
browser. Both are read by :func:`facts.load.load_facts`, the reader of the
CLI, so a problem reads the same in both places. Uploads, scenarios and API
inputs are written only under the workspace's temporary folder, which is
removed when the server stops; nothing a request sends names a path to read.

The rule engine is not known to be safe across threads (durable_rules keeps a
host per backend), so every evaluation holds the workspace's lock.
"""
from __future__ import annotations

import hashlib
import shutil
import tempfile
import threading
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Iterator, Sequence

from engine.analyses.whatif.apply import record_id
from engine.chain.chain import Chain
from engine.chain.trace import Tracer
from engine.pack.backends import BACKENDS
from engine.pack.rulepack import RulePack, load_pack
from facts.errors import FactError, InputError, Problem, ProblemsError, RulePackError, UnknownIdError
from facts.load import SUFFIXES, fact_files, load_facts
from facts.model import SECTIONS, FactSet, Incident
from facts.read import parse_yaml

#: The id of the case opened on the command line.
OPENED = "opened"
MAX_FILES = 100


def located(error: InputError, root: Path) -> InputError:
    """The same error with paths under ``root`` shown as the names the user gave (``org.yaml``, not /tmp/…)."""
    prefix = f"{root}/"
    if isinstance(error, ProblemsError):
        problems = [replace(p, file=p.file.replace(prefix, "")) for p in error.problems]
        return type(error)(problems=problems, what=error.what.replace(prefix, ""))
    return error if prefix not in str(error) else InputError(str(error).replace(prefix, ""))


@dataclass
class Case:
    """Fact files loaded once, with their problems if they do not validate, and their chains as traced."""

    id: str
    title: str
    files: tuple[str, ...]
    tracer: Tracer | None
    problems: tuple[Problem, ...] = ()
    message: str = ""  # the load error, when it is not a list of located problems
    source: tuple[Path, ...] = ()  # the paths opened on the command line, to reload; none for uploads
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _chains: dict[str, Chain] = field(default_factory=dict, repr=False)

    @property
    def facts(self) -> FactSet | None:
        return self.tracer.facts if self.tracer else None

    def require(self) -> Tracer:
        """The tracer, or the load error again (for the API, where a case that did not load is bad input)."""
        if self.tracer is None:
            raise FactError(list(self.problems), what=self.title) if self.problems else InputError(self.message)
        return self.tracer

    @cached_property
    def records(self) -> dict[str, tuple[str, Any]]:
        """Every record by the id evidence cites (a tenure by its key): id → (section, record)."""
        return {record_id(r): (section, r) for section in SECTIONS for r in getattr(self.require().facts, section)}

    def incident(self, incident_id: str) -> Incident:
        """The incident's record; an unknown id is an error with a did-you-mean (404 on a page)."""
        tracer = self.require()
        if incident_id not in tracer.incidents:
            raise UnknownIdError("incident", incident_id, tracer.incidents)
        return tracer.incidents[incident_id]

    def pack_on(self, incident_id: str) -> RulePack:
        """The version of the pack that judges the incident: the rules and parameter values of its day."""
        return self.require().pack.as_of(self.incident(incident_id).day)

    def chain(self, incident: str) -> Chain:
        found = self.incident(incident)
        with self.lock:
            if incident not in self._chains:
                self._chains[incident] = self.require().trace(found)
            return self._chains[incident]

    def chains(self, incidents: Sequence[str] = ()) -> list[Chain]:
        """The incidents asked for (all, in file order, by default)."""
        return [self.chain(i.id) for i in self.require().select(incidents)]


def load_case(case_id: str, title: str, paths: Sequence[Path], pack: RulePack, backend: str,
              lock: threading.RLock, shown_under: Path | None = None, source: tuple[Path, ...] = ()) -> Case:
    """Read fact files into a case; a file that does not validate gives a case holding its problems."""
    files = tuple(str(p.relative_to(shown_under)) if shown_under else str(p) for p in paths)
    try:
        facts = load_facts(paths)
    except InputError as e:
        e = located(e, shown_under) if shown_under else e
        problems = tuple(e.problems) if isinstance(e, ProblemsError) else ()
        return Case(case_id, title, files, None, problems, "" if problems else str(e), source, lock)
    return Case(case_id, title, files, Tracer(facts, pack, BACKENDS[backend]()), source=source, lock=lock)


def upload_problems(names: Sequence[str]) -> list[Problem]:
    """Names an upload may not use: no folders, no hidden files, only fact-file suffixes, each once."""
    out, seen = [], set()
    for name in names:
        if not name or name != Path(name).name or name.startswith(".") or "\\" in name:
            out.append(Problem(name or "(no name)", "file", "", "not a plain file name",
                               "upload files, not folders; names may not start with '.'"))
        elif Path(name).suffix.lower() not in SUFFIXES:
            out.append(Problem(name, "file", "", "not a fact file", f"give files ending in {', '.join(SUFFIXES)}"))
        elif name in seen:
            out.append(Problem(name, "file", "", "uploaded twice", "give each file once"))
        seen.add(name)
    if len(names) > MAX_FILES:
        out.append(Problem(f"{len(names)} files", "upload", "", f"more than {MAX_FILES} files",
                           "upload fewer files at once"))
    if not names:
        out.append(Problem("(none)", "upload", "", "no files chosen", "choose one or more fact files"))
    return out


def refuse_extends(text: str) -> None:
    """A pack sent by a request may not extend another: ``extends`` names a path, and the server reads
    nothing a request names by path. (A pack that does not parse is left to the loader to report.)"""
    try:
        raw = parse_yaml(text, "rules.yaml")
    except InputError:
        return
    if isinstance(raw, dict) and "extends" in raw:
        raise RulePackError([Problem("rules.yaml", "pack", "extends", "the workbench does not read a pack named by "
                                     "path", "send the whole pack, with what it extends merged in; or start the "
                                     "server with --rules on it")], what="rules.yaml")


class Workspace:
    """The rule pack, the backend, the cases loaded, and the one folder anything is written to."""

    def __init__(self, paths: Sequence[Path], pack: RulePack, pack_path: Path, backend: str = "durable",
                 max_cases: int = 8):
        self.pack, self.pack_path, self.backend = pack, pack_path, backend
        self.max_cases = max_cases
        self.tmp = Path(tempfile.mkdtemp(prefix="wenze-serve-"))
        self.lock = threading.RLock()
        self.cases: OrderedDict[str, Case] = OrderedDict()
        self.opened = tuple(paths)
        if paths:
            self.reload(OPENED)

    def close(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def case(self, case_id: str) -> Case:
        if case_id not in self.cases:
            raise UnknownIdError("case", case_id, self.cases)
        return self.cases[case_id]

    def reload(self, case_id: str) -> Case:
        """Read the command line's paths again (after the files were edited)."""
        if case_id != OPENED or not self.opened:
            raise InputError(f"case '{case_id}' was uploaded, not opened from a folder: upload it again")
        title = ", ".join(p.name or str(p) for p in self.opened)
        case = load_case(OPENED, title, fact_files(self.opened), self.pack, self.backend, self.lock,
                         source=self.opened)
        self.cases[OPENED] = case
        self.cases.move_to_end(OPENED, last=False)
        return case

    def upload(self, files: Sequence[tuple[str, bytes]]) -> Case:
        """A case from uploaded files, kept in its own folder; the same files again give the same case."""
        problems = upload_problems([name for name, _ in files])
        if problems:
            raise FactError(problems, what="the upload")
        h = hashlib.sha256()
        for name, data in sorted(files):
            h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
        case_id = "u-" + h.hexdigest()[:10]
        if case_id in self.cases:
            self.cases.move_to_end(case_id)
            return self.cases[case_id]
        folder = self.tmp / case_id
        folder.mkdir()
        for name, data in files:
            (folder / name).write_bytes(data)
        paths = sorted(folder / name for name, _ in files)
        case = load_case(case_id, ", ".join(sorted(name for name, _ in files)), paths, self.pack, self.backend,
                         self.lock, shown_under=folder)
        self.cases[case_id] = case
        self._evict()
        return case

    def _evict(self) -> None:
        """Forget the oldest uploads beyond ``max_cases`` (the case opened on the command line stays)."""
        uploads = [c for c in self.cases if c != OPENED]
        for case_id in uploads[:max(0, len(uploads) - self.max_cases)]:
            del self.cases[case_id]
            shutil.rmtree(self.tmp / case_id, ignore_errors=True)

    @contextmanager
    def scratch(self) -> Iterator[Path]:
        """A folder for one request's inputs (API facts, a pack, scenarios), removed afterwards."""
        folder = Path(tempfile.mkdtemp(dir=self.tmp, prefix="req-"))
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def load_pack_text(self, folder: Path, text: str | None) -> tuple[RulePack, Path]:
        """The server's pack, or one sent as YAML text (read by the same loader, shown as ``rules.yaml``)."""
        if text is None:
            return self.pack, self.pack_path
        path = folder / "rules.yaml"
        refuse_extends(text)
        path.write_text(text, encoding="utf-8")
        try:
            return load_pack(path), path
        except InputError as e:
            raise located(e, folder) from None
