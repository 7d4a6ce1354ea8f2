"""How findings settle into links: precedence, mitigation and exoneration are declared, never by file order."""
from __future__ import annotations

import yaml

from engine.chain.trace import Tracer
from facts.load import load_facts
from tests.cases.paths import BASE_DIR, case_input


def chain_for(pack, tmp_path, case: str):
    extra = tmp_path / "input.yaml"
    extra.write_text(yaml.safe_dump(case_input(case), allow_unicode=True), encoding="utf-8")
    tracer = Tracer(load_facts([BASE_DIR, extra]), pack)
    return tracer.trace(tracer.incidents["inc"])


def with_rule(pack, rule_id, **changes):
    return pack.model_copy(update={"rules": [r.model_copy(update=changes) if r.id == rule_id else r
                                             for r in pack.rules]})


def test_a_mitigating_rule_keeps_the_link_and_marks_it(pack, tmp_path):
    mayor = chain_for(pack, tmp_path, "due_diligence_lowers_the_leaders_links").link("mayor")
    assert [(f.rule, f.mitigated_by) for f in mayor.findings] == [("town_heads", ("due_diligence_heads",))]
    assert [m.rule for m in mayor.mitigations] == ["due_diligence_heads"]


def test_an_exonerating_rule_removes_the_link_and_keeps_it_on_record(pack, tmp_path):
    """规定 Art. 23: a pack may decide that full due diligence removes the leadership link."""
    chain = chain_for(with_rule(pack, "due_diligence_heads", effect="exonerates"), tmp_path,
                      "due_diligence_lowers_the_leaders_links")
    assert chain.link("mayor") is None and chain.link("sec") is None
    assert [(x.person, x.rule, x.removed) for x in chain.exonerated] == [
        ("mayor", "due_diligence_heads", ("town_heads",)), ("sec", "due_diligence_heads", ("town_heads",))]
    assert "i_recent" in chain.exonerated[0].evidence


def test_declared_precedence_drops_the_overridden_finding(pack, tmp_path):
    chain = chain_for(pack, tmp_path, "concealment_is_concealed_report_not_late")
    assert sorted(f.rule for f in chain.link("boss").findings) == ["concealed_report", "enterprise_principal"]


def test_rule_order_in_the_pack_does_not_change_the_chain(pack, tmp_path):
    reversed_pack = pack.model_copy(update={"rules": list(reversed(pack.rules)), "gaps": list(reversed(pack.gaps))})
    a = chain_for(pack, tmp_path, "late_reports_at_61_minutes_and_121_minutes").as_json()
    b = chain_for(reversed_pack, tmp_path, "late_reports_at_61_minutes_and_121_minutes").as_json()
    assert {k: v for k, v in a.items() if k != "rulepack"} == {k: v for k, v in b.items() if k != "rulepack"}
