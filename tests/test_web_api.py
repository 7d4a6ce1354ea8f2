"""The workbench's HTTP API against a real server: the CLI's exact JSON, and a status for every failure."""
from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from engine.pack.rulepack import DEFAULT_PACK
from tests.conftest import EXAMPLE, ROOT
from tests.webserver import call, cli_output, workbench

SCENARIOS = ROOT / "facts" / "examples" / "scenarios"


def example_files() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(EXAMPLE.glob("*.yaml"))}


def test_trace_returns_the_cli_json_byte_for_byte(server):
    r = call("POST", f"{server}/api/trace", {})
    assert (r.status, r.headers["content-type"]) == (200, "application/json")
    assert r.text == cli_output("trace", str(EXAMPLE), "--format", "json")


def test_trace_of_files_sent_in_the_body_equals_the_cli_on_the_same_files(server):
    r = call("POST", f"{server}/api/trace",
             {"files": example_files(), "incidents": ["inc-2023-02"], "backend": "python"})
    assert r.status == 200
    assert r.text == cli_output("trace", str(EXAMPLE), "--incident", "inc-2023-02", "--format", "json",
                                "--backend", "python")


def test_explain_returns_the_cli_json(server):
    r = call("POST", f"{server}/api/explain", {"incident": "inc-2023-02", "person": "塔拉", "lang": "en"})
    assert r.status == 200
    assert r.text == cli_output("explain", str(EXAMPLE), "--incident", "inc-2023-02", "--person", "塔拉",
                                "--format", "json", "--lang", "en")


def test_whatif_returns_the_cli_json(server):
    scenario = SCENARIOS / "no-stationed.yaml"
    r = call("POST", f"{server}/api/whatif",
             {"scenarios": [scenario.read_text(encoding="utf-8")], "incidents": ["inc-2022-02"]})
    assert r.status == 200
    assert r.text == cli_output("whatif", str(EXAMPLE), "--scenario", str(scenario), "--incident", "inc-2022-02",
                                "--format", "json")
    removed = [c["party"] for c in r.json()[0]["scenarios"][0]["diff"]["links"] if c["change"] == "removed"]
    assert removed == ["guo_zhenyu", "shi_yanjun", "zhang_jun"]


def test_check_returns_the_cli_json_and_findings_are_an_answer_not_an_error(server, tmp_path, monkeypatch):
    r = call("POST", f"{server}/api/check", {"examples": 0})
    assert r.status == 200
    assert r.text == cli_output("check", str(DEFAULT_PACK), "--examples", "0", "--format", "json")
    assert r.json()["clean"] is True
    unused = DEFAULT_PACK.read_text(encoding="utf-8").replace(
        "parameters:\n", "parameters:\n  spare:\n    description: d\n    reference: \"§5\"\n    value: 1\n", 1)
    r = call("POST", f"{server}/api/check", {"examples": 0, "rules": unused})
    assert r.status == 200
    monkeypatch.chdir(tmp_path)  # the CLI names the pack as given: rules.yaml, as the API names the text sent
    Path("rules.yaml").write_text(unused, encoding="utf-8")
    assert r.text == cli_output("check", "rules.yaml", "--examples", "0", "--format", "json", codes=(1,))
    assert [(f["kind"], f["problem"]["record"]) for f in r.json()["static"]] == [
        ("unused_parameter", "parameters.spare")]


def test_check_over_generated_towns_is_the_cli_json_though_other_code_is_loaded(server):
    """The server has loaded the workbench and the tests, the CLI only itself: the same seed draws the same towns."""
    r = call("POST", f"{server}/api/check", {"examples": 20, "seed": 1})
    wenze = Path(sys.executable).with_name("wenze")
    args = ["check", str(DEFAULT_PACK), "--examples", "20", "--seed", "1", "--format", "json"]
    done = subprocess.run([str(wenze), *args], capture_output=True, text=True, timeout=300)
    assert (r.status, done.returncode) == (200, 1)
    assert r.text == done.stdout


def test_bad_facts_are_422_with_each_problem_located(server):
    org = "people:\n  - {id: a}\n  - {id: b, name: 乙, x: 1}\n"
    r = call("POST", f"{server}/api/trace", {"files": {"org.yaml": org}})
    assert r.status == 422
    assert r.json() == {
        "error": "2 problems in org.yaml:\n"
                 "org.yaml: people #1 (a): field 'name': Field required\n  hint: add this field\n"
                 "org.yaml: people #2 (b): field 'x': Extra inputs are not permitted\n"
                 "  hint: remove it, or spell a known field; known fields: id, name",
        "problems": [
            {"file": "org.yaml", "record": "people #1 (a)", "field": "name", "message": "Field required",
             "hint": "add this field"},
            {"file": "org.yaml", "record": "people #2 (b)", "field": "x", "message": "Extra inputs are not permitted",
             "hint": "remove it, or spell a known field; known fields: id, name"}]}


def test_an_unknown_incident_or_person_is_422_like_exit_2(server):
    r = call("POST", f"{server}/api/trace", {"incidents": ["inc-2023-2"]})
    assert (r.status, r.json()) == (422, {"error": "unknown incident 'inc-2023-2' (did you mean 'inc-2023-02'?)",
                                          "problems": []})
    r = call("POST", f"{server}/api/explain", {"incident": "inc-2023-02", "person": "nobody"})
    assert (r.status, r.json()["error"]) == (422, "unknown person 'nobody'")


def test_trace_heaviest_grade_first_is_the_cli_with_order_severity(server):
    r = call("POST", f"{server}/api/trace", {"incidents": ["inc-2022-02"], "order": "severity"})
    assert r.text == cli_output("trace", str(EXAMPLE), "--incident", "inc-2022-02", "--format", "json",
                                "--order", "severity")


def test_a_workbook_sent_in_base64_traces_as_the_yaml(server):
    workbook = base64.b64encode((EXAMPLE.parent / "tongchuan.xlsx").read_bytes()).decode()
    r = call("POST", f"{server}/api/trace", {"files": {"tongchuan.xlsx": workbook}, "incidents": ["inc-2023-02"]})
    assert r.text == cli_output("trace", str(EXAMPLE), "--incident", "inc-2023-02", "--format", "json")
    r = call("POST", f"{server}/api/trace", {"files": {"tongchuan.xlsx": "people:\n"}})
    assert (r.status, r.json()["problems"]) == (422, [
        {"file": "tongchuan.xlsx", "record": "files", "field": "tongchuan.xlsx",
         "message": "a workbook is sent as its bytes in base64", "hint": "e.g. base64 -w0 roster.xlsx"}])


def test_a_pack_sent_as_text_may_not_extend_a_pack_named_by_path(server):
    r = call("POST", f"{server}/api/trace", {"rules": "extends: ../../../etc/pack.yaml\n"})
    assert (r.status, r.json()["problems"]) == (422, [
        {"file": "rules.yaml", "record": "pack", "field": "extends",
         "message": "the workbench does not read a pack named by path",
         "hint": "send the whole pack, with what it extends merged in; or start the server with --rules on it"}])


def test_a_bad_pack_sent_as_text_is_located_in_rules_yaml(server):
    r = call("POST", f"{server}/api/trace", {"rules": "pack: 1\n"})
    assert r.status == 422
    assert {p["file"] for p in r.json()["problems"]} == {"rules.yaml"}


def test_a_malformed_request_is_422_naming_the_field(server):
    r = call("POST", f"{server}/api/trace", {"incidents": "inc-2023-02", "colour": "red"})
    assert r.status == 422
    assert [(p["file"], p["record"], p["field"]) for p in r.json()["problems"]] == [
        ("request", "body", "incidents"), ("request", "body", "colour")]
    r = call("POST", f"{server}/api/trace", raw=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status == 422


@pytest.mark.parametrize("name, message", [
    ("../etc/x.yaml", "not a plain file name"), (".hidden.yaml", "not a plain file name"),
    ("notes.txt", "not a fact file"), ("", "not a plain file name")])
def test_file_names_that_could_leave_the_scratch_folder_are_refused(server, name, message):
    r = call("POST", f"{server}/api/trace", {"files": {name: "people: []\n"}})
    assert r.status == 422
    assert [p["message"] for p in r.json()["problems"]] == [message]


def test_a_scenario_may_not_name_a_pack_to_read(server):
    text = "name: other\nchanges:\n  - swap_pack: /etc/passwd\n"
    r = call("POST", f"{server}/api/whatif", {"scenarios": [text]})
    assert r.status == 422
    assert r.json()["problems"] == [{"file": "scenario-1.yaml", "record": "changes #1 (swap_pack)",
                                     "field": "swap_pack",
                                     "message": "the workbench does not read rule packs named by a scenario",
                                     "hint": "send the other pack as 'rules' in a request of its own"}]


def test_a_bad_scenario_is_located_in_its_own_file(server):
    text = "name: x\nchanges:\n  - disable_rules: [stationed_cadr]\n"
    r = call("POST", f"{server}/api/whatif", {"scenarios": ["name: ok\nchanges:\n  - disable_rules: [signer]\n", text]})
    assert r.status == 422
    (p,) = r.json()["problems"]
    assert (p["file"], p["record"], p["field"]) == ("scenario-2.yaml", "changes #1 (disable_rules)", "disable_rules.0")
    assert "did you mean 'stationed_cadre'?" in p["message"]


def test_an_internal_failure_is_500_without_a_traceback(server, monkeypatch):
    import engine.web.api

    def broken(chains):
        raise RuntimeError("boom")

    monkeypatch.setattr(engine.web.api, "chains_json", broken)
    r = call("POST", f"{server}/api/trace", {})
    assert (r.status, r.json()) == (500, {"error": "internal error: RuntimeError: boom", "problems": []})


def test_the_openapi_description_lists_the_four_endpoints(server):
    r = call("GET", f"{server}/api/openapi.json")
    assert r.status == 200
    paths = r.json()["paths"]
    assert sorted(paths) == ["/api/check", "/api/explain", "/api/trace", "/api/whatif"]
    assert all("422" in paths[p]["post"]["responses"] for p in paths)


def test_a_body_over_the_limit_is_413():
    with workbench([EXAMPLE], max_upload=1024) as (url, _):
        r = call("POST", f"{url}/api/trace", {"files": {"a.yaml": "x" * 2000}})
        assert (r.status, r.json()["error"]) == (413, "the request is larger than 1024 bytes")
        streamed = call("POST", f"{url}/api/trace", chunks=[b'{"files": {"a.yaml": "', b"x" * 2000, b'"}}'])
        assert (streamed.status, streamed.json()["error"]) == (413, "the request is larger than 1024 bytes")


def test_with_a_token_every_request_must_carry_it():
    with workbench([EXAMPLE], token="s3cret") as (url, _):
        assert call("POST", f"{url}/api/trace", {}).status == 401
        assert call("POST", f"{url}/api/trace", {}, {"Authorization": "Bearer wrong"}).status == 401
        assert call("POST", f"{url}/api/trace", {}, {"Authorization": "Bearer s3cret"}).status == 200
        assert call("GET", f"{url}/c/opened").status == 401
        r = call("GET", f"{url}/c/opened?token=s3cret")
        assert (r.status, r.headers["location"]) == (303, "/c/opened")
        cookie = r.headers["set-cookie"].split(";")[0]
        assert call("GET", f"{url}/c/opened", headers={"Cookie": cookie}).status == 200


def test_only_loopback_host_names_are_answered(server):
    assert call("GET", f"{server}/api/openapi.json", headers={"Host": "attacker.example"}).status == 400
    assert call("GET", f"{server}/api/openapi.json", headers={"Host": "localhost"}).status == 200


def test_a_post_from_another_sites_page_is_refused(server):
    base = server.removeprefix("http://")
    r = call("POST", f"{server}/api/trace", {}, {"Origin": "http://attacker.example"})
    assert (r.status, r.json()["error"]) == (403, "a request from another site (http://attacker.example) is refused")
    assert call("POST", f"{server}/api/trace", {}, {"Origin": f"http://{base}"}).status == 200


def test_nothing_is_left_in_the_scratch_folder_after_a_request():
    with workbench([EXAMPLE]) as (url, ws):
        call("POST", f"{url}/api/trace", {"files": example_files()})
        call("POST", f"{url}/api/whatif", {"scenarios": ["name: x\nchanges:\n  - disable_rules: [signer]\n"]})
        assert list(ws.tmp.iterdir()) == []
        folder = ws.tmp
    assert not folder.exists()


def test_serve_refuses_another_host_without_a_token():
    r = CliRunner().invoke(cli, ["serve", str(EXAMPLE), "--host", "0.0.0.0"], env={"WENZE_TOKEN": ""})
    assert r.exit_code == 2
    assert r.output == ("error: --host 0.0.0.0 makes the workbench reachable from other machines: give --token "
                        "(or set WENZE_TOKEN), and every request must carry it\n")


def test_wenze_serve_starts_the_workbench_on_a_folder(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    wenze = Path(sys.executable).with_name("wenze")
    proc = subprocess.Popen([str(wenze), "serve", str(EXAMPLE), "--port", str(port), "--lang", "en"],
                            stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "WENZE_TOKEN": ""})
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                r = call("GET", f"http://127.0.0.1:{port}/c/opened")
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, "wenze serve did not start"
                time.sleep(0.1)
        assert r.status == 200 and "inc-2023-02" in r.text and '<html lang="en">' in r.text
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert err.startswith(f"wenze workbench: http://127.0.0.1:{port}/  (Ctrl-C stops it)\n")
    assert "Traceback" not in err

