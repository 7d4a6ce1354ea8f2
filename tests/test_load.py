"""Every validation error of the fact format, with its exact message."""
from __future__ import annotations

import json

import pytest
import yaml

from facts.errors import FactError
from facts.load import load_facts
from tests.conftest import BASE_TOWN, EXAMPLE, ROOT

BASE = yaml.safe_load(BASE_TOWN.read_text(encoding="utf-8"))


def problems(tmp_path, extra: dict, name: str = "case.yaml") -> list[str]:
    """Load the test town plus one extra file; return the problems, as printed, found in the extra file."""
    path = tmp_path / name
    path.write_text(yaml.safe_dump(extra, allow_unicode=True) if name.endswith(".yaml") else json.dumps(extra),
                    encoding="utf-8")
    with pytest.raises(FactError) as e:
        load_facts([BASE_TOWN, path])
    return [str(p).replace(str(path), name).replace(str(ROOT) + "/", "") for p in e.value.problems]


INC = {"id": "x1", "occurred_at": "2022-08-01T10:00:00+08:00", "site": "pit"}
CONDUCT = {"id": "c1", "by": "worker", "act": "rule_violation", "source": "询问笔录"}
ORDER = {"id": "o1", "kind": "stop_production", "site": "pit", "by": "gov", "date": "2022-07-01"}

CASES = {
    "a missing field": (
        {"people": [{"id": "zz"}]},
        ["case.yaml: people #1 (zz): field 'name': Field required\n  hint: add this field"]),
    "a misspelt field": (
        {"people": [{"id": "zz", "name": "某", "nmae": "x"}]},
        ["case.yaml: people #1 (zz): field 'nmae': Extra inputs are not permitted\n"
         "  hint: remove it, or spell a known field (did you mean 'name'?); known fields: id, name"]),
    "an unknown role": (
        {"posts": [{"id": "pz", "unit": "gov", "title": "镇长", "role": "mayr"}]},
        ["case.yaml: posts #1 (pz): field 'role': Input should be 'party_secretary', 'mayor', "
         "'deputy_party_secretary', 'deputy_mayor', 'congress_chair', 'committee_member', 'office_head', "
         "'enforcement_officer', 'cadre', 'village_party_secretary', 'village_director', 'enterprise_principal', "
         "'safety_manager' or 'employee'\n  hint: use one of the values listed"]),
    "'to' before 'from'": (
        {"tenures": [{"person": "sec", "post": "p_dep2", "from": "2022-01-01", "to": "2021-01-01"}]},
        ["case.yaml: tenures #1 (sec @ p_dep2): field 'to': 'to' (2021-01-01) must be after 'from' (2022-01-01): "
         "intervals are half-open [from, to), so 'to' is the first day no longer in force"]),
    "a bad date": (
        {"inspections": [{"id": "iz", "date": "2022-13-01", "site": "pit", "inspectors": ["insp"],
                          "outcome": "passed"}]},
        ["case.yaml: inspections #1 (iz): field 'date': 2022-13-01 is not a day of the calendar "
         "(month must be in 1..12)"]),
    "a time without a zone": (
        {"incidents": [{**INC, "occurred_at": "2022-08-01T10:00:00"}]},
        ["case.yaml: incidents #1 (x1): field 'occurred_at': 2022-08-01T10:00:00 has no time zone; add it, "
         "e.g. 2022-08-01T10:00:00+08:00"]),
    "an id with a space": (
        {"people": [{"id": "li si", "name": "李四"}]},
        ["case.yaml: people #1 (li si): field 'id': 'li si' has a space; an id is one word (use - or _)"]),
    "an assignment with both post and person": (
        {"assignments": [{"id": "az", "kind": "stationed", "post": "p_dep1", "person": "cadre", "village": "east",
                          "from": "2022-01-01"}]},
        ["case.yaml: assignments #1 (az): field 'person': give exactly one of 'post' (the duty passes to whoever "
         "holds it, §6.3) or 'person' (a personal assignment)"]),
    "an in_charge assignment with no target": (
        {"assignments": [{"id": "az", "kind": "in_charge", "post": "p_dep1", "from": "2022-01-01"}]},
        ["case.yaml: assignments #1 (az): field 'units': an in_charge (分管) assignment needs 'sectors' or 'units'"]),
    "a stationing with no village": (
        {"assignments": [{"id": "az", "kind": "stationed", "person": "cadre", "from": "2022-01-01"}]},
        ["case.yaml: assignments #1 (az): field 'site': a stationed assignment needs exactly one of 'village' (驻村) "
         "or 'site' (驻矿, 驻企)"]),
    "a stationing at a village and a site": (
        {"assignments": [{"id": "az", "kind": "stationed", "person": "cadre", "village": "east", "site": "pit",
                          "from": "2022-01-01"}]},
        ["case.yaml: assignments #1 (az): field 'site': a stationed assignment needs exactly one of 'village' (驻村) "
         "or 'site' (驻矿, 驻企)"]),
    "a stationing at a village that is not a site": (
        {"assignments": [{"id": "az", "kind": "stationed", "person": "cadre", "site": "east", "from": "2022-01-01"}]},
        ["case.yaml: assignments #1 (az): field 'site': 'east' is a village, not a enterprise\n"
         "  hint: name a unit of kind enterprise"]),
    "a safety assignment given sectors": (
        {"assignments": [{"id": "az", "kind": "safety", "post": "p_dep1", "sectors": ["quarry"], "from": "2022-01-01"}]},
        ["case.yaml: assignments #1 (az): field 'sectors': a safety assignment (分管安全生产) covers its whole "
         "territory: remove 'sectors' (name the territory with 'within')"]),
    "the old safety_lead flag of a post": (
        {"posts": [{"id": "p_lead", "unit": "gov", "title": "副镇长", "role": "deputy_mayor", "safety_lead": True}]},
        ["case.yaml: posts #1 (p_lead): field 'safety_lead': a post has no 'safety_lead' any more: 分管安全生产 (§4.3) "
         "is a dated assignment. Remove it here and write under 'assignments': {id: safety-p_lead, kind: safety, "
         "post: p_lead, from: YYYY-MM-DD}"]),
    "a rank that is not one": (
        {"posts": [{"id": "p_x", "unit": "gov", "title": "副镇长", "role": "deputy_mayor", "rank": "deputy"}]},
        ["case.yaml: posts #1 (p_x): field 'rank': Input should be 'leadership' or 'staff'\n"
         "  hint: use one of the values listed"]),
    "a declaration of no kinds for an unknown unit": (
        {"records": [{"unit": "gvo", "kinds": [], "from": "2022-01-01"}]},
        ["case.yaml: records #1 (gvo from 2022-01-01): field 'kinds': List should have at least 1 item after "
         "validation, not 0\n  hint: see `wenze schema` for the format"]),
    "a declaration for an unknown unit": (
        {"records": [{"unit": "gvo", "kinds": ["monthly_meeting"], "from": "2022-01-01"}]},
        ["case.yaml: records #1 (gvo from 2022-01-01): field 'unit': unknown unit 'gvo' (did you mean 'gov'?)\n"
         "  hint: define it under 'units' or correct the id"]),
    "the villages of a unit that is not an office": (
        {"units": [{"id": "north", "name": "北村", "kind": "village", "parent": "town", "villages": ["east"]}]},
        ["case.yaml: units #1 (north): field 'villages': only an office has 'villages'; remove it from this village"]),
    "a village given sectors": (
        {"units": [{"id": "north", "name": "北村", "kind": "village", "parent": "town", "sectors": ["quarry"]}]},
        ["case.yaml: units #1 (north): field 'sectors': only an enterprise or office has 'sectors'; remove it from this village"]),
    "a duplicate id": (
        {"people": [{"id": "sec", "name": "重名"}]},
        ["case.yaml: people #1 (sec): field 'id': duplicate id 'sec'\n"
         "  hint: it is already used by people #1 (sec) in tests/cases/_base/town.yaml; give each record its own id"]),
    "an unknown unit, with a suggestion": (
        {"posts": [{"id": "pz", "unit": "gvo", "title": "副镇长", "role": "deputy_mayor"}]},
        ["case.yaml: posts #1 (pz): field 'unit': unknown unit 'gvo' (did you mean 'gov'?)\n"
         "  hint: define it under 'units' or correct the id"]),
    "a stationing in something that is not a village": (
        {"assignments": [{"id": "az", "kind": "stationed", "person": "cadre", "village": "pit", "from": "2022-01-01"}]},
        ["case.yaml: assignments #1 (az): field 'village': 'pit' is a enterprise, not a village\n"
         "  hint: name a unit of kind village"]),
    "overlapping tenures of a single-holder post": (
        {"tenures": [{"person": "dep2", "post": "p_mayor", "from": "2021-06-01"}]},
        ["case.yaml: tenures #1 (dep2 @ p_mayor): field 'from': post 'p_mayor' is already held by 'mayor' from "
         "2020-01-01 with no end\n  hint: end the earlier tenure on 2021-06-01 (its 'to'), or mark the post "
         "'shared: true'"]),
    "an incident at an unknown site": (
        {"incidents": [{**INC, "site": "pitt"}]},
        ["case.yaml: incidents #1 (x1): field 'site': unknown unit 'pitt' (did you mean 'pit'?)\n"
         "  hint: define it under 'units' or correct the id"]),
    "an unknown person involved": (
        {"incidents": [{**INC, "involved": ["wroker"]}]},
        ["case.yaml: incidents #1 (x1): field 'involved.0': unknown person 'wroker' (did you mean 'worker'?)\n"
         "  hint: define it under 'people' or correct the id"]),
    "a report on an unknown channel": (
        {"incidents": [{**INC, "reports": [{"channel": "phone", "by": "boss", "at": "2022-08-01T10:30:00+08:00"}]}]},
        ["case.yaml: incidents #1 (x1): field 'reports.0.channel': Input should be 'enterprise_to_authority', "
         "'village_to_town' or 'town_to_district'\n  hint: use one of the values listed"]),
    "a report made before the incident": (
        {"incidents": [{**INC, "reports": [{"channel": "village_to_town", "by": "vhead",
                                            "at": "2022-08-01T09:00:00+08:00"}]}]},
        ["case.yaml: incidents #1 (x1): field 'reports.0.at': the report at 2022-08-01T09:00:00+08:00 is before "
         "the reporter learned of the incident\n  hint: check 'at', 'learned_at' and 'occurred_at'"]),
    "an unknown person found to have concealed it": (
        {"incidents": [{**INC, "concealed_by": ["bos"]}]},
        ["case.yaml: incidents #1 (x1): field 'concealed_by.0': unknown person or unit 'bos' (did you mean "
         "'boss'?)\n  hint: define it under 'people' or 'units', or correct the id"]),
    "a duty record of an unknown unit": (
        {"duty_records": [{"id": "m1", "kind": "monthly_meeting", "unit": "gvo", "date": "2022-01-05"}]},
        ["case.yaml: duty_records #1 (m1): field 'unit': unknown unit 'gvo' (did you mean 'gov'?)\n"
         "  hint: define it under 'units' or correct the id"]),
    "a hazard that ends before it starts": (
        {"hazards": [{"id": "h1", "site": "pit", "from": "2022-05-01", "to": "2022-04-01", "description": "边坡"}]},
        ["case.yaml: hazards #1 (h1): field 'to': 'to' (2022-04-01) must be after 'from' (2022-05-01): intervals are "
         "half-open [from, to), so 'to' is the first day no longer in force"]),
    "an unknown inspector": (
        {"inspections": [{"id": "iz", "date": "2022-01-01", "site": "pit", "inspectors": ["nobody"],
                          "outcome": "passed"}]},
        ["case.yaml: inspections #1 (iz): field 'inspectors.0': unknown person 'nobody'\n"
         "  hint: define it under 'people' or correct the id"]),
    "a signature on an unknown inspection": (
        {"signatures": [{"id": "sz", "person": "insp", "date": "2022-01-01", "site": "pit",
                         "document": "inspection_record", "inspection": "i404"}]},
        ["case.yaml: signatures #1 (sz): field 'inspection': unknown inspection 'i404'\n"
         "  hint: define it under 'inspections' or correct the id"]),
    "an unknown document kind": (
        {"signatures": [{"id": "sz", "person": "insp", "date": "2022-01-01", "site": "pit", "document": "memo"}]},
        ["case.yaml: signatures #1 (sz): field 'document': Input should be 'inspection_record', 'acceptance', "
         "'rectification_acceptance', 'permit', 'responsibility_letter' or 'approval'\n"
         "  hint: use one of the values listed"]),
    "an unknown section": (
        {"peple": []},
        ["case.yaml: section 'peple': unknown section\n  hint: use one of: sectors, units, people, posts, tenures, "
         "assignments, incidents, inspections, signatures, duty_records, hazards, conduct, orders, records (did you "
         "mean 'people'?)"]),
    "a unit loop": (
        {"units": [{"id": "u1", "name": "甲", "kind": "office", "parent": "u2"},
                   {"id": "u2", "name": "乙", "kind": "office", "parent": "u1"}]},
        ["case.yaml: units #1 (u1): field 'parent': unit 'u1' is its own ancestor\n"
         "  hint: units form a tree: remove the loop",
         "case.yaml: units #2 (u2): field 'parent': unit 'u2' is its own ancestor\n"
         "  hint: units form a tree: remove the loop"]),
    "a unit under an unknown parent": (
        {"units": [{"id": "v9", "name": "某村", "kind": "village", "parent": "nowhere"}]},
        ["case.yaml: units #1 (v9): field 'parent': unknown unit 'nowhere'\n"
         "  hint: define it under 'units' or correct the id"]),
    "a sector loop": (
        {"sectors": [{"id": "s1", "name": "甲", "parent": "s2"}, {"id": "s2", "name": "乙", "parent": "s1"}]},
        ["case.yaml: sectors #1 (s1): field 'parent': sector 's1' is its own ancestor\n"
         "  hint: sectors form a tree: remove the loop",
         "case.yaml: sectors #2 (s2): field 'parent': sector 's2' is its own ancestor\n"
         "  hint: sectors form a tree: remove the loop"]),
    # Strict values: each of these used to be converted quietly into something else.
    "true as a count of deaths": (
        {"incidents": [{**INC, "deaths": True}]},
        ["case.yaml: incidents #1 (x1): field 'deaths': must be a whole number, not the yes/no value true; "
         "write 1 for one, 0 for none"]),
    "quoted digits as a count": (
        {"incidents": [{**INC, "serious_injuries": "3"}]},
        ["case.yaml: incidents #1 (x1): field 'serious_injuries': must be a whole number, not the text '3'; "
         "write it without quotes"]),
    "a decimal as an amount": (
        {"incidents": [{**INC, "direct_loss_yuan": 1.5e6}]},
        ["case.yaml: incidents #1 (x1): field 'direct_loss_yuan': must be a whole number, not the number "
         "1500000.0; write a whole number"]),
    "a number as a date": (
        {"inspections": [{"id": "iz", "date": 20220801, "site": "pit", "inspectors": ["insp"], "outcome": "passed"}]},
        ["case.yaml: inspections #1 (iz): field 'date': must be a date written YYYY-MM-DD, e.g. 2022-08-01, not "
         "the number 20220801"]),
    "a unix time as a time (with a zone it would invent)": (
        {"incidents": [{**INC, "occurred_at": 1700000000}]},
        ["case.yaml: incidents #1 (x1): field 'occurred_at': must be a date and time with its zone, e.g. "
         "2023-03-01T14:20:00+08:00, not the number 1700000000"]),
    "a word as a yes/no": (
        {"posts": [{"id": "pz", "unit": "gov", "title": "副镇长", "role": "deputy_mayor", "shared": "yes"}]},
        ["case.yaml: posts #1 (pz): field 'shared': must be true or false, not the text 'yes'"]),
    "a line break in a name": (
        {"people": [{"id": "zz", "name": "张三\n| injected |"}]},
        ["case.yaml: people #1 (zz): field 'name': holds a line break; write it on one line"]),
    "an id longer than an id": (
        {"people": [{"id": "x" * 200, "name": "某"}]},
        [f"case.yaml: people #1 ({'x' * 59}…): field 'id': is 200 characters long; at most 128"]),
    # conduct, causes, events, the dead, relays, orders, statuses, report duties
    "conduct naming nobody": (
        {"conduct": [{"id": "c1", "act": "rule_violation", "source": "询问笔录"}]},
        ["case.yaml: conduct #1 (c1): give 'by' (a person or unit id), or 'actor' (who, in words) when the "
         "investigation could not name them"]),
    "conduct by an unknown person or unit": (
        {"conduct": [{**CONDUCT, "by": "wroker"}]},
        ["case.yaml: conduct #1 (c1): field 'by': unknown person or unit 'wroker' (did you mean 'worker'?)\n"
         "  hint: define it under 'people' or 'units', or correct the id"]),
    "conduct dated both ways": (
        {"conduct": [{**CONDUCT, "date": "2022-07-01", "from": "2022-06-01"}]},
        ["case.yaml: conduct #1 (c1): give 'date' (one day) or 'from'/'to' (a period), not both"]),
    "a cause resting on unknown conduct": (
        {"incidents": [{**INC, "causes": [{"id": "k1", "kind": "direct", "description": "违章", "conduct": ["c9"]}]}]},
        ["case.yaml: incidents #1 (x1): field 'causes.0.conduct.0': unknown conduct record 'c9'\n"
         "  hint: define it under 'conduct' or correct the id"]),
    "a cause resting on conduct after the incident": (
        {"conduct": [{**CONDUCT, "date": "2022-08-02"}],
         "incidents": [{**INC, "causes": [{"id": "k1", "kind": "direct", "description": "违章", "conduct": ["c1"]}]}]},
        ["case.yaml: incidents #1 (x1): field 'causes.0.conduct.0': conduct 'c1' began on 2022-08-02, after the "
         "incident (2022-08-01): it cannot be a cause of it\n"
         "  hint: check the conduct's date, or leave it out of the cause"]),
    "a cause resting on another incident's conduct": (
        {"conduct": [{**CONDUCT, "incident": "x2"}],
         "incidents": [{**INC, "causes": [{"id": "k1", "kind": "direct", "description": "违章", "conduct": ["c1"]}]}, {**INC, "id": "x2"}]},
        ["case.yaml: incidents #1 (x1): field 'causes.0.conduct.0': conduct 'c1' is of incident 'x2', not this one\n"
         "  hint: list conduct of this incident, or correct the conduct's 'incident'"]),
    "a cause resting on conduct after the accident": (
        {"conduct": [{**CONDUCT, "act": "scene_destroyed", "incident": "x1"}],
         "incidents": [{**INC, "causes": [{"id": "k1", "kind": "direct", "description": "违章", "conduct": ["c1"]}]}]},
        ["case.yaml: incidents #1 (x1): field 'causes.0.conduct.0': conduct 'c1' (scene_destroyed) is an act after "
         "the accident, not a cause of it\n  hint: name the incident in the conduct's 'incident', and leave it out "
         "of the cause"]),
    "an event with casualties": (
        {"incidents": [{**INC, "kind": "event", "deaths": 1}]},
        ["case.yaml: incidents #1 (x1): field 'kind': an event (事件) is not an accident: it has no 'deaths'; "
         "make it 'kind: accident', or leave out 'deaths'"]),
    "more dead than deaths": (
        {"incidents": [{**INC, "deaths": 1, "deceased": ["worker", "guard"]}]},
        ["case.yaml: incidents #1 (x1): field 'deceased': 2 people are listed as having died, but 'deaths' is 1"]),
    "a relay of nobody's report": (
        {"incidents": [{**INC, "reports": [{"channel": "town_to_district", "by": "mayor",
                                            "at": "2022-08-01T11:00:00+08:00", "relayed_from": "boss"}]}]},
        ["case.yaml: incidents #1 (x1): field 'reports.0.relayed_from': 'boss' made no report before this one "
         "(2022-08-01T11:00:00+08:00)\n  hint: name the person whose report this one passed on, or add their report"]),
    "an order lifted before it was given": (
        {"orders": [{**ORDER, "until": "2022-06-01"}]},
        ["case.yaml: orders #1 (o1): 'until' (2022-06-01) must be after 'date' (2022-07-01): it is the first day "
         "the order no longer holds"]),
    "an order to a village": (
        {"orders": [{**ORDER, "site": "east"}]},
        ["case.yaml: orders #1 (o1): field 'site': 'east' is a village, not a enterprise\n"
         "  hint: name a unit of kind enterprise"]),
    "overlapping statuses": (
        {"units": [{"id": "kiln", "name": "砖窑", "kind": "enterprise", "parent": "town", "village": "east",
                    "sectors": ["quarry"], "status": [{"status": "licensed", "from": "2020-01-01"},
                                                      {"status": "sealed", "from": "2022-01-01"}]}]},
        ["case.yaml: units #1 (kiln): field 'status': status 'sealed' from 2022-01-01 overlaps status 'licensed' "
         "from 2020-01-01: end the earlier one (its 'to') on 2022-01-01"]),
    "a report duty without channels": (
        {"assignments": [{"id": "a9", "kind": "report", "post": "p_mayor", "from": "2022-01-01"}]},
        ["case.yaml: assignments #1 (a9): field 'channels': a report assignment (报告职责) needs 'channels': the "
         "reports its bearer makes"]),
}


@pytest.mark.parametrize("extra,expected", CASES.values(), ids=CASES.keys())
def test_each_validation_error_has_its_exact_message(tmp_path, extra, expected):
    assert problems(tmp_path, extra) == expected


def test_all_problems_of_a_file_are_reported_at_once_without_cascades(tmp_path):
    """A record that fails is reported once; its id still counts as defined, so its uses are not errors too."""
    extra = {"people": [{"id": "zz"}, {"id": "yy", "name": "乙", "x": 1}],
             "tenures": [{"person": "zz", "post": "p_dep2", "from": "2022-01-01", "to": "2021-01-01"}]}
    found = problems(tmp_path, extra)
    assert [p.split(":")[1].strip() for p in found] == ["people #1 (zz)", "people #2 (yy)", "tenures #1 (zz @ p_dep2)"]


def test_json_files_are_accepted_like_yaml(tmp_path):
    path = tmp_path / "extra.json"
    path.write_text(json.dumps({"people": [{"id": "zz", "name": "某"}]}), encoding="utf-8")
    assert load_facts([BASE_TOWN, path]).people[-1].name == "某"


def test_a_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("people:\n  - {id: a, name: 甲\n", encoding="utf-8")
    with pytest.raises(FactError) as e:
        load_facts([path])
    assert str(e.value.problems[0]).replace(str(path), "broken.yaml") == (
        "broken.yaml: file: line 3, column 1: not valid YAML: did not find expected ',' or '}'\n"
        "  hint: fix the syntax at that line")


def test_a_folder_is_read_in_name_order():
    facts = load_facts([EXAMPLE])
    assert len(facts.incidents) >= 6 and facts.people


def test_no_files_is_an_error(tmp_path):
    with pytest.raises(FactError, match="no fact files found"):
        load_facts([tmp_path])
