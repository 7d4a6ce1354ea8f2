"""Batch runs: every incident under every variant; a bad record or a dead worker loses nothing else."""
from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import engine.analyses.whatif.evaluate
from cli import cli
from engine.analyses.batch.outputs import BINARY, OUTPUTS
from engine.analyses.batch.run import run_batch
from facts.errors import InputError
from facts.load import load_facts
from facts.synth import CountySpec, write_fact_dir
from tests.conftest import EXAMPLE

BATCH = EXAMPLE.parent / "tongchuan-batch" / "incidents.jsonl"
SCENARIOS = EXAMPLE.parent / "scenarios"
RULE_ONLY = [str(SCENARIOS / "no-stationed.yaml"), str(SCENARIOS / "signatures-two-years.yaml")]
REASSIGN = str(SCENARIOS / "reassign-industry.yaml")


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return BATCH.read_text(encoding="utf-8").splitlines()


def write(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "incidents.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def outputs(out: Path) -> dict[str, str]:
    """The text outputs (summary.xlsx is the summary again, checked apart)."""
    return {name: (out / name).read_text(encoding="utf-8") for name in OUTPUTS if name not in BINARY}


def errors(out: Path) -> list[dict]:
    return [json.loads(l) for l in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]


def test_the_example_batch_runs_clean_with_one_chain_per_incident_and_variant(pack, tmp_path):
    r = run_batch([EXAMPLE], BATCH, pack, tmp_path, RULE_ONLY + [REASSIGN], workers=0, backend="python")
    assert (r.lines, r.evaluated, r.failed_input, r.failed_internal, r.exit_code) == (30, 30, 0, 0, 0)
    chains = [json.loads(l) for l in (tmp_path / "chains.jsonl").read_text(encoding="utf-8").splitlines()]
    ids = [json.loads(l)["id"] for l in BATCH.read_text(encoding="utf-8").splitlines()]
    names = ["baseline", "no-stationed", "acts-two-years", "industry-to-deputy-mayor-4"]
    assert [(c["incident"], c["scenario"]) for c in chains] == [(i, n) for i in ids for n in names]
    assert all(c["chain"]["incident"]["id"] == c["incident"] for c in chains)
    with (tmp_path / "diff.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert {r["scenario"] for r in rows} == set(names[1:])
    assert {r["change"] for r in rows if r["scenario"] == "no-stationed"} <= {"removed", "changed", "gap_removed"}
    assert "## no-stationed" in (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())


def test_workers_and_backends_give_byte_identical_outputs(pack, tmp_path, lines):
    small = write(tmp_path, lines[:6])
    runs = {}
    for workers, backend in ((0, "python"), (2, "python"), (2, "durable")):
        out = tmp_path / f"{workers}-{backend}"
        run_batch([EXAMPLE], small, pack, out, RULE_ONLY, workers=workers, backend=backend)
        runs[workers, backend] = outputs(out)
    assert runs[0, "python"] == runs[2, "python"]
    durable = runs[2, "durable"]
    durable["summary.md"] = durable["summary.md"].replace("| 规则引擎 | durable |", "| 规则引擎 | python |")
    assert durable == runs[0, "python"]


def test_a_bad_record_is_reported_on_its_line_and_loses_nothing_else(pack, tmp_path, lines):
    rows = lines[:2] + [
        "{not json",
        '{"id": "x1", "occurred_at": "2023-01-01T10:00:00+08:00", "site": "zhijita_quary"}',
        "",
        '{"id": "x2", "occurred_at": "2023-01-01", "site": "zhijita_quarry", "deaths": -1}',
        lines[0],
    ] + lines[2:4]
    out = tmp_path / "out"
    r = run_batch([EXAMPLE], write(tmp_path, rows), pack, out, RULE_ONLY, workers=2, backend="python")
    assert (r.lines, r.evaluated, r.failed_input, r.failed_internal, r.exit_code) == (9, 4, 5, 0, 2)
    assert errors(out) == [
        {"line": 3, "incident": None, "scenario": None, "kind": "input", "field": "",
         "message": "column 2: not valid JSON: Expecting property name enclosed in double quotes",
         "hint": "fix the syntax at that place"},
        {"line": 4, "incident": "x1", "scenario": None, "kind": "input", "field": "site",
         "message": "unknown unit 'zhijita_quary' (did you mean 'zhijita_quarry'?)",
         "hint": "define it under 'units' or correct the id"},
        {"line": 6, "incident": "x2", "scenario": None, "kind": "input", "field": "occurred_at",
         "message": "must be a date and time with its zone, e.g. 2023-03-01T14:20:00+08:00, not the text "
                    "'2023-01-01'", "hint": ""},
        {"line": 6, "incident": "x2", "scenario": None, "kind": "input", "field": "deaths",
         "message": "must be 0 or more, not -1", "hint": ""},
        {"line": 7, "incident": "inc-2022-01", "scenario": None, "kind": "input", "field": "id",
         "message": "duplicate incident id 'inc-2022-01'",
         "hint": "line 1 has it already; give each incident its own id"},
    ]
    chains = [json.loads(l) for l in (out / "chains.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [c["incident"] for c in chains if c["scenario"] == "baseline"] == [
        json.loads(l)["id"] for l in lines[:4]]


def test_an_id_missing_only_under_a_scenario_fails_that_scenario_alone(pack, tmp_path, lines):
    visitor = tmp_path / "visitor.yaml"
    visitor.write_text("people:\n  - {id: visitor, name: 访客}\n", encoding="utf-8")
    gone = tmp_path / "gone.yaml"
    gone.write_text("name: no-visitor\nchanges:\n  - remove: {people: [visitor]}\n", encoding="utf-8")
    second = json.loads(lines[1])
    rows = [lines[0], json.dumps({**second, "involved": second["involved"] + ["visitor"]}, ensure_ascii=False)]
    out = tmp_path / "out"
    r = run_batch([EXAMPLE, visitor], write(tmp_path, rows), pack, out, [str(gone)], workers=0, backend="python")
    assert r.exit_code == 2
    assert errors(out) == [{"line": 2, "incident": "inc-2022-02", "scenario": "no-visitor", "kind": "input",
                            "field": "involved.2", "message": "under this scenario: unknown person 'visitor'",
                            "hint": "define it under 'people' or correct the id"}]
    chains = [json.loads(l) for l in (out / "chains.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(c["incident"], c["scenario"]) for c in chains] == [
        ("inc-2022-01", "baseline"), ("inc-2022-01", "no-visitor"), ("inc-2022-02", "baseline")]


def test_a_killed_worker_loses_only_the_incident_it_died_on(pack, tmp_path, lines, monkeypatch):
    real = engine.analyses.whatif.evaluate.build_context

    def fatal(graph, incident):  # forked workers inherit this: the one incident kills its worker, every time
        if incident.id == "inc-2023-01":
            os._exit(7)
        return real(graph, incident)

    monkeypatch.setattr(engine.analyses.whatif.evaluate, "build_context", fatal)
    out = tmp_path / "out"
    r = run_batch([EXAMPLE], write(tmp_path, lines[:12]), pack, out, RULE_ONLY, workers=2, backend="durable")
    assert (r.lines, r.evaluated, r.failed_input, r.failed_internal, r.exit_code) == (12, 11, 0, 1, 1)
    assert errors(out) == [{"line": 3, "incident": "inc-2023-01", "scenario": None, "kind": "internal", "field": "",
                            "message": "the worker process died while evaluating this incident (exit code 7)",
                            "hint": "a failure inside wenze (or the machine: memory?); the other incidents are unaffected"}]
    chains = [json.loads(l) for l in (out / "chains.jsonl").read_text(encoding="utf-8").splitlines()]
    expected = [json.loads(l)["id"] for l in lines[:12] if json.loads(l)["id"] != "inc-2023-01"]
    assert [c["incident"] for c in chains if c["scenario"] == "baseline"] == expected
    assert len(chains) == 3 * len(expected)


def test_an_engine_error_fails_its_variant_and_exits_1(pack, tmp_path, lines, monkeypatch):
    real = engine.analyses.whatif.evaluate.build_chain

    def broken(p, graph, ctx, matches):
        if p.digest != pack.digest and ctx.incident.id == "inc-2022-02":
            raise RuntimeError("boom")
        return real(p, graph, ctx, matches)

    monkeypatch.setattr(engine.analyses.whatif.evaluate, "build_chain", broken)
    out = tmp_path / "out"
    r = run_batch([EXAMPLE], write(tmp_path, lines[:2]), pack, out, RULE_ONLY[:1], workers=0, backend="python")
    assert r.exit_code == 1
    assert [(e["line"], e["scenario"], e["kind"], e["message"]) for e in errors(out)] == [
        (2, "no-stationed", "internal", "RuntimeError: boom")]


def test_a_failed_run_leaves_the_old_outputs_in_place(pack, tmp_path, lines, monkeypatch):
    out = tmp_path / "out"
    run_batch([EXAMPLE], write(tmp_path, lines[:1]), pack, out, workers=0, backend="python")
    before = outputs(out)
    monkeypatch.setattr("engine.analyses.batch.run.summary", lambda *a: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        run_batch([EXAMPLE], write(tmp_path, lines[:3]), pack, out, RULE_ONLY, workers=0, backend="python")
    assert outputs(out) == before
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUTS)


def test_the_context_is_computed_once_per_incident_for_rule_only_scenarios(pack, tmp_path, lines, monkeypatch):
    calls = []
    real = engine.analyses.whatif.evaluate.build_context
    monkeypatch.setattr(engine.analyses.whatif.evaluate, "build_context", lambda g, i: calls.append(i.id) or real(g, i))
    incidents = write(tmp_path, lines[:5])
    run_batch([EXAMPLE], incidents, pack, tmp_path / "a", RULE_ONLY, workers=0, backend="python")
    assert len(calls) == 5
    calls.clear()
    run_batch([EXAMPLE], incidents, pack, tmp_path / "b", RULE_ONLY + [REASSIGN], workers=0, backend="python")
    assert len(calls) == 10  # the reassignment changes the facts: a second context per incident


def test_a_scenario_that_changes_incidents_is_refused_in_a_batch(pack, tmp_path, lines):
    s = tmp_path / "s.yaml"
    s.write_text("name: s\nchanges:\n  - remove: {incidents: [inc-2022-01]}\n", encoding="utf-8")
    with pytest.raises(InputError, match="the scenario changes incidents"):
        run_batch([EXAMPLE], write(tmp_path, lines[:1]), pack, tmp_path / "out", [str(s)], workers=0)


def test_the_command_exits_2_on_a_bad_record_and_reports_on_stderr(tmp_path, lines):
    incidents = write(tmp_path, lines[:2] + ["[1, 2]"])
    r = CliRunner().invoke(cli, ["batch", "--org", str(EXAMPLE), "--incidents", str(incidents), "--out",
                                 str(tmp_path / "out"), "--workers", "0", "--backend", "python", "--lang", "en"])
    assert r.exit_code == 2
    assert r.output == (f"3 lines, 2 incidents evaluated; 1 failures (see {tmp_path / 'out' / 'errors.jsonl'}); "
                        f"outputs in {tmp_path / 'out'}\n")


def test_a_synthetic_county_is_valid_and_the_same_for_the_same_seed(tmp_path):
    spec = CountySpec(towns=2, villages=4, enterprises=30, people=120, years=2, incidents=40)
    org, incidents = write_fact_dir(spec, tmp_path / "a")
    again, _ = write_fact_dir(spec, tmp_path / "b")
    assert org.read_bytes() == again.read_bytes()
    facts = load_facts([org])
    assert (len(facts.people), len([u for u in facts.units if u.kind == "enterprise"])) == (120, 30)
    assert len(incidents.read_text(encoding="utf-8").splitlines()) == 40


@pytest.mark.parametrize("form", ["yaml", "json", "xlsx", "csv"])
def test_incidents_from_any_fact_file_give_the_chains_of_json_lines(pack, tmp_path, lines, form):
    from facts.convert import write_facts
    from facts.model import FactSet

    incidents = FactSet(incidents=[json.loads(line) for line in lines[:5]])
    path = tmp_path / ("in" if form == "csv" else f"incidents.{form}")
    write_facts(incidents, path)
    if form == "csv":
        path = path / "事故.csv"  # a lone CSV of the incidents (their reports and causes are lost: not the point)
        jsonl = write(tmp_path, [json.dumps({k: v for k, v in json.loads(l).items() if k not in ("reports", "causes")})
                                 for l in lines[:5]])
    else:
        jsonl = write(tmp_path, lines[:5])
    run_batch([EXAMPLE], jsonl, pack, tmp_path / "a", workers=0, backend="python")
    run_batch([EXAMPLE], path, pack, tmp_path / "b", workers=0, backend="python")
    assert (tmp_path / "b" / "chains.jsonl").read_text(encoding="utf-8") == \
        (tmp_path / "a" / "chains.jsonl").read_text(encoding="utf-8")


def test_an_error_in_a_sheet_of_incidents_names_its_cell(pack, tmp_path, lines):
    from facts.convert import write_facts
    from facts.model import FactSet

    facts = FactSet(incidents=[json.loads(line) for line in lines[:2]])
    bad = facts.incidents[1].model_copy(update={"site": "nowhere"})
    write_facts(facts.model_copy(update={"incidents": [facts.incidents[0], bad]}), tmp_path / "in.xlsx")
    r = run_batch([EXAMPLE], tmp_path / "in.xlsx", pack, tmp_path / "out", workers=0, backend="python")
    assert (r.evaluated, r.exit_code) == (1, 2)
    (e,) = errors(tmp_path / "out")
    assert (e["line"], e["cell"], e["field"], e["message"]) == (4, "事故!C4", "事故单位", "unknown unit 'nowhere'")


def test_an_act_to_examine_a_scenario_drops_is_a_row_of_diff_csv_and_a_figure_of_the_summary(pack, tmp_path, lines):
    scenario = tmp_path / "no-covers-entry.yaml"
    scenario.write_text("name: no-covers-entry\nchanges:\n  - disable_rules: [signature_covers_unrecorded]\n",
                        encoding="utf-8")
    out = tmp_path / "out"
    line = next(l for l in lines if json.loads(l)["id"] == "inc-2022-02")
    run_batch([EXAMPLE], write(tmp_path, [line]), pack, out, [str(scenario)], workers=0, backend="python")
    with (out / "diff.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [(r["change"], r["change_label"], r["party"], r["gap"], r["record"]) for r in rows] == [
        ("examine_removed", "移除待核实事项", "liu_yanjun", "signature_covers_unrecorded",
         "sig-2022-05-16-site-approval")]
    assert "| 1 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 1 |" in (out / "summary.md").read_text(encoding="utf-8")


def test_diff_csv_opens_in_excel_with_labels_beside_ids(pack, tmp_path, lines):
    out = tmp_path / "out"
    run_batch([EXAMPLE], write(tmp_path, lines[:3]), pack, out, RULE_ONLY[:1], workers=0, backend="python")
    raw = (out / "diff.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with (out / "diff.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    row = next(r for r in rows if r["change"] == "removed")
    assert row["change_label"] == "移除" and row["tier_before_label"] and row["categories_before_label"]
    assert {k: row[k] for k in ("tier_before", "tier_before_label", "categories_before", "categories_before_label",
                                "principles_before_label", "grade_before_label")} == {
        "tier_before": "liaison", "tier_before_label": "驻村包村包社干部",
        "categories_before": "territorial_responsibility", "categories_before_label": "属地管理责任",
        "principles_before_label": "谁驻村、谁负责", "grade_before_label": "属地管理责任"}
    import openpyxl
    book = openpyxl.load_workbook(out / "summary.xlsx")
    cells = [c.value for row in book.active.iter_rows() for c in row if c.value is not None]
    assert "wenze 批量评估：概要" in cells and "no-stationed" in cells
    sheet = [[c.value for c in row] for row in book.active.iter_rows()]
    figures = sheet[[r[0] for r in sheet].index("已评估事故") + 1]
    assert figures == [3, 3, 0, 6, 1, 0, 6, 0, 0, 0, 0]  # numbers as numbers, the figures of summary.md
    assert "| 3 | 3 | 0 | 6 | 1 | 0 | 6 | 0 | 0 | 0 | 0 |" in (out / "summary.md").read_text(encoding="utf-8")
