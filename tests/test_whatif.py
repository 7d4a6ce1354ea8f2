"""What-if scenarios: pure, composable, every kind of change with its exact diff, errors that name the change."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from cli import cli
from engine.analyses.whatif.apply import apply
from engine.analyses.whatif.evaluate import compare, variants
from engine.analyses.whatif.scenario import ScenarioError, load_scenario
from engine.chain.chain import build_chain
from engine.chain.trace import Tracer
from engine.incident.context import build_context
from engine.org.graph import OrgGraph
from engine.pack.backends import PythonBackend
from engine.pack.rulepack import DEFAULT_PACK, load_pack
from facts.canon import canonical_json
from facts.load import load_facts
from tests.conftest import BASE_TOWN, EXAMPLE

SCENARIOS = EXAMPLE.parent / "scenarios"
# One incident at the quarry of the base town, caused by a hazard there since 2021, with an inspection that
# missed it and an old permit that covered it.
ACTS = """
incidents:
  - id: i1
    occurred_at: 2022-06-01T10:00:00+08:00
    site: pit
    deaths: 1
    involved: [worker]
    reports:
      - {channel: enterprise_to_authority, by: boss, at: 2022-06-01T10:30:00+08:00, deaths: 1, serious_injuries: 0}
      - {channel: village_to_town, by: vhead, at: 2022-06-01T10:40:00+08:00, deaths: 1, serious_injuries: 0}
      - {channel: town_to_district, by: mayor, at: 2022-06-01T11:00:00+08:00, deaths: 1, serious_injuries: 0}
    causes:
      - {id: c1, kind: direct, description: 边坡浮石滚落, hazards: [hz1]}
hazards:
  - {id: hz1, site: pit, kind: 边坡浮石, description: 采区边坡浮石未清理, from: 2021-01-01}
inspections:
  - {id: ins1, date: 2022-03-01, site: pit, inspectors: [insp], outcome: passed}
signatures:
  - {id: sig1, person: dep2, date: 2021-03-01, site: pit, document: permit, covers: [hz1]}
"""


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    acts = tmp_path_factory.mktemp("town") / "acts.yaml"
    acts.write_text(ACTS, encoding="utf-8")
    return load_facts([BASE_TOWN, acts])


@pytest.fixture(scope="module")
def example():
    return load_facts([EXAMPLE])


def scenario(tmp_path: Path, changes: list, name: str = "s") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"name": name, "changes": changes}, allow_unicode=True), encoding="utf-8")
    return path


def diff_of(town, pack, path: Path) -> dict:
    """The diff of incident i1 under the scenario, as JSON."""
    [cmp] = compare(variants(town, pack, [str(path)]), PythonBackend())
    return cmp.diffs[0].as_json()


def person(change: str, who: str, name: str, posts: list, before=None, after=None, aspects=()) -> dict:
    return {"change": change, "party_kind": "person", "party": who, "name": name, "aspects": list(aspects),
            "posts": [{"post": p, "title": t} for p, t in posts], "before": before, "after": after}


def standing(tier: str, categories: list, principles: list, grade: str) -> dict:
    return {"tier": tier, "categories": categories, "principles": principles, "grade": grade}


CADRE = standing("liaison", ["liaison_responsibility"], ["stationed"], "oversight")
INSPECTOR = standing("inspectors_signers", ["inspection_responsibility"], ["inspected"], "direct_supervision")
DEP1 = standing("sector_leader", ["direct_leadership"], ["in_charge"], "important_leadership")
DEP2 = standing("liaison", ["territorial_responsibility"], ["stationed"], "territorial")
MAYOR = standing("town_heads", ["overall_leadership"], ["joint_party_government"], "important_leadership")
OFFICER, DEPUTY = [("p_officer", "执法员")], [("p_dep1", "副镇长")]

# -- every kind of change, with its exact diff ------------------------------------------------

CHANGES = {
    "disable_rules": ([{"disable_rules": ["stationed_cadre"]}],
                      [person("removed", "cadre", "干部庚", OFFICER, before=CADRE)], []),
    "enable_rules": ([{"disable_rules": ["stationed_cadre"]}, {"enable_rules": ["stationed_cadre"]}], [], []),
    "set_params": ([{"set_params": {"signature_window_days": 730}}],
                   [person("changed", "dep2", "副镇长戊", [("p_dep2", "副镇长")], before=DEP2,
                           aspects=("categories", "principles", "grade"),
                           after=standing("liaison", ["signature_responsibility", "territorial_responsibility"],
                                          ["signed", "stationed"], "direct_supervision"))], []),
    "set_params of an escalation": ([{"set_params": {"escalation_grade_rank": 1}}],
                                    [person("changed", "mayor", "镇长乙", [("p_mayor", "镇长")], aspects=("grade",),
                                            before=MAYOR, after={**MAYOR, "grade": "main_leadership"})], []),
    "add": ([{"add": {"inspections": [{"id": "ins2", "date": "2022-05-01", "site": "pit", "inspectors": ["whead"],
                                       "outcome": "passed"}]}}],
            [person("added", "whead", "西村书记壬", [("p_west_sec", "西村党支部书记")], after=INSPECTOR)], []),
    "remove": ([{"remove": {"inspections": ["ins1"]}}],
               [person("removed", "insp", "执法员己", OFFICER, before=INSPECTOR)], []),
    "replace": ([{"replace": {"inspections": [{"id": "ins1", "date": "2022-03-01", "site": "pit", "inspectors": ["whead"],
                                               "outcome": "passed"}]}}],
                [person("removed", "insp", "执法员己", OFFICER, before=INSPECTOR),
                 person("added", "whead", "西村书记壬", [("p_west_sec", "西村党支部书记")], after=INSPECTOR)], []),
    "end_tenure": ([{"end_tenure": {"tenure": "t_dep1", "on": "2022-05-01"}}],
                   [person("removed", "dep1", "副镇长丁", DEPUTY, before=DEP1)],
                   [{"change": "added", "rule": "no_leader_in_charge", "message": {
                       "en": "nobody was in charge of sector 砂石开采 (quarry) or a parent sector on the day",
                       "zh": "事故当日无人分管行业“砂石开采”（quarry）及其上级行业"}},
                    {"change": "added", "rule": "vacant_post", "message": {
                        "en": "post 副镇长 (p_dep1) was vacant on the day; its duties fell to nobody",
                        "zh": "事故当日职务“副镇长”（p_dep1）空缺，其职责无人承担"}}]),
    "reassign": ([{"reassign": {"assignment": "a_mining", "post": "p_dep2", "from": "2022-05-01"}}],
                 [person("changed", "dep2", "副镇长戊", [("p_dep2", "副镇长")], before=DEP2,
                         aspects=("tier", "categories", "principles", "grade"),
                         after=standing("sector_leader", ["direct_leadership", "territorial_responsibility"],
                                        ["in_charge", "stationed"], "important_leadership")),
                  person("removed", "dep1", "副镇长丁", DEPUTY, before=DEP1)], []),
}


@pytest.mark.parametrize("kind", CHANGES)
def test_each_kind_of_change_has_its_exact_diff(town, pack, tmp_path, kind):
    changes, links, gaps = CHANGES[kind]
    d = diff_of(town, pack, scenario(tmp_path, changes))
    assert (d["links"], d["gaps"]) == (links, gaps)
    assert d["affected"] == bool(links or gaps)


def test_swap_pack_evaluates_under_the_other_pack(town, pack, tmp_path):
    raw = yaml.safe_load(DEFAULT_PACK.read_text(encoding="utf-8"))
    raw["rules"] = [r for r in raw["rules"] if r["id"] != "involved_staff"]
    raw["grading"] = [g for g in raw["grading"] if g["id"] != "involved_staff"]  # a grading names only rules it has
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "no-staff.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False),
                                                      encoding="utf-8")
    d = diff_of(town, pack, scenario(tmp_path, [{"swap_pack": "packs/no-staff.yaml"}]))
    assert d["links"] == [person("removed", "worker", "工人丑", [("p_pit_worker", "工人")],
                                 before=standing("site_staff", ["post_responsibility"], ["enterprise"], "direct"))]


def test_reassign_from_a_date_ends_the_old_assignment_and_starts_a_new_one(town, pack, tmp_path):
    facts, _ = apply([load_scenario(scenario(tmp_path, CHANGES["reassign"][0]))], town, pack)
    mining = [(a.id, a.post, str(a.valid_from), str(a.valid_to)) for a in facts.assignments if a.id.startswith("a_mining")]
    assert mining == [("a_mining", "p_dep1", "2022-01-01", "2022-05-01"),
                      ("a_mining@2022-05-01", "p_dep2", "2022-05-01", "None")]


# -- purity and composition ---------------------------------------------------------------------


def changes_strategy(town, pack):
    """Changes over the base town's real ids (some do not apply: those must leave the baseline alone too)."""
    rules = [r.id for r in pack.rules]
    day = st.dates(min_value=town.tenures[0].valid_from, max_value=town.tenures[0].valid_from.replace(year=2024))
    return st.one_of(
        st.lists(st.sampled_from(rules), min_size=1, max_size=4).map(lambda ids: {"disable_rules": ids}),
        st.lists(st.sampled_from(rules), min_size=1, max_size=4).map(lambda ids: {"enable_rules": ids}),
        st.integers(0, 2000).map(lambda n: {"set_params": {"signature_window_days": n}}),
        st.sampled_from([i.id for i in town.inspections]).map(lambda i: {"remove": {"inspections": [i]}}),
        st.tuples(st.sampled_from([t.key for t in town.tenures]), day).map(
            lambda t: {"end_tenure": {"tenure": t[0], "on": t[1]}}),
        st.tuples(st.sampled_from([a.id for a in town.assignments]), st.sampled_from([p.id for p in town.posts]), day).map(
            lambda a: {"reassign": {"assignment": a[0], "post": a[1], "from": a[2]}}),
        st.tuples(st.sampled_from([p.id for p in town.people]), day).map(lambda p: {"add": {"inspections": [
            {"id": "new", "date": p[1], "site": "pit", "inspectors": [p[0]], "outcome": "passed"}]}}),
    )


@given(data=st.data())
def test_applying_scenarios_never_changes_the_baseline(town, pack, tmp_path_factory, data):
    """Whatever the changes, and whether or not they apply, the baseline facts and pack are as before."""
    changes = data.draw(st.lists(changes_strategy(town, pack), min_size=1, max_size=5))
    path = scenario(tmp_path_factory.mktemp("s"), changes)
    facts_before, pack_before = canonical_json(town.dump()), pack.digest
    try:
        apply([load_scenario(path)], town, pack)
    except ScenarioError:
        pass
    assert (canonical_json(town.dump()), pack.model_dump(mode="json")) == (facts_before, load_pack().model_dump(mode="json"))
    assert pack.digest == pack_before


@given(rules=st.lists(st.sampled_from(["stationed_cadre", "inspector", "signer", "town_heads", "no_village_head"]),
                      min_size=1, unique=True),
       window=st.integers(0, 2000))
def test_a_rule_only_scenario_returns_the_baseline_facts_object(town, pack, tmp_path_factory, rules, window):
    """Changes to rules and parameters leave the very FactSet object, so contexts can be shared."""
    path = scenario(tmp_path_factory.mktemp("s"), [{"disable_rules": rules}, {"set_params": {"inspection_window_days": window}}])
    facts, new = apply([load_scenario(path)], town, pack)
    assert facts is town and new.digest != pack.digest


@given(rules=st.lists(st.sampled_from([r for r in ("stationed_cadre", "inspector", "signer", "town_heads")]),
                      min_size=1, unique=True))
def test_disabling_then_enabling_the_same_rules_gives_back_the_pack(town, pack, tmp_path_factory, rules):
    """enable_rules undoes disable_rules: the pack that comes out is the pack that went in."""
    path = scenario(tmp_path_factory.mktemp("s"), [{"disable_rules": rules}, {"enable_rules": rules}])
    assert apply([load_scenario(path)], town, pack)[1].digest == pack.digest


@given(rules=st.lists(st.sampled_from(["stationed_cadre", "village_liaison", "inspector", "signer", "town_heads",
                                       "no_village_liaison", "vacant_post"]), unique=True),
       window=st.sampled_from([0, 30, 180, 365, 730, 2000]), heads=st.sampled_from([["village_director"], []]))
def test_a_variant_sharing_the_baseline_matches_gets_the_chains_of_its_own_evaluation(
        example, pack, tmp_path_factory, rules, window, heads):
    """Matches reused for the rules a scenario left alone give exactly the chains of matching its whole pack."""
    changes = [{"set_params": {"signature_window_days": window, "village_head_roles": heads}}]
    path = scenario(tmp_path_factory.mktemp("s"), changes + ([{"disable_rules": rules}] if rules else []))
    vs = variants(example, pack, [str(path)])
    backend = PythonBackend()
    for cmp in compare(vs, backend):
        graph = OrgGraph(vs[1].facts)
        ctx = build_context(graph, next(i for i in example.incidents if i.id == cmp.incident))
        alone = build_chain(vs[1].pack, graph, ctx, backend.matches(vs[1].pack, ctx.facts))
        assert cmp.chains[1].as_json() == alone.as_json()


def test_order_matters_where_changes_touch_the_same_thing(town, pack, tmp_path):
    def after(*changes):
        facts, p = apply([load_scenario(scenario(tmp_path, list(changes)))], town, pack)
        return canonical_json(facts.dump()), p.digest

    short, long = {"set_params": {"signature_window_days": 100}}, {"set_params": {"signature_window_days": 730}}
    off, on = {"disable_rules": ["inspector"]}, {"enable_rules": ["inspector"]}
    baseline = canonical_json(town.dump()), pack.digest
    assert after(short, long) == after(long) != after(long, short) == after(short)
    assert after(off, on) == baseline != after(on, off) == after(off)
    # independent changes commute
    assert after(off, long) == after(long, off)


def test_scenarios_compose_in_order_on_the_command_line(town, pack, tmp_path):
    a = scenario(tmp_path, [{"set_params": {"signature_window_days": 730}}], "a")
    b = scenario(tmp_path, [{"set_params": {"signature_window_days": 100}}], "b")
    vs = variants(town, pack, [f"{a}+{b}", f"{b}+{a}"])
    assert [(v.name, v.pack.param("signature_window_days")) for v in vs] == [("baseline", 365), ("a+b", 100), ("b+a", 730)]


# -- errors name the file, the change and the id -------------------------------------------------


ERRORS = {
    "unknown rule": ([{"disable_rules": ["stationed"]}], "changes #1 (disable_rules): field 'disable_rules.0': "
                     "unknown rule 'stationed' (did you mean 'stationed_cadre'?)"),
    "unknown parameter": ([{"set_params": {"signature_days": 3}}], "changes #1 (set_params): field 'set_params.signature_days': "
                          "unknown parameter 'signature_days' (did you mean 'signature_kinds'?)"),
    "unknown record": ([{"remove": {"inspections": ["ins9"]}}], "changes #1 (remove): field 'remove.inspections.0': "
                       "unknown inspection 'ins9' (did you mean 'ins1'?)"),
    "unknown section": ([{"remove": {"inspection": ["ins1"]}}], "changes #1 (remove): field 'remove.inspection': "
                        "unknown section 'inspection' (did you mean 'inspections'?)"),
    "unknown change": ([{"disable_rule": ["x"]}], "changes #1: field 'disable_rule': "
                       "unknown change 'disable_rule' (did you mean 'disable_rules'?)"),
    "unknown post": ([{"reassign": {"assignment": "a_mining", "post": "p_dep", "from": "2022-05-01"}}],
                     "changes #1 (reassign): field 'reassign.post': unknown post 'p_dep' (did you mean 'p_dep2'?)"),
    "bad tenure end": ([{"end_tenure": {"tenure": "t_dep1", "on": "2024-01-01"}}],
                       "changes #1 (end_tenure): field 'end_tenure.on': tenure 't_dep1' runs 2020-01-01 – 2023-03-01; "
                       "2024-01-01 does not end it early"),
    "duplicate add": ([{"add": {"inspections": [{"id": "ins1", "date": "2022-03-01", "site": "pit", "inspectors": ["insp"],
                                                 "outcome": "passed"}]}}],
                      "changes #1 (add): field 'add.inspections.0': inspections 'ins1' already exists"),
    "bad parameter type": ([{"set_params": {"signature_window_days": "two years"}}],
                           "changes #1 (set_params): rules #8 (signer): field 'when.sig.days_before': "
                           "'days_before' is int; got ['two years']"),
    "broken reference": ([{"remove": {"people": ["insp"]}}],
                         "changes #1 (remove): tenures #6 (t_insp): field 'person': unknown person 'insp'"),
}


@pytest.mark.parametrize("case", ERRORS)
def test_a_bad_change_is_named_with_its_file_and_position(town, pack, tmp_path, case):
    changes, expected = ERRORS[case]
    path = scenario(tmp_path, [{"disable_rules": ["inspector"]}] + changes)  # the bad change is #2 (signer is now rules #8)
    with pytest.raises(ScenarioError) as e:
        apply([load_scenario(path)], town, pack)
    first = str(e.value).splitlines()[1]
    assert first.startswith(f"{path}: " + expected.replace("changes #1", "changes #2"))


def test_every_bad_change_of_a_scenario_is_reported_at_once(town, pack, tmp_path):
    path = scenario(tmp_path, [{"disable_rules": ["nope"]}, {"enable_rules": ["inspector"]}, {"set_params": {"x": 1}}])
    with pytest.raises(ScenarioError) as e:
        apply([load_scenario(path)], town, pack)
    assert [p.record for p in e.value.problems] == ["changes #1 (disable_rules)", "changes #3 (set_params)"]


def test_a_scenario_file_with_a_bad_shape_is_an_input_error(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: has space\nchanges: []\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as e:
        load_scenario(path)
    assert [(p.field, p.message) for p in e.value.problems] == [
        ("name", "'has space' has a space; an id is one word (use - or _)"),
        ("changes", "List should have at least 1 item after validation, not 0")]


# -- the command ----------------------------------------------------------------------------------


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_whatif_json_puts_the_baseline_beside_each_scenario_with_the_diff():
    r = run("whatif", EXAMPLE, "--scenario", SCENARIOS / "no-stationed.yaml", "--incident", "inc-2022-02",
            "--format", "json", "--backend", "python")
    assert r.exit_code == 0, r.output
    [out] = json.loads(r.output)
    assert (out["incident"], out["baseline"]["incident"]["id"], [s["name"] for s in out["scenarios"]]) == (
        "inc-2022-02", "inc-2022-02", ["no-stationed"])
    diff = out["scenarios"][0]["diff"]
    assert [(c["change"], c["party"]) for c in diff["links"]] == [
        ("removed", "guo_zhenyu"), ("removed", "shi_yanjun"), ("removed", "zhang_jun")]
    assert "guo_zhenyu" in {l["person"] for l in out["baseline"]["links"]} - {
        l["person"] for l in out["scenarios"][0]["chain"]["links"]}


def test_an_act_to_examine_a_scenario_drops_is_a_change_of_the_chain(example, pack, tmp_path):
    path = scenario(tmp_path, [{"disable_rules": ["signature_covers_unrecorded"]}], "no-covers-entry")
    [cmp] = compare(variants(example, pack, [str(path)]), PythonBackend(), ["inc-2022-02"])
    diff = cmp.diffs[0].as_json()
    assert (diff["affected"], diff["links"], diff["gaps"]) == (True, [], [])
    assert diff["examine"] == [{
        "change": "removed", "person": "liu_yanjun", "record": "sig-2022-05-16-site-approval",
        "rule": "signature_covers_unrecorded",
        "text": {"en": "signed a document of kind approval on 2022-05-16 (sig-2022-05-16-site-approval, as approver), "
                       "but what it covers is not recorded",
                 "zh": "2022-05-16签署了审批意见（sig-2022-05-16-site-approval，审批人），但未载明该文书涉及哪些隐患或事项"}}]
    md = run("whatif", EXAMPLE, "--scenario", path, "--incident", "inc-2022-02", "--format", "md", "--backend", "python")
    assert ("- − 待核实 liu_yanjun: 2022-05-16签署了审批意见（sig-2022-05-16-site-approval，审批人），"
            "但未载明该文书涉及哪些隐患或事项") in md.output.splitlines()


def test_whatif_table_and_markdown_show_the_changes():
    args = ("whatif", EXAMPLE, "--scenario", SCENARIOS / "reassign-industry.yaml", "--incident", "inc-2023-01",
            "--backend", "python", "--lang", "en")
    table, md = run(*args), run(*args, "--format", "md")
    assert table.exit_code == md.exit_code == 0
    assert ("industry-to-deputy-mayor-4: − 塔拉 (tala): leaders in charge: direct leadership responsibility (important "
            "leadership responsibility)") in table.output
    assert ("- + 张鑫 (zhang_xin): leaders in charge: direct leadership responsibility (important leadership "
            "responsibility)") in md.output.splitlines()


def test_whatif_unknown_incident_and_missing_scenario_exit_2():
    unknown = run("whatif", EXAMPLE, "--scenario", SCENARIOS / "no-stationed.yaml", "--incident", "inc-2022-011")
    assert (unknown.exit_code, unknown.output) == (
        2, "error: unknown incident 'inc-2022-011' (did you mean 'inc-2022-01'?)\n")
    assert run("whatif", EXAMPLE).exit_code == 2


def test_declaring_records_complete_turns_a_data_gap_into_a_finding(example, pack):
    """Nothing declared: the co-op's missing self-inspections are a gap naming nobody; declared: its principal's."""
    [cmp] = compare(variants(example, pack, [str(SCENARIOS / "coop-records-complete.yaml")]), PythonBackend(),
                    ["inc-2023-05"])
    d = cmp.diffs[0].as_json()
    assert [(c["party"], c["after"]["categories"]) for c in d["links"]] == [
        ("li_mancang", ["conduct_responsibility", "duty_failure", "principal_responsibility"])]
    assert [(g["change"], g["rule"]) for g in d["gaps"]] == [("removed", "self_inspection_records_missing")]


def test_each_incident_of_a_what_if_is_judged_by_the_pack_of_its_day(example, tmp_path):
    """With a dated parameter, every variant's chain of every incident is the one its own pack traces: the
    evaluator asks the pack as of each incident's day, whatever it shares between variants."""
    dated = tmp_path / "dated.yaml"
    dated.write_text(DEFAULT_PACK.read_text(encoding="utf-8").replace(
        '    reference: "§5"\n    value: 365\n',
        '    reference: "§5"\n    values: {2022-04-24: 365, 2023-01-01: 30}\n', 1), encoding="utf-8")
    pack = load_pack(dated)
    assert pack.parameters["inspection_window_days"].values
    path = scenario(tmp_path, [{"set_params": {"signature_window_days": 30}}], "short-signatures")
    vs = variants(example, pack, [str(path)])
    for cmp in compare(vs, PythonBackend()):
        for variant, chain in zip(vs, cmp.chains):
            alone = Tracer(variant.facts, variant.pack, PythonBackend())
            assert chain.as_json() == alone.trace(alone.incidents[cmp.incident]).as_json(), (cmp.incident, variant.name)
    base = {c.incident: c.chains[0].as_json() for c in compare(vs[:1], PythonBackend())}
    flat = Tracer(example, load_pack(), PythonBackend())
    assert any(chain != flat.trace(flat.incidents[i]).as_json() for i, chain in base.items())  # the date matters
