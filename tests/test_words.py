"""The word catalog: both languages say the same things, and the code asks only for words the catalog has.

The code is read, not run: every call that takes a catalog key (:data:`KEY_ARGUMENTS`) is found in the
sources of ``engine/`` and ``cli.py``, and its key, when written out (or chosen between two written out),
must be in the catalog. A key built at run time must be built by ``family_key`` from a family of
:data:`engine.words.catalog.FAMILIES`; a key of the catalog no code names and no family holds is dead.
"""
from __future__ import annotations

import ast
import re
import string
import tomllib
from functools import cache
from pathlib import Path

import pytest
import yaml

from engine.explain.explainer import ACT_RELATION
from engine.incident.grade import CRITERIA
from engine.incident.kinds import SCHEMA
from engine.org.graph import STRUCTURE
from engine.pack.grammar import OPERATORS
from engine.web.downloads import DOWNLOADS
from engine.words.catalog import FAMILIES, LABELS, LANGS, PHRASES, family_key, label, phrase
from facts import model
from tests.conftest import ROOT

SOURCES = sorted((ROOT / "engine").rglob("*.py")) + [ROOT / "cli.py"]
#: The workbench's templates, whose ``w('key', …)`` calls name catalog keys as the code's ``phrase`` calls do.
TEMPLATES = sorted((ROOT / "engine" / "web" / "templates").glob("*.html"))
#: The calls that take a catalog key, and the position of the key among their arguments.
KEY_ARGUMENTS = {"phrase": 1, "_say": 0, "Check": 1}
#: Keys composed outside ``family_key``, where the words API is not at hand (a near miss's code, in any
#: language): the literal prefix, and every value the composed part takes.
COMPOSED_ELSEWHERE = {"place.in_charge.": ("sector", "unit")}  # engine/incident/assignments.py: the target kind
#: Keys whose two languages name different fields, and why.
PLACEHOLDER_EXCEPTIONS = {"subject.liaison": "the Chinese names the duty beside the assignment; the English only "
                                             "the assignment",
                          "money": "Chinese counts in 万元, English in yuan",
                          "report.title": "the Chinese names an incident by its day (“3·1”事故); the English adds "
                                          "the date"}


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def _keys(node: ast.expr, where: str, found: dict[str, set]) -> None:
    """File the key an argument holds: written out, chosen between two, composed, or computed (not checked)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        found["literal"].add((node.value, where))
    elif isinstance(node, ast.IfExp):
        _keys(node.body, where, found)
        _keys(node.orelse, where, found)
    elif isinstance(node, ast.JoinedStr):
        head = node.values[0]
        found["composed"].add((head.value if isinstance(head, ast.Constant) else "", where))


@cache
def scan() -> dict[str, set]:
    """Keys, label fields and families the sources name, each with the file and line naming it."""
    found: dict[str, set] = {"literal": set(), "composed": set(), "labels": set(), "families": set()}
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            args = node.args
            if name in KEY_ARGUMENTS:
                at = KEY_ARGUMENTS[name]
                arg = args[at] if len(args) > at else next((k.value for k in node.keywords if k.arg == "key"), None)
                if arg is not None:
                    _keys(arg, where, found)
            elif name in ("label", "family_key") and len(args) > 1:
                kind = "labels" if name == "label" else "families"
                if isinstance(args[1], ast.Constant):
                    found[kind].add((args[1].value, where))
                else:
                    found[kind].add((None, where))
    for path in TEMPLATES:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            where = f"{path.relative_to(ROOT)}:{n}"
            found["literal"].update((key, where) for key in re.findall(r"\bw\('([^']+)'", line))
            found["composed"].update(("template", where) for _ in re.findall(r"\bw\('[^']*' ~", line))
    return found


def test_scan_sees_the_code():
    """A guard on the scan itself: it finds keys in the renderers, the explainer, the near misses and the CLI."""
    files = {where.split(":")[0] for _, where in scan()["literal"]}
    assert {"cli.py", "engine/explain/explainer.py", "engine/outputs/table.py", "engine/outputs/diff.py",
            "engine/outputs/diagram.py", "engine/outputs/report.py", "engine/words/catalog.py",
            "engine/incident/posts.py"} <= files
    assert len({key for key, _ in scan()["literal"]}) > 100


@pytest.mark.parametrize("lang", LANGS)
def test_no_key_is_written_twice(lang):
    """A key written twice in a language's file would keep only its last words, silently."""
    nodes, twice = [yaml.compose((ROOT / "engine" / "words" / f"{lang}.yaml").read_text(encoding="utf-8"))], []
    while nodes:
        node = nodes.pop()
        if isinstance(node, yaml.MappingNode):
            keys = [k.value for k, _ in node.value]
            twice += sorted({k for k in keys if keys.count(k) > 1})
            nodes += [v for _, v in node.value]
    assert twice == []


def test_both_languages_have_the_same_keys_and_labels():
    assert LANGS == ("zh", "en")
    assert set(PHRASES["zh"]) == set(PHRASES["en"])
    assert {f: set(t) for f, t in LABELS["zh"].items()} == {f: set(t) for f, t in LABELS["en"].items()}


def test_both_languages_fill_the_same_fields():
    differ = {k for k in set(PHRASES["zh"]) & set(PHRASES["en"])
              if placeholders(PHRASES["zh"][k]) != placeholders(PHRASES["en"][k])}
    assert differ == set(PLACEHOLDER_EXCEPTIONS)
    labels = {(f, v) for f, t in LABELS["zh"].items() for v in t
              if placeholders(t[v]) != placeholders(LABELS["en"].get(f, {}).get(v, t[v]))}
    assert labels == set()


def test_every_key_written_in_the_code_is_in_the_catalog():
    missing = sorted((key, where) for key, where in scan()["literal"] if key not in PHRASES["zh"])
    assert missing == []


def test_keys_are_composed_only_by_family_key():
    composed = {prefix for prefix, _ in scan()["composed"]}
    assert composed == set(COMPOSED_ELSEWHERE), sorted(scan()["composed"])
    for prefix, values in COMPOSED_ELSEWHERE.items():
        assert all(prefix + v in PHRASES["zh"] for v in values)
    named = {family for family, _ in scan()["families"]}
    assert None not in named, "the family is written out where family_key is called"
    assert named == set(FAMILIES)


def test_every_family_has_members_and_its_fallback():
    for family, fallback in FAMILIES.items():
        assert any(k.startswith(family + ".") for k in PHRASES["zh"]), family
        if fallback:
            assert fallback in PHRASES["zh"], family


def test_no_key_is_unused():
    used = {key for key, _ in scan()["literal"]} | {f for f in FAMILIES.values() if f}
    held = {k for k in PHRASES["zh"] if any(k.startswith(f + ".") for f in FAMILIES)
            or any(k.startswith(p) for p in COMPOSED_ELSEWHERE)}
    assert sorted(set(PHRASES["zh"]) - used - held) == []


def test_closed_families_have_a_key_for_every_value():
    """A family without a fallback has a key for every value its parts can take."""
    kinds = [k.value for k in model.AssignmentKind]
    closed = {"duty": kinds, "post_duty": kinds, "op": OPERATORS, "crit": list(CRITERIA),
              "rel": ["holds", *kinds, *STRUCTURE, *ACT_RELATION.values()],
              "covers": [f"{t}.{w}" for t in ("sector", "unit", "safety") for w in ("self", "under")],
              "web.download": list(DOWNLOADS), "web.change": ["added", "removed", "changed"]}
    assert set(closed) == {f for f, fallback in FAMILIES.items() if fallback is None}
    for lang in LANGS:
        assert [f"{f}.{v}" for f, vs in closed.items() for v in vs if f"{f}.{v}" not in PHRASES[lang]] == []


def test_every_context_fact_kind_has_its_sentences_and_its_name():
    """why.<kind> (or why.<kind>.<via>) and subject.<kind> for every kind, so no fact falls back to a listing."""
    for kind in SCHEMA:
        assert f"why.{kind}" in PHRASES["zh"] or {f"why.{kind}.post", f"why.{kind}.person"} <= set(PHRASES["zh"])
        assert f"subject.{kind}" in PHRASES["zh"]
    assert set(LABELS["zh"]["kind"]) == set(SCHEMA)


def test_label_tables_cover_the_coded_values_of_the_fact_model():
    for field, enum in [("role", model.Role), ("document", model.DocKind), ("assignment_kind", model.AssignmentKind),
                        ("outcome", model.Outcome), ("channel", model.Channel), ("duty", model.DutyKind),
                        ("act", model.ConductAct), ("order_kind", model.OrderKind), ("status", model.StatusKind),
                        ("incident_kind", model.IncidentKind), ("incident_noun", model.IncidentKind),
                        ("incident_title", model.IncidentKind)]:
        assert set(LABELS["zh"][field]) == {v.value for v in enum}, field
    assert set(LABELS["zh"]["criterion"]) == set(CRITERIA)


def test_label_tables_are_named_by_the_code_or_by_a_context_field():
    """A table is used where the code names it, or where a rule tests the context field of its name."""
    named = {f for f, _ in scan()["labels"] if f is not None}
    assert sorted(named - set(LABELS["zh"])) == []
    fields = {f for kind in SCHEMA.values() for f in kind}
    assert sorted(set(LABELS["zh"]) - named - fields - {"bool"}) == []


def test_family_key_takes_the_most_specific_key_then_the_fallback():
    assert family_key("en", "fail", "inspection", "days_before", "lte") == "fail.inspection.days_before.lte"
    assert family_key("en", "fail", "signature", "document", "in") == "fail.signature.document"
    assert family_key("en", "fail", "signature", "date", "eq") == "fail.generic"
    assert family_key("zh", "why", "in_charge", "person") == "why.in_charge.person"
    assert family_key("zh", "subject", "no_such_kind") == ""
    with pytest.raises(KeyError, match="rel.no_such_relation"):
        family_key("zh", "rel", "no_such_relation")


def test_a_missing_field_stays_visible_and_a_label_falls_back_to_the_value():
    assert phrase("en", "why.holds", title="mayor") == "held mayor{acting} (post {post}) from {from} ({tenure})"
    assert label("zh", "scope", "village", {"village_name": "常青村"}) == "事故所在村常青村"
    assert label("en", "role", "no_such_role") == "no_such_role"
    assert label("zh", "acting", True) == "是"


def test_the_catalog_files_ship_with_the_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "*.yaml" in config["tool"]["setuptools"]["package-data"]["engine.words"]
    assert sorted(p.stem for p in Path(ROOT / "engine" / "words").glob("*.yaml")) == sorted(LANGS)
