"""Context facts and their kinds: what a rule matches on, declared once per kind.

A :class:`Kind` is the one definition of a kind of context fact: its fields and
their types (the schema rule packs are checked against), the conditions the
context applies to it without a rule saying so (its place and its time), and,
beside it in the module that builds it, the near misses that why-not explains.
A new kind or field is written in one place, the builder's module.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping


@dataclass(frozen=True)
class Fact:
    """One context fact: its kind, its fields, the input ids it rests on, a stable key."""

    kind: str
    key: str
    fields: Mapping[str, Any]
    src: tuple[str, ...]


@dataclass(frozen=True)
class Kind:
    """A kind of context fact: its fields and types, and the implicit conditions of the context.

    ``implicit`` names the conditions every fact of this kind in a context meets
    because of how the context was built (the tenure in force on the day, the
    assignment reaching the incident's place): a fact built from the graph
    outside the context is held to them, and why-not says which failed.
    ``duty`` names the fields that say which duty a fact of this kind stands
    for, when it stands for one (a post held, an assignment borne, a vacancy).
    ``checks_first``: why-not tells a failed implicit condition before any failed
    test of the rule (an act after the incident is told as such, whatever it would
    have borne on had it come before).
    """

    name: str
    fields: Mapping[str, type]
    implicit: tuple[str, ...] = ()
    duty: tuple[str, ...] = ()
    description: str = ""
    checks_first: bool = False

    def fact(self, key: str, fields: Mapping[str, Any], src: tuple[str, ...]) -> Fact:
        """A fact of this kind (``key`` is unique within an incident's context)."""
        return Fact(self.name, key, fields, src)


@dataclass(frozen=True)
class Check:
    """One implicit condition on a fact built outside the context: whether it held, and why not.

    ``key`` is the code of the sentence that says why not (a key of the word
    catalog, e.g. ``time.tenure.ended``); ``fields`` are the ids and dates it names.
    """

    ok: bool
    key: str = ""
    fields: Mapping[str, Any] | None = None


OK = Check(True)


@dataclass(frozen=True)
class Candidate:
    """A fact that could have named a person, with the implicit conditions it meets or fails."""

    fact: Fact
    checks: tuple[Check, ...]
