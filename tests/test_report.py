"""The Markdown report (trace --format md): grade with its criterion, CAST-style sections, data gaps."""
from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from cli import cli
from engine.chain.trace import Tracer
from engine.outputs.report import grade_text, markdown
from engine.pack.backends import PythonBackend
from facts.load import load_facts
from tests.conftest import EXAMPLE


@pytest.fixture(scope="module")
def town(pack):
    return Tracer(load_facts([EXAMPLE]), pack, PythonBackend())


def report(town, incident: str, lang: str = "zh") -> tuple[object, str]:
    chain = town.trace(town.incidents[incident])
    return chain, markdown([chain], town.pack, town.graph, lang)


def section(text: str, heading: str) -> list[str]:
    """The lines of one person's section, heading included, up to the next heading."""
    lines = text.splitlines()
    start = lines.index(heading)
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("### "))
    return lines[start:end]


def test_grade_names_the_criterion_that_decided_it(town):
    assert grade_text(town.trace(town.incidents["inc-2023-01"]), "zh") == (
        "较大事故：死亡3人，达到较大事故标准（死亡3人以上）（国务院令第493号第三条）")
    assert grade_text(town.trace(town.incidents["inc-2023-01"]), "en") == (
        "larger accident: 3 deaths, at or above the threshold of 3 deaths (State Council Decree No. 493, Art. 3)")


def test_a_general_accident_states_every_threshold_it_stays_below(town):
    assert grade_text(town.trace(town.incidents["inc-2023-02"]), "zh") == (
        "一般事故：死亡0人、重伤2人、直接经济损失900,000元，未达到较大事故的任一标准"
        "（死亡3人、重伤10人、直接经济损失10,000,000元）（国务院令第493号第三条）")


def test_the_head_of_the_section_gives_the_incident(town):
    chain, text = report(town, "inc-2023-01")
    lines = text.splitlines()
    assert lines[0] == "## 事故 inc-2023-01：鄂尔多斯市恒泰化工仓储有限公司神山库区"
    assert lines[4:10] == [
        "- 时间：2023-01-18T10:15:00+08:00",
        "- 地点：鄂尔多斯市恒泰化工仓储有限公司神山库区（shenshan_chem_warehouse），神山村（shenshan）",
        "- 行业：危险化学品（hazardous_chemicals）",
        "- 伤亡与损失：死亡3人、重伤0人、直接经济损失6,800,000元",
        "- 等级：较大事故：死亡3人，达到较大事故标准（死亡3人以上）（国务院令第493号第三条）",
        f"- 依据：规则包 tongchuan-2022（{chain.rulepack['digest']}）；事实摘要 {chain.facts_digest}"]


def test_people_come_in_chain_order(town, pack):
    chain, text = report(town, "inc-2023-02")
    headings = [l for l in text.splitlines() if re.match(r"### \d+\. ", l)]
    tiers = {t.id: t.zh for t in pack.tiers}
    assert headings == [f"### {n}. {l.name}（{l.person}）· {tiers[l.tier]}" for n, l in enumerate(chain.links, 1)]


def test_a_person_section_goes_responsibility_action_evidence(town):
    chain, text = report(town, "inc-2023-02")
    n = next(i for i, l in enumerate(chain.links, 1) if l.person == "su_zhenhua")
    assert section(text, f"### {n}. 苏振华（su_zhenhua）· 分管领导") == [
        f"### {n}. 苏振华（su_zhenhua）· 分管领导",
        "",
        "- **当日职务**：副镇长（deputy_mayor_2，自2023-03-01起）",
        "- **职责**：",
        "  - §4.4 谁分管、谁负责（规则 sector_in_charge）：“其他副科级以上领导，按照《关于调整铜川镇领导分工、"
        "包村及一般干部包社的通知》对各自分管范围内的安全生产工作负直接领导责任。”",
        "- **事实**：",
        "  - 自2023-03-01起任副镇长（职务 deputy_mayor_2，t-su_zhenhua-deputy_mayor_2）；该职务自2022-04-24起分管工矿商贸"
        "（charge-industry_trade）；事故行业砂石开采属于工矿商贸",
        "  - 无其检查东胜区鑫源砂石料有限公司枳机塔砂石场的记录",
        "  - 无其签署东胜区鑫源砂石料有限公司枳机塔砂石场相关文书的记录",
        "- **责任类别**：直接领导责任",
        "- **责任认定**：苏振华，时任铜川镇副镇长。依据铜政发〔2022〕12号§4.4（“谁分管、谁负责”），对事故负有直接领导责任。",
        "- **证据**：`charge-industry_trade` `t-su_zhenhua-deputy_mayor_2`",
        ""]


def test_an_act_that_does_not_count_is_shown_with_its_reason(town):
    chain, text = report(town, "inc-2023-02")
    n = next(i for i, l in enumerate(chain.links, 1) if l.person == "sun_chengren")
    lines = section(text, f"### {n}. 孙成仁（sun_chengren）· 检查与签字人员")
    assert lines[lines.index("- **事实**：") + 1:lines.index("- **责任类别**：检查责任")] == [
        "  - 2022-09-20 检查发现爆破后浮石（hz-quarry-loose-rock，直接原因所涉隐患），责令整改；事故前无整改验收；"
        "在365日时限内（参数 inspection_window_days）",
        "  - 不计入：于2021-05-12检查该场所（ins-2021-05-12-quarry），在事故前658日；时限为365日"
        "（参数 inspection_window_days）",
        "  - 不计入：2022-09-20 检查发现边坡坡度超过设计（hz-quarry-slope，间接原因所涉隐患），责令整改；"
        "整改已于2022-11-10验收（sig-2022-11-10-quarry-rect）",
        "  - 无其签署东胜区鑫源砂石料有限公司枳机塔砂石场相关文书的记录"]


def test_data_gaps_quote_the_plan(town):
    _, text = report(town, "inc-2023-05", "en")
    lines = text.splitlines()
    gaps = lines[lines.index("### Data gaps") + 2:]
    assert gaps[0] == ("- nobody was in charge of sector 农业农村 (agriculture) or a parent sector on the day "
                       "(§4.4: “其他副科级以上领导……对各自分管范围内的安全生产工作负直接领导责任。”) `inc-2023-05`")


def test_every_answerable_unit_has_a_section(town):
    chain, text = report(town, "inc-2023-06", "en")
    units = [l for l in text.splitlines() if l.startswith("### Unit: ")]
    assert len(units) == len(chain.units)


@pytest.mark.parametrize("incident", ["inc-2022-01", "inc-2023-02", "inc-2023-05", "inc-2023-06"])
def test_the_report_cites_only_ids_the_chain_rests_on(town, incident):
    """Nothing invented: every id in backticks is evidence of a link, a unit or a gap."""
    chain, text = report(town, incident)
    evidence = {e for party in (*chain.links, *chain.units) for e in party.evidence}
    evidence |= {e for g in chain.gaps for e in g.evidence}
    assert set(re.findall(r"`([^`]+)`", text)) <= evidence


def test_trace_md_prints_the_report_for_each_incident(town):
    result = CliRunner().invoke(cli, ["trace", str(EXAMPLE), "--incident", "inc-2023-01", "--incident", "inc-2023-02",
                                      "--format", "md", "--lang", "en", "--backend", "python"])
    assert result.exit_code == 0, result.output
    chains = [town.trace(town.incidents[i]) for i in ("inc-2023-01", "inc-2023-02")]
    assert result.output == markdown(chains, town.pack, town.graph, "en")
    assert [l for l in result.output.splitlines() if l.startswith("## ")] == [
        "## Incident inc-2023-01: 鄂尔多斯市恒泰化工仓储有限公司神山库区",
        "## Incident inc-2023-02: 东胜区鑫源砂石料有限公司枳机塔砂石场"]
