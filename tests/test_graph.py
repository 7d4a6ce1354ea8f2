"""The org graph answers "as of a day" with the half-open convention, at the boundary days."""
from datetime import date

import pytest

from engine.org.graph import OrgGraph, node
from facts.load import load_facts
from facts.timeline import in_force
from tests.conftest import BASE_TOWN, EXAMPLE


@pytest.fixture(scope="module")
def town():
    return OrgGraph(load_facts([BASE_TOWN]))


@pytest.fixture(scope="module")
def tongchuan():
    return OrgGraph(load_facts([EXAMPLE]))


def test_an_interval_includes_its_first_day_and_excludes_its_last():
    start, end = date(2022, 1, 1), date(2023, 3, 1)
    assert [in_force(start, end, d) for d in (date(2021, 12, 31), start, date(2023, 2, 28), end)] == [
        False, True, True, False]
    assert in_force(start, None, date(2099, 1, 1))


def test_a_tenure_ends_the_day_before_its_to(town):
    assert [h.person for h in town.holders("p_dep1", date(2023, 2, 28))] == ["dep1"]
    assert town.holders("p_dep1", date(2023, 3, 1)) == []


def test_on_the_succession_day_the_successor_holds_the_post(tongchuan):
    """§6.3: 塔拉 held deputy_mayor_2 until 2023-03-01; from that day it is 苏振华's."""
    assert [h.person for h in tongchuan.holders("deputy_mayor_2", date(2023, 2, 28))] == ["tala"]
    assert [h.person for h in tongchuan.holders("deputy_mayor_2", date(2023, 3, 1))] == ["su_zhenhua"]


def test_a_post_bound_duty_passes_to_the_successor(tongchuan):
    before = tongchuan.bearers(node("sector", "industry_trade"), ("in_charge",), date(2023, 2, 28))
    after = tongchuan.bearers(node("sector", "industry_trade"), ("in_charge",), date(2023, 3, 1))
    assert [(d.person, d.assignment.id) for d in before] == [("tala", before[0].assignment.id)]
    assert [d.person for d in after] == ["su_zhenhua"]


def test_a_vacant_post_bears_nothing_but_is_reported(town):
    day = date(2023, 3, 1)
    assert town.bearers(node("sector", "mining"), ("in_charge",), day) == []
    assert [a.id for a in town.vacant_duties(node("sector", "mining"), ("in_charge",), day)] == ["a_mining"]


def test_one_person_may_hold_several_posts(town):
    assert [h.post.id for h in town.posts_held("vhead", date(2022, 8, 1))] == ["p_east_dir", "p_east_sec"]


def test_a_leader_of_a_parent_sector_covers_its_children(town):
    assert town.sector_path("quarry") == ["quarry", "mining", "industry"]


def test_places_resolve_through_the_tree(town):
    assert (town.village_of("pit"), town.town_of("pit"), town.town_of("east_g1")) == ("east", "town", "town")
    assert [u.id for u in town.leadership_units("town")] == ["gov", "party", "town"]
