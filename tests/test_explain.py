"""Why and why-not, word for word: one test per way a link is made and per way a rule misses.

The example town (facts/examples/tongchuan) supplies the succession day
(inc-2023-02), a stationed cadre elsewhere, an old inspection, a document
kind that does not count and a rotation; the small test town with
tests/fixtures_explain/vacant.yaml supplies a post left vacant.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cli import cli
from engine.chain.trace import Tracer
from engine.explain.explainer import Explainer, resolve_person
from engine.pack.backends import PythonBackend
from engine.pack.rulepack import DEFAULT_PACK, load_pack
from facts.errors import InputError, UnknownIdError
from facts.load import load_facts
from tests.conftest import BASE_TOWN, EXAMPLE

VACANT = Path(__file__).parent / "fixtures_explain" / "vacant.yaml"


@pytest.fixture(scope="module")
def town(pack):
    return Tracer(load_facts([EXAMPLE]), pack, PythonBackend())


def explainer(tracer: Tracer, incident: str, lang: str = "en") -> Explainer:
    return Explainer(tracer.graph, tracer.trace(tracer.incidents[incident]), lang)


def why_not(tracer: Tracer, incident: str, person: str, rule: str, lang: str = "en"):
    answer = explainer(tracer, incident, lang).explain(person)
    return next(w for w in answer.why_not if w.rule == rule)


# -- why -----------------------------------------------------------------------------------------------


def test_why_the_successor_answers_for_the_sector_on_the_succession_day(town):
    answer = explainer(town, "inc-2023-02").explain("su_zhenhua")
    assert answer.tier == "leaders in charge"
    assert answer.posts == ("副镇长 (deputy_mayor_2, since 2023-03-01)",)
    (why,) = answer.why
    assert (why.rule, why.principle, why.category, why.clause) == (
        "sector_in_charge", "whoever is in charge answers", "direct leadership responsibility", "§4.4")
    assert why.quote == ("其他副科级以上领导，按照《关于调整铜川镇领导分工、包村及一般干部包社的通知》"
                         "对各自分管范围内的安全生产工作负直接领导责任。")
    (step,) = why.steps
    assert step.text == (
        "held 副镇长 (post deputy_mayor_2) from 2023-03-01 (t-su_zhenhua-deputy_mayor_2); that post is in charge "
        "of 工矿商贸 from 2022-04-24 (charge-industry_trade); the incident's sector 砂石开采 is under 工矿商贸")
    assert step.evidence == ("charge-industry_trade", "t-su_zhenhua-deputy_mayor_2")
    assert why.path == ("苏振华 —holds (t-su_zhenhua-deputy_mayor_2)→ 副镇长 (deputy_mayor_2) —in charge of "
                        "(charge-industry_trade)→ 工矿商贸 ←part of— 非煤矿山 ←part of— 砂石开采 ←works in— "
                        "东胜区鑫源砂石料有限公司枳机塔砂石场")


def test_why_in_chinese_names_the_same_facts(town):
    (why,) = explainer(town, "inc-2023-02", "zh").explain("su_zhenhua").why
    assert why.steps[0].text == ("自2023-03-01起任副镇长（职务 deputy_mayor_2，t-su_zhenhua-deputy_mayor_2）；"
                                 "该职务自2022-04-24起分管工矿商贸（charge-industry_trade）；事故行业砂石开采属于工矿商贸")
    assert why.path.startswith("苏振华 —任职（t-su_zhenhua-deputy_mayor_2）→ 副镇长（deputy_mayor_2） —分管")


def test_why_an_act_names_the_cause_it_bears_on_and_the_window_it_falls_in(town):
    answer = explainer(town, "inc-2023-02").explain("tala")
    assert answer.posts == ()
    assert [w.rule for w in answer.why] == ["inspector", "signer"]
    assert answer.why[0].steps[0].text == (
        "on 2022-09-20 found 爆破后浮石 (hz-quarry-loose-rock, a hazard behind the direct cause): rectification "
        "ordered; no rectification was accepted before the incident; within the window of 365 days "
        "(inspection_window_days)")
    assert answer.why[0].steps[0].evidence == ("ins-2022-09-20-quarry", "c-2023-02-1", "hz-quarry-loose-rock")
    assert answer.why[1].steps[0].text == (
        "signed 边坡隐患整改验收意见 (sig-2022-11-10-quarry-rect) on 2022-11-10, accepting the rectification of "
        "边坡坡度超过设计 (hz-quarry-slope, a hazard behind the indirect cause) as done, while a cause of the incident "
        "rests on that hazard; a kind of document that counts (signature_kinds); within the window of 365 days "
        "(signature_window_days)")
    assert answer.why[1].path == ("塔拉 —signed (sig-2022-11-10-quarry-rect)→ 东胜区鑫源砂石料有限公司枳机塔砂石场")


def test_why_in_chinese_speaks_of_the_cause(town):
    (why,) = explainer(town, "inc-2023-02", "zh").explain("sun_chengren").why
    assert why.steps[0].text == ("2022-09-20 检查发现爆破后浮石（hz-quarry-loose-rock，直接原因所涉隐患），责令整改；"
                                 "事故前无整改验收；在365日时限内（参数 inspection_window_days）")
    (why,) = explainer(town, "inc-2023-06", "zh").explain("sun_chengren").why[:1]
    assert why.steps[0].text == ("于2023-04-20检查该场所（ins-2023-04-20-logistics），在事故前145日，未发现夜间照明不足"
                                 "（hz-logistics-lighting，直接原因所涉隐患，自2023-03-01起存在）；在365日时限内"
                                 "（参数 inspection_window_days）")


def test_why_a_stationed_cadre_is_tied_to_the_village(town):
    answer = explainer(town, "inc-2022-02").explain("shi_yanjun")
    why = next(w for w in answer.why if w.rule == "stationed_cadre")
    assert why.steps[0].text == ("was stationed in 常青村 from 2022-04-24 (station-changqing); "
                                 "the incident happened in 常青村")
    assert why.path == ("石彦君 —stationed in (station-changqing)→ 常青村 ←located in— "
                        "内蒙古宏建建筑工程有限公司常青村安置房项目部")


# -- why not: each way a rule can miss -------------------------------------------------------------------


def test_why_not_wrong_place(town):
    best = why_not(town, "inc-2022-02", "yang_zonglin", "stationed_cadre").attempts[0]
    assert (best.failed, best.met, best.total) == ("place.liaison.village", 3, 4)
    assert best.text == "was stationed in 神山村 (station-shenshan), not 常青村"


def test_why_not_outside_the_window(town):
    first, second = why_not(town, "inc-2022-01", "sun_chengren", "inspector").attempts
    assert (first.failed, first.text) == (
        "fail.inspection.days_before.lte",
        "inspected the site on 2021-05-12 (ins-2021-05-12-quarry), 460 days before the incident; "
        "the window is 365 days (inspection_window_days)")
    assert (second.failed, second.text) == (
        "time.inspection.after", "inspected the site on 2022-09-20 (ins-2022-09-20-quarry), 36 days after the incident")


def test_why_not_tenure_over_on_the_succession_day(town):
    best = why_not(town, "inc-2023-02", "tala", "sector_in_charge").attempts[0]
    assert (best.failed, best.met, best.total) == ("time.tenure.ended", 5, 6)
    assert best.text == ("held 副镇长 (deputy_mayor_2) until 2023-03-01; the incident was on 2023-03-01; "
                         "the holder that day was 苏振华 (su_zhenhua)")
    assert best.evidence == ("charge-industry_trade", "t-tala-deputy_mayor_2")


def test_why_not_tenure_not_yet_begun(town):
    best = why_not(town, "inc-2023-01", "su_zhenhua", "sector_in_charge").attempts[0]
    assert best.text == ("took up 副镇长 (deputy_mayor_2) only on 2023-03-01; the incident was on 2023-01-18; "
                         "the holder that day was 塔拉 (tala)")


def test_why_not_post_vacant(pack):
    tracer = Tracer(load_facts([BASE_TOWN, VACANT]), pack, PythonBackend())
    best = why_not(tracer, "inc-vacant", "dep1", "sector_in_charge").attempts[0]
    assert (best.failed, best.text) == (
        "time.tenure.ended",
        "held 副镇长 (p_dep1) until 2023-03-01; the incident was on 2023-05-02; the post was vacant that day")
    zh = why_not(tracer, "inc-vacant", "dep1", "sector_in_charge", "zh").attempts[0]
    assert zh.text == "任副镇长（p_dep1）至2023-03-01止；事故发生于2023-05-02；当日该职务空缺"


def test_why_not_a_document_that_covers_no_cause(town):
    (best,) = why_not(town, "inc-2022-02", "ban_weiping", "signer").attempts
    assert (best.failed, best.met, best.total) == ("fail.signature.bears", 4, 5)
    assert best.text == ("signed 安置房项目施工便道验收意见 (sig-2022-07-10-site-road), a document that bears on none of the "
                         "incident's causes")
    zh = why_not(town, "inc-2022-02", "ban_weiping", "signer", "zh").attempts[0]
    assert zh.text == "签署了安置房项目施工便道验收意见（sig-2022-07-10-site-road），该文书不涉及本起事故的任何原因"


def test_why_not_a_responsibility_letter_or_a_countersignature(town):
    letter = why_not(town, "inc-2023-04", "he_sheng", "signer", "zh").attempts[0]
    assert (letter.failed, letter.text) == (
        "fail_value.signature.capacity.party_to_letter",
        "于2023-03-15签署《2023年度安全生产目标管理责任书》（sig-2023-03-15-station-letter），是责任书的签订方："
        "责任书证明履行了职责，不是签字责任的来源")
    counter = why_not(town, "inc-2022-01", "li_jianguo", "signer").attempts[0]
    assert (counter.failed, counter.text) == (
        "fail_value.signature.capacity.inspected_party",
        "signed 安全生产检查记录 (sig-2022-06-10-quarry-record-li) on 2022-06-10 as the inspected party: a "
        "countersignature, not an approval or acceptance")
    record = why_not(town, "inc-2022-01", "lin_ke", "signer", "zh").attempts[0]
    assert record.text == ("于2022-06-10签署《安全生产检查记录》（sig-2022-06-10-quarry-record-lin），身份为检查人员；"
                           "只有审批人或验收人对所签文书负责（参数 signature_roles）")


def test_why_not_an_inspection_that_was_followed_up_or_came_before_the_hazard(town):
    (best,) = why_not(town, "inc-2023-01", "li_lingyun", "inspector").attempts[:1]
    assert (best.failed, best.text) == (
        "fail.inspection.bears",
        "on 2022-07-05 found 气体检测仪未校验 (hz-chem-detector, a hazard behind the direct cause): rectification "
        "ordered; its rectification was accepted on 2022-08-20 (sig-2022-08-20-chem-rect)")
    texts = [a.text for a in why_not(town, "inc-2023-02", "yang_zonglin", "inspector", "zh").attempts]
    assert texts == [
        "于2022-06-10检查该场所（ins-2022-06-10-quarry）时，爆破后浮石（hz-quarry-loose-rock，直接原因所涉隐患）尚未出现"
        "（自2022-09-01起存在）",
        "于2022-06-10检查该场所（ins-2022-06-10-quarry）时，边坡坡度超过设计（hz-quarry-slope，间接原因所涉隐患）尚未出现"
        "（自2022-09-20起存在）"]


def test_an_act_to_examine_is_said_with_what_would_decide_it(town):
    answer = explainer(town, "inc-2022-02", "zh").explain("liu_yanjun")
    assert answer.tier is None
    assert [(x.record, x.decides) for x in answer.to_examine] == [
        ("sig-2022-05-16-site-approval", ("signatures[sig-2022-05-16-site-approval].covers",))]
    assert answer.as_text().endswith(
        "待核实（事实不足以判断，不作为责任链的一环）\n"
        "- 2022-05-16签署了审批意见（sig-2022-05-16-site-approval，审批人），但未载明该文书涉及哪些隐患或事项；"
        "须核实：signatures[sig-2022-05-16-site-approval].covers\n")
    signer = next(w for w in answer.why_not if w.rule == "signer")
    assert signer.attempts[0].text == ("签署了施工临时占道审批意见（sig-2022-05-16-site-approval，审批人），"
                                       "但未载明该文书涉及哪些隐患或事项，待核实")


def test_why_not_an_assignment_that_ended_is_closer_than_one_elsewhere(town):
    attempts = why_not(town, "inc-2023-03", "li_lingyun", "stationed_cadre").attempts
    assert [a.text for a in attempts] == [
        "was stationed in 铜川村 until 2023-01-01 (station-tongchuan_village-2022); the incident was on 2023-05-20",
        "was stationed in 添尔漫梁村 (station-tianermanliang-2023), not 铜川村"]


def test_why_not_the_wrong_role_and_the_wrong_kind_of_assignment(town):
    assert why_not(town, "inc-2023-02", "tala", "town_heads").attempts[0].text == (
        "held 副镇长 (deputy_mayor_2), a post of role deputy mayor; the rule needs party secretary or mayor "
        "(town_head_roles)")
    assert why_not(town, "inc-2023-02", "tala", "stationed_cadre").attempts[0].text == (
        "was the liaison leader (包村) of 潮脑梁村 (liaison-chaonaoliang); the rule needs stationed (驻村, 驻企)")
    assert why_not(town, "inc-2023-02", "he_sheng", "sector_in_charge").attempts[0].text == (
        "was in charge of safety in 铜川镇 (safety-deputy_mayor_3), a territory's safety; the rule needs a sector")


def test_why_not_when_the_facts_hold_nothing_of_the_kind(town):
    answer = explainer(town, "inc-2023-05").explain("qiao_jianping")
    texts = {w.rule: w.attempts[0].text for w in answer.why_not}
    assert texts["sector_in_charge"] == ("was never in charge (分管) of a sector, a unit or safety, personally or "
                                         "through a post held")
    assert texts["inspector"] == "no inspection of 常青村农机专业合作社 by them is recorded"
    assert texts["involved_staff"] == "is not named among those involved in the incident (李小兵 (li_xiaobing))"


def test_why_not_covers_every_rule_that_did_not_name_the_person(town, pack):
    answer = explainer(town, "inc-2023-02").explain("tala")
    persons = [r.id for r in pack.rules if r.party[0] == "person"]
    assert [w.rule for w in answer.why_not] == [r for r in persons if r not in ("inspector", "signer")]


def _variant(tmp_path: Path, change) -> object:
    raw = yaml.safe_load(DEFAULT_PACK.read_text(encoding="utf-8"))
    change({r["id"]: r for r in raw["rules"]})
    path = tmp_path / "pack.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")  # aliases keep their order
    return load_pack(path)


def test_why_not_an_overridden_rule(tmp_path):
    def change(rules):
        rules["site_safety_manager"]["overrides"] = ["involved_staff"]
    tracer = Tracer(load_facts([EXAMPLE]), _variant(tmp_path, change), PythonBackend())
    best = why_not(tracer, "inc-2023-02", "zhao_hai", "involved_staff").attempts[0]
    assert (best.failed, best.text) == (
        "overridden", "every condition holds, but rule site_safety_manager takes precedence for this person")


def test_why_not_a_rule_ruled_out_by_unless(tmp_path):
    def change(rules):
        rules["inspector"]["unless"] = {"sig": {"kind": "signature", "person": {"ref": "check.person"}}}
    tracer = Tracer(load_facts([EXAMPLE]), _variant(tmp_path, change), PythonBackend())
    best = why_not(tracer, "inc-2022-01", "lin_ke", "inspector").attempts[0]
    assert (best.failed, best.text) == (
        "unless", "every condition holds, but the signature sig-2022-06-10-quarry-record-lin rules it out (unless sig)")


# -- who is asked about ----------------------------------------------------------------------------------


def test_a_person_is_found_by_id_or_by_exact_name(town):
    assert resolve_person(town.graph, "tala") == "tala"
    assert resolve_person(town.graph, "塔拉") == "tala"


def test_an_unknown_person_is_an_error_with_a_did_you_mean(town):
    with pytest.raises(UnknownIdError, match=r"^unknown person '刘燕君' \(did you mean '刘燕军'\?\)$"):
        resolve_person(town.graph, "刘燕君")
    with pytest.raises(UnknownIdError, match=r"did you mean 'liu_yanjun'"):
        resolve_person(town.graph, "liu_yanjum")


def test_a_shared_name_asks_for_the_id(pack):
    facts = load_facts([BASE_TOWN]).model_copy(update={"people": [
        *load_facts([BASE_TOWN]).people[:-1], load_facts([BASE_TOWN]).people[-1].model_copy(update={"name": "书记甲"})]})
    with pytest.raises(InputError, match="^the name '书记甲' is shared by cook, sec; give the person's id$"):
        resolve_person(Tracer(facts, pack, PythonBackend()).graph, "书记甲")


# -- the command -----------------------------------------------------------------------------------------


def test_explain_command_prints_the_why(town):
    result = CliRunner().invoke(cli, ["explain", str(EXAMPLE), "--incident", "inc-2023-02", "--person", "苏振华",
                                      "--lang", "en", "--backend", "python"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:5] == [
        "苏振华 (su_zhenhua) · incident inc-2023-02 (2023-03-01, 东胜区鑫源砂石料有限公司枳机塔砂石场, general accident)",
        "in the chain, band: leaders in charge",
        "Posts that day: 副镇长 (deputy_mayor_2, since 2023-03-01)",
        "Grade of responsibility: important leadership responsibility (severity 60)",
        "Finding: 苏振华, then 铜川镇副镇长, in charge of 工矿商贸, bears important leadership responsibility for the "
        "incident."]
    at = lines.index("Why they are in the chain")
    assert lines[at - 7:at] == [
        "",
        "Why this grade",
        "- direct leadership responsibility (rule sector_in_charge): grading in_charge gives important leadership "
        "responsibility. Basis: 《中国共产党纪律处分条例》第三十九条; Art. 39(3), 对应管的工作……负次要领导责任.",
        "",
        "Why not the heavier principal leadership responsibility",
        "- grading directly_in_charge: 工矿商贸 (charge-industry_trade) is 2 level(s) above the incident's sector or "
        "site; 0 required (0: the sector or site itself)",
        ""]
    assert lines[at:at + 5] == [
        "Why they are in the chain",
        "1. sector_in_charge · whoever is in charge answers (§4.4) → direct leadership responsibility",
        "   The plan: “其他副科级以上领导，按照《关于调整铜川镇领导分工、包村及一般干部包社的通知》"
        "对各自分管范围内的安全生产工作负直接领导责任。”",
        "   - held 副镇长 (post deputy_mayor_2) from 2023-03-01 (t-su_zhenhua-deputy_mayor_2); that post is in charge "
        "of 工矿商贸 from 2022-04-24 (charge-industry_trade); the incident's sector 砂石开采 is under 工矿商贸",
        "   Path: 苏振华 —holds (t-su_zhenhua-deputy_mayor_2)→ 副镇长 (deputy_mayor_2) —in charge of "
        "(charge-industry_trade)→ 工矿商贸 ←part of— 非煤矿山 ←part of— 砂石开采 ←works in— "
        "东胜区鑫源砂石料有限公司枳机塔砂石场"]
    assert "- town_heads · party and government share responsibility (§4.2): conditions met: 2 of 3" in lines


def test_explain_command_prints_every_attempt_of_a_why_not():
    result = CliRunner().invoke(cli, ["explain", str(EXAMPLE), "--incident", "inc-2022-01", "--person", "sun_chengren",
                                      "--backend", "python"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1] == "不在责任链中"
    at = lines.index("- inspector · 谁检查、谁负责（§5）：满足 1/3 项条件")
    assert lines[at + 1:at + 3] == [
        "  于2021-05-12检查该场所（ins-2021-05-12-quarry），在事故前460日；时限为365日（参数 inspection_window_days）",
        "  另：于2022-09-20检查该场所（ins-2022-09-20-quarry），在事故后36日"]


def test_explain_command_json_is_the_same_answer(town):
    result = CliRunner().invoke(cli, ["explain", str(EXAMPLE), "--incident", "inc-2022-02", "--person", "liu_yanjun",
                                      "--format", "json", "--backend", "python"])
    assert result.exit_code == 0, result.output
    import json
    data = json.loads(result.output)
    assert data["in_chain"] is False and data["why"] == []
    signer = next(w for w in data["why_not"] if w["rule"] == "signer")
    assert signer["attempts"][0]["failed"] == "fail.signature.bears"
    assert signer["attempts"][0]["evidence"] == ["sig-2022-05-16-site-approval"]
    assert data["to_examine"] == [{"person": "liu_yanjun", "act": "signature", "record": "sig-2022-05-16-site-approval",
                                   "rule": "signature_covers_unrecorded", "text": {
                                       "zh": "2022-05-16签署了审批意见（sig-2022-05-16-site-approval，审批人），"
                                             "但未载明该文书涉及哪些隐患或事项",
                                       "en": "signed a document of kind approval on 2022-05-16 "
                                             "(sig-2022-05-16-site-approval, as approver), but what it covers is not "
                                             "recorded"},
                                   "decides": ["signatures[sig-2022-05-16-site-approval].covers"]}]


def test_explain_command_unknown_person_exits_2_with_a_did_you_mean():
    result = CliRunner().invoke(cli, ["explain", str(EXAMPLE), "--incident", "inc-2022-02", "--person", "liu_yanjum",
                                      "--backend", "python"])
    assert result.exit_code == 2
    assert result.output == "error: unknown person 'liu_yanjum' (did you mean 'liu_yanjun'?)\n"


def test_explain_command_unknown_incident_exits_2():
    result = CliRunner().invoke(cli, ["explain", str(EXAMPLE), "--incident", "inc-2022-0", "--person", "tala",
                                      "--backend", "python"])
    assert result.exit_code == 2
    assert result.output == "error: unknown incident 'inc-2022-0' (did you mean 'inc-2022-02'?)\n"


# -- reporting by 罚款处罚规定 Art. 5, conduct, orders, events ------------------------------------------------


def steps(tracer: Tracer, incident: str, person: str, rule: str, lang: str = "zh") -> list[str]:
    answer = explainer(tracer, incident, lang).explain(person)
    return [s.text for w in answer.why if w.rule == rule for s in w.steps]


def test_why_a_late_report_states_its_delay_its_deadline_and_who_had_the_duty(town):
    assert steps(town, "inc-2023-06", "he_sheng", "late_report_town") == [
        "依报告职责分工（report-town-safety_lead）负有镇向区报告的义务，时任副镇长（deputy_mayor_3）",
        "贺晟（he_sheng）于2023-09-13T01:30:00+08:00报告（inc-2023-06/report/3，镇向区报告），知悉后240分钟报告；"
        "所报死亡1人、重伤0人；报告时已知死亡1人、重伤0人；时限120分钟（参数 town_report_minutes）"]


def test_why_not_a_false_report_a_relay_of_the_principals_figures(town):
    assert why_not(town, "inc-2023-01", "yan_min", "false_report", "zh").attempts[0].text == (
        "报告（inc-2023-01/report/3）所报伤亡与报告时已知的相符（所报死亡3人、重伤0人；报告时已知死亡3人、重伤0人"
        "（转报周伟（zhou_wei）的报告））")


def test_why_conduct_names_the_act_the_cause_and_the_record_it_rests_on(town):
    assert steps(town, "inc-2023-07", "ma_qiang", "site_conduct") == [
        "2023-10-20违章作业（cd-2023-07-ma_qiang）：装卸有毒物料时未佩戴防毒面具；系间接原因（c-2023-07-2）所涉行为"
        "（依据：现场勘验）"]


def test_why_not_conduct_that_bears_on_no_cause_of_this_incident(town):
    assert [a.text for a in why_not(town, "inc-2023-02", "li_jianguo", "site_conduct").attempts] == [
        "ordering work against the rules (违章指挥) (cd-2022-01-li_jianguo) bears on no cause of this incident and is "
        "not of its aftermath",
        "defying a stop order (拒不执行停产指令) (cd-evt-li_jianguo) bears on no cause of this incident and is not of "
        "its aftermath"]


def test_why_an_enforcer_of_an_ignored_order_and_why_not_for_a_post_in_an_event(town):
    assert steps(town, "evt-2023-12", "lin_ke", "order_not_followed") == [
        "负责督促落实停产指令（ord-2023-03-02-quarry-stop，镇人民政府（government）于2023-03-02下达）；"
        "该指令仍然有效而未被执行，调查未发现任何督促落实"]
    assert why_not(town, "evt-2023-12", "lin_ke", "stationed_cadre", "zh").attempts[0].text == \
        "条件均满足，但事件evt-2023-12排除了本规则（unless event）"
