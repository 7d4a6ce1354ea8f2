"""Every file wenze takes is read one way (facts.read): what a person writes is what wenze reads, or exit 2.

One test per way a file used to be misread or to crash the reader: encodings, duplicate
keys, YAML 1.1's surprises, tags, aliases, nesting, numbers, text, and files that are
not regular files.
"""
from __future__ import annotations

import os
import time

import pytest
from click.testing import CliRunner

import facts.read
from cli import cli
from engine.analyses.whatif.scenario import ScenarioError, load_scenario
from engine.pack.rulepack import DEFAULT_PACK, load_pack
from facts.errors import FactError, RulePackError
from facts.load import load_facts
from facts.read import ReadError, parse_json, parse_yaml, read_document
from tests.conftest import BASE_TOWN

PEOPLE = "people:\n  - {id: zhang, name: 张三}\n"


def only_problem(path) -> str:
    """The one problem loading a fact file gives, as printed, with the file named by its base name."""
    with pytest.raises(FactError) as e:
        load_facts([path])
    (problem,) = e.value.problems
    return str(problem).replace(str(path), path.name)


def write(tmp_path, name: str, data: bytes | str):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


# -- encodings ---------------------------------------------------------------------------------

@pytest.mark.parametrize("codec", ["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "utf-32"])
def test_utf8_with_or_without_a_bom_and_utf16_or_32_with_a_bom_are_read_alike(tmp_path, codec):
    data = PEOPLE.encode(codec)
    if codec == "utf-16-be":  # Python writes no BOM for an explicit byte order: add the one Windows writes
        data = b"\xfe\xff" + data
    assert load_facts([write(tmp_path, "p.yaml", data)]).people[0].name == "张三"


def test_gbk_is_refused_naming_gbk_and_how_to_convert(tmp_path):
    path = write(tmp_path, "org.yaml", PEOPLE.encode("gbk"))
    assert only_problem(path) == (
        "org.yaml: file: is not UTF-8 (byte 0xd5 at line 2, column 23); it looks like GBK, as Chinese Windows "
        "tools save text\n  hint: convert it to UTF-8: iconv -f GBK -t UTF-8 org.yaml > utf8-org.yaml, or save it as "
        "UTF-8 (Excel: 'CSV UTF-8 (comma delimited)'; Notepad: Save as, Encoding UTF-8) (wenze reads UTF-8, or "
        "UTF-16 with a BOM)")


def test_big5_and_utf16_without_a_bom_are_named_too(tmp_path):
    big5 = "people:\n  - {id: z, name: 張三}\n".encode("big5")
    assert "it looks like Big5" in only_problem(write(tmp_path, "a.yaml", big5))
    assert only_problem(write(tmp_path, "b.yaml", PEOPLE.encode("utf-16-le"))) == (
        "b.yaml: file: looks like UTF-16LE without a byte-order mark (every other byte is 0)\n"
        "  hint: convert it to UTF-8: iconv -f UTF-16LE -t UTF-8 b.yaml > utf8-b.yaml, or save it as UTF-16 with a "
        "BOM (Notepad's 'Unicode')")


def test_the_command_exits_2_on_a_gbk_file_with_no_traceback(tmp_path):
    r = CliRunner().invoke(cli, ["validate", str(write(tmp_path, "org.yaml", PEOPLE.encode("gbk")))])
    assert r.exit_code == 2 and "it looks like GBK" in r.output and "Traceback" not in r.output


# -- duplicate keys ----------------------------------------------------------------------------

def test_a_second_section_is_refused_with_both_lines_not_silently_kept(tmp_path):
    """YAML keeps the last of two keys: a second `incidents:` used to drop every incident of the first."""
    path = write(tmp_path, "inc.yaml", "incidents:\n  - {id: a}\npeople: []\nincidents:\n  - {id: b}\n")
    assert only_problem(path) == (
        "inc.yaml: file: line 4, column 1: the key 'incidents' appears twice in one mapping, at line 1 and at "
        "line 4; YAML would keep only the last\n  hint: merge the two, or remove one")


def test_duplicate_keys_are_refused_in_json_fact_files_packs_and_scenarios(tmp_path):
    path = write(tmp_path, "p.json", '{"people": [{"id": "a", "name": "甲",\n "name": "乙"}]}')
    assert only_problem(path) == (
        "p.json: file: line 1, column 25 and line 2, column 2: the key 'name' appears twice in one object "
        "(JSON readers keep only the last)\n  hint: merge the two, or remove one")
    pack = write(tmp_path, "pack.yaml", DEFAULT_PACK.read_text(encoding="utf-8").replace(
        "\nclauses:\n", '\nclauses:\n  "§4.2": again\n', 1))
    with pytest.raises(RulePackError, match="the key '§4.2' appears twice in one mapping"):
        load_pack(pack)
    scenario = write(tmp_path, "s.yaml", "name: s\nchanges:\n  - disable_rules: [a]\nchanges:\n  - set_params: {}\n")
    with pytest.raises(ScenarioError, match="the key 'changes' appears twice"):
        load_scenario(scenario)


# -- YAML 1.2 core schema ----------------------------------------------------------------------

def test_yaml_reads_what_a_person_wrote_not_yaml_11():
    doc = parse_yaml("a: on\nb: yes\nc: off\nd: 1:30\ne: 14:35\nf: 0123\ng: 2022-08-01\nh: 1_000\ni: true\n"
                     "j: ~\nk: 1.5\nl: <<\n", "f.yaml")
    assert doc == {"a": "on", "b": "yes", "c": "off", "d": "1:30", "e": "14:35", "f": 123, "g": "2022-08-01",
                   "h": "1_000", "i": True, "j": None, "k": 1.5, "l": "<<"}


def test_a_sexagesimal_count_is_refused_not_read_as_90(tmp_path):
    """YAML 1.1 read `deaths: 1:30` as 90 deaths (特别重大) and `14:35` as a time in 1970."""
    path = write(tmp_path, "i.yaml", "incidents:\n  - {id: x, occurred_at: 14:35, site: pit, deaths: 1:30}\n")
    with pytest.raises(FactError) as e:
        load_facts([BASE_TOWN, path])
    assert [(p.field, p.message) for p in e.value.problems] == [
        ("occurred_at", "must be a date and time with its zone, e.g. 2023-03-01T14:20:00+08:00, not the text "
                        "'14:35'"),
        ("deaths", "must be a whole number, not the text '1:30'; write a whole number")]


def test_end_tenure_on_a_date_can_be_written_as_documented(tmp_path):
    """`on` was read as true: the documented `end_tenure: {on: …}` could not be written."""
    path = write(tmp_path, "s.yaml", "name: early\nchanges:\n  - end_tenure: {tenure: t1, on: 2022-06-01}\n")
    (change,) = load_scenario(path).changes
    assert (change.arg.tenure, change.arg.on.isoformat()) == ("t1", "2022-06-01")


@pytest.mark.parametrize("text,message", [
    ("a: !!int abc", "line 1, column 4: 'abc' is not a valid !!int"),
    ("a: !!bool maybe", "line 1, column 4: 'maybe' is not a valid !!bool"),
    ("a: !!timestamp 2022-02-30", "line 1, column 4: the tag 'tag:yaml.org,2002:timestamp' is not supported; write "
                                  "plain values (the tags YAML's core schema has: !!str !!int !!float !!bool !!null "
                                  "!!seq !!map)"),
    ("a: !!python/object:os.system ls", "line 1, column 4: the tag 'tag:yaml.org,2002:python/object:os.system' is not "
                                        "supported; write plain values (the tags YAML's core schema has: !!str !!int "
                                        "!!float !!bool !!null !!seq !!map)"),
    ("a: &x [*x]", "line 1, column 4: an alias refers to the value that contains it"),
    ("a: *nowhere", "line 1, column 4: not valid YAML: found undefined alias"),
    ("1: a", "line 1, column 1: a key must be text, not '1'"),
    ("a: " + "9" * 31, "line 1, column 4: an integer of 31 digits (at most 30)"),
    ("a: \"\\0\"", "line 1, column 4: a control character U+0000 in '\\x00'"),
    ("a: 1\n---\nb: 2", "line 2, column 1: not valid YAML: expected a single document in the stream but found "
                         "another document"),
])
def test_malformed_tags_aliases_keys_and_values_are_input_errors(text, message):
    with pytest.raises(ReadError) as e:
        parse_yaml(text, "f.yaml")
    assert e.value.problems[0].message == message


def test_impossible_dates_and_times_are_the_models_clear_errors(tmp_path):
    path = write(tmp_path, "x.yaml", "inspections:\n  - {id: i, date: 2022-02-30, site: pit, inspectors: [insp], "
                                     "outcome: passed}\nincidents:\n  - {id: x, occurred_at: 2022-08-01T25:00:00+08:00,"
                                     " site: pit}\n")
    with pytest.raises(FactError) as e:
        load_facts([BASE_TOWN, path])
    assert [p.message for p in e.value.problems] == [
        "2022-02-30 is not a day of the calendar (day is out of range for month)",
        "2022-08-01T25:00:00+08:00 is not a time of the calendar (hour must be in 0..23)"]


# -- bounds: aliases, nesting, numbers, text ---------------------------------------------------

def laughs(levels: int = 9) -> str:
    lines = ["a: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_a_billion_laughs_is_refused_before_anything_is_built(tmp_path):
    """Ten levels of ten aliases stand for 10^9 values; the file is a few hundred bytes."""
    path = write(tmp_path, "pack.yaml", laughs())
    start = time.process_time()
    with pytest.raises(RulePackError) as e:
        load_pack(path)
    assert time.process_time() - start < 5  # a bound, not a benchmark: expanded, it would never end
    assert e.value.problems[0].message == (
        "line 1, column 1: its aliases (*name) repeat 1,234,567,800 values; at most 100,000 are allowed")


def test_a_billion_laughs_in_an_id_is_never_formatted_into_a_message():
    """An id a few aliases long is refused by the model with a label of bounded length."""
    doc = parse_yaml("people:\n  - id: &l [a, a, a, a]\n    name: [*l, *l, *l, *l]\n", "f.yaml")
    from facts.load import _Loader
    loader = _Loader()
    from pathlib import Path
    loader.add_document(Path("f.yaml"), doc)
    assert [str(p) for p in loader.problems] == [
        "f.yaml: people #1 (['a', 'a', 'a', 'a']): field 'id': must be text, not a list; quote it if it is meant "
        "as text",
        "f.yaml: people #1 (['a', 'a', 'a', 'a']): field 'name': must be text, not a list; quote it if it is meant as "
        "text"]


def test_deep_nesting_is_refused_in_yaml_and_json():
    with pytest.raises(ReadError, match="nested more than 32 levels deep"):
        parse_yaml("a: " + "[" * 40 + "]" * 40, "f.yaml")
    with pytest.raises(ReadError, match="nested more than 32 levels deep"):
        parse_json("[" * 100_000 + "]" * 100_000, "f.json")


@pytest.mark.parametrize("text,message", [
    ('{"a": NaN}', "line 1, column 7: NaN is not a JSON value"),
    ('{"a": 1e999}', "line 1, column 7: the number '1e999' is too large"),
    ('{"a": ' + "9" * 5000 + "}", "line 1, column 7: an integer of 5000 digits (at most 30)"),
    ('{"a": "\\ud800"}', "at 'a': a lone surrogate (half of a broken character) U+D800 in '\\ud800'"),
    ('{"a": ["\\u001b[2J"]}', "at 'a.0': a control character U+001B in '\\x1b[2J'"),
])
def test_json_numbers_and_text_beyond_what_every_reader_keeps_are_refused(text, message):
    with pytest.raises(ReadError) as e:
        parse_json(text, "f.json")
    assert e.value.problems[0].message == message


# -- files -------------------------------------------------------------------------------------

def test_a_pipe_a_device_or_a_folder_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)  # opening it for reading would wait forever for a writer
    with pytest.raises(ReadError, match="is not a regular file"):
        read_document(fifo)
    with pytest.raises(ReadError, match="is not a regular file"):
        read_document("/dev/zero")
    with pytest.raises(RulePackError, match="is a folder, not a file"):
        load_pack(tmp_path)


def test_a_file_larger_than_the_bound_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(facts.read, "MAX_BYTES", 100)
    with pytest.raises(ReadError, match="is 200 bytes; wenze reads files of at most 100 bytes"):
        read_document(write(tmp_path, "big.yaml", "#" * 199 + "\n"))
