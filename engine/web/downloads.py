"""What a page offers to download: one row per format, each rendered by the CLI's own renderer.

A new output format is one more row here: the pages list the rows, and the
download route looks its format up in :data:`DOWNLOADS`. Each gives what
``wenze trace --format FMT`` gives for the same incidents and ``--order``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from engine.chain.chain import Chain
from engine.chain.trace import Tracer
from engine.outputs.diagram import render as draw
from engine.outputs.docx import report
from engine.outputs.report import markdown
from engine.outputs.table import chains_json


@dataclass(frozen=True)
class Download:
    media_type: str
    render: Callable[[Tracer, list[Chain], str], str | bytes]
    one_incident: bool = False  # a diagram draws one incident; the others take the whole case too


DOWNLOADS: dict[str, Download] = {
    "docx": Download("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                     lambda t, chains, lang: report(chains, t.pack, t.graph, lang)),
    "md": Download("text/markdown; charset=utf-8", lambda t, chains, lang: markdown(chains, t.pack, t.graph, lang)),
    "svg": Download("image/svg+xml; charset=utf-8",
                    lambda t, chains, lang: draw(chains, t.pack, t.graph, "svg", lang), one_incident=True),
    "json": Download("application/json", lambda t, chains, lang: chains_json(chains)),
}


def offered(one_incident: bool) -> list[str]:
    """The formats a page offers: all of them for one incident, the case-wide ones for a case."""
    return [fmt for fmt, d in DOWNLOADS.items() if one_incident or not d.one_incident]
