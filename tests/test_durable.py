"""Each known sharp edge of durable_rules 2.0.28 has a deliberate answer; these tests catch a regression.

See ../shared/notes/durable-rules.md §2 for the measurements behind each one.
"""
from __future__ import annotations

import threading

import durable.lang
import pytest
from durable import engine as durable_engine

from engine.incident.fact import Fact
from engine.pack.backends import (
    MAX_FACTS,
    DurableBackend,
    PythonBackend,
    _SyncHost,
)
from engine.pack.compile import to_durable
from facts.errors import EngineError


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
    stray = Fact("concealment", "k", {"person": "nobody"}, ())
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
    for name, rule in to_durable(pack).items():
        has_not = any(k.endswith("$not") for part in rule["all"] for k in part)
        assert has_not == ("__phase__" in rule["all"][0]), name


def test_more_incidents_than_durables_session_cap_run_on_one_backend(pack):
    """A ruleset holds at most 1,024 live sessions; each incident's session is deleted afterwards."""
    backend = DurableBackend()
    for _ in range(1_100):
        assert rules_fired(backend, pack, [INCIDENT, LIAISON]) == ["no_leader_in_charge", "no_village_head",
                                                                 "village_liaison"]


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
