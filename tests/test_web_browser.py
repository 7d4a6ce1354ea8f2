"""A person's path through the workbench in a real browser: Playwright driving Debian's Chromium.

Opens the example, clicks a person in a chain (heaviest grade first) and reads
why, with the grade and the 责任认定 paragraph, opens an evidence record,
switches a principle off and sees the person leave the chain, saves the
scenario, downloads the Word report, the Markdown report and the chain and
checks them, and switches to English. A screenshot of each page goes to $WENZE_SCREENSHOTS (or a pytest
temporary folder), printed at the start: look at them.

Chromium is the system's (``apt-get install chromium``; ``.ci/run`` installs it,
and sets ``CI``, so there it never skips); Playwright never downloads a browser.
"""
from __future__ import annotations

import io
import json
import os
from pathlib import Path

import docx
import pytest

from engine.analyses.whatif.scenario import load_scenario
from tests.conftest import EXAMPLE
from tests.webserver import workbench

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists() and not os.environ.get("CI"),
                                reason="needs Debian's chromium (apt-get install chromium); CI installs it")


@pytest.fixture(scope="module")
def shots(tmp_path_factory, request) -> Path:
    folder = Path(os.environ.get("WENZE_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    with request.config.pluginmanager.get_plugin("capturemanager").global_and_fixture_disabled():
        print(f"\nworkbench screenshots: {folder}")
    return folder


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def test_an_investigator_follows_a_person_through_the_workbench(browser, shots, tmp_path):
    with workbench([EXAMPLE]) as (url, _):
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page = context.new_page()
        page.goto(url)
        assert page.locator("a.incident").count() == 11
        page.screenshot(path=shots / "01-case.png", full_page=True)

        page.click("a.incident >> text=inc-2022-02")
        page.wait_for_url("**/incident/inc-2022-02")
        assert page.locator(".diagram svg").is_visible()
        assert page.locator("tr.group-head").first.inner_text() == "直接责任"
        row = page.locator("tr.link[data-person=shi_yanjun]")
        assert row.locator("td.grade-of").inner_text() == "失察责任"
        page.screenshot(path=shots / "02-incident.png", full_page=True)

        page.click("a.person >> text=石彦君")
        page.wait_for_url("**/person/shi_yanjun")
        assert page.inner_text("#standing") == "在责任链中，层级：驻村包村包社干部"
        why = page.inner_text("#why")
        assert "自2022-04-24起驻村常青村（station-changqing）；事故发生于常青村" in why
        assert "谁驻村、谁负责" in why
        assert page.inner_text("#paragraph") == \
            "责任认定：石彦君，时任铜川镇综合行政执法局教导员，驻村常青村，对事故发生负有失察责任。"
        page.screenshot(path=shots / "03-person.png", full_page=True)

        page.click("#why a.ev >> text=station-changqing")
        assert "kind: stationed" in page.inner_text("pre.record")
        page.screenshot(path=shots / "04-record.png", full_page=True)
        page.go_back()

        page.click("#back")
        page.click("#whatif-link")
        page.check("input[name=off][value=stationed]")
        page.click("#compare")
        row = page.locator("tr[data-party=shi_yanjun]")
        assert row.get_attribute("class") == "removed"
        assert row.locator("td").nth(2).inner_text() == "—"
        page.screenshot(path=shots / "05-whatif.png", full_page=True)

        with page.expect_download() as saved:
            page.click("#save-scenario")
        saved.value.save_as(scenario := tmp_path / saved.value.suggested_filename)
        assert [c.kind for c in load_scenario(scenario).changes] == ["disable_rules"]

        page.goto(f"{url}/c/opened/incident/inc-2022-02")
        with page.expect_download() as word:
            page.click("a.download[data-format=docx]")
        assert word.value.suggested_filename == "wenze-inc-2022-02.docx"
        paragraphs = [p.text for p in docx.Document(io.BytesIO(Path(word.value.path()).read_bytes())).paragraphs]
        assert paragraphs[0] == "内蒙古宏建建筑工程有限公司常青村安置房项目部“9·27”事故责任认定"
        assert "13．石彦君，时任铜川镇综合行政执法局教导员，驻村常青村，对事故发生负有失察责任。" in paragraphs
        with page.expect_download() as report:
            page.click("a.download[data-format=md]")
        text = Path(report.value.path()).read_text(encoding="utf-8")
        assert report.value.suggested_filename == "wenze-inc-2022-02.md"
        assert text.startswith("## 内蒙古宏建建筑工程有限公司常青村安置房项目部“9·27”事故\n")
        assert "- **责任认定**：石彦君，时任铜川镇综合行政执法局教导员，驻村常青村，对事故发生负有失察责任。" in text
        with page.expect_download() as chain:
            page.click("a.download[data-format=json]")
        data = json.loads(Path(chain.value.path()).read_text(encoding="utf-8"))
        assert "shi_yanjun" in [link["person"] for link in data[0]["links"]]

        page.click("#lang-switch")
        assert page.inner_text("#chain h2") == "The chain (heaviest grade of responsibility first)"
        page.screenshot(path=shots / "06-english.png", full_page=True)
        context.close()


def test_files_uploaded_from_the_browser_are_checked_and_their_problems_located(browser, shots, tmp_path):
    roster = tmp_path / "花名册.yaml"
    roster.write_text("people:\n  - {id: a}\nposts:\n  - {id: p, unit: gvo, title: 镇长, role: mayor}\n",
                      encoding="utf-8")
    with workbench([]) as (url, _):
        page = browser.new_page(viewport={"width": 1400, "height": 800})
        page.goto(url)
        page.set_input_files("input[name=files]", [str(roster)])
        page.click("form button[type=submit]")
        page.wait_for_url("**/c/u-*")
        cells = [[td.inner_text() for td in tr.locator("td").all()]
                 for tr in page.locator("table.problems tbody tr").all()]
        assert cells == [["花名册.yaml", "people #1 (a)", "name", "Field required", "add this field"],
                         ["花名册.yaml", "posts #1 (p)", "unit", "unknown unit 'gvo'",
                          "define it under 'units' or correct the id"]]
        page.screenshot(path=shots / "07-upload-problems.png", full_page=True)
        page.close()
