"""A real workbench server for tests: uvicorn on a free loopback port in a thread, and a plain HTTP client."""
from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import uvicorn
from click.testing import CliRunner

from cli import cli

from engine.pack.rulepack import DEFAULT_PACK, load_pack
from engine.web.app import create_app
from engine.web.workspace import Workspace


@contextmanager
def running(app) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 (a port the OS picks) until the block ends; yields the base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(20)
        sock.close()


@contextmanager
def workbench(paths: list[Path], token: str | None = None, max_upload: int | None = None,
              rules: Path = DEFAULT_PACK) -> Iterator[tuple[str, Workspace]]:
    """A workspace on ``paths`` with a pack (the shipped one by default), served; its folder is removed afterwards."""
    ws = Workspace(paths, load_pack(rules), rules)
    extra = {"max_upload": max_upload} if max_upload else {}
    try:
        with running(create_app(ws, token, **extra)) as url:
            yield url, ws
    finally:
        ws.close()


def cli_output(*args: str, codes: tuple[int, ...] = (0,)) -> str:
    """What the CLI prints for ``args`` (in process), whose exit code must be one of ``codes``."""
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code in codes, result.output
    return result.output


class Reply:
    def __init__(self, status: int, headers: dict[str, str], body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)


def call(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None,
         raw: bytes | None = None, chunks: list[bytes] | None = None) -> Reply:
    """One request, redirects not followed; ``body`` is sent as JSON, ``raw`` as it is, ``chunks`` streamed."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    head = {"Content-Type": "application/json"} if body is not None or chunks is not None else {}
    conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""),
                 body=iter(chunks) if chunks is not None else data, headers={**head, **(headers or {})},
                 encode_chunked=chunks is not None)
    r = conn.getresponse()
    reply = Reply(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    conn.close()
    return reply


def multipart(files: list[tuple[str, bytes]], field: str = "files") -> tuple[bytes, dict[str, str]]:
    """A multipart/form-data body with one part per file, as a browser's file input sends it."""
    boundary = "wenze-test-boundary"
    out = b""
    for name, data in files:
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\n"
                "Content-Type: application/octet-stream\r\n\r\n").encode() + data + b"\r\n"
    return out + f"--{boundary}--\r\n".encode(), {"Content-Type": f"multipart/form-data; boundary={boundary}"}
