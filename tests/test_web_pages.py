"""The workbench's pages over HTTP: what each shows, uploads, downloads, the what-if and its saved scenario."""
from __future__ import annotations

import io
import json
import re

import docx
import yaml

from engine.analyses.whatif.scenario import load_scenario
from engine.org.graph import OrgGraph
from engine.pack.rulepack import load_pack
from facts.load import load_facts
from facts.synth import CountySpec, write_fact_dir
from tests.conftest import EXAMPLE, ROOT
from tests.webserver import call, cli_output, multipart, workbench


def rows(html: str, cls: str) -> list[str]:
    """The data-party (or data-person) ids of the table rows with a class."""
    return re.findall(rf'<tr class="{cls}" data-party="([^"]+)"', html)


def test_the_home_page_opens_the_folder_given_on_the_command_line(server):
    r = call("GET", f"{server}/")
    assert (r.status, r.headers["location"]) == (303, "/c/opened")


def test_without_a_folder_the_workbench_opens_on_the_upload_form():
    with workbench([]) as (url, _):
        assert call("GET", f"{url}/").headers["location"] == "/open"
        assert '<input type="file" name="files" multiple' in call("GET", f"{url}/open").text
        r = call("POST", f"{url}/api/trace", {})
        assert (r.status, r.json()["error"]) == (
            422, "no fact files: send 'files', or start the server on a folder of fact files")


def test_the_case_lists_every_incident_with_date_site_and_grade(server):
    r = call("GET", f"{server}/c/opened")
    assert r.status == 200
    ids = re.findall(r'class="incident" href="/c/opened/incident/([^"]+)"', r.text)
    assert ids == [f"inc-{n}" for n in ("2022-01", "2022-02", "2023-01", "2023-02", "2023-03", "2023-04", "2023-05",
                                         "2023-06", "2023-07", "2023-08")] + ["evt-2023-12"]
    assert ("<td>2023年1月18日10时15分</td><td>鄂尔多斯市恒泰化工仓储有限公司神山库区</td><td>危险化学品</td>"
            "<td>3/0</td><td>较大事故</td><td>12</td><td>4</td><td>0</td><td>0</td>") in r.text


def marked(html: str) -> list[tuple[str, str]]:
    """The (change, party) of every row of a comparison that a scenario changed."""
    return re.findall(r'<tr class="(added|removed|changed)" data-party="([^"]+)"', html)


def groups(html: str) -> list[str]:
    return re.findall(r'<tr class="group-head"><th colspan="7">([^<]+)</th>', html)


def people(html: str) -> list[str]:
    return re.findall(r'<tr class="link" data-person="([^"]+)"', html)


def test_the_incident_page_shows_the_chain_heaviest_grade_first_with_each_finding(server):
    r = call("GET", f"{server}/c/opened/incident/inc-2022-02")
    assert r.status == 200
    chain = yaml.safe_load(cli_output("trace", str(EXAMPLE), "--incident", "inc-2022-02", "--format", "json",
                                      "--order", "severity"))[0]
    assert people(r.text) == [link["person"] for link in chain["links"]]
    assert groups(r.text) == ["直接责任", "主要责任", "主要领导责任", "重要领导责任", "直接监管责任", "属地管理责任",
                              "失察责任"]
    paragraph = yaml.safe_load(cli_output("explain", str(EXAMPLE), "--incident", "inc-2022-02", "--person",
                                          "shi_yanjun", "--format", "json"))["paragraph"]
    assert paragraph == "石彦君，时任铜川镇综合行政执法局教导员，驻村常青村，对事故发生负有失察责任。"
    row = r.text[r.text.index('data-person="shi_yanjun"'):]
    assert '<td class="grade-of">失察责任</td>' in row and f'<p class="paragraph">{paragraph}</p>' in row
    assert "自2022-04-24起驻村常青村（station-changqing）；事故发生于常青村" in row
    assert '<a class="ev" href="/c/opened/record/station-changqing">station-changqing</a>' in row
    assert re.findall(r'<tr class="unit" data-unit="([^"]+)"><td>[^<]+<br><small>[^<]+</small></td>'
                      r'<td class="grade-of">([^<]+)</td>', r.text) == [
        ("changqing_housing_site", "责任单位"), ("changqing", "属地管理责任"), ("tongchuan", "属地管理责任")]
    assert r.text.count("<svg") == 1 and "石彦君" in r.text[r.text.index("<svg"):]


def test_the_incident_page_shows_causes_gaps_and_acts_to_examine(server):
    r = call("GET", f"{server}/c/opened/incident/inc-2022-02")
    causes = r.text[r.text.index('<section id="causes">'):r.text.index('<section id="chain">')]
    assert re.findall(r'<li data-cause="([^"]+)"><b>([^<]+)</b>', causes) == [
        ("c-2022-02-1", "直接原因"), ("c-2022-02-2", "间接原因")]
    assert '<a class="ev" href="/c/opened/record/hz-site-ties">hz-site-ties</a>' in causes
    examine = r.text[r.text.index('<section id="to-examine">'):]
    assert ('<li data-person="liu_yanjun"><a href="/c/opened/incident/inc-2022-02/person/liu_yanjun">刘燕军</a>：'
            "2022-05-16签署了审批意见（sig-2022-05-16-site-approval，审批人），"
            "但未载明该文书涉及哪些隐患或事项") in examine
    assert "<code>signatures[sig-2022-05-16-site-approval].covers</code>" in examine
    gaps = r.text[r.text.index('<section id="gaps">'):r.text.index('<section id="to-examine">')]
    assert gaps.count("<li>") == 1


def test_by_band_the_chain_reads_from_the_scene_upward(server):
    r = call("GET", f"{server}/c/opened/incident/inc-2022-02?order=band")
    chain = yaml.safe_load(cli_output("trace", str(EXAMPLE), "--incident", "inc-2022-02", "--format", "json"))[0]
    assert people(r.text) == [link["person"] for link in chain["links"]]
    assert groups(r.text) == ["现场从业人员", "企业", "检查与签字人员", "村", "驻村包村包社干部", "分管领导",
                              "分管安全领导", "党委书记和镇长"]
    assert '<a id="order-severity" href="/c/opened/incident/inc-2022-02?order=severity">按责任等级</a>' in r.text
    assert 'href="/c/opened/incident/inc-2022-02/download.docx?order=band"' in r.text
    bad = call("GET", f"{server}/c/opened/incident/inc-2022-02?order=alphabet")
    assert bad.status == 422 and "<td>request</td><td>query</td><td><code>order</code></td>" in bad.text


def test_a_warning_of_the_law_in_force_heads_the_page(tmp_path):
    (tmp_path / "pack.yaml").write_text(
        (ROOT / "rules" / "tongchuan-2022.yaml").read_text(encoding="utf-8").replace(
            "in_force:\n  from: 2022-04-24\n", "in_force:\n  from: 2023-01-01\n", 1), encoding="utf-8")
    with workbench([EXAMPLE], rules=tmp_path / "pack.yaml") as (url, _):
        r = call("GET", f"{url}/c/opened/incident/inc-2022-02")
    warning = yaml.safe_load(cli_output("trace", str(EXAMPLE), "--incident", "inc-2022-02", "--format", "json",
                                        "--rules", str(tmp_path / "pack.yaml")))[0]["warnings"][0]["zh"]
    assert f'<p class="warning">{warning}</p>' in r.text


def test_a_dated_parameter_shows_the_value_of_the_incidents_day_and_can_be_changed(tmp_path):
    (tmp_path / "pack.yaml").write_text(
        (ROOT / "rules" / "tongchuan-2022.yaml").read_text(encoding="utf-8").replace(
            "    source: decree493_art9\n    value: 60\n",
            "    source: decree493_art9\n    values: {2022-04-24: 60, 2023-01-01: 30}\n", 1), encoding="utf-8")
    with workbench([EXAMPLE], rules=tmp_path / "pack.yaml") as (url, _):
        before = call("GET", f"{url}/c/opened/incident/inc-2022-02/whatif")
        after = call("GET", f"{url}/c/opened/incident/inc-2023-02/whatif")
        changed = call("GET", f"{url}/c/opened/incident/inc-2023-02/whatif?param.enterprise_report_minutes=45"
                              "&param.town_report_minutes=120")
        saved = call("GET", f"{url}/c/opened/incident/inc-2023-02/whatif.yaml?param.enterprise_report_minutes=30")
    assert '<input name="param.enterprise_report_minutes" value="60">' in before.text
    assert '<input name="param.enterprise_report_minutes" value="30">' in after.text
    assert changed.status == 200
    assert "set_params:\n    enterprise_report_minutes: 45\n" in changed.text
    assert saved.text == ""  # the day's own value: nothing is changed


def test_the_whatif_form_offers_every_rule_gap_and_act_to_examine(server):
    r = call("GET", f"{server}/c/opened/incident/inc-2022-02/whatif")
    offered = re.findall(r'<input type="checkbox" name="rule_off" value="([^"]+)"', r.text)
    assert offered == [item.id for item in load_pack().items]
    assert "signature_covers_unrecorded" in offered


def test_an_unknown_incident_is_404_on_every_page(server):
    for page in ("", "/whatif", "/whatif.yaml", "/person/tala", "/download.md"):
        assert call("GET", f"{server}/c/opened/incident/inc-1999-01{page}").status == 404, page


def test_the_person_page_says_why_and_why_not(server):
    r = call("GET", f"{server}/c/opened/incident/inc-2022-02/person/shi_yanjun")
    assert r.status == 200
    assert '<p class="standing in" id="standing">在责任链中，层级：驻村包村包社干部</p>' in r.text
    assert "<h2>为何在责任链中</h2>" in r.text and "<h2>为何未被以下规则认定</h2>" in r.text
    assert "驻村常青村（station-changqing）；规则要求包村" in r.text


def test_anyone_in_the_org_can_be_asked_about_by_name(server):
    r = call("GET", f"{server}/c/opened/incident/inc-2022-02/person?person=%E5%A1%94%E6%8B%89")  # 塔拉
    assert (r.status, r.headers["location"]) == (303, "/c/opened/incident/inc-2022-02/person/%E5%A1%94%E6%8B%89")
    r = call("GET", f"{server}{r.headers['location']}")
    assert r.status == 200 and '<p class="standing out" id="standing">不在责任链中</p>' in r.text
    assert call("GET", f"{server}/c/opened/incident/inc-2022-02/person/nobody").status == 404


def test_an_evidence_id_opens_its_record(server):
    r = call("GET", f"{server}/c/opened/record/tenure:shi_yanjun:enforcement_bureau_instructor:2020-07-01")
    assert r.status == 200
    assert ("<pre class=\"record\">from: &#39;2020-07-01&#39;\nperson: shi_yanjun\n"
            "post: enforcement_bureau_instructor\n</pre>") in r.text
    assert "<p>所在部分：任职工作表，YAML 的 tenures</p>" in r.text
    r = call("GET", f"{server}/c/opened/record/no-record:self_inspection:changqing_housing_site:2022-06")
    assert r.status == 200 and "缺失记录的标识" in r.text
    assert call("GET", f"{server}/c/opened/record/nothing-here").status == 404


def test_downloads_are_the_cli_outputs(server):
    md = call("GET", f"{server}/c/opened/incident/inc-2022-02/download.md")
    assert md.headers["content-type"] == "text/markdown; charset=utf-8"
    assert md.headers["content-disposition"] == 'attachment; filename="wenze-inc-2022-02.md"'
    assert md.text == cli_output("trace", str(EXAMPLE), "--incident", "inc-2022-02", "--format", "md")
    everything = call("GET", f"{server}/c/opened/download.json")
    assert everything.text == cli_output("trace", str(EXAMPLE), "--format", "json")
    svg = call("GET", f"{server}/c/opened/incident/inc-2022-02/download.svg")
    assert svg.headers["content-type"] == "image/svg+xml; charset=utf-8" and "</svg>" in svg.text
    assert svg.text == cli_output("trace", str(EXAMPLE), "--incident", "inc-2022-02", "--format", "svg")
    assert call("GET", f"{server}/c/opened/download.pdf").status == 404
    heaviest = call("GET", f"{server}/c/opened/incident/inc-2022-02/download.json?order=severity")
    assert heaviest.text == cli_output("trace", str(EXAMPLE), "--incident", "inc-2022-02", "--format", "json",
                                       "--order", "severity")


def paragraphs(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


def test_the_word_report_downloads_as_the_cli_writes_it(server, tmp_path):
    r = call("GET", f"{server}/c/opened/incident/inc-2022-02/download.docx?order=severity")
    assert r.headers["content-type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert r.headers["content-disposition"] == 'attachment; filename="wenze-inc-2022-02.docx"'
    out = tmp_path / "report.docx"
    cli_output("trace", str(EXAMPLE), "--incident", "inc-2022-02", "--format", "docx", "--order", "severity",
               "-o", str(out))
    assert paragraphs(r.body) == paragraphs(out.read_bytes())
    assert "13．石彦君，时任铜川镇综合行政执法局教导员，驻村常青村，对事故发生负有失察责任。" in paragraphs(r.body)


def test_english_by_a_switch(server):
    r = call("GET", f"{server}/lang/en?next=/c/opened/incident/inc-2022-02")
    assert (r.status, r.headers["location"]) == (303, "/c/opened/incident/inc-2022-02")
    cookie = r.headers["set-cookie"].split(";")[0]
    page = call("GET", f"{server}/c/opened/incident/inc-2022-02", headers={"Cookie": cookie})
    assert "The chain (heaviest grade of responsibility first)" in page.text
    assert "responsibility for failing to notice" in page.text and "stationed and liaison cadres" in page.text
    assert call("GET", f"{server}/lang/en?next=//attacker.example/").headers["location"] == "/"


def test_the_whatif_shows_the_baseline_beside_the_scenario(server):
    r = call("GET", f"{server}/c/opened/incident/inc-2022-02/whatif?off=stationed")
    assert r.status == 200
    assert rows(r.text, "removed") == ["guo_zhenyu", "shi_yanjun", "zhang_jun"]
    assert rows(r.text, "added") == [] and rows(r.text, "changed") == []


def test_an_act_to_examine_the_scenario_drops_is_shown_beside_the_links(server):
    r = call("GET", f"{server}/c/opened/incident/inc-2022-02/whatif?rule_off=signature_covers_unrecorded")
    assert r.status == 200 and rows(r.text, "removed") == [] and "责任链无变化" not in r.text
    assert re.findall(r'<li class="(\w+)" data-person="([^"]+)">', r.text) == [("removed", "liu_yanjun")]


def test_the_saved_scenario_gives_the_cli_the_same_answer(server, tmp_path):
    query = "off=stationed&param.signature_window_days=730&name=my-case"
    r = call("GET", f"{server}/c/opened/incident/inc-2022-02/whatif.yaml?{query}")
    assert r.headers["content-disposition"] == 'attachment; filename="my-case.yaml"'
    assert yaml.safe_load(r.text) == {"name": "my-case", "changes": [
        {"disable_rules": ["stationed_cadre", "village_liaison", "group_liaison"]},
        {"set_params": {"signature_window_days": 730}}]}
    (path := tmp_path / "my-case.yaml").write_text(r.text, encoding="utf-8")
    assert load_scenario(path).name == "my-case"
    page = call("GET", f"{server}/c/opened/incident/inc-2022-02/whatif?{query}")
    out = yaml.safe_load(cli_output("whatif", str(EXAMPLE), "--scenario", str(path), "--incident", "inc-2022-02",
                                    "--format", "json"))
    removed = [c["party"] for c in out[0]["scenarios"][0]["diff"]["links"] if c["change"] == "removed"]
    assert rows(page.text, "removed") == removed


def test_ending_a_tenure_and_reassigning_a_duty_from_the_form(server):
    r = call("GET", f"{server}/c/opened/incident/inc-2023-02/whatif?tenure=t-su_zhenhua-deputy_mayor_2"
                    "&tenure_on=2023-03-01")
    assert r.status == 422  # 苏振华's tenure starts that day: nothing to end early
    assert "<td>workbench.yaml</td><td>changes #1 (end_tenure)</td><td><code>end_tenure.on</code></td>" in r.text
    r = call("GET", f"{server}/c/opened/incident/inc-2023-06/whatif?tenure=t-su_zhenhua-deputy_mayor_2"
                    "&tenure_on=2023-04-01")
    assert r.status == 200 and marked(r.text) == [("removed", "su_zhenhua")]
    r = call("GET", f"{server}/c/opened/incident/inc-2023-02/whatif?assignment=charge-industry_trade"
                    "&to_post=deputy_mayor_4")
    assert r.status == 200 and marked(r.text) == [("removed", "su_zhenhua"), ("added", "zhang_xin")]


def test_a_scenario_that_does_not_apply_is_422_with_its_problem_located(server):
    r = call("GET", f"{server}/c/opened/incident/inc-2023-02/whatif?tenure=t-su_zhenhua-deputy_mayor_2"
                    "&tenure_on=2020-01-01")
    assert r.status == 422
    assert "<td>workbench.yaml</td><td>changes #1 (end_tenure)</td><td><code>end_tenure.on</code></td>" in r.text


def test_uploading_files_opens_a_case_read_by_the_cli_loader(server):
    files = [(p.name, p.read_bytes()) for p in sorted(EXAMPLE.glob("*.yaml"))]
    body, headers = multipart(files)
    r = call("POST", f"{server}/open", raw=body, headers=headers)
    assert r.status == 303 and r.headers["location"].startswith("/c/u-")
    case = call("GET", f"{server}{r.headers['location']}")
    assert case.text.count('class="incident"') == 11
    assert call("POST", f"{server}/open", raw=body, headers=headers).headers["location"] == r.headers["location"]


def test_an_uploaded_workbook_gives_the_chains_of_the_yaml(server):
    body, headers = multipart([("tongchuan.xlsx", (EXAMPLE.parent / "tongchuan.xlsx").read_bytes())])
    r = call("POST", f"{server}/open", raw=body, headers=headers)
    assert r.status == 303
    case_id = r.headers["location"].removeprefix("/c/")
    uploaded = call("GET", f"{server}/c/{case_id}/download.json")
    assert uploaded.text == cli_output("trace", str(EXAMPLE), "--format", "json")


def test_an_upload_that_does_not_validate_shows_each_problem(server):
    roster = "people:\n  - {id: a}\nposts:\n  - {id: p, unit: gvo, title: t, role: mayor}\n"
    body, headers = multipart([("花名册.yaml", roster.encode())])
    r = call("POST", f"{server}/open", raw=body, headers=headers)
    case = call("GET", f"{server}{r.headers['location']}")
    assert "<td>花名册.yaml</td><td>people #1 (a)</td><td><code>name</code></td><td>Field required</td>" in case.text
    assert "<td>花名册.yaml</td><td>posts #1 (p)</td><td><code>unit</code></td><td>unknown unit &#39;gvo&#39;</td>" \
           in case.text


def test_an_upload_of_something_else_is_refused(server):
    body, headers = multipart([("notes.txt", b"hello")])
    r = call("POST", f"{server}/open", raw=body, headers=headers)
    assert r.status == 422 and "<td>notes.txt</td><td>file</td><td><code></code></td><td>not a fact file</td>" in r.text


def test_a_folder_that_does_not_validate_is_shown_with_its_problems_and_can_be_reloaded(tmp_path):
    (tmp_path / "org.yaml").write_text("people:\n  - {id: a}\n", encoding="utf-8")
    with workbench([tmp_path]) as (url, _):
        r = call("GET", f"{url}/c/opened")
        assert f"<td>{tmp_path / 'org.yaml'}</td><td>people #1 (a)</td><td><code>name</code></td>" in r.text
        (tmp_path / "org.yaml").write_text("people:\n  - {id: a, name: 甲}\n", encoding="utf-8")
        assert call("POST", f"{url}/c/opened/reload").status == 303
        assert "事实文件中没有事故记录。" in call("GET", f"{url}/c/opened").text
        assert call("POST", f"{url}/api/trace", {}).json() == []


def test_a_field_the_chain_gains_is_shown_under_its_name_before_it_has_a_template(monkeypatch):
    from engine.chain.chain import Chain, Link

    chain_json, link_json = Chain.as_json, Link.as_json
    monkeypatch.setattr(Chain, "as_json", lambda self: {
        **chain_json(self), "hearings": [{"person": "tala", "act": "inspection", "why": "无原因可对照"}]})
    monkeypatch.setattr(Link, "as_json",
                        lambda self: {**link_json(self), "appeal": {"zh": "已申诉", "filed": 4}})
    with workbench([EXAMPLE]) as (url, _):
        r = call("GET", f"{url}/c/opened/incident/inc-2023-02")
    section = r.text[r.text.index('data-field="hearings"'):]
    assert ('<td><a class="ref" href="/c/opened/record/tala" title="tala">塔拉</a></td><td>inspection</td>'
            '<td>无原因可对照</td>') in section
    assert r.text.count('<div class="extra"><b>appeal</b>: <dl class="kv"><dt>zh</dt><dd>已申诉</dd>') == 13


def test_a_countys_forms_offer_the_incidents_town_and_site_not_the_whole_county(tmp_path):
    spec = CountySpec(towns=2, villages=4, enterprises=8, people=200, incidents=1)
    org_path, incidents = write_fact_dir(spec, tmp_path / "county")
    records = [json.loads(line) for line in incidents.read_text(encoding="utf-8").splitlines()]
    incidents.unlink()
    (tmp_path / "county" / "incidents.json").write_text(json.dumps({"incidents": records}), encoding="utf-8")
    graph = OrgGraph(load_facts([org_path]))
    site = records[0]["site"]
    with workbench([tmp_path / "county"]) as (url, _):
        r = call("GET", f"{url}/c/opened/incident/{records[0]['id']}/whatif")
    form = r.text[r.text.index('<select name="to_post">'):]
    offered = set(re.findall(r'<option value="([^"]+)"', form[:form.index("</select>")]))
    units = {graph.posts[p].unit for p in offered}
    assert {p.id for p in graph.posts_of(site)} <= offered
    assert {graph.town_of(u) for u in units} == {graph.town_of(site)}
    assert {u for u in units if graph.units[u].kind == "enterprise"} == {site}
