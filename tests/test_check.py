"""`wenze check`: the shipped pack is clean; a deliberately broken pack shows every kind of finding."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from engine.analyses.check.findings import DYNAMIC_KINDS, STATIC_KINDS
from engine.analyses.check.run import check
from engine.analyses.check.static import static_findings
from engine.chain.trace import Tracer
from engine.pack.backends import PythonBackend
from engine.pack.rulepack import DEFAULT_PACK, load_pack
from facts.load import load_facts
from tests.conftest import ROOT

BROKEN = Path(__file__).resolve().parent / "packs" / "broken.yaml"
runner = CliRunner()


@pytest.fixture(scope="module")
def broken_report():
    """The broken pack over 120 drawn towns (seed 0), examples shrunk briefly: deterministic."""
    return check(load_pack(BROKEN), BROKEN, n=120, seed=0, shrink_seconds=0.2)


def test_shipped_pack_has_no_static_finding(pack):
    assert static_findings(pack, DEFAULT_PACK) == []


def test_shipped_pack_is_clean_over_generated_towns():
    """Run as the command users run, in a process of its own (a seed draws the same towns whatever code is
    loaded: engine.analyses.check.search keeps hypothesis from mixing in the literals of wenze's modules)."""
    done = subprocess.run([sys.executable, "-m", "cli", "check", str(DEFAULT_PACK), "--examples", "200",
                           "--lang", "en"],
                          capture_output=True, text=True, timeout=600, cwd=ROOT, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.endswith(
        "0 static, 0 dynamic finding(s) over 200 generated scenarios (seed 0)\n"
        "clean: every rule fired, no conflict, no incident without a finding, no duty left unassigned\n")


def test_broken_pack_static_findings(broken_report):
    assert [(f.kind, f.problem.record, f.problem.field) for f in broken_report.static] == [
        ("unknown_clause", "categories.liaison_responsibility", "clause"),
        ("unknown_clause", "parameters.mixed", "reference"),
        ("unused_parameter", "parameters.forgotten_window", ""),
        ("unused_parameter", "parameters.mixed", ""),
        ("parameter_type", "parameters.mixed", "value"),
        ("never_matches", "rules #7 (nobody)", "when.duty"),
        ("conflict", "rules safety_lead, town_heads", "overrides"),
    ]
    assert {f.kind for f in broken_report.static} == set(STATIC_KINDS)


def test_broken_pack_static_messages_name_file_record_field_and_hint(broken_report):
    texts = [f.as_text(str(BROKEN)) for f in broken_report.static]
    assert texts[0] == (f"[unknown_clause] {BROKEN}: categories.liaison_responsibility: field 'clause': "
                        "unknown clause '§7'\n  hint: cite a clause id listed under 'clauses'")
    assert texts[-1] == (
        f"[conflict] {BROKEN}: rules safety_lead, town_heads: field 'overrides': both can name the same person "
        "under principle 'joint_party_government' for the same duty, as 'supervisory_leadership' and as "
        "'overall_leadership', and neither overrides the other\n"
        "  hint: add `overrides: [town_heads]` to rule safety_lead (or the reverse), or give one of them another "
        "principle or category")


def test_broken_pack_dynamic_findings(broken_report):
    """Which duty facts turn up depends on the towns drawn; these always do in 120 towns."""
    found = {(f.kind, f.problem.record, f.problem.message) for f in broken_report.dynamic}
    expected = {
        ("dead_rule", "rules #7 (nobody)", "never fired in 120 generated scenarios"),
        ("dead_rule", "rules #8 (inspected_later)", "never fired in 120 generated scenarios"),
        ("conflict", "rules safety_lead, town_heads",
         "both named the same person in a generated scenario under principle 'joint_party_government' for the "
         "same duty, as 'supervisory_leadership' and as 'overall_leadership', and neither overrides the other"),
        ("no_rule_applies", "pack", "an incident gets no finding and no data-gap warning"),
        ("unassigned_duty", "pack", "a duty fact liaison (assignment_kind=stationed) is named by no rule and "
                                    "reported by no gap"),
        *[("unassigned_duty", "pack", f"a duty fact vacancy (scope={scope}) is named by no rule and reported by no gap")
          for scope in ("site", "town", "village")],
    }
    assert expected <= found
    assert {kind for kind, _, _ in found - expected} <= {"unassigned_duty"}  # e.g. a vacant 包村 post
    assert {kind for kind, _, _ in found} == set(DYNAMIC_KINDS)


def _example_file(finding, tmp_path) -> Path:
    """The fact file exactly as printed between the YAML document markers."""
    text = finding.as_text(str(BROKEN))
    body = re.search(r"\n---\n(.*)\n\.\.\.$", text, re.S)[1]
    path = tmp_path / f"{finding.kind}.yaml"
    path.write_text(body + "\n", encoding="utf-8")
    return path


def test_every_printed_example_loads_and_shows_its_finding(broken_report, tmp_path):
    broken = load_pack(BROKEN)
    for finding in broken_report.dynamic:
        if finding.kind == "dead_rule":
            assert finding.example is None
            continue
        facts = load_facts([_example_file(finding, tmp_path)])
        chain = Tracer(facts, broken, PythonBackend()).trace(Tracer(facts, broken).incidents[finding.incident])
        if finding.kind == "no_rule_applies":
            assert (chain.links, chain.units, chain.gaps) == ((), (), ())
        elif finding.kind == "conflict":
            assert any({"overall_leadership", "supervisory_leadership"} <= set(l.as_json()["categories"])
                       for l in chain.links)


def test_examples_are_small(broken_report):
    """Shrinking and pruning leave only what shows the finding: e.g. one vacant post, nobody in it."""
    vacancy = next(f for f in broken_report.dynamic if f.problem.message.startswith("a duty fact vacancy (scope=town)"))
    assert (len(vacancy.example.posts), vacancy.example.tenures, vacancy.example.people) == (1, [], [])
    assert len(vacancy.example.incidents) == 1


def test_cli_exit_1_with_findings_and_0_when_clean():
    r = runner.invoke(cli, ["check", str(BROKEN), "--examples", "0", "--lang", "en"])
    assert r.exit_code == 1
    assert r.output.splitlines()[0] == f"{BROKEN}: 7 static, 0 dynamic finding(s) over 0 generated scenarios (seed 0)"
    r = runner.invoke(cli, ["check", str(DEFAULT_PACK), "--examples", "0", "--lang", "en"])
    assert (r.exit_code, r.output) == (
        0, f"{DEFAULT_PACK}: 0 static, 0 dynamic finding(s) over 0 generated scenarios (seed 0)\n"
           "clean (static checks only)\n")
    zh = runner.invoke(cli, ["check", str(DEFAULT_PACK), "--examples", "0"])
    assert zh.output == f"{DEFAULT_PACK}：静态检查发现0项，动态检查发现0项（生成情形0个，种子0）\n无问题（仅静态检查）\n"


def test_cli_exit_2_for_a_pack_that_does_not_load(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BROKEN.read_text(encoding="utf-8").replace("kind: liaison,", "kind: liason,"), encoding="utf-8")
    r = runner.invoke(cli, ["check", str(bad)])
    assert r.exit_code == 2
    assert f"{bad}: rules #4 (liaison): field 'when.cadre.kind': unknown fact kind 'liason' (did you mean 'liaison'?)" \
        in r.output
