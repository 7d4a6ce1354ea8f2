"""``wenze serve``: the pages and the API on one local server, and what keeps it safe to run.

- It binds to 127.0.0.1 unless told otherwise, and then only requests whose
  ``Host`` is the loopback address are answered (a web page elsewhere cannot
  reach it by rebinding a name to 127.0.0.1).
- On any other address a token is required (``--token`` or ``WENZE_TOKEN``),
  and every request must carry it: ``Authorization: Bearer …`` (the API), or
  the cookie a browser gets by opening the link printed at start (``?token=…``).
- A form posted from another site's page is refused (``Origin``).
- Request bodies are size-limited; uploads are read by the CLI's loader from
  the workspace's temporary folder, the only place a request can make wenze
  write (see :mod:`engine.web.workspace`).

Errors keep the CLI's meaning: bad input is 422 (the API's body lists each
located problem), an unknown page or id 404, a bug 500 with no traceback.
"""
from __future__ import annotations

import hmac
import ipaddress
import sys
from pathlib import Path
from typing import Sequence
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from engine.pack.rulepack import load_pack
from engine.web import api, pages
from engine.web.workspace import Workspace
from engine.words.catalog import phrase
from facts.errors import InputError, Problem, ProblemsError, UnknownIdError

MAX_UPLOAD = 64 * 2**20
TOKEN_COOKIE = "wenze_token"
LOOPBACK_NAMES = ("localhost",)


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class BodyLimit:
    """Refuses a request body over ``limit`` bytes (413), whether it declares its length or streams."""

    def __init__(self, app: ASGIApp, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.limit:
            return await _too_large(self.limit)(scope, receive, send)
        seen = 0

        async def counted() -> dict:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise HTTPException(413, _too_large_text(self.limit))
            return message

        await self.app(scope, counted, send)


def _too_large_text(limit: int) -> str:
    return f"the request is larger than {limit // 2**20} MB" if limit >= 2**20 else \
        f"the request is larger than {limit} bytes"


def _too_large(limit: int) -> Response:
    return JSONResponse({"error": _too_large_text(limit), "problems": []}, status_code=413)


class TokenGuard:
    """Every request carries the token; ``?token=`` on a page sets it as a cookie and is dropped from the URL."""

    def __init__(self, app: ASGIApp, token: str, lang: str):
        self.app, self.token, self.lang = app, token, lang

    def _ok(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), self.token.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        bearer = request.headers.get("authorization", "")
        if self._ok(bearer.removeprefix("Bearer ")) or self._ok(request.cookies.get(TOKEN_COOKIE)):
            return await self.app(scope, receive, send)
        if self._ok(request.query_params.get("token")) and request.method == "GET":
            rest = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "token"])
            response = RedirectResponse(request.url.path + (f"?{rest}" if rest else ""), status_code=303)
            response.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict")
            return await response(scope, receive, send)
        text = phrase(pages.lang_of(request, self.lang), "web.token.note")
        response = (JSONResponse({"error": "missing or wrong token: send 'Authorization: Bearer TOKEN'",
                                  "problems": []}, status_code=401)
                    if scope["path"].startswith("/api") else Response(text, status_code=401,
                                                                      media_type="text/plain; charset=utf-8"))
        await response(scope, receive, send)


class SameOrigin:
    """A form posted from another site's page is refused (403): only the workbench's own pages may post.

    Browsers name the page a POST comes from (``Origin``); a client that is not a
    browser (curl, a script) sends none and is not affected.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope["headers"]) if scope["type"] == "http" else {}
        origin = headers.get(b"origin", b"").decode("latin-1")
        if scope["type"] == "http" and scope["method"] not in ("GET", "HEAD") and origin \
                and urlsplit(origin).netloc != headers.get(b"host", b"").decode("latin-1"):
            response = JSONResponse({"error": f"a request from another site ({origin}) is refused", "problems": []},
                                    status_code=403)
            return await response(scope, receive, send)
        await self.app(scope, receive, send)


def _problems(e: InputError) -> list[dict]:
    return [p.__dict__ for p in e.problems] if isinstance(e, ProblemsError) else []


def _error(request: Request, status: int, message: str, problems: list[dict]) -> Response:
    """JSON for the API, a page for a person."""
    if request.url.path.startswith("/api"):
        return JSONResponse({"error": message, "problems": problems}, status_code=status)
    return pages.page(request, "error.html", status=status, message=message, problems=problems)


def create_app(workspace: Workspace, token: str | None = None, host: str = "127.0.0.1",
               max_upload: int = MAX_UPLOAD, lang: str = "zh") -> FastAPI:
    """The workbench over a workspace, its pages in ``lang`` until a browser switches; the caller owns the
    workspace (and closes it)."""
    app = FastAPI(title="wenze", summary="问责: the chain of persons accountable for a work-safety incident",
                  openapi_url="/api/openapi.json", docs_url=None, redoc_url=None)
    app.state.workspace, app.state.max_upload, app.state.lang = workspace, max_upload, lang
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=Path(pages.__file__).parent / "static"), name="static")

    @app.exception_handler(InputError)
    def bad_input(request: Request, e: InputError) -> Response:
        return _error(request, 404 if isinstance(e, UnknownIdError) and not request.url.path.startswith("/api")
                      else 422, str(e), _problems(e))

    @app.exception_handler(RequestValidationError)
    def bad_request(request: Request, e: RequestValidationError) -> Response:
        problems = [Problem("request", str(err["loc"][0]), ".".join(map(str, err["loc"][1:])), err["msg"]).__dict__
                    for err in e.errors()]
        return _error(request, 422, f"{len(problems)} problem(s) in the request", problems)

    @app.exception_handler(HTTPException)
    def http_error(request: Request, e: HTTPException) -> Response:
        return _error(request, e.status_code, str(e.detail), [])

    @app.exception_handler(Exception)
    def internal(request: Request, e: Exception) -> Response:
        return _error(request, 500, f"internal error: {type(e).__name__}: {e}", [])

    app.add_middleware(BodyLimit, limit=max_upload)
    app.add_middleware(SameOrigin)
    if token:
        app.add_middleware(TokenGuard, token=token, lang=lang)
    if is_loopback(host):
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=["127.0.0.1", "localhost", "[::1]", "::1"])
    return app


def serve(paths: Sequence[Path], rules: Path, backend: str, host: str, port: int, token: str | None,
          lang: str = "zh") -> None:
    """Load the pack and the facts, print where to open the workbench, and serve until interrupted."""
    import uvicorn

    if not is_loopback(host) and not token:
        raise InputError(f"--host {host} makes the workbench reachable from other machines: give --token "
                         "(or set WENZE_TOKEN), and every request must carry it")
    workspace = Workspace(paths, load_pack(rules), rules, backend)
    try:
        for case in workspace.cases.values():
            if case.tracer is None:
                print(phrase(lang, "web.serve.problems", title=case.title, n=len(case.problems) or 1),
                      file=sys.stderr)
        shown = f"[{host}]" if ":" in host else host
        link = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
        print(phrase(lang, "web.serve.open", link=link), file=sys.stderr)
        uvicorn.run(create_app(workspace, token, host, lang=lang), host=host, port=port, log_level="warning")
    finally:
        workspace.close()
