"""The HTTP JSON API: for the same inputs, the very bytes the CLI's ``--format json`` prints.

``POST /api/trace``, ``/api/explain``, ``/api/whatif`` and ``/api/check`` take a
JSON body: fact files as ``{name: text}`` (default: the files the server was
started on), a rule pack as YAML text (default: the server's ``--rules``),
scenarios as YAML texts. Each is written to the request's scratch folder and
read by the CLI's own loaders, so a problem names the file as the client named
it, with the record and the field.

Statuses carry the CLI's exit codes: 200 for what exit 0 prints (and for
``check``'s findings, which are its answer, not a failure: see ``clean``), 422
for exit 2 (``{"error": …, "problems": [{file, record, field, message, hint}]}``),
500 for exit 1. The OpenAPI description is ``/api/openapi.json``.
"""
from __future__ import annotations

import base64
import binascii
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from engine.analyses.check.run import check as check_pack
from engine.analyses.whatif.evaluate import compare, variants
from engine.analyses.whatif.scenario import ScenarioError, load_scenario
from engine.chain.chain import Order, in_order
from engine.chain.trace import Tracer
from engine.explain.explainer import explain_person
from engine.outputs import diff
from engine.outputs.finding_text import finding_paragraph
from engine.outputs.table import chains_json
from engine.pack.backends import BACKENDS
from engine.web.workspace import OPENED, Workspace, located, upload_problems
from facts.canon import canonical_json
from facts.errors import FactError, InputError, Problem
from facts.load import load_facts
from facts.model import FactSet

Backend = Literal[tuple(sorted(BACKENDS))]  # type: ignore[valid-type]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")

    files: dict[str, str] | None = Field(
        None, description="Fact files by name, read together: YAML, JSON or CSV as text, an .xlsx workbook as "
                          "its bytes in base64; default: the files the server was started on.",
        examples=[{"org.yaml": "people:\n  - {id: a, name: 甲}\n"}])
    rules: str | None = Field(None, description="A rule pack as YAML text; default: the server's --rules.")
    backend: Backend | None = Field(None, description="The rule engine; default: the server's --backend.")


class TraceIn(_In):
    incidents: list[str] = Field([], description="Only these incidents, in this order; default: all.")
    order: Order = Field("band", description="band: from the scene upward; severity: heaviest grade of "
                                             "responsibility first (trace --order).")


class ExplainIn(_In):
    incident: str
    person: str = Field(description="A person's id or exact name.")
    lang: Literal["zh", "en"] = "zh"


class WhatifIn(_In):
    scenarios: list[str] = Field(min_length=1, description="Scenario files as YAML texts, each a variant.")
    incidents: list[str] = Field([], description="Only these incidents; default: all.")


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: str | None = Field(None, description="A rule pack as YAML text; default: the server's --rules.")
    examples: int = Field(1000, ge=0, le=10_000, description="Generated towns for the dynamic checks.")
    seed: int = 0


class ProblemOut(BaseModel):
    file: str
    record: str
    field: str
    message: str
    hint: str


class ErrorOut(BaseModel):
    error: str
    problems: list[ProblemOut]


RESPONSES = {200: {"description": "What the CLI prints with --format json (exit 0).",
                   "content": {"application/json": {}}},
             422: {"model": ErrorOut, "description": "Bad input, every problem located (the CLI's exit 2)."},
             500: {"model": ErrorOut, "description": "An internal failure (the CLI's exit 1)."}}

router = APIRouter(prefix="/api", responses=RESPONSES)


def _json(text: str) -> Response:
    return Response(text, media_type="application/json")


def _workspace(request: Request) -> Workspace:
    return request.app.state.workspace


def _facts(ws: Workspace, files: dict[str, str] | None, folder: Path) -> FactSet:
    """The files sent, written under ``folder`` and read together; else the facts the server was started on."""
    if files is None:
        if OPENED not in ws.cases:
            raise InputError("no fact files: send 'files', or start the server on a folder of fact files")
        return ws.case(OPENED).require().facts
    problems = upload_problems(list(files))
    if problems:
        raise FactError(problems, what="'files'")
    for name, text in files.items():
        if Path(name).suffix.lower() == ".xlsx":
            (folder / name).write_bytes(_workbook(name, text))
        else:
            (folder / name).write_text(text, encoding="utf-8")
    return load_facts([folder / name for name in files])


def _workbook(name: str, text: str) -> bytes:
    """A workbook sent in a JSON body: its bytes in base64."""
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        raise FactError([Problem(name, "files", name, "a workbook is sent as its bytes in base64",
                                 "e.g. base64 -w0 roster.xlsx")], what="'files'") from None


@contextmanager
def _tracer(ws: Workspace, body: _In) -> Iterator[tuple[Tracer, Path]]:
    """A tracer over the body's facts and pack, and the request's scratch folder; with neither sent (and the
    server's backend), the tracer of the case opened on the command line, whose org graph is built already."""
    with ws.scratch() as folder:
        (folder / "facts").mkdir()
        try:
            backend = body.backend or ws.backend
            if body.files is None and body.rules is None and backend == ws.backend and OPENED in ws.cases:
                tracer = ws.case(OPENED).require()
            else:
                pack, _ = ws.load_pack_text(folder, body.rules)
                tracer = Tracer(_facts(ws, body.files, folder / "facts"), pack, BACKENDS[backend]())
            with ws.lock:
                yield tracer, folder
        except InputError as e:
            raise located(located(e, folder / "facts"), folder) from None


@router.post("/trace", summary="The chain of each incident (wenze trace --format json)")
def trace(body: TraceIn, request: Request) -> Response:
    with _tracer(_workspace(request), body) as (tracer, _):
        return _json(chains_json([in_order(tracer.trace(i), body.order) for i in tracer.select(body.incidents)]))


@router.post("/explain", summary="Why a person is, or is not, in a chain (wenze explain --format json)")
def explain(body: ExplainIn, request: Request) -> Response:
    with _tracer(_workspace(request), body) as (tracer, _):
        answer = explain_person(tracer, body.incident, body.person, body.lang, finding_paragraph)
        return _json(canonical_json(answer.as_json(), indent=2) + "\n")


def refuse_swap_pack(paths: list[Path]) -> None:
    """A scenario may not name a pack to read: the server reads nothing a request names by path."""
    problems = [Problem(str(p.name), f"changes #{c.index} (swap_pack)", "swap_pack",
                        "the workbench does not read rule packs named by a scenario",
                        "send the other pack as 'rules' in a request of its own")
                for p in paths for c in load_scenario(p).changes if c.kind == "swap_pack"]
    if problems:
        raise ScenarioError(problems, what="the scenarios")


@router.post("/whatif", summary="Each incident under the baseline and each scenario (wenze whatif --format json)")
def whatif(body: WhatifIn, request: Request) -> Response:
    with _tracer(_workspace(request), body) as (tracer, folder):
        paths = [folder / f"scenario-{n}.yaml" for n in range(1, len(body.scenarios) + 1)]
        for path, text in zip(paths, body.scenarios):
            path.write_text(text, encoding="utf-8")
        refuse_swap_pack(paths)
        vs = variants(tracer.facts, tracer.pack, [str(p) for p in paths])
        return _json(diff.comparisons_json(compare(vs, tracer.backend, body.incidents)))


@router.post("/check", summary="Is a rule pack consistent? (wenze check --format json); findings are 200")
def check(body: CheckIn, request: Request) -> Response:
    ws = _workspace(request)
    with ws.scratch() as folder:
        pack, path = ws.load_pack_text(folder, body.rules)
        with ws.lock:
            report = check_pack(pack, path, body.examples, body.seed)
        # the pack's path is the client's 'rules.yaml', not the scratch folder (a path of [A-Za-z0-9_/-])
        return _json((canonical_json(report.as_json(), indent=2) + "\n").replace(f"{folder}/", ""))
