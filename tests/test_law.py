"""The law in force on the day: dated parameters and rules, the pack's period, sources, packs that extend others."""
from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cli import cli
from engine.analyses.check.static import static_findings
from engine.analyses.whatif.apply import apply
from engine.analyses.whatif.scenario import load_scenario
from engine.chain.trace import Tracer
from engine.explain.explainer import Explainer
from engine.outputs import diagram, table
from engine.outputs.report import markdown
from engine.pack.backends import BACKENDS, PythonBackend
from engine.pack.rulepack import DEFAULT_PACK, load_pack
from facts.errors import EngineError, RulePackError
from facts.load import load_facts
from tests.cases.paths import BASE_DIR, case_input

NEIGHBOUR = DEFAULT_PACK.parent / "examples" / "neighbour-town.yaml"
BEFORE = "2009-03-06"
WARNING_ZH = f"铜政发〔2022〕12号 于2022-04-24印发；本事故发生于{BEFORE}，早于该方案"
WARNING_EN = f"铜政发〔2022〕12号 was issued on 2022-04-24; this incident happened on {BEFORE}, before it"


def write_pack(tmp_path: Path, body: dict, name: str = "pack.yaml") -> Path:
    """A pack file in tmp_path extending the shipped pack, with ``body`` on top."""
    path = tmp_path / name
    base = os.path.relpath(DEFAULT_PACK, tmp_path)
    path.write_text(yaml.safe_dump({"extends": base, **body}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(RulePackError) as e:
        load_pack(path)
    return [str(p).replace(str(path.parent) + "/", "") for p in e.value.problems]


DATED = {"parameters": {"enterprise_report_minutes": {"values": {date(2022, 4, 24): 60, date(2025, 1, 1): 30}}}}


# -- dated parameters and rules ---------------------------------------------------------------------


def test_a_dated_parameter_takes_each_value_from_its_day_on(tmp_path):
    pack = load_pack(write_pack(tmp_path, DATED))
    minutes = {d: pack.as_of(date.fromisoformat(d)).param("enterprise_report_minutes")
               for d in ("2009-03-06", "2022-04-24", "2024-12-31", "2025-01-01", "2031-01-01")}
    assert minutes == {"2009-03-06": 60, "2022-04-24": 60, "2024-12-31": 60, "2025-01-01": 30, "2031-01-01": 30}
    assert pack.parameters["enterprise_report_minutes"].description.startswith("Minutes within which")


def test_each_version_is_computed_once_has_a_stable_digest_and_is_its_own_version(tmp_path):
    pack = load_pack(write_pack(tmp_path, DATED))
    first, second = pack.as_of(date(2023, 1, 1)), pack.as_of(date(2026, 1, 1))
    assert pack.as_of(date(2022, 5, 1)) is first and pack.versions() == [first, second]
    assert first.digest != second.digest != pack.digest
    assert load_pack(write_pack(tmp_path, DATED, "again.yaml")).as_of(date(2023, 1, 1)).digest == first.digest
    assert first.as_of(date(2026, 1, 1)) is first and first.origin_digest == pack.digest
    with pytest.raises(EngineError, match="is dated: ask the pack as of a day"):
        pack.param("enterprise_report_minutes")


def test_an_undated_pack_is_its_own_version(pack):
    assert pack.as_of(date(2009, 3, 6)) is pack and pack.versions() == [pack]
    assert pack.origin_digest == pack.digest


def test_a_rule_with_from_is_not_in_force_before_it_and_a_rule_with_to_not_on_its_end_day(tmp_path):
    shipped = yaml.safe_load(DEFAULT_PACK.read_text(encoding="utf-8"))
    signer = {**next(r for r in shipped["rules"] if r["id"] == "signer"), "from": date(2024, 1, 1)}
    inspector = {**next(r for r in shipped["rules"] if r["id"] == "inspector"), "to": date(2024, 1, 1)}
    pack = load_pack(write_pack(tmp_path, {"rules": [signer, inspector]}))
    ids = lambda day: {r.id for r in pack.as_of(day).rules}  # noqa: E731
    assert "signer" not in ids(date(2023, 12, 31)) and "inspector" in ids(date(2023, 12, 31))
    assert "signer" in ids(date(2024, 1, 1)) and "inspector" not in ids(date(2024, 1, 1))
    assert all(r.valid_from is None and r.valid_to is None for r in pack.as_of(date(2024, 1, 1)).rules)


def test_a_scenario_may_date_a_parameter(tmp_path, pack):
    path = tmp_path / "s.yaml"
    path.write_text("name: halved\nchanges:\n  - set_params: {enterprise_report_minutes: {2022-04-24: 60, "
                    "2025-01-01: 30}}\n", encoding="utf-8")
    facts = load_facts([BASE_DIR])
    _, changed = apply([load_scenario(path)], facts, pack)
    assert changed.as_of(date(2025, 1, 1)).param("enterprise_report_minutes") == 30
    assert changed.as_of(date(2024, 12, 31)).param("enterprise_report_minutes") == 60


# -- load errors --------------------------------------------------------------------------------------


LOAD_ERRORS = {
    "both a value and dated values": (
        {"parameters": {"town_report_minutes": {"description": "d", "reference": "§4.1", "value": 1,
                                                "values": {date(2022, 4, 24): 1}}}},
        ["pack.yaml: pack: field 'parameters.town_report_minutes': give exactly one of 'value' (one value) or "
         "'values' (dated: {DAY: value, …})"]),
    "dated values that start after the pack": (
        {"parameters": {"town_report_minutes": {"values": {date(2023, 1, 1): 120}}}},
        ["pack.yaml: parameters.town_report_minutes: field 'values': no value from 2022-04-24 (the pack's first "
         "day in force) to 2023-01-01\n  hint: give a value from 2022-04-24 on"]),
    "a dated value of the wrong type": (
        {"parameters": {"town_report_minutes": {"values": {date(2022, 4, 24): 120, date(2024, 1, 1): "two hours"}}}},
        ["pack.yaml: rules #21 (late_report_town): field 'when.report.minutes_after': 'minutes_after' is int; "
         "got ['two hours']\n  hint: give a int"]),
    "a rule never in force within the pack's period": (
        {"in_force": {"from": date(2022, 4, 24), "to": date(2026, 1, 1)},
         "rules": [{**yaml.safe_load(DEFAULT_PACK.read_text(encoding="utf-8"))["rules"][0], "from": date(2027, 1, 1)}]},
        ["pack.yaml: rules #1 (town_heads): field 'from': in force 2027-01-01 –, never within the pack's period "
         "(2022-04-24 – 2026-01-01)\n  hint: correct its 'from'/'to', or the pack's 'in_force'"]),
    "an unknown source": (
        {"parameters": {"town_report_minutes": {"source": "decree493_art12"}}},
        ["pack.yaml: parameters.town_report_minutes: field 'source': unknown source 'decree493_art12' (did you "
         "mean 'decree493_art11'?)\n  hint: cite a source id listed under 'sources' (a law, regulation or rule by "
         "article)"]),
    "a rule citing nothing": (
        {"rules": [{"id": "bare", "principle": "territorial", "category": "territorial_responsibility",
                    "when": {"town": {"kind": "unit", "unit_kind": "town"}}, "liable_unit": "town"}]},
        ["pack.yaml: rules #45 (bare): field 'source': a rule cites the plan ('clause' and 'quote') or a source "
         "('source: ID'), or both"]),
    "a rule whose to is not after its from": (
        {"rules": [{**yaml.safe_load(DEFAULT_PACK.read_text(encoding="utf-8"))["rules"][0],
                    "from": date(2024, 1, 1), "to": date(2024, 1, 1)}]},
        ["pack.yaml: rules #1 (town_heads): 'to' (2024-01-01) must be after 'from' (2024-01-01)"]),
}


@pytest.mark.parametrize("body,expected", LOAD_ERRORS.values(), ids=LOAD_ERRORS.keys())
def test_each_dating_and_citation_error_has_its_exact_message(tmp_path, body, expected):
    assert problems(write_pack(tmp_path, body)) == expected


def test_check_reports_an_unknown_source_as_load_does(tmp_path):
    path = write_pack(tmp_path, {"rules": [{**yaml.safe_load(DEFAULT_PACK.read_text(encoding="utf-8"))["rules"][0],
                                            "source": "cadre_rule_art23"}]})
    r = CliRunner().invoke(cli, ["check", str(path), "--examples", "0"])
    assert r.exit_code == 2
    assert ("rules #1 (town_heads): field 'source': unknown source 'cadre_rule_art23' (did you mean "
            "'cadre_rules_art23'?)") in r.output


def test_static_checks_see_every_version(tmp_path):
    body = {"parameters": {"town_head_roles": {"values": {date(2022, 4, 24): ["party_secretary", "mayor"],
                                                          date(2025, 1, 1): []}}}}
    path = write_pack(tmp_path, body)
    found = [(f.kind, f.problem.record, f.problem.field) for f in static_findings(load_pack(path), path)]
    assert ("never_matches", "rules #1 (town_heads)", "when.head") in found
    assert found.count(("never_matches", "rules #1 (town_heads)", "when.head")) == 1


# -- sources --------------------------------------------------------------------------------------------


def test_the_shipped_pack_cites_its_sources_beyond_the_plan(pack):
    cited = {r.id: r.source for r in pack.rules if r.source}
    assert cited["drill_overdue"] == "emergency_regs_art8" and cited["predecessor_in_charge"] == "cadre_rules_art24"
    assert cited["due_diligence_heads"] == cited["due_diligence_safety_lead"] == "cadre_rules_art23"
    assert pack.parameters["town_report_minutes"].source == "decree493_art11"
    assert pack.parameters["drill_interval_days"].source == "emergency_regs_art8"
    assert cited["signer"] == "safety_law_art90" and pack.parameters["signature_roles"].source == "safety_law_art68"
    assert {"decree493_art3", "decree493_art9", "decree493_art11", "safety_law_art21", "safety_law_art68",
            "safety_law_art90", "emergency_regs_art8",
            "cadre_rules_art18", "cadre_rules_art23", "cadre_rules_art24", "fines_rules_art5",
            "accountability_art6", "discipline_art39",
            "safety_law_art5", "safety_law_art111"} == set(pack.sources)  # the last two are cited by the grades
    assert {s for s, src in pack.sources.items() if src.summary} == {"emergency_regs_art8", "cadre_rules_art18",
                                                                     "safety_law_art111"}
    assert not any("Art." in p.description for p in pack.parameters.values())  # the citations moved to `source`


def test_a_finding_carries_its_source_and_explain_quotes_it(pack, tmp_path):
    tracer = Tracer(load_facts([BASE_DIR, case_facts(tmp_path, "due_diligence_lowers_the_leaders_links")]), pack,
                    PythonBackend())
    chain = tracer.trace(tracer.facts.incidents[0])
    mayor = chain.link("mayor")
    assert [(m.rule, m.clause, m.source) for m in mayor.mitigations] == [
        ("due_diligence_heads", "§4.1", "cadre_rules_art23")]
    text = Explainer(tracer.graph, chain, "zh").explain("mayor").as_text()
    assert ("依据：《地方党政领导干部安全生产责任制规定》（厅字〔2018〕13号）第二十三条：“对职责范围内发生生产安全事故,"
            "经查实已经全面履行了本规定第二章所规定职责") in text


def test_a_rule_on_a_source_alone_is_cited_by_its_article(tmp_path):
    pack = load_pack(NEIGHBOUR)
    rule = pack.rule("heads_lead_late_town_report")
    assert (rule.clause, rule.quote, pack.citation(rule)) == (
        None, None, "《地方党政领导干部安全生产责任制规定》（厅字〔2018〕13号）第十八条")


# -- extends --------------------------------------------------------------------------------------------


def test_the_example_neighbour_pack_merges_onto_the_pack_it_extends(pack):
    neighbour = load_pack(NEIGHBOUR)
    assert neighbour.pack.id == "neighbour-town-example" and neighbour.pack.document == "邻镇方案（示例）"
    assert neighbour.param("village_head_roles") == ["village_party_secretary", "village_director"]
    assert neighbour.parameters["inspection_window_days"].description == pack.parameters[
        "inspection_window_days"].description
    assert neighbour.clauses["§4.6.1"].startswith("按照属地管理原则，实行村党组织书记和村委会主任")
    assert neighbour.clauses["§4.2"] == pack.clauses["§4.2"]
    ids = [r.id for r in neighbour.rules]
    assert "office_unit" not in ids and ids[-1] == "heads_lead_late_town_report"
    assert ids[:-1] == [r.id for r in pack.rules if r.id != "office_unit"]  # village_head replaced in place
    assert neighbour.digest != pack.digest
    assert neighbour.period.valid_from == date(2023, 1, 1)


def test_an_extending_pack_that_disables_an_overridden_rule_drops_the_override(tmp_path):
    pack = load_pack(write_pack(tmp_path, {"disable": ["town_heads", "late_report_town"]}))
    assert "due_diligence_heads" not in {r.id for r in pack.rules}  # it mitigated town_heads only
    assert pack.rule("concealed_report").overrides == ["omitted_report", "incomplete_report",
                                                      "late_report_enterprise", "late_report_village"]


def test_a_pack_may_extend_a_pack_that_extends_another(tmp_path):
    first = write_pack(tmp_path, {"parameters": {"inspection_window_days": {"value": 100}},
                                  "disable": ["group_liaison"]}, "first.yaml")
    second = tmp_path / "second.yaml"
    second.write_text("extends: first.yaml\nparameters:\n  signature_window_days: {value: 50}\n", encoding="utf-8")
    pack = load_pack(second)
    assert (pack.param("inspection_window_days"), pack.param("signature_window_days")) == (100, 50)
    assert "group_liaison" not in {r.id for r in pack.rules}
    assert load_pack(first).digest != pack.digest


EXTENDS_ERRORS = {
    "a missing base": (
        "extends: nowhere.yaml\n",
        ["pack.yaml: pack: field 'extends': no such rule pack 'nowhere.yaml' (looked for nowhere.yaml)\n"
         "  hint: give the path relative to this file"]),
    "a pack extending itself": (
        "extends: pack.yaml\n",
        ["pack.yaml: pack: field 'extends': the packs extend each other in a cycle: pack.yaml → pack.yaml\n"
         "  hint: a pack cannot extend itself, directly or through others"]),
    "an unknown rule disabled": (
        "extends: {base}\ndisable: [group_liason]\n",
        ["pack.yaml: pack: field 'disable.0': unknown rule 'group_liason' (did you mean 'group_liaison'?)\n"
         "  hint: name a rule or gap of {base}"]),
    "disable without extends": (
        "disable: [group_liaison]\n",
        ["pack.yaml: pack: field 'disable': 'disable' leaves out rules of the pack it extends, and this pack "
         "extends none\n  hint: add 'extends: PATH', or delete the rules"]),
}


@pytest.mark.parametrize("text,expected", EXTENDS_ERRORS.values(), ids=EXTENDS_ERRORS.keys())
def test_each_extends_error_has_its_exact_message(tmp_path, text, expected):
    base = os.path.relpath(DEFAULT_PACK, tmp_path)
    path = tmp_path / "pack.yaml"
    path.write_text(text.format(base=base), encoding="utf-8")
    assert problems(path) == [e.format(base=base) for e in expected]


def test_a_cycle_through_two_packs_names_both(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n", encoding="utf-8")
    assert problems(tmp_path / "a.yaml") == [
        "a.yaml: pack: field 'extends': the packs extend each other in a cycle: a.yaml → b.yaml → a.yaml\n"
        "  hint: a pack cannot extend itself, directly or through others"]


def test_a_base_that_does_not_load_is_reported_with_its_own_file(tmp_path):
    (tmp_path / "base.yaml").write_text("pack: {id: b}\n", encoding="utf-8")
    (tmp_path / "pack.yaml").write_text("extends: base.yaml\n", encoding="utf-8")
    found = problems(tmp_path / "pack.yaml")
    assert found[0] == ("pack.yaml: pack: field 'extends': the pack it extends, base.yaml, does not load\n"
                        "  hint: fix that pack; its problems follow")
    assert found[1].startswith("base.yaml: pack: field 'pack.title': Field required")


# -- an incident outside the pack's period, in every output ------------------------------------------------


def case_facts(tmp_path: Path, case: str) -> Path:
    """The input of a YAML case as a fact file in tmp_path (the test town is loaded beside it)."""
    path = tmp_path / f"{case}.yaml"
    path.write_text(yaml.safe_dump(case_input(case), allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def early(tmp_path_factory):
    """The accident of 2009 (the before-the-plan case) and its people, beside the test town."""
    return case_facts(tmp_path_factory.mktemp("early"), "incident_before_the_plan_is_traced_with_a_warning")


@pytest.fixture(scope="module")
def early_chain(early, pack):
    tracer = Tracer(load_facts([BASE_DIR, early]), pack, PythonBackend())
    return tracer, tracer.trace(tracer.incidents["inc"])


def run(*args) -> str:
    r = CliRunner().invoke(cli, [str(a) for a in args])
    assert r.exit_code == 0, r.output
    return r.output


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_the_json_chain_carries_the_warning_and_the_version_that_judged_it(early, pack, backend):
    (chain,) = json.loads(run("trace", BASE_DIR, early, "--incident", "inc", "--format", "json", "--backend", backend))
    assert chain["warnings"] == [{"kind": "before_pack", "zh": WARNING_ZH, "en": WARNING_EN}]
    assert chain["rulepack"] == {"id": "tongchuan-2022", "digest": pack.digest, "version": pack.digest}


def test_the_table_report_diagram_and_explain_say_it(early, early_chain, pack):
    tracer, chain = early_chain
    assert f"注意: {WARNING_ZH}" in run("trace", BASE_DIR, early, "--incident", "inc")
    assert f"Note: {WARNING_EN}" in run("trace", BASE_DIR, early, "--incident", "inc", "--lang", "en")
    assert table.table(chain, tracer.graph, "zh").caption.splitlines()[0] == f"注意: {WARNING_ZH}"
    md = markdown([chain], pack, tracer.graph, "zh").splitlines()
    assert md[:3] == ["## 东村砂石场“3·6”事故", "", f"> **注意**：{WARNING_ZH}"]
    assert f"> **Note**: {WARNING_EN}" in markdown([chain], pack, tracer.graph, "en").splitlines()
    dot = diagram.to_dot(diagram.layout(chain, pack, tracer.graph, "zh"))
    assert f'label="事故 inc · 东村砂石场\\n注意：{WARNING_ZH}"' in dot
    mermaid = diagram.to_mermaid(diagram.layout(chain, pack, tracer.graph, "en"))
    assert f'  note0>"Note: {WARNING_EN}"]' in mermaid.splitlines()
    explained = run("explain", BASE_DIR, early, "--incident", "inc", "--person", "old_sec").splitlines()
    assert explained[1] == f"注意：{WARNING_ZH}"
    answer = json.loads(run("explain", BASE_DIR, early, "--incident", "inc", "--person", "old_sec", "--format", "json"))
    assert answer["warnings"] == [WARNING_ZH]


def test_whatif_outputs_say_it(early, tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: longer\nchanges:\n  - set_params: {inspection_window_days: 730}\n", encoding="utf-8")
    assert f"注意: {WARNING_ZH}" in run("whatif", BASE_DIR, early, "--scenario", scenario, "--incident", "inc")
    md = run("whatif", BASE_DIR, early, "--scenario", scenario, "--incident", "inc", "--format", "md", "--lang", "en")
    assert f"> Note: {WARNING_EN}" in md.splitlines()


def test_an_incident_after_the_pack_ends_is_warned_too(early, tmp_path):
    path = write_pack(tmp_path, {"in_force": {"from": date(2000, 1, 1), "to": date(2009, 3, 6)}})
    (chain,) = json.loads(run("trace", BASE_DIR, early, "--incident", "inc", "--format", "json", "--rules", path))
    assert chain["warnings"] == [{
        "kind": "after_pack",
        "zh": "铜政发〔2022〕12号 自2009-03-06起不再施行；本事故发生于2009-03-06，晚于该方案的施行期",
        "en": "铜政发〔2022〕12号 ceased to be in force on 2009-03-06; this incident happened on 2009-03-06, "
              "after its period"}]


def test_an_incident_in_the_period_has_no_warning(pack, tmp_path):
    tracer = Tracer(load_facts([BASE_DIR, case_facts(tmp_path, "inspection_window_boundary")]), pack, PythonBackend())
    assert all(not tracer.trace(i).warnings for i in tracer.select())


def test_a_pack_issued_before_it_takes_effect_says_both_days(early, tmp_path):
    path = write_pack(tmp_path, {"in_force": {"from": date(2022, 6, 1)}})
    (chain,) = json.loads(run("trace", BASE_DIR, early, "--incident", "inc", "--format", "json", "--rules", path))
    assert chain["warnings"][0]["zh"] == ("铜政发〔2022〕12号 于2022-04-24印发，自2022-06-01起施行；"
                                          "本事故发生于2009-03-06，早于该方案施行")


def test_the_report_names_the_version_of_a_dated_pack(tmp_path):
    pack = load_pack(write_pack(tmp_path, DATED))
    tracer = Tracer(load_facts([BASE_DIR, case_facts(tmp_path, "inspection_window_boundary")]), pack, PythonBackend())
    chain = tracer.trace(tracer.select()[0])
    basis = next(line for line in markdown([chain], pack, tracer.graph, "zh").splitlines() if line.startswith("- 事故 `"))
    assert basis == (f"- 事故 `{chain.context.incident.id}`；规则包 tongchuan-2022（{pack.digest}），事故当日施行的版本 "
                     f"{pack.as_of(chain.context.day).digest}；事实摘要 {chain.facts_digest}")
