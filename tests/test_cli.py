"""The command line: exit codes, exact messages, help for every command."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli import cli
from tests.conftest import BASE_TOWN, EXAMPLE

runner = CliRunner()


def run(*args):
    return runner.invoke(cli, [str(a) for a in args])


def test_validate_prints_one_line_per_file():
    r = run("validate", BASE_TOWN, "--lang", "en")
    assert r.exit_code == 0
    assert r.output == f"{BASE_TOWN}: ok: 4 sectors, 9 units, 13 people, 13 posts, 14 tenures, 7 assignments\n"
    zh = run("validate", BASE_TOWN)
    assert zh.output == f"{BASE_TOWN}：无误：行业领域 4 条、单位 9 条、人员 13 条、职务 13 条、任职 14 条、分工 7 条\n"


def test_validate_prints_every_problem_and_exits_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("people:\n  - {id: a}\n  - {id: a, name: 甲, age: 3}\n", encoding="utf-8")
    r = run("validate", bad)
    assert r.exit_code == 2
    assert r.output == (
        f"error: 2 problems in {bad}:\n"
        f"{bad}: people #1 (a): field 'name': Field required\n  hint: add this field\n"
        f"{bad}: people #2 (a): field 'age': Extra inputs are not permitted\n"
        "  hint: remove it, or spell a known field; known fields: id, name\n")


def test_a_missing_path_is_a_usage_error():
    r = run("validate", "no/such/dir")
    assert r.exit_code == 2 and "does not exist" in r.output


def test_trace_unknown_incident_suggests_the_closest():
    r = run("trace", EXAMPLE, "--incident", "inc-2023-9")
    assert (r.exit_code, r.output) == (2, "error: unknown incident 'inc-2023-9' (did you mean 'inc-2023-08'?)\n")


def test_trace_json_is_always_an_array_and_jsonl_one_chain_per_line():
    (one,) = json.loads(run("trace", EXAMPLE, "--incident", "inc-2023-02", "--format", "json").output)
    several = json.loads(run("trace", EXAMPLE, "--incident", "inc-2023-02", "--incident", "inc-2022-01",
                             "--format", "json").output)
    lines = run("trace", EXAMPLE, "--incident", "inc-2023-02", "--incident", "inc-2022-01",
                "--format", "jsonl").output.splitlines()
    assert one["incident"]["id"] == "inc-2023-02"
    assert [c["incident"]["id"] for c in several] == ["inc-2023-02", "inc-2022-01"]
    assert [json.loads(line) for line in lines] == several
    assert list(one) == ["exonerated", "facts_digest", "gaps", "grade", "incident", "links", "rulepack",
                         "to_examine", "units", "warnings"]
    assert list(one["links"][0]) == ["categories", "clauses", "evidence", "findings", "grade", "mitigations", "name",
                                     "person", "posts", "principles", "pursued", "rules", "sources", "tier"]


def test_trace_table_names_people_in_chinese_by_default_and_english_on_request():
    zh = run("trace", EXAMPLE, "--incident", "inc-2023-05")
    en = run("trace", EXAMPLE, "--incident", "inc-2023-05", "--lang", "en")
    assert zh.exit_code == en.exit_code == 0
    assert all(w in zh.output for w in ("层级", "责任类别", "刘世文 (liu_shiwen)", "数据缺口"))
    assert all(w in en.output for w in ("Tier", "Category", "刘世文 (liu_shiwen)", "Data gaps"))


def test_trace_with_a_broken_pack_exits_2_naming_the_rule(tmp_path):
    pack = tmp_path / "pack.yaml"
    pack.write_text("pack: {id: x, title: t, document: d, issued: 2022-01-01}\nclauses: {}\nparameters: {}\n"
                    "categories: {}\nprinciples: {}\ntiers: []\nrules:\n  - {id: r1}\n", encoding="utf-8")
    r = run("trace", EXAMPLE, "--rules", pack)
    assert r.exit_code == 2
    assert f"{pack}: rules #1 (r1): field 'principle': Field required" in r.output


def test_org_shows_the_successor_on_the_succession_day():
    before = run("org", EXAMPLE, "--as-of", "2023-02-28").output
    after = run("org", EXAMPLE, "--as-of", "2023-03-01").output
    assert "塔拉 (tala)" in before and "苏振华 (su_zhenhua)" not in before
    assert "苏振华 (su_zhenhua)" in after


def test_schema_is_json_schema_of_the_fact_file():
    schema = json.loads(run("schema").output)
    assert set(schema["properties"]) == {"sectors", "units", "people", "posts", "tenures", "assignments",
                                         "incidents", "inspections", "signatures", "duty_records", "hazards",
                                         "conduct", "orders", "records"}
    assert "safety_lead" not in schema["$defs"]["Post"]["properties"]
    assert "from" in schema["$defs"]["Tenure"]["properties"]


def test_schema_context_lists_the_fact_kinds_rules_match_on():
    kinds = json.loads(run("schema", "--context").output)
    assert kinds["inspection"]["days_before"] == "int"


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help(command):
    r = run(command, "--help")
    assert r.exit_code == 0 and "Usage:" in r.output and len(cli.commands[command].help or "") > 20


def test_an_internal_failure_exits_1_without_a_traceback(monkeypatch):
    import engine.chain.trace
    monkeypatch.setattr(engine.chain.trace.Tracer, "trace", lambda self, i: 1 / 0)
    r = run("trace", EXAMPLE)
    assert r.exit_code == 1
    assert r.output == "internal error: ZeroDivisionError: division by zero (set WENZE_DEBUG=1 for the traceback)\n"


def test_every_command_that_prints_takes_output_and_lang():
    for name, command in cli.commands.items():
        options = {o for p in command.params for o in getattr(p, "opts", [])}
        assert "--lang" in options, name
        if name not in ("batch", "template", "serve"):  # a folder; a file it names; a server
            assert {"-o", "--output"} <= options, name


def test_output_writes_the_file_instead_of_printing(tmp_path):
    out = tmp_path / "chains.json"
    r = run("trace", EXAMPLE, "--incident", "inc-2023-02", "--format", "json", "-o", out)
    assert (r.exit_code, r.output) == (0, "")
    assert json.loads(out.read_text(encoding="utf-8"))[0]["incident"]["id"] == "inc-2023-02"
    table = tmp_path / "table.txt"
    run("trace", EXAMPLE, "--incident", "inc-2023-02", "-o", table)
    assert "刘世文 (liu_shiwen)" in table.read_text(encoding="utf-8")


def test_the_table_is_as_wide_as_columns_says(monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    narrow = run("trace", EXAMPLE, "--incident", "inc-2023-02").output
    monkeypatch.setenv("COLUMNS", "220")
    wide = run("trace", EXAMPLE, "--incident", "inc-2023-02").output
    assert max(map(len, narrow.splitlines())) <= 100 < max(map(len, wide.splitlines())) <= 220


def test_no_english_in_chinese_org_and_table_output():
    org_out = run("org", EXAMPLE, "--as-of", "2023-03-01").output
    assert org_out.splitlines()[0].strip() == "组织与职责（2023-03-01）"
    assert "as of" not in org_out and "in_charge" not in org_out and "分管：" in org_out
    table = run("trace", EXAMPLE, "--incident", "inc-2023-02").output
    assert "单位：事故发生单位" in table and "enterprise" not in table


def test_explain_under_a_scenario(tmp_path):
    scenario = EXAMPLE.parent / "scenarios" / "no-stationed.yaml"
    base = json.loads(run("explain", EXAMPLE, "--incident", "inc-2022-02", "--person", "shi_yanjun",
                          "--format", "json").output)
    under = json.loads(run("explain", EXAMPLE, "--incident", "inc-2022-02", "--person", "shi_yanjun",
                           "--scenario", scenario, "--format", "json").output)
    assert "stationed_cadre" in [w["rule"] for w in base["why"]]
    assert "stationed_cadre" not in [w["rule"] for w in under["why"]]


def test_wenze_test_runs_yaml_cases_against_a_pack(tmp_path):
    cases = EXAMPLE.parent.parent.parent / "tests" / "cases"
    r = run("test", cases / "inspection_window_boundary", cases / "vacant_post_is_a_data_gap", "--backend", "python",
            "--lang", "en")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[-1] == "2 passed, 0 failed"
    wrong = tmp_path / "cases" / "wrong"
    wrong.mkdir(parents=True)
    (tmp_path / "cases" / "_base").symlink_to(cases / "_base")
    text = (cases / "inspection_window_boundary" / "case.yaml").read_text(encoding="utf-8")
    (wrong / "case.yaml").write_text(text.replace("    - i365", "    - i366"), encoding="utf-8")
    r = run("test", tmp_path / "cases", "--backend", "python", "--lang", "en")
    assert r.exit_code == 1
    assert r.output.splitlines()[1] == "    evidence of insp: expected ['c1', 'hz1', 'i366'], got ['c1', 'hz1', 'i365']"
    assert r.output.splitlines()[-1] == "0 passed, 1 failed"
def test_trace_streams_each_chain_before_it_traces_the_next(monkeypatch):
    """`trace` over 100,000 incidents held every chain at once (19 GB); now each is written as it is made,
    and the text is byte for byte what the chains rendered together give."""
    import engine.chain.trace
    import engine.outputs.table
    traced, seen = [], []
    real_trace, real_parts = engine.chain.trace.Tracer.trace, engine.outputs.table.chains_json_parts

    def parts(chains):
        for part in real_parts(chains):
            seen.append(len(traced))
            yield part

    monkeypatch.setattr(engine.chain.trace.Tracer, "trace", lambda self, i: traced.append(i.id) or real_trace(self, i))
    monkeypatch.setattr(engine.outputs.table, "chains_json_parts", parts)
    streamed = run("trace", EXAMPLE, "--format", "json").output
    n = len(traced)
    assert n > 2 and seen == [0, *range(1, n + 1), n]
    monkeypatch.undo()
    from engine.chain.trace import Tracer
    from engine.outputs.table import chains_json
    from engine.pack.rulepack import load_pack
    from facts.load import load_facts
    tracer = Tracer(load_facts([EXAMPLE]), load_pack())
    assert streamed == chains_json([tracer.trace(i) for i in tracer.select()])
