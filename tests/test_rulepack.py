"""Loading a rule pack checks it against the context-fact schema; each error names file, rule and field."""
from __future__ import annotations

import copy

import pytest
import yaml

from engine.pack.rulepack import DEFAULT_PACK, load_pack
from facts.errors import RulePackError

SHIPPED = yaml.safe_load(DEFAULT_PACK.read_text(encoding="utf-8"))


def problems_after(tmp_path, change) -> list[str]:
    raw = copy.deepcopy(SHIPPED)
    change(raw)
    path = tmp_path / "pack.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(RulePackError) as e:
        load_pack(path)
    return [str(p).replace(str(path), "pack.yaml") for p in e.value.problems]


def rule(raw, rule_id):
    return next(r for r in raw["rules"] if r["id"] == rule_id)


def grading(raw, grading_id):
    return next(g for g in raw["grading"] if g["id"] == grading_id)


CASES = {
    "an unknown fact kind": (
        lambda raw: rule(raw, "signer")["when"]["sig"].update(kind="signatur"),
        ["pack.yaml: rules #9 (signer): field 'when.sig.kind': unknown fact kind 'signatur' (did you mean "
         "'signature'?)\n  hint: use one of: incident, holds, in_charge, liaison, inspection, signature, involved, "
         "vacancy, report, report_duty, concealment, unit_concealment, duty_record, duty_gap, exposure, unit, "
         "records, records_gap, conduct, unit_conduct, unnamed_conduct, deceased, order, order_duty, site_status"]),
    "an unknown field": (
        lambda raw: rule(raw, "inspector")["when"]["check"].update(days_ago={"lte": 1}),
        ["pack.yaml: rules #8 (inspector): field 'when.check.days_ago': a fact of kind 'inspection' has no field "
         "'days_ago' (did you mean 'days_before'?)\n  hint: fields of 'inspection': person, inspection, date, "
         "days_before, outcome, cause, cause_kind, hazard, bears"]),
    "an unknown clause": (
        lambda raw: rule(raw, "town_heads").update(clause="§4.9"),
        ["pack.yaml: rules #1 (town_heads): field 'clause': unknown clause '§4.9' (did you mean '§4.7'?)\n"
         "  hint: cite a clause id listed under 'clauses' (see the plan's CLAUSES.md)"]),
    "a duplicate rule id": (
        lambda raw: rule(raw, "signer").update(id="inspector"),
        ["pack.yaml: rules #9 (inspector): field 'id': duplicate rule id 'inspector'\n"
         "  hint: give each rule and gap its own id"]),
    "an unknown parameter": (
        lambda raw: rule(raw, "inspector")["when"]["check"].update(days_before={"lte": {"param": "window"}}),
        ["pack.yaml: rules #8 (inspector): field 'when.check.days_before': unknown parameter 'window'\n"
         "  hint: declare it under 'parameters'"]),
    "a value of the wrong type": (
        lambda raw: rule(raw, "town_heads")["when"]["head"].update(acting="yes"),
        ["pack.yaml: rules #1 (town_heads): field 'when.head.acting': 'acting' is bool; got ['yes']\n"
         "  hint: give a bool"]),
    "a reference to a later alias": (
        lambda raw: rule(raw, "town_heads")["when"]["head"].update(unit={"ref": "later.unit"}),
        ["pack.yaml: rules #1 (town_heads): field 'when.head.unit': 'later.unit' refers to 'later', not an "
         "earlier alias\n  hint: a reference names an alias defined above it in the same rule"]),
    "an unknown category": (
        lambda raw: rule(raw, "town_heads").update(category="overall_leadershp"),
        ["pack.yaml: rules #1 (town_heads): field 'category': unknown category 'overall_leadershp' (did you mean "
         "'overall_leadership'?)\n  hint: use one of: overall_leadership, supervisory_leadership, direct_leadership, "
         "principal_responsibility, post_responsibility, territorial_responsibility, liaison_responsibility, "
         "inspection_responsibility, signature_responsibility, supervision_responsibility, late_report, "
         "omitted_report, false_report, concealed_report, duty_failure, conduct_responsibility, order_defied, "
         "illegal_operation, due_diligence"]),
    "a liable alias that names no person": (
        lambda raw: rule(raw, "town_heads").update(liable="nobody"),
        ["pack.yaml: rules #1 (town_heads): field 'liable': 'nobody' is not an alias of 'when'\n"
         "  hint: name the alias whose 'person' is answerable"]),
    "an operator that does not exist": (
        lambda raw: rule(raw, "inspector")["when"]["check"].update(days_before={"le": 3}),
        ["pack.yaml: rules #8 (inspector): field 'when': field 'days_before': a test is a value or one "
         "of {eq, ne, lt, lte, gt, gte, in, not_in}: value (did you mean 'lte'?)"]),
    "two gradings that disagree without precedence": (
        lambda raw: grading(raw, "directly_in_charge").pop("overrides"),
        ["pack.yaml: grading directly_in_charge, in_charge: field 'overrides': both can grade the findings of rule "
         "'sector_in_charge', as 'main_leadership' and as 'important_leadership', and neither overrides the other\n"
         "  hint: add `overrides: [in_charge]` to grading directly_in_charge (or the reverse), or make their conditions "
         "exclusive"]),
    "two gradings that override each other": (
        lambda raw: grading(raw, "in_charge").update(overrides=["directly_in_charge"]),
        ["pack.yaml: grading #5 (directly_in_charge): field 'overrides': gradings 'directly_in_charge' and "
         "'in_charge' override each other\n  hint: precedence goes one way: remove one of the two overrides"]),
    "a rule whose findings no grading covers": (
        lambda raw: raw["grading"].remove(grading(raw, "safety_manager")),
        ["pack.yaml: rules #11 (site_safety_manager): field 'grading': some of its findings would get no grade: no "
         "grading applies to every one of them\n  hint: add a grading whose condition is only `finding: {rule: "
         "site_safety_manager}` (or its category or principle), and let more specific gradings override it"]),
    "a grading on a field no fact has": (
        lambda raw: grading(raw, "mayor").update(fact={"kind": "holds", "rol": "mayor"}),
        ["pack.yaml: grading #2 (mayor): field 'fact.rol': no context fact has field 'rol' (did you mean 'role'?)\n"
         "  hint: `wenze schema --context` lists the fields of each kind"]),
    "a unit's grade given to a person": (
        lambda raw: grading(raw, "mayor").update(grade="responsible_unit"),
        ["pack.yaml: grading #2 (mayor): field 'grade': grade 'responsible_unit' is not given to a person, but rule "
         "'town_heads' names one\n  hint: narrow its condition, or add 'person' to the party of grade "
         "'responsible_unit'"]),
    "an escalation that lowers": (
        lambda raw: raw["escalations"][0].update(to="oversight"),
        ["pack.yaml: escalations #1 (deaths_raise_leadership): field 'to': 'oversight' (severity 30) is not heavier "
         "than 'leadership' (severity 40)\n  hint: an escalation only raises"]),
    "two grades of a party with one severity": (
        lambda raw: raw["grades"]["oversight"].update(severity=35),
        ["pack.yaml: grades.territorial: field 'severity': grades 'oversight' and 'territorial' share severity 35\n"
         "  hint: severity is an order: give each grade of a party its own"]),
    "a rule without its quote": (
        lambda raw: rule(raw, "town_heads").pop("quote"),
        ["pack.yaml: rules #1 (town_heads): field 'quote': a rule that cites a clause quotes it: give the plan's "
         "words as 'quote'"]),
    # Contradictions and wrong shapes: each used to load and then drop findings or crash.
    "two rules overriding each other": (
        lambda raw: (rule(raw, "omitted_report").update(overrides=["concealed_report"])),
        ["pack.yaml: rules #22 (omitted_report): field 'overrides': rules override each other in a cycle "
         "(omitted_report → concealed_report → omitted_report): a person named by them would keep none of their "
         "findings\n  hint: decide which of them stands and drop the reverse 'overrides'"]),
    "a longer override cycle": (
        lambda raw: (rule(raw, "town_heads").update(overrides=["safety_lead"]),
                     rule(raw, "safety_lead").update(overrides=["sector_in_charge"]),
                     rule(raw, "sector_in_charge").update(overrides=["town_heads"])),
        ["pack.yaml: rules #1 (town_heads): field 'overrides': rules override each other in a cycle (town_heads → "
         "safety_lead → sector_in_charge → town_heads): a person named by them would keep none of their findings\n"
         "  hint: decide which of them stands and drop the reverse 'overrides'"]),
    "a rule overriding itself": (
        lambda raw: rule(raw, "signer").update(overrides=["signer"]),
        ["pack.yaml: rules #9 (signer): field 'overrides': the rule overrides itself: its own findings would always "
         "be dropped\n  hint: remove it from its own 'overrides'"]),
    "a mitigation of a mitigation": (
        lambda raw: rule(raw, "due_diligence_heads").update(overrides=["due_diligence_safety_lead"]),
        ["pack.yaml: rules #38 (due_diligence_heads): field 'overrides': 'due_diligence_safety_lead' mitigates "
         "other rules' findings and names nobody itself, so nothing of it can be overridden, mitigated or "
         "exonerated\n  hint: name the rules that make someone liable"]),
    "a duplicate tier id": (
        lambda raw: raw["tiers"].append(dict(raw["tiers"][0])),
        ["pack.yaml: tiers #10 (site_staff): field 'id': duplicate tier id 'site_staff'\n"
         "  hint: give each band its own id: a repeated one would reorder the bands"]),
    "rules that are not a list": (
        lambda raw: raw.update(rules=5),
        ["pack.yaml: rules: must be a list of rules, not 5\n  hint: write each one as a '- ' list item"]),
    "a rule with no pattern": (
        lambda raw: rule(raw, "signer").update(when={}),
        ["pack.yaml: rules #9 (signer): field 'when': no pattern: the rule would match nothing in particular\n"
         "  hint: give at least one alias: pattern under 'when'",
         "pack.yaml: rules #9 (signer): field 'liable': 'sig' is not an alias of 'when'\n"
         "  hint: name the alias whose 'person' is answerable"]),
    "a $ in an alias": (
        lambda raw: rule(raw, "signer").update(when={"sig$not": rule(raw, "signer")["when"]["sig"]}, liable="sig$not"),
        ["pack.yaml: rules #9 (signer): field 'when.sig$not': the alias 'sig$not' is not a name\n"
         "  hint: start it with a letter; use letters, digits and _ (at most 64)"]),
    "sixteen aliases in one rule": (
        lambda raw: rule(raw, "signer")["when"].update({f"extra{i}": {"kind": "involved"} for i in range(15)}),
        ["pack.yaml: rules #9 (signer): field 'when': 16 aliases in one rule; at most 15\n"
         "  hint: split it into several rules (durable_rules holds at most 16 facts in one match)"]),
    "an ordering of text": (
        lambda raw: rule(raw, "signer")["when"]["sig"].update(date={"gte": "2022-01-01"}),
        ["pack.yaml: rules #9 (signer): field 'when.sig.date': 'gte' compares numbers; 'date' is text\n"
         "  hint: compare a number instead (days_before, minutes_after, months_before), or use eq, ne, in"]),
    "a reference to a field of another type": (
        lambda raw: rule(raw, "late_report_town")["when"]["report"].update(
            minutes_after={"gt": {"ref": "duty.person"}}),
        ["pack.yaml: rules #21 (late_report_town): field 'when.report.minutes_after': 'minutes_after' is int and "
         "'duty.person' is str: they never compare\n  hint: refer to a field of the same type"]),
    "a number too large to compare exactly": (
        lambda raw: raw["parameters"]["inspection_window_days"].update(value=2**63),
        ["pack.yaml: parameters.inspection_window_days: field 'value': 9223372036854775808 is too large to compare "
         "exactly\n  hint: numbers from -9,007,199,254,740,991 to 9,007,199,254,740,991, words of at most 500 "
         "characters, or a list of them"]),
}


@pytest.mark.parametrize("change,expected", CASES.values(), ids=CASES.keys())
def test_each_pack_error_has_its_exact_message(tmp_path, change, expected):
    assert problems_after(tmp_path, change) == expected


def test_the_shipped_pack_loads_and_every_rule_quotes_the_plan(pack):
    for r in pack.rules:
        assert r.clause in pack.clauses and r.quote.strip()
        assert r.category in pack.categories and r.principle in pack.principles


def test_the_pack_digest_changes_with_a_parameter(pack):
    changed = pack.model_copy(update={"parameters": {
        **pack.parameters, "inspection_window_days": pack.parameters["inspection_window_days"].model_copy(
            update={"value": 730})}})
    assert changed.digest != pack.digest
