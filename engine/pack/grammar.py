"""The grammar of a pack's conditions, shared by rules, gaps and the grading of findings.

A pattern is ``kind`` plus ``field: test``. A test is a literal (equality) or one
operator (``eq ne lt lte gt gte in not_in``) applied to a literal, a list,
``{param: NAME}`` (a pack parameter) or ``{ref: ALIAS.FIELD}`` (a field of an
earlier alias in the same rule). That is the whole grammar: no code, no eval.
What a test means (:func:`passes`) and whether tests can hold together
(:func:`satisfiable_tests`) are written here once, for the loader, the
evaluators and ``wenze check``.
"""
from __future__ import annotations

import operator
from typing import Any, Iterable, Mapping, Union

from pydantic import BaseModel, ConfigDict, Field

from facts.errors import brief, did_you_mean

OPERATORS = ("eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in")
Scalar = Union[bool, int, str]
_PY_OP = {"eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "lte": operator.le,
          "gt": operator.gt, "gte": operator.ge,
          "in": lambda a, b: a in b, "not_in": lambda a, b: a not in b}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(Strict):
    zh: str
    en: str


class ParamRef(Strict):
    param: str


class FieldRef(Strict):
    ref: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$")


Test = tuple[str, str, Any]  # (field, operator, operand)


def parse_tests(raw: Mapping[str, Any], skip: Iterable[str] = ()) -> tuple[Test, ...]:
    """``field: test`` pairs as (field, op, operand) triples; a ValueError names the field that is wrong."""
    tests = []
    for fld, test in raw.items():
        if fld in skip:
            continue
        if isinstance(test, dict) and len(test) == 1 and next(iter(test)) in OPERATORS:
            op, operand = next(iter(test.items()))
        elif isinstance(test, dict) and len(test) == 1 and next(iter(test)) in ("param", "ref"):
            op, operand = "eq", test
        elif isinstance(test, dict):
            raise ValueError(f"field '{brief(fld, 40)}': a test is a value or one of "
                             f"{{{', '.join(OPERATORS)}}}: value" + did_you_mean(next(iter(test), ""), OPERATORS))
        else:
            op, operand = "eq", test
        if isinstance(operand, dict):
            operand = (ParamRef if "param" in operand else FieldRef).model_validate(operand)
        elif not isinstance(operand, (bool, int, str, list)):
            raise ValueError(f"field '{brief(fld, 40)}': operand must be a value, a list, {{param: …}} or {{ref: …}}")
        tests.append((fld, op, operand))
    return tuple(tests)


class Pattern(Strict):
    """``kind`` and field tests; stored as (field, op, operand) triples."""

    kind: str
    tests: tuple[Test, ...] = ()

    @classmethod
    def parse(cls, raw: Any) -> "Pattern":
        if not isinstance(raw, dict) or "kind" not in raw:
            raise ValueError("a pattern is a mapping with 'kind' and field tests")
        return cls(kind=raw["kind"], tests=parse_tests(raw, skip=("kind",)))


def passes(op: str, value: Any, operand: Any) -> bool:
    """One field test, as the oracle and the explanations apply it (no ordering across types)."""
    if op in ("lt", "lte", "gt", "gte") and type(value) is not type(operand):
        return False
    return _PY_OP[op](value, operand)


def candidates(kind: type, constants: list) -> list:
    """Values enough to decide a conjunction of single-field tests against these constants."""
    if kind is bool:
        return [True, False]
    if kind is int:
        return sorted({c + d for c in constants if type(c) is int for d in (-1, 0, 1)} | {0})
    return [*{c for c in constants if isinstance(c, str)}, "\x00none of the above"]


def satisfiable_tests(kind: type, tests: list[tuple[str, Any]]) -> bool:
    """Can one value of type ``kind`` pass every (op, resolved operand) test at once?"""
    constants = [v for _, o in tests for v in (o if isinstance(o, list) else [o])]
    return any(all(passes(op, v, o) for op, o in tests) for v in candidates(kind, constants))
