"""The Markdown report (trace --format md): the incident in a report's words, a 责任认定 paragraph and grade per
party, data gaps, and the appendix of evidence with the ids and digests."""
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
    """The lines of one section, heading included, up to the next heading of any level."""
    lines = text.splitlines()
    start = lines.index(heading)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("#")), len(lines))
    return lines[start:end]


def test_grade_names_the_criterion_that_decided_it(town):
    assert grade_text(town.trace(town.incidents["inc-2023-01"]), "zh") == (
        "较大事故：死亡3人，达到较大事故标准（死亡3人以上）（国务院令第493号第三条）")
    assert grade_text(town.trace(town.incidents["inc-2023-01"]), "en") == (
        "larger accident: 3 deaths, at or above the threshold of 3 deaths (State Council Decree No. 493, Art. 3)")


def test_a_general_accident_states_every_threshold_it_stays_below_with_money_in_wan_yuan(town):
    assert grade_text(town.trace(town.incidents["inc-2023-02"]), "zh") == (
        "一般事故：死亡0人、重伤2人、直接经济损失90万元，未达到较大事故的任一标准"
        "（死亡3人、重伤10人、直接经济损失1000万元）（国务院令第493号第三条）")
    assert grade_text(town.trace(town.incidents["inc-2023-02"]), "en") == (
        "general accident: 0 deaths, 2 serious injuries, direct loss of 900,000 yuan, below every threshold of a "
        "larger accident (3 deaths, 10 serious injuries, direct loss of 10,000,000 yuan) "
        "(State Council Decree No. 493, Art. 3)")


def test_the_head_of_the_section_names_the_incident_as_a_report_does(town):
    chain, text = report(town, "inc-2023-01")
    lines = text.splitlines()
    assert lines[0] == "## 鄂尔多斯市恒泰化工仓储有限公司神山库区“1·18”事故"
    assert lines[4:10] == [
        "- 时间：2023年1月18日10时15分",
        "- 地点：鄂尔多斯市恒泰化工仓储有限公司神山库区，神山村",
        "- 行业：危险化学品",
        "- 伤亡与损失：死亡3人、重伤0人、直接经济损失680万元",
        "- 等级：较大事故：死亡3人，达到较大事故标准（死亡3人以上）（国务院令第493号第三条）",
        "- 依据：《铜川镇安全生产“党政同责、一岗双责”实施方案》（铜政发〔2022〕12号）"]


def test_people_come_in_chain_order_with_their_grade(town, pack):
    chain, text = report(town, "inc-2023-02")
    headings = [l for l in text.splitlines() if re.match(r"### \d+\. ", l)]
    tiers = {t.id: t.zh for t in pack.tiers}
    assert headings == [f"### {n}. {l.name} · {tiers[l.tier]}" for n, l in enumerate(chain.links, 1)]
    n = next(i for i, l in enumerate(chain.links, 1) if l.person == "su_zhenhua")
    assert f"| {n} | 分管领导 | 苏振华 | 铜川镇副镇长 | 直接领导责任 | 重要领导责任 |" in text.splitlines()


def test_a_person_section_is_the_finding_the_duty_the_category_and_the_grade(town):
    chain, text = report(town, "inc-2023-02")
    n = next(i for i, l in enumerate(chain.links, 1) if l.person == "su_zhenhua")
    assert section(text, f"### {n}. 苏振华 · 分管领导") == [
        f"### {n}. 苏振华 · 分管领导",
        "",
        "- **责任认定**：苏振华，时任铜川镇副镇长，分管工矿商贸，对事故发生负有重要领导责任。",
        "- **职责**：",
        "  - §4.4 谁分管、谁负责：“其他副科级以上领导，按照《关于调整铜川镇领导分工、"
        "包村及一般干部包社的通知》对各自分管范围内的安全生产工作负直接领导责任。”",
        "- **责任类别**：直接领导责任",
        "- **责任等级**：重要领导责任",
        ""]


def test_the_appendix_gives_each_persons_facts_grading_and_evidence_with_their_ids(town):
    chain, text = report(town, "inc-2023-02")
    n = next(i for i, l in enumerate(chain.links, 1) if l.person == "su_zhenhua")
    assert section(text, f"#### {n}. 苏振华（su_zhenhua）") == [
        f"#### {n}. 苏振华（su_zhenhua）",
        "",
        "- **事实**：",
        "  - 自2023-03-01起任副镇长（职务 deputy_mayor_2，t-su_zhenhua-deputy_mayor_2）；该职务自2022-04-24起分管工矿商贸"
        "（charge-industry_trade）；事故行业砂石开采属于工矿商贸",
        "  - 无其检查东胜区鑫源砂石料有限公司枳机塔砂石场的记录",
        "  - 无其签署东胜区鑫源砂石料有限公司枳机塔砂石场相关文书的记录",
        "- **评级**：",
        "  - 规则 sector_in_charge 的认定：重要领导责任（in_charge）",
        "- **证据**：`charge-industry_trade` `t-su_zhenhua-deputy_mayor_2`",
        ""]


def test_no_internal_id_or_digest_comes_before_the_appendix(town):
    for incident in ("inc-2023-01", "inc-2023-02", "inc-2023-06"):
        chain, text = report(town, incident)
        body = text[:text.index("### 附录：证据")]
        ids = {l.person for l in chain.links} | {e for p in (*chain.links, *chain.units) for e in p.evidence}
        assert [i for i in ids if i in body] == [] and "sha256" not in body and "`" not in body
        assert chain.facts_digest in text[text.index("### 附录：证据"):]


def test_an_act_that_does_not_count_is_shown_with_its_reason(town):
    chain, text = report(town, "inc-2023-02")
    n = next(i for i, l in enumerate(chain.links, 1) if l.person == "sun_chengren")
    lines = section(text, f"#### {n}. 孙成仁（sun_chengren）")
    assert lines[lines.index("- **事实**：") + 1:lines.index("- **评级**：")] == [
        "  - 2022-09-20 检查发现爆破后浮石（hz-quarry-loose-rock，直接原因所涉隐患），责令整改；事故前无整改验收；"
        "在365日时限内（参数 inspection_window_days）",
        "  - 不计入：于2021-05-12检查该场所（ins-2021-05-12-quarry），在事故前658日；时限为365日"
        "（参数 inspection_window_days）",
        "  - 不计入：2022-09-20 检查发现边坡坡度超过设计（hz-quarry-slope，间接原因所涉隐患），责令整改；"
        "整改已于2022-11-10验收（sig-2022-11-10-quarry-rect）",
        "  - 不计入：指令ord-2022-09-20-quarry-rect在事故时已执行或已失效",
        "  - 无其签署东胜区鑫源砂石料有限公司枳机塔砂石场相关文书的记录"]
    assert lines[lines.index("- **评级**：") + 1] == "  - 规则 inspector 的认定：直接监管责任（inspectors_signers_on_the_direct_cause）"


def test_data_gaps_quote_the_plan_and_their_evidence_is_in_the_appendix(town):
    _, text = report(town, "inc-2023-05", "en")
    lines = text.splitlines()
    gaps = lines[lines.index("### Data gaps") + 2:]
    assert gaps[0] == ("- nobody was in charge of sector 农业农村 (agriculture) or a parent sector on the day "
                       "(§4.4: “其他副科级以上领导……对各自分管范围内的安全生产工作负直接领导责任。”)")
    assert "- no_leader_in_charge: `inc-2023-05`" in section(text, "#### Data gaps")


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
        "## The 鄂尔多斯市恒泰化工仓储有限公司神山库区 incident of 2023-01-18 (1·18)",
        "## The 东胜区鑫源砂石料有限公司枳机塔砂石场 incident of 2023-03-01 (3·1)"]
