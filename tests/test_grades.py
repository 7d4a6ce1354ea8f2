"""Grades of responsibility: how a finding is graded, the order by severity, the 责任认定 paragraph, the output's schema."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
import yaml
from click.testing import CliRunner

from cli import cli
from engine.chain.chain import in_order
from engine.chain.trace import Tracer
from engine.explain.explainer import Explainer
from engine.outputs.contract import OUTPUT
from engine.outputs.finding_text import finding_paragraph
from engine.pack.backends import PythonBackend
from engine.pack.grades import Grading, grade_of
from engine.words.catalog import day_text, moment_text, money_text, month_text
from facts.load import load_facts
from tests.cases.paths import BASE_DIR, case_input
from tests.conftest import EXAMPLE

runner = CliRunner()


def traced(pack, tmp_path, case: str, **changes) -> tuple[Tracer, object]:
    """A YAML case's tracer and chain; ``changes`` replace fields of its incident."""
    data = case_input(case)
    data["incidents"][0].update(changes)
    extra = tmp_path / "input.yaml"
    extra.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    tracer = Tracer(load_facts([BASE_DIR, extra]), pack, PythonBackend())
    return tracer, tracer.trace(tracer.incidents["inc"])


def paragraph(tracer: Tracer, chain, party: str, lang: str = "zh") -> str:
    who = chain.link(party) or next(u for u in chain.units if u.unit == party)
    return finding_paragraph(Explainer(tracer.graph, chain, lang), who)


@pytest.fixture(scope="module")
def town(pack):
    return Tracer(load_facts([EXAMPLE]), pack, PythonBackend())


# -- grading --------------------------------------------------------------------------------------------

def test_a_link_takes_the_heaviest_grade_among_its_findings(pack, tmp_path):
    _, chain = traced(pack, tmp_path, "omitted_false_and_incomplete_reports")
    boss = chain.link("boss")
    assert sorted((f.rule, f.grade) for f in boss.findings) == [("enterprise_principal", "principal"),
                                                                ("false_report", "direct")]
    assert (boss.grade.id, boss.grade.zh, boss.grade.severity) == ("direct", "直接责任", 90)


def test_a_condition_on_a_field_the_bound_fact_does_not_have_does_not_hold(pack):
    """`ne` and `not_in` pass on a missing value in Python; a grading test on a missing field never holds."""
    exception = pack.grading[0].model_copy(update={"id": "x", "grade": "direct", "overrides": ["town_heads"],
                                                   "fact": (("distance", "ne", 3),)})
    finding = {"rule": "town_heads", "category": "overall_leadership", "principle": "joint_party_government"}
    holds = [{"kind": "holds", "role": "party_secretary"}]
    assert grade_of(pack.grades, [pack.grading[0], exception], [], finding, holds, {"deaths": 0}, pack.param) == (
        "leadership", ("town_heads",), ())
    in_charge = [{"kind": "in_charge", "distance": 0}]
    assert grade_of(pack.grades, [pack.grading[0], exception], [], finding, in_charge, {"deaths": 0},
                    pack.param)[0] == "direct"


def test_a_grading_on_the_cause_a_fact_bears_on_holds_once_the_fact_carries_it(pack):
    """Facts that bear on a cause carry ``cause_kind``: a grading may condition on it, and it simply does not hold
    for a bound fact without the field (here the loader's checks are bypassed: no kind of this pack has it yet)."""
    direct = Grading.model_validate({"id": "on_the_direct_cause", "grade": "direct_supervision", "reference": "x",
                                     "finding": {"rule": "inspector"}, "fact": {"cause_kind": "direct"},
                                     "overrides": ["inspectors_signers"]})
    gradings = [g for g in pack.grading if g.id == "inspectors_signers"] + [direct]
    finding = {"rule": "inspector", "category": "inspection_responsibility", "principle": "inspected"}
    bearing = [{"kind": "inspection", "cause_kind": "direct", "bears": "missed"}]
    assert grade_of(pack.grades, gradings, [], finding, bearing, {}, pack.param)[:2] == (
        "direct_supervision", ("on_the_direct_cause",))
    for facts in ([{"kind": "inspection", "cause_kind": "indirect"}], [{"kind": "inspection", "outcome": "passed"}]):
        assert grade_of(pack.grades, gradings, [], finding, facts, {}, pack.param)[0] == "supervision"


def test_escalations_take_the_heaviest_and_do_not_depend_on_their_order(pack):
    finding = {"rule": "town_heads", "category": "overall_leadership", "principle": "joint_party_government"}
    mayor = [{"kind": "holds", "role": "mayor"}]
    larger = {"deaths": 3, "grade_rank": 2}
    for escalations in (pack.escalations, list(reversed(pack.escalations))):
        assert grade_of(pack.grades, pack.grading, escalations, finding, mayor, larger, pack.param) == (
            "main_leadership", ("mayor",), ("larger_raises_heads",))


def test_the_gradings_order_in_the_pack_does_not_change_any_grade(pack, tmp_path):
    reordered = pack.model_copy(update={"grading": list(reversed(pack.grading))})
    for case in ("leaders_in_charge_of_the_site_or_the_sector_itself_answer_with_principal_leadership",
                 "a_larger_accident_makes_the_heads_answer_with_principal_leadership"):
        a, b = traced(pack, tmp_path, case)[1].as_json(), traced(reordered, tmp_path, case)[1].as_json()
        assert a["links"] == b["links"] and a["units"] == b["units"]


def test_a_pack_without_grades_leaves_links_ungraded(pack, tmp_path):
    bare = pack.model_copy(update={"grades": {}, "grading": [], "escalations": []})
    tracer, chain = traced(bare, tmp_path, "party_secretary_and_mayor_share_overall_leadership")
    assert {l.grade for l in chain.links} == {None} and chain.link("mayor").as_json()["findings"][0]["grade"] == ""
    assert paragraph(tracer, chain, "mayor") == "镇长乙，时任测试镇镇长，对事故发生负有全面领导责任。"


# -- the order by severity -------------------------------------------------------------------------------

def test_order_by_severity_puts_the_heaviest_first_and_keeps_bands_within_a_grade(pack, tmp_path):
    _, chain = traced(pack, tmp_path, "late_reports_at_61_minutes_and_121_minutes")
    ordered = in_order(chain, "severity")
    assert [(l.person, l.grade.id) for l in ordered.links] == [
        ("boss", "direct"), ("vhead", "direct"), ("mayor", "direct"), ("dep1", "important_leadership"),
        ("safe", "important_leadership"), ("sec", "important_leadership"), ("guard", "management"),
        ("dep2", "territorial"), ("cadre", "oversight")]
    assert [u.unit for u in ordered.units] == ["pit", "east", "town"]
    assert in_order(chain, "band") is chain


def test_trace_order_severity_on_the_command_line(tmp_path):
    base = ["trace", str(EXAMPLE), "--incident", "inc-2023-02", "--format", "json", "--backend", "python"]
    (by_band,) = json.loads(runner.invoke(cli, base).output)
    (by_severity,) = json.loads(runner.invoke(cli, base + ["--order", "severity"]).output)
    severities = [l["grade"]["severity"] for l in by_severity["links"]]
    assert severities == sorted(severities, reverse=True)
    assert sorted(l["person"] for l in by_band["links"]) == sorted(l["person"] for l in by_severity["links"])
    assert [l["tier"] for l in by_band["links"]][0] == "site_staff"


# -- the 责任认定 paragraph ---------------------------------------------------------------------------------

def test_the_paragraph_of_a_leader_is_in_the_standard_form(town):
    chain = town.trace(town.incidents["inc-2023-02"])
    assert paragraph(town, chain, "su_zhenhua") == "苏振华，时任铜川镇副镇长，分管工矿商贸，对事故发生负有重要领导责任。"
    assert paragraph(town, chain, "su_zhenhua", "en") == (
        "苏振华, then 铜川镇副镇长, in charge of 工矿商贸, bears important leadership responsibility for the incident.")
    assert paragraph(town, chain, "zhijita_quarry") == "东胜区鑫源砂石料有限公司枳机塔砂石场，系事故责任单位。"


def test_the_paragraph_says_what_the_facts_show_with_dates_as_a_report_writes_them(town):
    chain = town.trace(town.incidents["inc-2023-02"])
    assert paragraph(town, chain, "li_jianguo") == (
        "李建国，时任东胜区鑫源砂石料有限公司枳机塔砂石场法定代表人，2022年12月无企业自查记录，对事故发生负有主要责任。")
    assert paragraph(town, chain, "sun_chengren") == (
        "孙成仁，时任铜川镇综合行政执法局干部，2022年9月20日检查发现爆破后浮石（直接原因所涉隐患）并责令整改，"
        "事故前未督促整改到位，对事故发生负有直接监管责任。")


def test_a_failing_graded_for_its_category_is_said_apart_from_the_occurrence(pack, tmp_path):
    tracer, chain = traced(pack, tmp_path, "late_reports_at_61_minutes_and_121_minutes")
    assert paragraph(tracer, chain, "mayor") == (
        "镇长乙，时任测试镇镇长，对事故发生负有重要领导责任；负有镇向区报告的职责，2022年8月1日12时01分报告事故，"
        "知悉后121分钟报告，时限120分钟，对事故迟报负有直接责任。")


def test_the_paragraph_of_the_deceased_says_not_pursued_and_of_due_diligence_mitigated(pack, tmp_path):
    tracer, chain = traced(pack, tmp_path, "a_worker_who_died_keeps_the_link_graded_but_is_not_pursued")
    assert paragraph(tracer, chain, "worker") == (
        "工人丑，时任东村砂石场工人，经调查认定为事故涉事人员，对事故发生负有直接责任。"
        "鉴于其已在事故中死亡，免予追究。")
    assert chain.link("worker").as_json()["pursued"] is False and chain.link("boss").pursued
    tracer, chain = traced(pack, tmp_path, "due_diligence_lowers_the_leaders_links")
    assert paragraph(tracer, chain, "mayor").endswith("对事故发生负有重要领导责任。鉴于其已履行所查职责，可从轻、减轻处理。")


def test_dates_and_money_as_an_investigation_writes_them():
    at = datetime(2023, 3, 1, 14, 5, tzinfo=timezone(timedelta(hours=8)))
    assert (moment_text("zh", at), moment_text("en", at)) == ("2023年3月1日14时05分", "2023-03-01 14:05")
    on_the_hour = at.replace(minute=0)
    assert (moment_text("zh", on_the_hour), moment_text("en", on_the_hour)) == ("2023年3月1日14时", "2023-03-01 14:00")
    assert (day_text("zh", date(2023, 3, 1)), day_text("en", date(2023, 3, 1))) == ("2023年3月1日", "2023-03-01")
    assert (month_text("zh", 2023, 1), month_text("en", 2023, 1)) == ("2023年1月", "2023-01")
    assert [money_text("zh", y) for y in (900_000, 15_000, 12_345_678, 0)] == [
        "90万元", "1.5万元", "1234.5678万元", "0万元"]
    assert money_text("en", 900_000) == "900,000 yuan"


def test_the_table_ends_with_each_partys_paragraph(town):
    out = runner.invoke(cli, ["trace", str(EXAMPLE), "--incident", "inc-2023-02", "--backend", "python"]).output
    lines = [l.strip() for l in out.splitlines()]
    at = lines.index("责任认定：")
    n = next(i for i, l in enumerate(town.trace(town.incidents["inc-2023-02"]).links, 1) if l.person == "su_zhenhua")
    assert f"{n}．苏振华，时任铜川镇副镇长，分管工矿商贸，对事故发生负有重要领导责任。" in lines[at:]
    assert "责任等级" in out and "重要领导责任" in out


# -- the JSON Schema of the output ------------------------------------------------------------------------

def test_the_schema_of_the_output_documents_the_grade_and_pursued():
    out = runner.invoke(cli, ["schema", "--chain"])
    assert out.exit_code == 0
    schema = json.loads(out.output)
    link = schema["$defs"]["Link"]["properties"]
    assert {"grade", "pursued"} <= set(link) and {"grade", "pursued"} <= set(schema["$defs"]["UnitLink"]["properties"])
    assert set(schema["$defs"]["ResponsibilityGrade"]["required"]) == {"id", "zh", "en", "severity"}
    assert {"grade", "graded_by", "escalated_by"} <= set(schema["$defs"]["Finding"]["properties"])


def test_every_chain_of_the_example_town_is_valid_under_the_schema(town):
    for incident in town.select():
        data = json.loads(json.dumps(town.trace(incident).as_json()))
        OUTPUT.validate_python(data, strict=True)
        assert all(party["grade"] and "pursued" in party for party in (*data["links"], *data["units"]))


def test_several_chains_are_an_array_under_the_schema():
    out = runner.invoke(cli, ["trace", str(EXAMPLE), "--incident", "inc-2023-02", "--incident", "inc-2022-01",
                              "--format", "json", "--backend", "python"]).output
    assert len(OUTPUT.validate_json(out, strict=True)) == 2
