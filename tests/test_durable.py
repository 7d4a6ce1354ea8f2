"""Each known sharp edge of durable_rules 2.0.28 has a deliberate answer; these tests catch a regression.

docs/durable-rules.md has the measurements behind each one (bench/durable_limits.py makes them again).
"""
from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections import Counter

import durable.lang
import pytest
from durable import engine as durable_engine

from engine.incident.context import build_context
from engine.incident.fact import Fact
from engine.incident.kinds import SCHEMA
from engine.pack.backends import (
    MAX_FACTS,
    DurableBackend,
    PythonBackend,
    TooManyFactsError,
    _SyncHost,
)
from engine.pack.compile import PATTERNS_PER_KIND, clauses_of, to_durable
from engine.pack.rulepack import load_pack
from facts.errors import EngineError, InputError
from tests.conftest import EXAMPLE, ROOT
from tests.properties.support import wide_pack


def fnv1_32(text: str) -> int:
    """durable_rules' hash of an ASCII id (FNV-1, 32 bit), to prove session ids distinct."""
    h = 0x811C9DC5
    for b in text.encode("ascii"):
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h


INCIDENT = Fact("incident", "a-incident", {"incident": "x", "date": "2022-08-01", "grade": "general",
                                           "grade_rank": 1, "sector": "s", "village": "v", "village_group": "",
                                           "site": "e", "deaths": 1, "serious_injuries": 0,
                                           "direct_loss_yuan": 0}, ("x",))
LIAISON = Fact("liaison", "z-liaison", {"person": "p", "post": "", "assignment": "a1",
                                        "assignment_kind": "village_liaison", "village": "v",
                                        "village_group": "", "via": "person"}, ("a1",))


def rules_fired(backend, pack, facts):
    return sorted({m.rule for m in backend.matches(pack, tuple(facts))})


def test_no_rule_matched_is_an_empty_result_not_an_exception(pack):
    """durable raises MessageNotHandledException for a fact no rule matches; the sink rule handles every fact,
    and takes nothing from the rules that do match."""
    stray = Fact("duty_record", "k", {"duty": "drill", "scope": "town", "unit": "u", "record": "r",
                                      "date": "2022-01-01", "days_before": 1}, ())
    staff = Fact("involved", "s", {"person": "nobody"}, ())
    assert DurableBackend().matches(pack, (stray,)) == []
    assert [(m.rule, m.bindings) for m in DurableBackend().matches(pack, (stray, staff))] == [
        ("involved_staff", (("staff", "s"),))]


def test_a_session_where_no_rule_fires_is_deleted_without_crashing(pack):
    """durable's delete_state segfaults on a session where no action ran; the closing rule always runs."""
    lonely = Fact("vacancy", "v", {"post": "p", "title": "t", "role": "cadre", "unit": "u", "scope": "x",
                                   "assignment": ""}, ())
    backend = DurableBackend()
    assert backend.matches(pack.model_copy(update={"gaps": []}), (lonely,)) == []
    assert backend.matches(pack.model_copy(update={"rules": [], "gaps": []}), ()) == []


def test_negation_sees_facts_asserted_after_the_incident(pack):
    """durable checks a negation once, when the frame reaches it: the phase fact makes that happen last.

    The liaison fact sorts after the incident, so without the phase gate the
    'no village liaison' gap would fire although a liaison exists.
    """
    assert "no_village_liaison" not in rules_fired(DurableBackend(), pack, [INCIDENT, LIAISON])
    assert "no_village_liaison" in rules_fired(DurableBackend(), pack, [INCIDENT])


def test_the_phase_gate_leads_every_negated_rule(pack):
    (ruleset,) = to_durable(pack)
    for name, rule in ruleset.body.items():
        has_not = any(k.endswith("$not") for part in rule["all"] for k in part)
        assert has_not == ("__phase__" in rule["all"][0]), name


def test_more_incidents_than_durables_session_cap_run_on_one_backend(pack):
    """A ruleset holds at most 1,024 live sessions; each incident's session is deleted afterwards."""
    backend = DurableBackend()
    for _ in range(1_100):
        assert rules_fired(backend, pack, [INCIDENT, LIAISON]) == ["no_leader_in_charge", "no_safety_lead",
                                                                 "no_village_head", "village_liaison"]


def test_our_hash_is_durables_hash():
    """Two ids that collide under our FNV-1 are duplicates to durable too, so the check below is meaningful."""
    a, b = "x496069", "x1035124"
    assert fnv1_32(a) == fnv1_32(b)
    host = _SyncHost(lambda name: lambda c: None)
    host.set_rulesets({"h": {"r": {"all": [{"f": {"t": "k"}}], "run": "r"}}})
    host.assert_fact("h", {"sid": "1", "id": a, "t": "k"})
    with pytest.raises(durable_engine.MessageObservedException):
        host.assert_fact("h", {"sid": "1", "id": b, "t": "k"})


def test_session_fact_ids_never_collide():
    """Facts are keyed by a 32-bit hash of their id: f0 … f{MAX_FACTS-1} are all distinct."""
    assert len({fnv1_32(f"f{i}") for i in range(MAX_FACTS)}) == MAX_FACTS


def test_a_backend_starts_no_timer_threads_and_leaves_the_global_host_alone(pack):
    before = threading.active_count()
    backend = DurableBackend()
    backend.matches(pack, (INCIDENT,))
    assert threading.active_count() == before
    assert durable.lang._main_host is None


def test_two_backends_are_independent(pack):
    """Ruleset names register once per Host: each backend owns its own."""
    a, b = DurableBackend(), DurableBackend()
    assert a.matches(pack, (INCIDENT, LIAISON)) == b.matches(pack, (INCIDENT, LIAISON))


def test_an_error_inside_an_action_is_raised_not_swallowed(pack):
    """durable stores an action's exception in the session state and returns normally."""
    class Failing(DurableBackend):
        def _recorder(self, rule_id):
            def fail(c):
                raise RuntimeError("boom")
            return fail
    with pytest.raises(EngineError, match="a rule action failed: exception caught boom"):
        Failing().matches(pack, (INCIDENT, LIAISON))


def test_a_fact_binds_one_alias_and_the_oracle_agrees(pack):
    """durable never binds one fact to two aliases of a rule, nor lets a bound fact satisfy a negation."""
    from engine.pack.rulepack import Rule
    both = Rule.model_validate({
        "id": "two_reports", "principle": "reporting", "clause": "§4.1", "quote": "q", "category": "late_report",
        "when": {"a": {"kind": "involved"}, "b": {"kind": "involved", "person": {"ref": "a.person"}}}, "liable": "a"})
    negated = Rule.model_validate({
        "id": "alone", "principle": "reporting", "clause": "§4.1", "quote": "q", "category": "late_report",
        "when": {"a": {"kind": "involved"}}, "unless": {"b": {"kind": "involved", "person": {"ref": "a.person"}}},
        "liable": "a"})
    small = pack.model_copy(update={"rules": [both, negated], "gaps": []})
    one = (Fact("involved", "k1", {"person": "p"}, ()),)
    assert [m.rule for m in DurableBackend().matches(small, one)] == ["alone"]
    assert [m.rule for m in PythonBackend().matches(small, one)] == ["alone"]


def _patterns_by_kind(body: dict) -> Counter:
    return Counter(pat["$and"][0]["t"] if "$and" in pat else pat.get("t", "*")
                   for rule in body.values() for part in rule["all"] for pat in part.values())


def test_a_pack_past_durables_tables_is_split_into_rulesets_that_fit(pack):
    """One fact passing 65 patterns of a ruleset overflows durable's 64-slot stack (error 303, then SIGSEGV);
    a list of 512 values fills a node's 512-slot table (durable spins forever). Neither can happen now."""
    wide = wide_pack(pack)
    assert _patterns_by_kind({r.id: {"all": [{a: {"$and": [{"t": p.kind}]}} for a, p in r.when.items()]}
                              for r in wide.rules})["holds"] == 66  # > 64
    rulesets = to_durable(wide)
    assert len(rulesets) == 3  # the shipped pack's own rules, six times over, need three
    for rs in rulesets:
        assert max(_patterns_by_kind(rs.body).values()) <= PATTERNS_PER_KIND
        assert "$or" not in json.dumps(rs.body)  # every list test is one equality on a member field
    assert sorted(i for rs in rulesets for i in rs.aliases) == sorted(i.id for i in clauses_of(wide))


def wide_pack_agrees() -> None:
    """Run by the test below in a process of its own: a regression crashes or hangs that process, not pytest."""
    from facts.load import load_facts
    from engine.org.graph import OrgGraph
    wide, facts = wide_pack(load_pack()), load_facts([EXAMPLE])
    graph = OrgGraph(facts)
    for incident in facts.incidents:
        ctx = build_context(graph, incident)
        assert DurableBackend().matches(wide, ctx.facts) == PythonBackend().matches(wide, ctx.facts), incident.id
    print("agree", len(facts.incidents))


def test_the_wide_pack_runs_on_durable_and_matches_the_oracle():
    done = subprocess.run([sys.executable, "-c", "from tests.test_durable import wide_pack_agrees; wide_pack_agrees()"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, "agree 11\n", "")


def test_a_context_larger_than_a_durable_session_is_refused_as_input(pack):
    """Past MAX_FACTS, fact ids collide under durable's 32-bit hash: exit 2 with what to do, never exit 1."""
    facts = (INCIDENT, *(Fact("involved", f"involved:p{i}", {"person": f"p{i}"}, ()) for i in range(MAX_FACTS)))
    with pytest.raises(TooManyFactsError) as e:
        DurableBackend().matches(pack, facts)
    assert isinstance(e.value, InputError)
    assert str(e.value) == ("incident x: its context holds 100,001 facts; durable_rules takes at most 100,000 in one "
                            "session (docs/durable-rules.md). Evaluate it with --backend python, which gives the same "
                            "chain")


def test_member_fields_never_collide_with_fact_fields_under_durables_hash():
    """durable finds a fact's field by the FNV-1 hash of its name alone."""
    names = {"sid", "id", "t", *(f for fields in SCHEMA.values() for f in fields),
             *(f"__in{i}" for i in range(PATTERNS_PER_KIND * len(SCHEMA)))}
    assert len({fnv1_32(n) for n in names}) == len(names)


def test_the_ruleset_name_is_the_engines_never_the_packs(pack):
    """A NUL in a ruleset name is `pyCreateRuleset Invalid argument`; the pack's id no longer goes into it."""
    odd = pack.model_copy(update={"pack": pack.pack.model_copy(update={"id": "a b$c\x00"})})
    assert DurableBackend().matches(odd, (INCIDENT, LIAISON)) == DurableBackend().matches(pack, (INCIDENT, LIAISON))


def test_a_join_reference_after_an_in_test_still_joins(pack):
    """A rule testing ``role in [...]`` and ``person == duty.person`` joins on both (durable once dropped a
    join reference that followed an ``$or`` in the same ``$and``: list tests are member fields now)."""
    from engine.pack.rulepack import Rule
    joined = Rule.model_validate({
        "id": "head_joined", "principle": "reporting", "clause": "§4.1", "quote": "q", "category": "late_report",
        "when": {"duty": {"kind": "involved"},
                 "head": {"kind": "holds", "role": {"in": ["mayor", "party_secretary"]}, "person": {"ref": "duty.person"}}},
        "liable": "duty"})
    small = pack.model_copy(update={"rules": [joined], "gaps": []})
    holds = {"post": "p", "title": "t", "rank": "", "unit": "u", "scope": "town", "sector": "", "village": "",
             "acting": False, "tenure": "t", "months_held": 0}
    facts = (Fact("involved", "k1", {"person": "dep"}, ()),
             Fact("holds", "k2", {**holds, "person": "mayor", "role": "mayor"}, ()),
             Fact("holds", "k3", {**holds, "person": "dep", "role": "deputy_mayor"}, ()))
    assert DurableBackend().matches(small, facts) == PythonBackend().matches(small, facts) == []
