"""The Word report (trace --format docx), read back with python-docx; page 1 rendered where LibreOffice is."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import docx
import pytest
from click.testing import CliRunner
from docx.oxml.ns import qn

import engine.outputs.docx as word
from cli import cli
from engine.chain.trace import Tracer
from engine.explain.explainer import Explainer
from engine.outputs.finding_text import finding_paragraph
from engine.pack.backends import PythonBackend
from facts.load import load_facts
from tests.conftest import EXAMPLE

runner = CliRunner()


@pytest.fixture(scope="module")
def town(pack):
    return Tracer(load_facts([EXAMPLE]), pack, PythonBackend())


def document(town, incident: str, tmp_path: Path, *extra: str) -> docx.document.Document:
    out = tmp_path / "report.docx"
    r = runner.invoke(cli, ["trace", str(EXAMPLE), "--incident", incident, "--format", "docx", "-o", str(out),
                            "--backend", "python", *extra])
    assert r.exit_code == 0, r.output
    return docx.Document(str(out))


def texts(doc, style: str | None = None) -> list[str]:
    return [p.text for p in doc.paragraphs if style is None or p.style.name == style]


def test_the_report_has_the_sections_of_an_investigation_report_in_order(town, tmp_path):
    doc = document(town, "inc-2022-01", tmp_path)
    assert texts(doc, "Title") == ["东胜区鑫源砂石料有限公司枳机塔砂石场“8·15”事故责任认定"]
    assert texts(doc, "Heading 1") == ["一、事故基本情况", "二、事故原因", "三、责任认定及处理建议", "四、责任链一览",
                                       "五、数据缺口及待核实事项", "附录：证据及摘要"]
    assert texts(doc, "Heading 2") == ["（一）直接原因", "（二）间接原因", "（一）对有关人员的责任认定",
                                       "（二）对有关单位的责任认定", "（三）处理建议", "（一）数据缺口", "（二）待核实事项"]
    body = texts(doc, "Normal")
    assert body[0].startswith("2022年8月15日9时30分，位于铜川镇枳机塔村的东胜区鑫源砂石料有限公司枳机塔砂石场发生一起事故。")
    assert "事故造成死亡1人、重伤0人、直接经济损失150万元。" in body[0]


def test_one_paragraph_per_person_and_per_unit_from_the_function_the_markdown_report_uses(town, tmp_path):
    chain = town.trace(town.incidents["inc-2022-01"])
    body = texts(document(town, "inc-2022-01", tmp_path), "Normal")
    ex = Explainer(town.graph, chain, "zh")
    people = [f"{n}．{finding_paragraph(ex, link)}" for n, link in enumerate(chain.links, 1)]
    units = [f"{n}．{finding_paragraph(ex, u)}" for n, u in enumerate(chain.units, 1)]
    start = body.index(people[0])
    assert body[start:start + len(people) + len(units)] == people + units
    assert people[-1] == "12．闫旻，时任铜川镇党委副书记、铜川镇镇长，对事故发生负有重要领导责任。鉴于其已履行所查职责，可从轻、减轻处理。"


def test_the_chain_is_a_table_and_the_appendix_holds_evidence_and_digests(town, tmp_path):
    chain = town.trace(town.incidents["inc-2023-05"])
    doc = document(town, "inc-2023-05", tmp_path)
    (table,) = doc.tables
    assert [c.text for c in table.rows[0].cells] == ["序号", "姓名或单位", "当日职务", "层级", "责任类别", "责任等级",
                                                     "依据条款"]
    assert [r.cells[1].text for r in table.rows[1:]] == [p.name for p in (*chain.links, *chain.units)]
    gaps = texts(doc, "Normal")
    assert f"{chain.gaps[0].message['zh']}（{chain.gaps[0].clause}）" in gaps
    appendix = texts(doc, "Evidence")
    assert f"事实摘要：{chain.facts_digest}" == appendix[-1]
    assert f"规则包：tongchuan-2022（摘要 {chain.rulepack['digest']}）" == appendix[-2]
    assert "证据编号：" + "、".join(chain.links[0].evidence) in appendix


def test_an_act_to_examine_says_who_did_what_and_what_would_decide(town, tmp_path):
    body = texts(document(town, "inc-2022-02", tmp_path), "Normal")
    assert ("刘燕军：2022-05-16签署了审批意见（sig-2022-05-16-site-approval，审批人），但未载明该文书涉及哪些隐患或事项；"
            "须核实：signatures[sig-2022-05-16-site-approval].covers") in body
    assert "3号楼外脚手架连墙件缺失，架体局部失稳坍塌" in body


def test_causes_and_entries_to_verify_appear_once_the_facts_carry_them(town, tmp_path, monkeypatch):
    causes = [SimpleNamespace(kind="direct", description="边坡浮石未清理"),
              SimpleNamespace(kind="indirect", description="未督促整改")]
    monkeypatch.setattr(word, "causes_of", lambda chain: causes)
    monkeypatch.setattr(word, "to_examine_of", lambda chain: [SimpleNamespace(message={"zh": "孙成仁检查待核实"})])
    doc = document(town, "inc-2022-01", tmp_path)
    assert texts(doc, "Heading 1")[:3] == ["一、事故基本情况", "二、事故原因", "三、责任认定及处理建议"]
    assert texts(doc, "Heading 2")[:2] == ["（一）直接原因", "（二）间接原因"]
    body = texts(doc, "Normal")
    assert "边坡浮石未清理" in body and "未督促整改" in body and "孙成仁检查待核实" in body


def test_the_shipped_template_is_a4_with_gbt_9704_margins_and_east_asian_fonts():
    doc = docx.Document(str(word.DEFAULT_TEMPLATE))
    s = doc.sections[0]
    mm = lambda *lengths: tuple(round(x.mm) for x in lengths)  # noqa: E731 - Word keeps twips, 1/56.7 mm
    assert mm(s.page_width, s.page_height) == (210, 297)
    assert mm(s.top_margin, s.bottom_margin, s.left_margin, s.right_margin) == (37, 35, 28, 26)

    def east_asian(style: str) -> str:
        return doc.styles[style].element.rPr.rFonts.get(qn("w:eastAsia"))

    assert (east_asian("Normal"), east_asian("Heading 1"), east_asian("Heading 2"), east_asian("Title")) == (
        "仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体")
    assert {s for s in word.STYLES.values()} <= {st.name for st in doc.styles}


def test_a_district_template_is_used_and_one_without_the_styles_is_refused(town, tmp_path):
    r = runner.invoke(cli, ["template", str(tmp_path / "district.docx")])
    assert r.exit_code == 0
    own = docx.Document(str(tmp_path / "district.docx"))
    own.add_paragraph("铜川镇人民政府文件")
    own.save(str(tmp_path / "district.docx"))
    doc = document(town, "inc-2022-01", tmp_path, "--template", str(tmp_path / "district.docx"))
    assert doc.paragraphs[0].text == "铜川镇人民政府文件"
    plain = tmp_path / "plain.docx"
    docx.Document().save(str(plain))
    r = runner.invoke(cli, ["trace", str(EXAMPLE), "--format", "docx", "-o", str(tmp_path / "x.docx"),
                            "--template", str(plain)])
    assert (r.exit_code, r.output) == (2, f"error: {plain}: the template lacks the styles Table Text, Evidence; "
                                          "start from `wenze template report.docx`\n")


def test_english_report(town, tmp_path):
    doc = document(town, "inc-2022-01", tmp_path, "--lang", "en")
    assert texts(doc, "Heading 1")[0] == "1. The incident"
    assert all("责任认定及" not in t for t in texts(doc, "Heading 1"))


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftoppm") is None,
                    reason="LibreOffice (soffice) or poppler's pdftoppm is not installed: page 1 is not rendered "
                           "(Debian: apt-get install libreoffice-writer-nogui poppler-utils)")
def test_page_one_renders_to_png_for_a_person_to_look_at(town, tmp_path_factory):
    out = tmp_path_factory.mktemp("docx-render")
    document(town, "inc-2022-01", out)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(out), str(out / "report.docx")],
                   check=True, capture_output=True, timeout=180)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(out / "report.pdf"), str(out / "page")],
                   check=True, capture_output=True, timeout=60)
    (png,) = out.glob("page*.png")
    assert png.stat().st_size > 10_000
    print(f"page 1 of the Word report: {png}")


def test_the_chains_warnings_head_the_report(town):
    import dataclasses
    import io

    chain = town.trace(town.incidents["inc-2022-01"])
    warned = dataclasses.replace(chain, warnings=(SimpleNamespace(zh="本事故发生于方案印发之前", en="before the plan"),))
    doc = docx.Document(io.BytesIO(word.report([warned], town.pack, town.graph)))
    assert texts(doc)[2] == "本事故发生于方案印发之前"
