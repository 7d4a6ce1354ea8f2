"""The 责任认定 part of a 事故调查报告 as a Word document (``wenze trace --format docx``).

Per incident, in the order of such reports, after the chain's warnings (an
incident before the pack was issued, say): 事故基本情况 (what happened, the toll
in 万元, the grade by 国务院令第493号 Art. 3); 事故原因 when the facts give causes;
责任认定及处理建议 — one paragraph per person and one per unit, each from
:func:`engine.outputs.finding_text.finding_paragraph` (the one the Markdown report,
the table and ``explain`` write), and a note that measures are the investigation's to
propose; a table of the chain with each party's grade; the data gaps and the entries
to verify (待核实);
and an appendix with each party's facts and evidence ids and the digests that
let the determination be reproduced.

The look is the template's: a district passes its own ``.docx`` (any Word file
with the styles of :data:`STYLES`; the body is written after what it holds). The
shipped one (``templates/report.docx``, built by ``scripts/make_report_template.py``)
is A4 with the margins and fonts of GB/T 9704.

Causes (``incidents[].causes``) and entries to verify (``chain.to_examine``) are
read through :func:`causes_of` and :func:`to_examine_of`, so they appear as soon
as the fact model and the chain carry them.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Iterable, Sequence

from engine.chain.chain import Chain, Link, ToExamine
from engine.explain.explainer import Explainer
from engine.org.graph import OrgGraph
from engine.outputs.finding_text import finding_paragraph, grade_label
from engine.outputs.report import facts_shown, grade_text
from engine.outputs.table import pack_name
from engine.pack.rulepack import RulePack
from engine.words.catalog import all_of, label, moment_text, money_text, phrase
from facts.errors import InputError
from facts.read import read_bytes

DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "templates" / "report.docx"
#: The template's styles the report writes with (python-docx's default template has them all but the last two).
STYLES = {"title": "Title", "subtitle": "Subtitle", "heading1": "Heading 1", "heading2": "Heading 2",
          "body": "Normal", "table": "Table Grid", "table_text": "Table Text", "evidence": "Evidence"}

def causes_of(chain: Chain) -> list[Any]:
    """The causes the facts give for the incident (``incidents[].causes``: ``kind`` direct|indirect, ``description``)."""
    return list(getattr(chain.context.incident, "causes", None) or ())


def to_examine_of(chain: Chain) -> list[Any]:
    """The chain's entries to verify (待核实): acts that bear on nothing the facts tie to a cause."""
    return list(getattr(chain, "to_examine", None) or ())


def entry_text(entry: Any, lang: str, graph: OrgGraph | None = None) -> str:
    """An entry to verify as a sentence: who did what and which facts would decide (an act to examine); for
    another entry its ``message`` in the language, its ``text``, or what it prints as."""
    if isinstance(entry, ToExamine) and graph is not None:
        return phrase(lang, "docx.examine_item", name=graph.people[entry.person].name, text=entry.text[lang],
                      decides=all_of(lang, entry.decides))
    message = getattr(entry, "message", None)
    if isinstance(message, dict):
        return str(message.get(lang) or next(iter(message.values()), ""))
    return str(getattr(entry, "text", None) or message or entry)


class _Writer:
    """One document from the template; the sections of each incident appended in order."""

    def __init__(self, template: Path | None, lang: str):
        from docx import Document

        path = template or DEFAULT_TEMPLATE
        data = read_bytes(path)  # a regular file of a bounded size (a pipe would block the zip reader)
        try:
            self.doc = Document(io.BytesIO(data))
        except Exception as e:  # noqa: BLE001 - python-docx and zipfile raise many kinds for a file that is no .docx
            raise InputError(f"{path}: not a Word template (.docx): {type(e).__name__}: {e}") from None
        names = {s.name for s in self.doc.styles}
        missing = [s for s in STYLES.values() if s not in names]
        if missing:
            raise InputError(f"{path}: the template lacks the styles {', '.join(missing)}; "
                             "start from `wenze template report.docx`")
        self.lang = lang

    def para(self, text: str, style: str = "body"):
        return self.doc.add_paragraph(text, style=STYLES[style])

    def heading(self, text: str, level: int = 1):
        return self.doc.add_paragraph(text, style=STYLES[f"heading{level}"])

    def table(self, head: Sequence[str], rows: Iterable[Sequence[str]], widths: Sequence[float]) -> None:
        """A table whose header row repeats on every page, columns ``widths`` parts of the text width."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        section = self.doc.sections[-1]
        text_width = section.page_width - section.left_margin - section.right_margin
        t = self.doc.add_table(rows=1, cols=len(head))
        t.style = self.doc.styles[STYLES["table"]]
        t.autofit = False
        marker = OxmlElement("w:tblHeader")
        marker.set(qn("w:val"), "true")
        t.rows[0]._tr.get_or_add_trPr().append(marker)
        for row_cells, texts, bold in [(t.rows[0].cells, head, True)] + [(t.add_row().cells, r, False) for r in rows]:
            for cell, text, part in zip(row_cells, texts, widths):
                cell.width = int(text_width * part / sum(widths))
                cell.paragraphs[0].style = self.doc.styles[STYLES["table_text"]]
                cell.paragraphs[0].add_run(text).bold = bold

    def page_break(self) -> None:
        from docx.enum.text import WD_BREAK

        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def _say(self, key: str, **fields) -> str:
        return phrase(self.lang, key, **fields)

    def incident(self, chain: Chain, pack: RulePack, graph: OrgGraph) -> None:
        lang, inc, ctx, _say = self.lang, chain.context.incident, chain.context, self._say
        site = graph.units[inc.site].name
        self.para(_say("docx.title", site=site, md=f"{inc.occurred_at.month}·{inc.occurred_at.day}"), "title")
        self.para(_say("docx.subtitle"), "subtitle")
        for warning in chain.warnings:  # the law in force on the day, say
            self.para(getattr(warning, lang))
        self.heading(_say("docx.basic"))
        village = graph.units[ctx.village].name if ctx.village and ctx.village != inc.site else ""
        town = graph.town_of(inc.site)
        toll = _say("docx.toll", deaths=_say("docx.deaths", n=inc.deaths), injuries=_say("docx.injuries", n=inc.serious_injuries),
                   loss=_say("docx.loss", loss=money_text(lang, inc.direct_loss_yuan)))
        place = _say("docx.place", village=village, site=site, town=graph.units[town].name if town else "")
        self.para(_say("docx.when", date=moment_text(lang, inc.occurred_at), place=place) + (inc.description or "")
                  + toll + _say("docx.grade", grade=grade_text(chain, lang)))
        self.para(_say("docx.basis", title=pack.pack.title, document=pack.pack.document))
        numerals = _say("docx.numerals")
        n = 1
        causes = causes_of(chain)
        if causes:
            self.heading(_say("docx.causes"))
            for kind in ("direct", "indirect"):
                these = [c for c in causes if getattr(c, "kind", None) == kind]
                if these:
                    self.heading(_say("docx.direct" if kind == "direct" else "docx.indirect"), 2)
                    for c in these:
                        self.para(str(getattr(c, "description", c)))
            n += 1
        self.heading(_say("docx.findings", n=numerals[n]))
        ex = Explainer(graph, chain, lang)
        self.heading(_say("docx.people"), 2)
        for i, link in enumerate(chain.links, 1):
            self.para(_say("docx.n", n=i, text=finding_paragraph(ex, link)))
        if chain.units:
            self.heading(_say("docx.units"), 2)
            for i, unit in enumerate(chain.units, 1):
                self.para(_say("docx.n", n=i, text=finding_paragraph(ex, unit)))
        self.heading(_say("docx.measures"), 2)
        self.para(_say("docx.measures_text"))
        self.heading(_say("docx.table", n=numerals[n + 1]))
        rows = []
        for i, party in enumerate((*chain.links, *chain.units), 1):
            posts = (all_of(lang, [p["title"] for p in party.posts]) or "—") if isinstance(party, Link) \
                else label(lang, "unit_kind", party.kind)
            rows.append((str(i), party.name, posts, pack_name(pack, "tier", party.tier, lang),
                         all_of(lang, [pack_name(pack, "category", c, lang) for c in party.categories]),
                         grade_label(party, lang), " ".join(party.clauses)))
        head = [_say("docx.col_n"), _say("docx.col_party"), _say("docx.col_posts"), _say("docx.col_tier"),
                _say("docx.col_categories"), _say("docx.col_grade"), _say("docx.col_clauses")]
        self.table(head, rows, (2, 5, 6, 4, 6, 4, 3))
        self.heading(_say("docx.gaps", n=numerals[n + 2]))
        self.heading(_say("docx.gap_head"), 2)
        for g in chain.gaps:
            self.para(_say("docx.gap", message=g.message[lang], clause=g.clause))
        if not chain.gaps:
            self.para(_say("docx.none"))
        self.heading(_say("docx.examine_head"), 2)
        entries = to_examine_of(chain)
        for e in entries:
            self.para(entry_text(e, lang, graph))
        if not entries:
            self.para(_say("docx.none"))
        self.appendix(chain, ex)

    def appendix(self, chain: Chain, ex: Explainer) -> None:
        """Each party's facts and evidence ids, by the explainer that wrote the findings; then the digests."""
        lang, _say = self.lang, self._say
        self.heading(_say("docx.appendix"))
        for i, party in enumerate((*chain.links, *chain.units), 1):
            why = ex.why(party)
            self.para(_say("docx.party", n=i, name=party.name, id=party.id), "evidence").runs[0].bold = True
            for text in facts_shown(why):
                self.para(text, "evidence")
            self.para(_say("docx.evidence", ids=all_of(lang, party.evidence) or _say("docx.no_evidence")), "evidence")
        pack_line = _say("docx.pack" if chain.rulepack["version"] == chain.rulepack["digest"] else "docx.pack.version",
                         id=chain.rulepack["id"], digest=chain.rulepack["digest"], version=chain.rulepack["version"])
        self.para(pack_line, "evidence")
        self.para(_say("docx.digest", digest=chain.facts_digest), "evidence")

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


def report(chains: Sequence[Chain], pack: RulePack, graph: OrgGraph, lang: str = "zh",
           template: Path | None = None) -> bytes:
    """The Word document of the chains (each incident from a new page), as the bytes of a .docx file."""
    writer = _Writer(template, lang)
    for n, chain in enumerate(chains):
        if n:
            writer.page_break()
        writer.incident(chain, pack, graph)
    return writer.bytes()
