"""Measure durable_rules' hard limits again, each probe in a process of its own (durable kills or hangs it).

    .venv/bin/python bench/durable_limits.py        # about a minute; prints the table of docs/durable-rules.md

Each probe builds a raw durable ruleset (no wenze code), asserts facts, deletes the
session, and reports what happened at the last size that works and the first that
does not. The last column runs wenze's own compilation of a pack past that limit
through its durable backend (also in a process of its own) and compares it with the
Python matcher. Nothing is timed for a test: this is a measurement.
"""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SINK = {"all": [{"f": {"$ex": {"t": 1}}}, {"n": {"t": "__never__"}}], "run": "sink"}

CHILD = textwrap.dedent("""
    import json, sys
    from durable import engine
    fired = []
    class Host(engine.Host):
        def _run(self): pass
        def get_action(self, name): return lambda c: fired.append(name)
    spec = json.loads(sys.stdin.read())
    host, name = Host(), spec.get("name", "rs")
    try:
        host.set_rulesets({name: spec["rules"]})
        if spec["facts"]:
            host.assert_facts(name, spec["facts"])
        error = None
    except Exception as e:
        error = str(e).splitlines()[0][:100]
    print(json.dumps({"fired": sorted(set(fired)), "error": error}), flush=True)
    if spec["facts"] and (error is None or spec.get("delete_after_error")):
        host.delete_state(name, "1")
    print("deleted", flush=True)
""")


def probe(spec: dict, timeout: float = 10) -> str:
    """What durable did: 'ok', 'wrong', 'error …', then 'SIGSEGV', or 'spins (no answer in 10 s)'."""
    try:
        done = subprocess.run([sys.executable, "-c", CHILD], input=json.dumps(spec), capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"spins (no answer in {timeout:.0f} s)"
    lines = done.stdout.splitlines()
    result = json.loads(lines[0]) if lines else {}
    fired = len(result.get("fired", []))
    said = f"error: {result['error']}" if result.get("error") else \
        "ok" if fired == spec.get("expect", fired) else f"wrong: {fired} rules fired, {spec['expect']} should"
    if done.returncode < 0:
        return f"{said}, then {signal.Signals(-done.returncode).name}"
    return said if done.returncode == 0 else f"exit {done.returncode}: {done.stderr.strip().splitlines()[-1][:100]}"


def fact(**fields) -> dict:
    return {"sid": "1", "id": "f0", "t": "k", **fields}


def ruleset(rules: dict) -> dict:
    return {**rules, "sink": SINK}


def patterns_one_fact_passes(n: int) -> dict:
    return {"rules": ruleset({f"r{i}": {"all": [{"a": {"$and": [{"t": "k"}, {"$neq": {"x": i + 1}}]}}], "run": f"r{i}"}
                              for i in range(n)}), "facts": [fact(x=0)], "delete_after_error": True, "expect": n}


def values_in_one_list(n: int) -> dict:
    return {"rules": ruleset({"r": {"all": [{"a": {"$and": [{"t": "k"}, {"$or": [{"x": v} for v in range(n)]}]}}],
                                    "run": "r"}}), "facts": [fact(x=0)], "expect": 1}


def lists_sharing_a_value(n: int) -> dict:
    """Only the ruleset is made: a fact passing all of them would overflow the stack first."""
    return {"rules": ruleset({f"r{i}": {"all": [{"a": {"$and": [{"t": "k"}, {"$or": [{"x": 0}, {"x": i + 1}]}]}}],
                                        "run": f"r{i}"} for i in range(n)}), "facts": []}


def rules_sharing_a_pattern(n: int) -> dict:
    return {"rules": ruleset({f"r{i}": {"all": [{"a": {"$and": [{"t": "k"}, {"x": 0}]}}], "run": f"r{i}"}
                              for i in range(n)}), "facts": [fact(x=0)], "expect": n}


def facts_in_one_match(n: int) -> dict:
    return {"rules": ruleset({"r": {"all": [{f"a{j}": {"t": f"k{j}"}} for j in range(n)], "run": "r"}}),
            "facts": [{"sid": "1", "id": f"f{j}", "t": f"k{j}"} for j in range(n)], "delete_after_error": True,
            "expect": 1}


def integer(value: int) -> dict:
    return {"rules": ruleset({"r": {"all": [{"a": {"$and": [{"t": "k"}, {"$gt": {"x": value - 1}}]}}], "run": "r"}}),
            "facts": [fact(x=value)], "expect": 1}


def long_text(n: int) -> dict:
    """A literal of n characters and a fact whose value is it cut to n mod 65,536: they must not be equal."""
    literal = "v" * n
    value = literal if n < 65_536 else literal[:n % 65_536]
    return {"rules": ruleset({"r": {"all": [{"a": {"$and": [{"t": "k"}, {"x": literal}]}}], "run": "r"}}),
            "facts": [fact(x=value)], "expect": int(value == literal)}


def text_order(pair: tuple[str, str]) -> dict:
    """Is the fact's text less than the other fact's, as Python orders text?"""
    left, right = pair
    return {"rules": ruleset({"r": {"all": [{"a": {"t": "w"}}, {"b": {"$and": [{"t": "k"}, {"$lt": {"x": {"a": "x"}}}]}}],
                                    "run": "r"}}),
            "facts": [fact(x=left), {"sid": "1", "id": "g", "t": "w", "x": right}], "expect": int(left < right)}


def alias(name: str) -> dict:
    return {"rules": ruleset({"r": {"all": [{"i": {"t": "inc"}}, {name: {"t": "k"}}], "run": "r"}}),
            "facts": [fact(), {"sid": "1", "id": "g", "t": "inc"}], "expect": 1}


def ruleset_name(name: str) -> dict:
    return {"name": name, "rules": ruleset({"r": {"all": [{"a": {"t": "k"}}], "run": "r"}}), "facts": [fact()],
            "expect": 1}


PROBES = [
    ("patterns one fact passes (distinct tests)", patterns_one_fact_passes, (64, 65)),
    ("values in one `in` list ($or)", values_in_one_list, (511, 512)),
    ("$or lists sharing one value", lists_sharing_a_value, (128, 129)),
    ("rules whose pattern is the same", rules_sharing_a_pattern, (256, 257)),
    ("facts in one rule's match (aliases)", facts_in_one_match, (16, 17)),
    ("an integer value", integer, (2**63 - 1, 2**63)),
    ("a text value (equality, characters)", long_text, (65_535, 70_000)),
    ("text ordered (lt) against text", text_order, (("ab", "abc"), ("ab", "ab!"))),
    ("an alias name", alias, ("x", "x$not")),
    ("an alias name ", alias, ("x_all", "x$all")),
    ("a ruleset name", ruleset_name, ("wenze_1", "a\u0000b")),
]


def wenze_takes_it() -> str:
    """The shipped pack grown past the first four limits, through wenze's durable backend, against the oracle."""
    code = ("from tests.test_durable import wide_pack_agrees; wide_pack_agrees()")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    return done.stdout.strip() if done.returncode == 0 else f"FAILED: {done.stderr.strip()[-300:]}"


def main() -> None:
    import durable_rules_engine  # noqa: F401 - the version measured is the one installed
    from importlib.metadata import version
    print(f"durable_rules {version('durable_rules')}, Python {sys.version.split()[0]}\n")
    print("| limit | last that works | what it gives | first that fails | what it gives |")
    print("|---|---|---|---|---|")
    for what, make, (good, bad) in PROBES:
        print(f"| {what.strip()} | {good!r:.20} | {probe(make(good))} | {bad!r:.20} | {probe(make(bad))} |", flush=True)
    print(f"\nwenze, six copies of every rule of the shipped pack and 2,000 more roles, on durable: {wenze_takes_it()}")


if __name__ == "__main__":
    main()
