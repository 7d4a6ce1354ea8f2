"""The layered diagram: DOT that Graphviz tooling parses, Mermaid of the right shape, SVG through ``dot``."""
from __future__ import annotations

import re
import shutil

import pydot
import pytest
from click.testing import CliRunner

from cli import cli
from engine.chain.trace import Tracer
from engine.outputs import diagram
from engine.pack.backends import PythonBackend
from facts.load import load_facts
from tests.conftest import EXAMPLE

# pydot's parser calls pyparsing names deprecated in pyparsing 3.3 (a warning, raised once on import).
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:pydot.dot_parser")


@pytest.fixture(scope="module")
def town(pack):
    return Tracer(load_facts([EXAMPLE]), pack, PythonBackend())


def layout(town, incident: str, lang: str = "zh") -> diagram.Layout:
    return diagram.layout(town.trace(town.incidents[incident]), town.pack, town.graph, lang)


def test_bands_are_the_tiers_top_down_with_the_incident_last(town, pack):
    lay = layout(town, "inc-2023-02")
    assert [b.id for b in lay.bands] == [t.id for t in reversed(pack.tiers)] + ["incident"]
    assert [b.title for b in lay.bands][:2] == ["党委书记和镇长", "分管安全领导"]


def box_ids(town, incident: str) -> dict[str, str]:
    """Person id → box id: boxes are numbered in chain order."""
    return {link.person: f"n{n}" for n, link in enumerate(town.trace(town.incidents[incident]).links, 1)}


def test_one_box_per_link_in_its_band(town):
    chain = town.trace(town.incidents["inc-2023-02"])
    lay = diagram.layout(chain, town.pack, town.graph, "zh")
    boxes = {b.id: (band.id, b.lines) for band in lay.bands for b in band.boxes}
    for n, link in enumerate(chain.links, 1):
        assert boxes[f"n{n}"][0] == link.tier
    ids = box_ids(town, "inc-2023-02")
    assert boxes[ids["su_zhenhua"]] == ("sector_leader", ("苏振华", "副镇长", "直接领导责任"))
    assert boxes[ids["tala"]] == ("inspectors_signers", ("塔拉", "—", "检查责任、签字责任"))


def test_edges_carry_the_relation_and_the_principle(town):
    ids = box_ids(town, "inc-2023-02")
    edges = {(e.src, e.dst): e.labels for e in layout(town, "inc-2023-02").edges}
    assert edges[(ids["su_zhenhua"], "incident")] == ("分管 工矿商贸 · 谁分管、谁负责",)
    assert "领导 · 党政同责" in edges[(ids["yan_min"], ids["he_sheng"])]
    assert edges[(ids["lin_ke"], "incident")] == ("驻村 枳机塔村 · 谁驻村、谁负责",)  # his inspection predates the hazards
    assert edges[(ids["sun_chengren"], "incident")] == ("检查 2022-09-20 · 谁检查、谁负责",)
    assert edges[(ids["tala"], "incident")] == (
        "检查 2022-09-20 · 谁检查、谁负责", "签字 整改验收 2022-11-10 · 谁签字、谁负责")


def test_an_empty_band_shows_a_none_box(town):
    lay = layout(town, "inc-2023-05", "en")
    band = next(b for b in lay.bands if b.id == "sector_leader")
    assert band.boxes == (diagram.Box("none_sector_leader", ("(none)",), placeholder=True),)


def test_dot_parses_with_pydot_bands_in_order_with_their_titles_leftmost(town, pack):
    chain = town.trace(town.incidents["inc-2023-02"])
    lay = diagram.layout(chain, pack, town.graph, "zh")
    (graph,) = pydot.graph_from_dot_data(diagram.to_dot(lay))
    nodes = {n.get_name().strip('"'): n for n in graph.get_nodes()}
    titles = [n for n in nodes if n.startswith("band_")]
    assert titles == [f"band_{b.id}" for b in lay.bands]
    assert nodes["band_sector_leader"].get("label") == '"分管领导"'
    assert {nodes[t].get("group") for t in titles} == {"spine"}
    su = box_ids(town, "inc-2023-02")["su_zhenhua"]
    assert nodes[su].get("label") == '"苏振华\\n副镇长\\n直接领导责任"'
    assert nodes["incident"].get("shape") == "octagon"
    edges = graph.get_edges()
    spine = next(e for e in edges if e.get("weight") == "100")
    assert (spine.get_source().strip('"'), spine.get_destination().strip('"')) == (titles[0], titles[1])
    invisible = {(e.get_source().strip('"'), e.get_destination().strip('"')) for e in edges if e.get("style") == "invis"}
    assert ("band_sector_leader", su) in invisible  # the band's title is left of its boxes
    drawn = {(e.get_source().strip('"'), e.get_destination().strip('"')): e.get("label") for e in edges
             if e.get("style") != "invis" and not e.get_source().startswith("legend")}
    assert drawn[(su, "incident")] == '"分管 工矿商贸 · 谁分管、谁负责"'
    assert len(drawn) == len(lay.edges)


def test_dot_names_a_cjk_font_and_draws_a_legend_beside_the_incident(town):
    text = diagram.to_dot(layout(town, "inc-2023-02", "zh"))
    assert f'node [shape=box, style=rounded, fontname="{diagram.FONT}"];' in text
    assert "WenQuanYi Zen Hei" in diagram.FONT and "Noto Sans CJK SC" in diagram.FONT
    assert "subgraph cluster_legend {" in text and 'label="图例"' in text
    assert '{rank=same; "band_incident"; legend_incident;}' in text


def test_mermaid_has_one_subgraph_per_band_in_order_and_every_edge(town):
    lay = layout(town, "inc-2023-02", "en")
    text = diagram.to_mermaid(lay)
    lines = text.splitlines()
    assert lines[0] == "flowchart TB"
    subgraphs = [re.match(r'  subgraph band(\d+)\["(.*)"\]$', l) for l in lines if l.startswith("  subgraph ")]
    assert [(int(m[1]), m[2]) for m in subgraphs] == [(i, b.title) for i, b in enumerate(lay.bands)]
    assert lines.count("  end") == len(lay.bands)
    assert [l for l in lines if "~~~" in l] == [f"  band{i} ~~~ band{i + 1}" for i in range(len(lay.bands) - 1)]
    arrows = [l for l in lines if "-->" in l]
    assert len(arrows) == len(lay.edges)
    su = box_ids(town, "inc-2023-02")["su_zhenhua"]
    assert f'  {su} -->|"in charge of 工矿商贸 · whoever is in charge answers"| incident' in arrows
    assert f'    {su}["苏振华<br/>副镇长<br/>direct leadership responsibility"]' in lines
    assert '    incident(["incident inc-2023-02<br/>东胜区鑫源砂石料有限公司枳机塔砂石场<br/>2023-03-01 · general accident"])' in lines


def test_mermaid_escapes_quotes_in_labels():
    lay = diagram.Layout("t", (diagram.Band("b", 'say "hi"', (diagram.Box("x", ('a "b"',)),)),), ())
    assert '    x["a #quot;b#quot;"]' in diagram.to_mermaid(lay).splitlines()


def test_dot_escapes_quotes_and_backslashes():
    lay = diagram.Layout('a "t"', (diagram.Band("b", "x\\y", (diagram.Box("x", ('a "b"',)),)),), ())
    (graph,) = pydot.graph_from_dot_data(diagram.to_dot(lay))
    assert {n.get_name(): n for n in graph.get_nodes()}['"x"'].get("label") == '"a \\"b\\""'


@pytest.mark.skipif(shutil.which("dot") is None,
                    reason="Graphviz's 'dot' is not installed (Debian: apt-get install graphviz); SVG is not rendered here")
def test_svg_renders_through_graphviz(town):
    svg = diagram.to_svg(diagram.to_dot(layout(town, "inc-2023-02")))
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "苏振华" in svg


def test_svg_without_graphviz_names_the_package_and_exits_2(monkeypatch):
    monkeypatch.setattr(diagram.shutil, "which", lambda name: None)
    result = CliRunner().invoke(cli, ["trace", str(EXAMPLE), "--incident", "inc-2023-02", "--format", "svg",
                                      "--backend", "python"])
    assert result.exit_code == 2
    assert result.output == f"error: {diagram.GRAPHVIZ_HINT}\n"
    assert "apt-get install graphviz" in diagram.GRAPHVIZ_HINT


def test_trace_prints_dot_and_mermaid_for_one_incident(town):
    for fmt, head in (("dot", "digraph chain {"), ("mermaid", "flowchart TB")):
        result = CliRunner().invoke(cli, ["trace", str(EXAMPLE), "--incident", "inc-2023-02", "--format", fmt,
                                          "--lang", "en", "--backend", "python"])
        assert result.exit_code == 0, result.output
        assert result.output.splitlines()[0] == head
        lay = layout(town, "inc-2023-02", "en")
        assert result.output == (diagram.to_dot(lay) if fmt == "dot" else diagram.to_mermaid(lay))


def test_a_diagram_of_several_incidents_is_refused_with_exit_2():
    result = CliRunner().invoke(cli, ["trace", str(EXAMPLE), "--incident", "inc-2022-01", "--incident", "inc-2022-02",
                                      "--format", "dot", "--backend", "python"])
    assert result.exit_code == 2
    assert result.output == ("error: --format dot draws one incident, and 2 are selected (inc-2022-01, inc-2022-02); "
                             "choose one with --incident ID\n")
