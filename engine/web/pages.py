"""The workbench's pages: server-rendered HTML, plain links and forms, no script.

Every page is a GET a colleague can be sent (the what-if's choices are in its
query string), except loading files (a POST of a form). The language is a
cookie set by ``/lang/{zh|en}``; until then the server's ``--lang`` (Chinese by default).
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from engine.analyses.whatif.evaluate import compare, variants
from engine.chain.chain import Order, in_order
from engine.outputs.diagram import GraphvizMissingError
from engine.web.downloads import DOWNLOADS, offered
from engine.web.views import (
    WhatIfForm,
    case_view,
    comparison_view,
    incident_view,
    person_view,
    record_yaml,
    whatif_choices,
)
from engine.web.workspace import MAX_FILES, Workspace, located
from engine.words.catalog import LANGS, family_key, label, phrase
from facts.errors import FactError, InputError, ProblemsError, UnknownIdError
from facts.load import SUFFIXES
from facts.sheets import SHEETS

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)


def lang_of(request: Request, default: str | None = None) -> str:
    """The browser's choice (a cookie), else the server's ``--lang``."""
    lang = request.cookies.get("lang")
    return lang if lang in LANGS else default or request.app.state.lang


def page(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    lang = lang_of(request)
    ws: Workspace = request.app.state.workspace

    def field(name: str) -> str:
        key = family_key(lang, "web.field", name)
        return phrase(lang, key) if key else name

    return templates.TemplateResponse(request, name, {
        "lang": lang, "w": lambda key, **f: phrase(lang, key, **f), "field": field,
        "coded": lambda name, v: label(lang, name, v),
        "download_name": lambda fmt: phrase(lang, family_key(lang, "web.download", fmt)),
        "change_name": lambda change: phrase(lang, family_key(lang, "web.change", change)),
        "cases": ws.cases, "here": request.url.path, "max_mb": request.app.state.max_upload // 2**20,
        "suffixes": ", ".join(SUFFIXES), **context}, status_code=status)


def _ws(request: Request) -> Workspace:
    return request.app.state.workspace


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/")
def home(request: Request) -> Response:
    ws = _ws(request)
    return _see(f"/c/{next(iter(ws.cases))}" if ws.cases else "/open")


@router.get("/lang/{lang}")
def set_lang(lang: str, request: Request, next: str = "/") -> Response:
    """Switch the language; ``next`` stays on this site (a path, not another host)."""
    if lang not in LANGS:
        raise UnknownIdError("language", lang, LANGS)
    response = _see(next if next.startswith("/") and not next.startswith("//") else "/")
    response.set_cookie("lang", lang, samesite="strict", httponly=True)
    return response


@router.get("/open")
def open_form(request: Request) -> Response:
    return page(request, "open.html")


@router.post("/open")
async def open_files(request: Request) -> Response:
    async with request.form(max_files=MAX_FILES + 1, max_fields=10) as form:
        files = [(f.filename or "", await f.read()) for f in form.getlist("files") if hasattr(f, "read")]
    try:
        case = _ws(request).upload(files)
    except FactError as e:
        return page(request, "open.html", status=422, problems=e.problems)
    return _see(f"/c/{case.id}")


@router.get("/c/{case_id}")
def case_page(case_id: str, request: Request) -> Response:
    case = _ws(request).case(case_id)
    return page(request, "case.html", case=case, downloads=offered(False), **case_view(case, lang_of(request)))


@router.post("/c/{case_id}/reload")
def reload(case_id: str, request: Request) -> Response:
    return _see(f"/c/{_ws(request).reload(case_id).id}")


def _svg(request: Request, case_id: str, incident: str) -> tuple[str, bool]:
    """The layered diagram for inlining (the XML prolog dropped), or '' and False without Graphviz."""
    case = _ws(request).case(case_id)
    try:
        svg = DOWNLOADS["svg"].render(case.require(), [case.chain(incident)], lang_of(request))
    except GraphvizMissingError:
        return "", False
    return svg[svg.index("<svg"):], True


@router.get("/c/{case_id}/incident/{incident}")
def incident_page(case_id: str, incident: str, request: Request, order: Order = "severity") -> Response:
    """The incident, its chain heaviest grade first (``?order=band``: from the scene upward)."""
    case = _ws(request).case(case_id)
    view = incident_view(case, incident, lang_of(request), order)
    svg, drawn = _svg(request, case_id, incident)
    return page(request, "incident.html", case=case, svg=svg, drawn=drawn, downloads=offered(True), ids=case.records,
                **view)


@router.get("/c/{case_id}/incident/{incident}/person")
def person_lookup(case_id: str, incident: str, person: str) -> Response:
    """The why-not form's answer: the person's page (an id or an exact name; the page resolves it)."""
    return _see(f"/c/{case_id}/incident/{incident}/person/{quote(person.strip(), safe='')}")


@router.get("/c/{case_id}/incident/{incident}/person/{person}")
def person_page(case_id: str, incident: str, person: str, request: Request) -> Response:
    case = _ws(request).case(case_id)
    return page(request, "person.html", case=case, incident=incident,
                **person_view(case, incident, person, lang_of(request)))


@router.get("/c/{case_id}/record/{record:path}")
def record_page(case_id: str, record: str, request: Request) -> Response:
    case = _ws(request).case(case_id)
    found = case.records.get(record)
    missing = record.startswith("no-record:")
    sheet = next((s.title(lang_of(request)) for s in SHEETS if found and s.name == found[0]), "")
    return page(request, "record.html", case=case, record_id=record, status=200 if found or missing else 404,
                section=found[0] if found else "", sheet=sheet, text=record_yaml(found[1]) if found else "",
                missing=missing)


def _form(request: Request) -> WhatIfForm:
    return WhatIfForm.read(parse_qs(request.url.query, keep_blank_values=False))


@router.get("/c/{case_id}/incident/{incident}/whatif")
def whatif_page(case_id: str, incident: str, request: Request) -> Response:
    """The form, and when something is changed, the baseline beside the scenario with the differences."""
    ws, lang = _ws(request), lang_of(request)
    case = ws.case(case_id)
    tracer, form = case.require(), _form(request)
    context = {"case": case, "incident": incident, "form": form, **whatif_choices(case, incident, lang)}
    scenario = form.scenario_yaml(case.pack_on(incident))
    if not scenario:
        return page(request, "whatif.html", **context)
    with ws.scratch() as folder:
        path = folder / f"{form.name}.yaml"
        path.write_text(scenario, encoding="utf-8")
        try:
            with ws.lock:
                vs = variants(tracer.facts, tracer.pack, [str(path)])
                (cmp,) = compare(vs, tracer.backend, [incident])
        except InputError as e:
            e = located(e, folder)
            return page(request, "whatif.html", status=422, message=str(e),
                        problems=e.problems if isinstance(e, ProblemsError) else [], **context)
    return page(request, "whatif.html", scenario=scenario, query=request.url.query,
                **comparison_view(cmp, [v.pack for v in vs], lang), **context)


@router.get("/c/{case_id}/incident/{incident}/whatif.yaml")
def whatif_yaml(case_id: str, incident: str, request: Request) -> Response:
    """The scenario of the form, as a file ``wenze whatif --scenario`` reads."""
    case, form = _ws(request).case(case_id), _form(request)
    return Response(form.scenario_yaml(case.pack_on(incident)), media_type="application/yaml; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{quote(form.name)}.yaml"'})


def _download(request: Request, case_id: str, fmt: str, incidents: list[str], stem: str,
              order: Order) -> Response:
    """What ``wenze trace --format FMT --order ORDER`` writes for the incidents (all of the case by default)."""
    if fmt not in DOWNLOADS:
        raise UnknownIdError("download format", fmt, DOWNLOADS)
    case = _ws(request).case(case_id)
    chains = [in_order(c, order) for c in case.chains(incidents)]
    body = DOWNLOADS[fmt].render(case.require(), chains, lang_of(request))
    return Response(body, media_type=DOWNLOADS[fmt].media_type,
                    headers={"Content-Disposition": f'attachment; filename="{quote(stem)}.{fmt}"'})


@router.get("/c/{case_id}/download.{fmt}")
def case_download(case_id: str, fmt: str, request: Request, order: Order = "band") -> Response:
    return _download(request, case_id, fmt, [], f"wenze-{case_id}", order)


@router.get("/c/{case_id}/incident/{incident}/download.{fmt}")
def incident_download(case_id: str, incident: str, fmt: str, request: Request, order: Order = "band") -> Response:
    return _download(request, case_id, fmt, [incident], f"wenze-{incident}", order)
