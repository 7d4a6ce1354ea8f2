"""The chain as a layered map in the manner of an AcciMap: Graphviz DOT, Mermaid, SVG.

Bands are the pack's tiers, party secretary and mayor at the top, site and
staff at the bottom, the incident below them all; an empty band is drawn with
a "none" box, because a band nobody answers for is itself a finding. There is
one box per link (name, posts that day, categories; an answerable unit shows
its id instead of posts) and one edge per relation a finding rests on,
labelled with the relation and the principle:

- a finding on a post (``holds``) *leads* the links of the nearest lower band
  who hold a post in the same unit or below it that day (the mayor leads the
  safety lead, a principal the staff); with nobody there it points at the
  incident;
- every other finding points at the incident: in charge of its sector,
  stationed in its village, inspected or signed about its site, involved,
  the duty to report it; a unit's finding is labelled by its principle alone.

Both texts are built from one :class:`Layout`, so DOT and Mermaid never
disagree. SVG goes through Graphviz's ``dot`` program when it is installed.

In DOT every text is set in a CJK font (:data:`FONT`, a list Pango takes the
first installed of), each band is one rank with its title leftmost, the
titles aligned in a column (the spine: one group, chained top to bottom), the
incident's band last, and a legend beside it.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

from engine.chain.chain import Answerable, Chain, Link
from engine.incident.fact import Fact
from engine.org.graph import OrgGraph
from engine.outputs.table import categories_text
from engine.pack.rulepack import RulePack
from engine.words.catalog import family_key, label, phrase
from facts.errors import EngineError, InputError

INCIDENT = "incident"
GRAPHVIZ_HINT = ("SVG needs Graphviz's 'dot' program, which is not installed. Install the Graphviz package "
                 "(Debian/Ubuntu: apt-get install graphviz; Fedora: dnf install graphviz; macOS: brew install "
                 "graphviz), or write --format dot and render it elsewhere.")
#: The font of every DOT text: Pango (Graphviz's text layout) takes the first of these it finds installed.
FONT = "Noto Sans CJK SC,Source Han Sans SC,WenQuanYi Zen Hei,Microsoft YaHei,SimHei,PingFang SC,sans-serif"


class GraphvizMissingError(InputError):
    """SVG was asked for and Graphviz's ``dot`` is not on PATH: the user can fix it, so exit 2."""


@dataclass(frozen=True)
class Box:
    id: str
    lines: tuple[str, ...]
    placeholder: bool = False
    unit: bool = False  # an answerable unit, drawn apart from people


@dataclass(frozen=True)
class Band:
    id: str
    title: str
    boxes: tuple[Box, ...]


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Layout:
    """Bands top to bottom (the incident's band last) and the labelled edges between boxes."""

    title: str
    bands: tuple[Band, ...]
    edges: tuple[Edge, ...]
    notes: tuple[str, ...] = ()  # said under the title: the chain's warnings
    lang: str = "zh"


def _relation(graph: OrgGraph, fact: Fact, lang: str) -> str:
    """The relation a finding's fact stands for, in a few words ('' for a unit: its principle says it all)."""
    f = fact.fields
    if fact.kind == "in_charge":
        table = graph.sectors if f["target_kind"] == "sector" else graph.units
        return phrase(lang, "diagram.relation", rel=phrase(lang, "rel.in_charge"), what=table[f["target"]].name)
    if fact.kind == "liaison":
        a = graph.assignments[f["assignment"]]
        place = a.village_group if a.kind == "group_liaison" else a.village
        return phrase(lang, "diagram.relation", rel=phrase(lang, family_key(lang, "rel", a.kind)),
                      what=graph.units[place].name)
    if fact.kind == "inspection":
        return phrase(lang, "diagram.relation", rel=phrase(lang, "rel.inspected"), what=f["date"])
    if fact.kind == "signature":
        return phrase(lang, "diagram.signed", rel=phrase(lang, "rel.signed"),
                      document=label(lang, "document", f["document"]), date=f["date"])
    if fact.kind == "holds":
        return f["title"]
    if fact.kind == "report_duty":
        return label(lang, "channel", f["channel"])
    if fact.kind == "involved":
        return phrase(lang, "rel.involved")
    return "" if fact.kind == "unit" else label(lang, "kind", fact.kind)


def _led(pack: RulePack, graph: OrgGraph, chain: Chain, link: Answerable, unit: str) -> list[Link]:
    """The links a post in ``unit`` leads: the nearest lower band (not one reached by acts) with posts under it."""
    by_act = {t.id for t in pack.tiers if t.by_act}
    rank = pack.tier_rank(link.tier)
    under = [m for m in chain.links if pack.tier_rank(m.tier) < rank and m.tier not in by_act
             and any(unit in graph.unit_path(p["unit"]) for p in m.posts)]
    if not under:
        return []
    top = max(pack.tier_rank(m.tier) for m in under)
    return [m for m in under if pack.tier_rank(m.tier) == top]


def layout(chain: Chain, pack: RulePack, graph: OrgGraph, lang: str = "zh") -> Layout:
    """The chain as bands, boxes and edges: the one source of every diagram format."""
    ctx, facts = chain.context, chain.context.by_key()
    parties: list[Answerable] = [*chain.links, *chain.units]
    ids = {**{link.id: f"n{i}" for i, link in enumerate(chain.links, 1)},
           **{unit.id: f"u{i}" for i, unit in enumerate(chain.units, 1)}}

    def lines(party: Answerable) -> tuple[str, ...]:
        if isinstance(party, Link):
            where = phrase(lang, "title_sep").join(p["title"] for p in party.posts) or "—"
        else:
            where = party.id
        return party.name, where, categories_text(pack, party, lang)

    bands = []
    for tier in reversed(pack.tiers):
        boxes = tuple(Box(ids[p.id], lines(p), unit=not isinstance(p, Link)) for p in parties if p.tier == tier.id)
        bands.append(Band(tier.id, getattr(tier, lang),
                          boxes or (Box(f"none_{tier.id}", (phrase(lang, "diagram.none"),), placeholder=True),)))
    inc = ctx.incident
    bands.append(Band(INCIDENT, phrase(lang, "diagram.incident"), (Box(INCIDENT, (
        phrase(lang, "diagram.incident_box", incident=inc.id), graph.units[inc.site].name,
        phrase(lang, "diagram.when", day=ctx.day.isoformat(), grade=getattr(ctx.grade, lang)))),)))
    edges: dict[tuple[str, str], list[str]] = {}
    for party in parties:
        for finding in party.findings:
            rule = pack.rule(finding.rule)
            fact = facts[finding.facts[list(rule.when).index(rule.party[1])]]
            principle = getattr(pack.principles[finding.principle], lang)
            led = _led(pack, graph, chain, party, fact.fields["unit"]) if fact.kind == "holds" else []
            relation = phrase(lang, "rel.leads") if led else _relation(graph, fact, lang)
            for dst in [ids[m.person] for m in led] or [INCIDENT]:
                text = phrase(lang, "diagram.edge", relation=relation, principle=principle) if relation else principle
                if text not in edges.setdefault((ids[party.id], dst), []):
                    edges[(ids[party.id], dst)].append(text)
    title = phrase(lang, "diagram.title", incident=inc.id, site_name=graph.units[inc.site].name)
    notes = tuple(phrase(lang, "diagram.note", text=getattr(w, lang)) for w in chain.warnings)
    return Layout(title, tuple(bands), tuple(Edge(s, d, tuple(t)) for (s, d), t in edges.items()), notes, lang)


def _dot_text(*lines: str) -> str:
    """A quoted DOT string; several lines are joined by DOT's centred line break."""
    return '"' + "\\n".join(t.replace("\\", "\\\\").replace('"', '\\"') for t in lines) + '"'


def to_dot(lay: Layout) -> str:
    """Graphviz DOT: one rank per band, its title leftmost in a column of titles (the spine), top to bottom; a legend."""
    font = _dot_text(FONT)
    out = ["digraph chain {",
           f"  graph [rankdir=TB, newrank=true, nodesep=0.3, ranksep=0.6, labelloc=t, fontname={font}, "
           f"label={_dot_text(lay.title, *lay.notes)}];",
           f"  node [shape=box, style=rounded, fontname={font}];",
           f"  edge [fontsize=10, fontname={font}, labelfloat=false];"]
    for band in lay.bands:
        spine = _dot_text("band_" + band.id)
        out.append(f"  {spine} [shape=plaintext, group=spine, width=1.6, fixedsize=true, fontsize=12, "
                   f"label={_dot_text(band.title)}];")
        for box in band.boxes:
            attrs = [f"label={_dot_text(*box.lines)}"]
            if box.placeholder:
                attrs.append('style="rounded,dashed"')
            elif box.id == INCIDENT:
                attrs.append("shape=octagon")
            elif box.unit:
                attrs.append('style="filled", fillcolor="#fff4d6"')
            out.append(f"  {_dot_text(box.id)} [{', '.join(attrs)}];")
        out.append("  {rank=same; " + " ".join(_dot_text(x) for x in ["band_" + band.id, *(b.id for b in band.boxes)])
                   + ";}")
        out += [f"  {spine} -> {_dot_text(b.id)} [style=invis];" for b in band.boxes]  # the band's title leftmost
    spine = [_dot_text("band_" + b.id) for b in lay.bands]
    if len(spine) > 1:
        out.append(f"  {' -> '.join(spine)} [style=invis, weight=100];")
    for e in lay.edges:
        out.append(f"  {_dot_text(e.src)} -> {_dot_text(e.dst)} [label={_dot_text(*e.labels)}];")
    out += _legend(lay)
    out.append("}")
    return "\n".join(out) + "\n"


def _legend(lay: Layout) -> list[str]:
    """The legend, beside the incident: a person's box, a unit's, an empty band's, and what edges say."""
    lang = lay.lang

    def box(name: str, text: str, extra: str = "") -> str:
        return f"    {_dot_text(name)} [label={_dot_text(*text.split(chr(10)))}{extra}];"

    return ["  subgraph cluster_legend {",
            f"    label={_dot_text(phrase(lang, 'diagram.legend'))}; labeljust=l; style=dashed; color=\"#999999\"; "
            "fontsize=10;",
            box("legend_person", phrase(lang, "diagram.legend_person")),
            box("legend_unit", phrase(lang, "diagram.legend_unit"), ', style="filled", fillcolor="#fff4d6"'),
            box("legend_none", phrase(lang, "diagram.legend_empty"), ', style="rounded,dashed"'),
            box("legend_incident", phrase(lang, "diagram.incident"), ", shape=octagon"),
            f"    legend_person -> legend_incident [label={_dot_text(phrase(lang, 'diagram.legend_relation'))}];",
            f"    legend_unit -> legend_person [label={_dot_text(phrase(lang, 'diagram.legend_leads'))}, style=dashed];",
            "  }",
            f"  {{rank=same; {_dot_text('band_' + INCIDENT)}; legend_incident;}}"]


#: Mermaid's entity codes for what would end a label, start markup or HTML; line breaks become spaces.
_MERMAID = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "`": "#96;", "\n": " ", "\r": " "}


def _mermaid_text(*lines: str) -> str:
    """A quoted Mermaid label: each line escaped, the lines joined by <br/>."""
    return '"' + "<br/>".join("".join(_MERMAID.get(c, c) for c in t) for t in lines) + '"'


def _mermaid_ids(lay: Layout) -> dict[str, str]:
    """A Mermaid node id per box: its own where it is a plain word, else one made up (a tier id is the pack's)."""
    ids = [b.id for band in lay.bands for b in band.boxes]
    return {i: i if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", i) else f"box{n}" for n, i in enumerate(ids)}


def to_mermaid(lay: Layout) -> str:
    """Mermaid flowchart: one subgraph per band, chained top to bottom by invisible links."""
    node = _mermaid_ids(lay)
    out = ["flowchart TB", f"  %% {' '.join(lay.title.split())}"]
    out += [f"  note{i}>{_mermaid_text(note)}]" for i, note in enumerate(lay.notes)]
    for i, band in enumerate(lay.bands):
        out.append(f"  subgraph band{i}[{_mermaid_text(band.title)}]")
        for box in band.boxes:
            open_, close = ("([", "])") if box.id == INCIDENT else ("[", "]")
            out.append(f"    {node[box.id]}{open_}{_mermaid_text(*box.lines)}{close}")
        out.append("  end")
    out += [f"  band{i} ~~~ band{i + 1}" for i in range(len(lay.bands) - 1)]
    out += [f"  {node[e.src]} -->|{_mermaid_text(*e.labels)}| {node[e.dst]}" for e in lay.edges]
    placeholders = [node[b.id] for band in lay.bands for b in band.boxes if b.placeholder]
    if placeholders:
        out.append("  classDef none stroke-dasharray: 4 4, color:#888;")
        out.append(f"  class {','.join(placeholders)} none;")
    return "\n".join(out) + "\n"


FORMATS = ("dot", "mermaid", "svg")


def render(chains: list[Chain], pack: RulePack, graph: OrgGraph, fmt: str, lang: str = "zh") -> str:
    """One incident's diagram in one of :data:`FORMATS` (``trace --format dot|mermaid|svg``)."""
    if len(chains) != 1:
        ids = ", ".join(c.context.incident.id for c in chains)
        raise InputError(f"--format {fmt} draws one incident, and {len(chains)} are selected ({ids}); "
                         "choose one with --incident ID")
    lay = layout(chains[0], pack, graph, lang)
    if fmt == "mermaid":
        return to_mermaid(lay)
    return to_svg(to_dot(lay)) if fmt == "svg" else to_dot(lay)


def to_svg(dot: str) -> str:
    """Render DOT through Graphviz's ``dot``; a clear error naming the package when it is missing."""
    exe = shutil.which("dot")
    if exe is None:
        raise GraphvizMissingError(GRAPHVIZ_HINT)
    done = subprocess.run([exe, "-Tsvg"], input=dot.encode("utf-8"), capture_output=True, check=False)
    if done.returncode != 0:
        raise EngineError(f"Graphviz dot failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    return done.stdout.decode("utf-8")
