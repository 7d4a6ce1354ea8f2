"""Fact files as Excel workbooks and CSV: the layout, strict cells, problems at sheet!cell, lossless round trips."""
from __future__ import annotations

import json
from datetime import date, datetime

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings

from cli import cli
from engine.chain.trace import Tracer
from engine.outputs.table import chains_json
from engine.pack.backends import PythonBackend
from facts.errors import FactError
from facts.load import load_facts
from facts.model import SECTIONS
from facts.sheets import ENUM_LABELS, SHEETS
from facts.strategies import towns
from facts.workbook import column_letter, read_xlsx, write_csvs, write_xlsx
from tests.conftest import EXAMPLE

EXAMPLE_XLSX = EXAMPLE.parent / "tongchuan.xlsx"
runner = CliRunner()


def problems(path) -> list[str]:
    with pytest.raises(FactError) as e:
        load_facts([path])
    return [str(p).replace(str(path), "roster.xlsx") for p in e.value.problems]


def workbook(path, sheets: dict[str, list[list]]) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
    book.save(path)


def test_every_field_of_the_model_has_a_chinese_header_and_every_enum_value_a_label():
    for sheet in SHEETS:
        assert sheet.zh != sheet.name, f"sheet {sheet.name} has no Chinese name"
        for c in sheet.columns:
            assert c.zh != c.en or c.en == "id", f"{sheet.name}.{c.key} has no Chinese header"
            if c.enum:
                assert set(ENUM_LABELS[c.enum.__name__]) == {e.value for e in c.enum}, c.enum.__name__
                labels = list(c.labels().values())
                assert len(set(labels)) == len(labels)
    assert [s.name for s in SHEETS if s.parent is None] == list(SECTIONS)
    assert {s.name for s in SHEETS if s.parent} == {"incidents.reports", "incidents.causes", "units.status",
                                                    "orders.relayed", "orders.checks"}


def test_column_letters_are_excels():
    assert [column_letter(n) for n in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


def test_the_example_town_reads_back_the_same_from_a_workbook_and_from_csv(tmp_path):
    facts = load_facts([EXAMPLE])
    write_xlsx(tmp_path / "t.xlsx", facts)
    write_csvs(tmp_path / "csv", facts)
    assert load_facts([tmp_path / "t.xlsx"]).dump() == facts.dump()
    assert load_facts([tmp_path / "csv"]).dump() == facts.dump()
    assert (tmp_path / "csv" / "任职.csv").read_bytes().startswith(b"\xef\xbb\xbf")


@settings(max_examples=15)
@given(towns())
def test_any_town_reads_back_the_same_from_a_workbook(tmp_path_factory, town):
    path = tmp_path_factory.mktemp("town") / "t.xlsx"
    write_xlsx(path, town)
    assert load_facts([path]).dump() == town.dump()


def test_the_shipped_workbook_is_the_example_town_and_traces_to_the_same_chains(pack):
    yaml_facts, xlsx_facts = load_facts([EXAMPLE]), load_facts([EXAMPLE_XLSX])
    assert xlsx_facts.dump() == yaml_facts.dump(), "regenerate it: wenze convert facts/examples/tongchuan -o " \
                                                   "facts/examples/tongchuan.xlsx"
    chains = {}
    for name, facts in (("yaml", yaml_facts), ("xlsx", xlsx_facts)):
        tracer = Tracer(facts, pack, PythonBackend())
        chains[name] = chains_json([tracer.trace(i) for i in tracer.select()])
    assert chains["xlsx"] == chains["yaml"]
    cli_out = runner.invoke(cli, ["trace", str(EXAMPLE_XLSX), "--format", "json", "--backend", "python"]).output
    assert cli_out == chains["yaml"]


def test_the_template_has_every_sheet_headers_notes_and_drop_down_lists(tmp_path):
    path = tmp_path / "roster.xlsx"
    r = runner.invoke(cli, ["template", str(path)])
    assert r.exit_code == 0, r.output
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["说明", *(s.zh for s in SHEETS)]
    ws = book["任职"]
    assert [c.value for c in ws[1]] == ["编号", "人员", "职务", "代理", "起始日期", "终止日期"]
    assert ws["A2"].value.startswith("# ") and ws["E2"].value == "必填；到任之日"
    lists = {str(dv.sqref): dv.formula1 for dv in book["单位"].data_validations.dataValidation}
    assert lists["C3:C1048576"] == '"镇,党委,政府,人大,办所中心,村,村民小组,企业"'
    assert {dv.formula1 for dv in book["职务"].data_validations.dataValidation} >= {'"是,否"'}
    assert book["事故报告"]["A1"].value == "事故编号"
    assert load_facts([path]).dump() == {}
    en = tmp_path / "roster-en.xlsx"
    runner.invoke(cli, ["template", str(en), "--lang", "en"])
    assert [c.value for c in openpyxl.load_workbook(en)["tenures"][1]] == ["id", "person", "post", "acting", "from",
                                                                          "to"]


def test_a_new_user_fills_the_template_in_and_traces_an_incident(tmp_path):
    """From `wenze template` to a traced incident without writing YAML (the README's walk-through)."""
    path = tmp_path / "roster.xlsx"
    runner.invoke(cli, ["template", str(path)])
    book = openpyxl.load_workbook(path)
    rows = {
        "行业领域": [["construction", "建筑施工"]],
        "单位": [["town", "新城镇", "镇"], ["gov", "镇人民政府", "政府", "town"], ["v1", "东村", "村", "town"],
               ["site", "东村工地", "企业", "town", "v1", "construction"]],
        "人员": [["a", "甲"], ["b", "乙"], ["c", "丙"], ["d", "丁"]],
        "职务": [["mayor", "gov", "镇长", "镇长", "副科级以上"], ["dep", "gov", "副镇长", "副镇长", "副科级以上"],
               ["head", "v1", "村党支部书记", "村党组织书记"], ["boss", "site", "项目经理", "企业主要负责人"]],
        "任职": [[None, "a", "mayor", None, date(2021, 1, 1)], [None, "b", "dep", None, "2021/1/1"],
               [None, "c", "head", None, "2021年1月1日"], [None, "d", "boss", None, date(2021, 1, 1)]],
        "分工": [["fg", "分管", "dep", None, "construction", None, None, None, None, None, None, None, date(2021, 1, 1)]],
        "事故": [["inc-1", "2023-03-01T14:20:00+08:00", "site", None, None, None, 1]],
    }
    for sheet, data in rows.items():
        for row in data:
            book[sheet].append(row)
    book.save(path)
    r = runner.invoke(cli, ["validate", str(path), "--lang", "en"])
    assert (r.exit_code, r.output) == (0, f"{path}: ok: 1 sectors, 4 units, 4 people, 4 posts, 4 tenures, "
                                          "1 assignments, 1 incidents\n")
    (chain,) = json.loads(runner.invoke(cli, ["trace", str(path), "--format", "json", "--backend", "python"]).output)
    assert [link["person"] for link in chain["links"]] == ["d", "c", "b", "a"]


def test_cells_that_do_not_hold_what_their_column_needs_are_named_by_sheet_and_cell(tmp_path):
    path = tmp_path / "roster.xlsx"
    workbook(path, {
        "人员": [["编号", "姓名"], ["# 说明行", "不读"], ["a", "甲"], ["b", None], ["a", "乙"]],
        "单位": [["编号", "名称", "类别"], ["u", "镇", "城镇"]],
        "职务": [["编号", "所属单位", "职务名称", "职务类别", "分管安全生产", "备注"], ["p", "u", "镇长", "mayor", "也许"]],
        "任职": [["人员", "职务", "起始日期", "终止日期"], ["a", "p", 44986], ["a", "p", date(2021, 1, 1), date(2020, 1, 1)],
               ["a", "p", datetime(2021, 1, 1, 9, 30)]],
        "事故报告": [["事故编号", "报告渠道", "报告人", "报告时间"], ["inc-9", "村向镇报告", "a", "2023-03-01T15:00:00+08:00"]],
        "Sheet1": [],
    })
    assert problems(path) == [
        "roster.xlsx: 单位!C2: field '类别': '城镇' is not one of: 镇 (town), 党委 (party_committee), 政府 (government), "
        "人大 (congress), 办所中心 (office), 村 (village), 村民小组 (village_group), 企业 (enterprise)\n"
        "  hint: pick a value from the list (did you mean '镇'?)",
        "roster.xlsx: 职务!E1: column '分管安全生产': a post has no 'safety_lead' any more: 分管安全生产 (§4.3) is a "
        "dated assignment; remove the column and add a row to the 分工 sheet of kind 分管安全生产 (safety) for the "
        "post, with its start date\n  hint: see README: Fact files",
        "roster.xlsx: 职务!F1: unknown column '备注'\n  hint: remove it, or name a column of this sheet; "
        "columns: 编号、所属单位、职务名称、职务类别、级别、可多人同任",
        "roster.xlsx: 任职!C2: field '起始日期': the number 44986 in a date column, not a date\n"
        "  hint: format the cell as a date, or write 2023-03-01",
        "roster.xlsx: 任职!C4: field '起始日期': a date and a time (2021-01-01 09:30) in a date column\n"
        "  hint: give the date only",
        "roster.xlsx: 事故报告!A2: field '事故编号': no 事故 record 'inc-9'\n  hint: give the id of a record of the sheet 事故",
        "roster.xlsx: 人员!B4: field '姓名': Field required\n  hint: fill in this cell",
        "roster.xlsx: 任职!D3: field '终止日期': 'to' (2020-01-01) must be after 'from' (2021-01-01): intervals are "
        "half-open [from, to), so 'to' is the first day no longer in force",
        "roster.xlsx: 人员!A5: field '编号': duplicate id 'a'\n"
        "  hint: it is already used by 人员!3:3 (a) in roster.xlsx; give each record its own id",
    ]


def test_a_missing_column_is_reported_once_at_the_header_and_references_name_their_cells(tmp_path):
    path = tmp_path / "roster.xlsx"
    workbook(path, {"人员": [["编号"], ["a"], ["b"]],
                    "单位": [["id", "name", "kind", "sectors"], ["e", "厂", "enterprise", "mining、gas"]]})
    assert problems(path) == [
        "roster.xlsx: 人员!1:1: no column '姓名' (name)\n  hint: add the column '姓名': every 人员 record needs it",
        "roster.xlsx: 单位!D2: field 'sectors[1]': unknown sector 'mining'\n  hint: define it under 'sectors' or correct "
        "the id",
        "roster.xlsx: 单位!D2: field 'sectors[2]': unknown sector 'gas'\n  hint: define it under 'sectors' or correct the id",
    ]


def test_a_csv_that_is_not_utf8_says_how_to_save_it(tmp_path):
    path = tmp_path / "人员.csv"
    path.write_bytes("编号,姓名\na,甲\n".encode("gbk"))
    assert problems(path) == [
        f"{path}: file: is not UTF-8 (byte 0xb1 at line 1, column 1); it looks like GBK, as Chinese Windows tools "
        "save text\n  hint: convert it to UTF-8: iconv -f GBK -t UTF-8 人员.csv > utf8-人员.csv, or save it as UTF-8 "
        "(Excel: 'CSV UTF-8 (comma delimited)'; Notepad: Save as, Encoding UTF-8) (wenze reads UTF-8, or UTF-16 "
        "with a BOM)".replace(str(path), "roster.xlsx")]


def test_a_file_that_is_not_a_workbook_is_one_problem(tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_text("not a zip", encoding="utf-8")
    (p,) = problems(path)
    assert p.startswith("roster.xlsx: file: cannot be read as an Excel workbook")


def test_a_value_a_cell_cannot_hold_is_refused_not_bent(tmp_path):
    facts = load_facts([EXAMPLE])
    bad = facts.model_copy(update={"people": [facts.people[0].model_copy(update={"id": "#1"}), *facts.people[1:]]})
    r = runner.invoke(cli, ["convert", str(EXAMPLE), "-o", str(tmp_path / "x.xlsx")])
    assert r.exit_code == 0
    with pytest.raises(Exception, match="starts with #"):
        write_xlsx(tmp_path / "bad.xlsx", bad)


def test_read_xlsx_counts_rows_per_sheet():
    read = read_xlsx(EXAMPLE_XLSX)
    assert read.counts[str(EXAMPLE_XLSX)]["事故"] == len(load_facts([EXAMPLE]).incidents)


def test_convert_to_yaml_json_and_back(tmp_path):
    for out in ("t.yaml", "t.json"):
        r = runner.invoke(cli, ["convert", str(EXAMPLE_XLSX), "-o", str(tmp_path / out)])
        assert r.exit_code == 0, r.output
        assert load_facts([tmp_path / out]).dump() == load_facts([EXAMPLE]).dump()
    r = runner.invoke(cli, ["convert", str(EXAMPLE), "-o", "-"])
    assert r.output.startswith("sectors:\n")


def test_stdin_takes_yaml_and_a_workbook():
    org = (EXAMPLE / "org.yaml").read_text(encoding="utf-8")
    r = runner.invoke(cli, ["validate", "-", "--lang", "en"], input=org)
    assert r.exit_code == 0 and r.output.startswith("-: ok: 11 sectors, 17 units")
    r = runner.invoke(cli, ["trace", "-", "--format", "json", "--backend", "python"], input=EXAMPLE_XLSX.read_bytes())
    assert r.exit_code == 0 and len(json.loads(r.output)) == len(load_facts([EXAMPLE]).incidents)


def test_record_kinds_to_come_lay_out_without_code_nested_records_as_columns_lists_as_sheets():
    """A field holding a record spreads over columns; a list of records gets a sheet keyed by the parent's id."""
    from typing import Literal

    from facts.model import Dated, Id, Record
    from facts.sheets import _sheet

    class Rectified(Record):
        ordered_by: Id
        due: date | None = None

    class Cause(Record):
        id: Id
        kind: Literal["direct", "indirect"]
        hazards: list[Id] = []

    class Hazard(Dated):
        id: Id
        rectified: Rectified | None = None

    class Incident(Record):
        id: Id
        causes: list[Cause] = []

    hazard, incident = _sheet("hazards", Hazard), _sheet("incidents", Incident)
    assert [(c.key, c.kind) for c in hazard.columns] == [
        ("id", "id"), ("rectified.ordered_by", "id"), ("rectified.due", "date"), ("from", "date"), ("to", "date")]
    (causes,) = incident.children
    assert (causes.name, causes.attr, causes.parent, causes.key) == ("incidents.causes", "causes", "incidents",
                                                                    ("事故", "incidents"))
    assert [(c.key, c.kind) for c in causes.columns] == [("id", "id"), ("kind", "enum"), ("hazards", "ids")]
    assert causes.columns[1].labels() == {"direct": "direct", "indirect": "indirect"}
