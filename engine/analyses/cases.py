"""YAML cases run against a rule pack (`wenze test`): a sentence, facts, an optional scenario, the exact chain.

A rule author tests a pack the way ``openfisca test`` tests a country package.
A case file holds:

- ``name``: the sentence the case shows ("an inspection 366 days before does not count");
- ``input``: fact-file sections added to the base facts;
- ``base`` (optional): fact files or folders the case builds on, relative to the case file;
  by default the ``_base`` folder beside the case's folder (``cases/_base`` for ``cases/X/case.yaml``),
  when there is one;
- ``pack`` (optional): another rule pack for this case, relative to the case file;
- ``parameters`` (optional): pack parameters set for this case (a value, or dated values ``{DAY: value, …}``);
- ``scenario`` (optional): scenario files (relative to the case file) applied in order;
- ``expect``: ``incident``, then ``links`` — the people in chain order, each with the rules that
  named them — and optionally ``evidence``, ``tiers``, ``posts``, ``mitigated`` (by person),
  ``units``, ``grades`` (the grade id of a person or a unit), ``graded_by`` (the gradings and
  escalations behind its findings' grades, sorted), ``not_pursued`` (the people marked 免予追究, in
  chain order), ``gaps`` (rule ids in order), ``gap_messages`` (their Chinese text), ``warnings`` and
  ``to_examine`` (each ``{person, record, rule, decides}``; none unless listed); or a list of such,
  one per incident.

A case passes when every expectation it states holds; each failure says what was
expected and what the chain gave.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from engine.analyses.whatif.evaluate import variants
from engine.chain.chain import Chain
from engine.chain.trace import Tracer
from engine.pack.backends import Backend
from engine.pack.rulepack import RulePack, load_pack
from engine.words.catalog import phrase
from facts.errors import FactError, InputError, Problem
from facts.load import load_facts
from facts.model import FactSet
from facts.read import read_document

KEYS = {"name", "input", "base", "pack", "parameters", "scenario", "expect"}
EXPECT = {"incident", "links", "evidence", "tiers", "posts", "mitigated", "units", "grades", "graded_by", "not_pursued",
          "gaps", "gap_messages", "warnings", "to_examine"}


@dataclass(frozen=True)
class Case:
    path: Path
    name: str
    facts: FactSet
    pack: Path | None
    parameters: dict[str, Any]
    scenarios: tuple[str, ...]
    expect: tuple[dict[str, Any], ...]  # one per incident


@dataclass(frozen=True)
class Result:
    case: Case
    failures: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.failures


def case_files(paths: Iterable[str | Path]) -> list[Path]:
    """Case files named, and every ``case.yaml`` (or ``*.case.yaml``) under folders, ``_``-folders skipped."""
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.rglob("*.yaml") if (f.name == "case.yaml" or f.name.endswith(".case.yaml"))
                          and not any(part.startswith("_") for part in f.relative_to(p).parts))
        else:
            out.append(p)
    return out


def _fail(path: Path, field: str, message: str, hint: str = "") -> InputError:
    return FactError([Problem(str(path), "case", field, message, hint)], what=str(path))


def load_case(path: Path) -> Case:
    """A case file read and its facts loaded (the base and the case's own input, checked together)."""
    data = read_document(path)  # a ReadError (exit 2) names the line of what cannot be read
    if not isinstance(data, dict):
        raise _fail(path, "", "a case must be a mapping", "give name, input and expect")
    unknown = set(data) - KEYS
    if unknown:
        raise _fail(path, sorted(unknown)[0], "unknown key", f"a case has: {', '.join(sorted(KEYS))}")
    for key in ("name", "expect"):
        if key not in data:
            raise _fail(path, key, "missing", "every case has a name (its sentence) and expect")
    expects = data["expect"] if isinstance(data["expect"], list) else [data["expect"]]
    for expect in expects:
        if not isinstance(expect, dict) or "incident" not in expect or "links" not in expect:
            raise _fail(path, "expect", "needs 'incident' and 'links'", "see `wenze test --help`")
        if set(expect) - EXPECT:
            raise _fail(path, f"expect.{sorted(set(expect) - EXPECT)[0]}", "unknown key",
                        f"expect has: {', '.join(sorted(EXPECT))}")
    here = path.parent
    base = data.get("base")
    bases = [here / b for b in ([base] if isinstance(base, str) else base)] if base else \
        [d for d in [here.parent / "_base"] if d.is_dir()]
    loader_input = data.get("input") or {}
    facts = load_facts(bases, [(f"{path}: input", loader_input)])
    scenario = data.get("scenario") or []
    scenarios = tuple(str(here / s) for s in ([scenario] if isinstance(scenario, str) else scenario))
    pack = here / data["pack"] if data.get("pack") else None
    return Case(path, str(data["name"]), facts, pack, dict(data.get("parameters") or {}), scenarios, tuple(expects))


def _with_parameters(pack: RulePack, params: dict[str, Any], path: Path) -> RulePack:
    if not params:
        return pack
    unknown = [k for k in params if k not in pack.parameters]
    if unknown:
        raise _fail(path, f"parameters.{unknown[0]}", "not a parameter of the pack",
                    f"the pack's parameters: {', '.join(sorted(pack.parameters))}")
    changed = {k: pack.parameters[k].set_to(v) for k, v in params.items()}
    return pack.model_copy(update={"parameters": {**pack.parameters, **changed}})


def compare(chain: Chain, expect: dict[str, Any]) -> list[str]:
    """Every expectation of a case that the chain does not meet, as 'what: expected …, got …'."""
    out = []

    def check(what: str, want: Any, got: Any) -> None:
        if want != got:
            out.append(f"{what}: expected {want!r}, got {got!r}")

    check("links", expect["links"], [{link.person: sorted({f.rule for f in link.findings})} for link in chain.links])
    for kind, get in (("evidence", lambda l: l.as_json()["evidence"]), ("tiers", lambda l: l.tier),
                      ("posts", lambda l: [p["post"] for p in l.posts]),
                      ("mitigated", lambda l: sorted({m.rule for m in l.mitigations}))):
        for person, want in (expect.get(kind) or {}).items():
            link = chain.link(person)
            check(f"{kind} of {person}", want, get(link) if link else "(not in the chain)")
    if "units" in expect:
        check("units", expect["units"], [{u.unit: sorted({f.rule for f in u.findings})} for u in chain.units])
    parties = {p.id: p for p in (*chain.links, *chain.units)}
    for kind, get in (("grades", lambda p: p.grade.id if p.grade else None),
                      ("graded_by", lambda p: sorted({g for f in p.findings for g in (*f.graded_by, *f.escalated_by)}))):
        for party, want in (expect.get(kind) or {}).items():
            check(f"{kind} of {party}", want, get(parties[party]) if party in parties else "(not in the chain)")
    check("not pursued", expect.get("not_pursued", []), [l.person for l in chain.links if not l.pursued])
    check("gaps", expect.get("gaps", []), [g.rule for g in chain.gaps])
    if "gap_messages" in expect:
        check("gap messages", expect["gap_messages"], [g.message["zh"] for g in chain.gaps])
    check("warnings", expect.get("warnings", []), [w.as_json() for w in chain.warnings])
    check("to examine", expect.get("to_examine", []), [
        {"person": x.person, "record": x.record, "rule": x.rule, "decides": list(x.decides)} for x in chain.to_examine])
    return out


def run_case(case: Case, pack: RulePack, backend: Backend) -> Result:
    """Trace the case's incidents (under its pack, parameters and scenarios) and compare with what it expects."""
    pack = _with_parameters(load_pack(case.pack) if case.pack else pack, case.parameters, case.path)
    facts = case.facts
    if case.scenarios:
        variant = variants(facts, pack, ["+".join(case.scenarios)])[-1]
        facts, pack = variant.facts, variant.pack
    tracer = Tracer(facts, pack, backend)
    failures = []
    for expect in case.expect:
        (incident,) = tracer.select([str(expect["incident"])])
        where = f"{incident.id}: " if len(case.expect) > 1 else ""
        failures += [where + f for f in compare(tracer.trace(incident), expect)]
    return Result(case, tuple(failures))


def run_cases(paths: Iterable[str | Path], pack: RulePack, backend: Backend) -> list[Result]:
    """Every case under the paths, in name order; a case that does not load stops the run (exit 2)."""
    files = case_files(paths)
    if not files:
        raise InputError("no case files found: give case.yaml files or folders holding them")
    return [run_case(load_case(p), pack, backend) for p in files]


def as_text(results: list[Result], lang: str = "zh") -> str:
    """One line per case, the failures under it, a closing count."""
    out = []
    for r in results:
        result = phrase(lang, "cases.ok") if r.ok else phrase(lang, "cases.fail")
        out.append(phrase(lang, "cases.line", result=result, path=r.case.path, name=r.case.name))
        out += [f"    {f}" for f in r.failures]
    passed = sum(r.ok for r in results)
    out.append(phrase(lang, "cases.summary", passed=passed, failed=len(results) - passed))
    return "\n".join(out) + "\n"
