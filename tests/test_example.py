"""The example town's incidents give exactly the chains the plan implies, byte-identically every run.

Each expectation was worked out from the data by hand (who held which post,
which sector and village, which acts fall in the 365-day windows) before the
engine existed, and the engine agrees. Read them as: person:rules, scene upward.
"""
import subprocess
import sys

import pytest

from engine import render
from engine.evaluate import BACKENDS
from engine.trace import Tracer
from facts.load import load_facts
from tests.conftest import EXAMPLE, ROOT

EXPECTED = {
    'inc-2022-01': (
        "wang_erhu:involved_staff li_jianguo:enterprise_principal+signer zhao_hai:involved_staff+site_safety_manager liu_yanjun:signer yang_zonglin:inspector wang_wenquan:village_head lin_ke:inspector+signer+stationed_cadre liu_chunye:village_liaison tala:sector_in_charge he_sheng:safety_lead liu_shiwen:town_heads yan_min:town_heads",
        []),
    'inc-2022-02': (
        "han_xiaojun:involved_staff feng_tao:involved_staff+signer+site_safety_manager zheng_zhigang:enterprise_principal chen_yusi:inspector yang_zonglin:inspector+signer du_haoxing:village_head guo_zhenyu:group_liaison shi_yanjun:stationed_cadre zhang_jun:village_liaison ban_weiping:sector_in_charge he_sheng:safety_lead liu_shiwen:town_heads yan_min:town_heads",
        []),
    'inc-2023-01': (
        "ma_qiang:involved_staff sun_li:involved_staff+site_safety_manager zhou_wei:enterprise_principal jian_junjian:inspector+signer li_lingyun:inspector wang_yinkui:village_head liu_cun:village_liaison yang_zonglin:stationed_cadre tala:sector_in_charge he_sheng:safety_lead liu_shiwen:town_heads yan_min:town_heads",
        []),
    'inc-2023-02': (
        "zhang_xiaoping:involved_staff li_jianguo:enterprise_principal+signer zhao_hai:involved_staff+signer+site_safety_manager liu_yanjun:signer sun_chengren:inspector tala:inspector+signer yang_zonglin:inspector wang_wenquan:village_head lin_ke:inspector+signer+stationed_cadre liu_chunye:village_liaison su_zhenhua:sector_in_charge he_sheng:safety_lead liu_shiwen:town_heads yan_min:town_heads",
        []),
    'inc-2023-03': (
        "cao_liang:involved_staff yang_wen:involved_staff+site_safety_manager yang_xiulan:enterprise_principal wang_dong:village_head hao_li:group_liaison liu_pingping:inspector+signer+stationed_cadre zhang_xin:village_liaison liu_cun:sector_in_charge he_sheng:safety_lead liu_shiwen:town_heads yan_min:town_heads",
        []),
    'inc-2023-04': (
        "wu_gang:involved_staff gao_wenbin:enterprise_principal he_yan:involved_staff+site_safety_manager chen_yusi:inspector+signer sun_chengren:inspector jia_yongfei:village_head ban_weiping:village_liaison li_lingyun:stationed_cadre zhang_xin:sector_in_charge he_sheng:safety_lead+signer liu_shiwen:town_heads yan_min:town_heads",
        []),
    'inc-2023-05': (
        "li_xiaobing:involved_staff li_mancang:enterprise_principal du_haoxing:village_head shi_yanjun:stationed_cadre wang_hui:group_liaison zhang_jun:village_liaison he_sheng:safety_lead liu_shiwen:town_heads yan_min:town_heads",
        ['no_leader_in_charge']),
    'inc-2023-06': (
        "bai_jianjun:involved_staff jia_zhiqiang:enterprise_principal tian_wei:involved_staff+site_safety_manager gao_zhiyong:village_head su_zhenhua:village_liaison sun_chengren:inspector+stationed_cadre liu_chunye:sector_in_charge he_sheng:safety_lead liu_shiwen:town_heads yan_min:town_heads",
        []),
}


@pytest.fixture(scope="module")
def tracer(pack):
    return Tracer(load_facts([EXAMPLE]), pack)


@pytest.mark.parametrize("incident", EXPECTED)
def test_example_chain(tracer, incident):
    chain = tracer.trace(tracer.incidents[incident])
    links, gaps = EXPECTED[incident]
    assert " ".join(f"{l.person}:{'+'.join(sorted({f.rule for f in l.findings}))}" for l in chain.links) == links
    assert [g.rule for g in chain.gaps] == gaps


def test_the_example_exercises_every_principle_and_the_succession(tracer):
    rules = {f.rule for i in tracer.select() for l in tracer.trace(i).links for f in l.findings}
    assert {"sector_in_charge", "stationed_cadre", "village_liaison", "group_liaison", "inspector", "signer",
            "town_heads", "safety_lead", "village_head", "enterprise_principal", "involved_staff"} <= rules


def test_both_backends_give_byte_identical_json(pack):
    facts = load_facts([EXAMPLE])
    outputs = {name: render.to_json([Tracer(facts, pack, cls()).trace(i) for i in facts.incidents])
               for name, cls in BACKENDS.items()}
    assert outputs["durable"] == outputs["python"]


def test_two_runs_give_byte_identical_json():
    """Separate processes: nothing (hash seeds, dict order, time) leaks into the output."""
    run = lambda seed: subprocess.run(  # noqa: E731
        [sys.executable, "-c", "from cli import main; main()", "trace", str(EXAMPLE), "--format", "json"],
        cwd=ROOT, capture_output=True, check=True, env={"PYTHONHASHSEED": seed, "PATH": ""}).stdout
    assert run("1") == run("2")
