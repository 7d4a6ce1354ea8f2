"""One error base class; subclasses carry the details a user needs to fix the input.

A user's mistake (a bad fact file, a bad rule pack, an unknown id) is an
``InputError``: the CLI prints it and exits 2. Anything else is a bug: exit 1.
"""
from __future__ import annotations

import difflib
import reprlib
from dataclasses import dataclass, field
from typing import Any, Iterable


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ' (did you mean X?)' suffix, or '' when nothing is close (or the word is too long to be a misspelling)."""
    if len(str(word)) > 100:
        return ""
    close = difflib.get_close_matches(str(word), sorted(set(choices)), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def shown(value: Any, limit: int = 60) -> str:
    """A value as a message quotes it: quoted and escaped like repr, cut to about ``limit`` characters.

    Messages quote what a file holds; a file may hold a name of a million characters or
    a list its aliases repeat a billion times, and neither may be formatted whole.
    """
    r = reprlib.Repr()
    r.maxlevel, r.maxlist, r.maxdict, r.maxstring, r.maxlong, r.maxother = 2, 4, 4, limit, limit, limit
    return r.repr(value)


def brief(value: Any, limit: int = 60) -> str:
    """A value as a label names it (``people #3 (ID)``): text as it is, cut and escaped; else as :func:`shown`."""
    if not isinstance(value, str):
        return shown(value, limit)
    text = value if value.isprintable() else shown(value, limit)[1:-1]
    return text if len(text) <= limit else text[:limit - 1] + "…"


class WenzeError(Exception):
    """Base of every error wenze raises on purpose."""


class InputError(WenzeError):
    """The user's input is wrong; exit code 2."""


class EngineError(WenzeError):
    """The rule engine failed on valid input; exit code 1."""


@dataclass(frozen=True)
class Problem:
    """One problem in one record of one file: where, what, and how to fix it."""

    file: str
    record: str  # e.g. "tenures[3] (t_liu)" or "rules[2] (safety_lead)"
    field: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.file}: {self.record}"
        if self.field:
            where += f": field '{self.field}'"
        text = f"{where}: {self.message}"
        return f"{text}\n  hint: {self.hint}" if self.hint else text


@dataclass
class ProblemsError(InputError):
    """Every problem found in a load, reported at once rather than the first only."""

    problems: list[Problem] = field(default_factory=list)
    what: str = "input"

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in {self.what}:"
        return "\n".join([head, *(str(p) for p in self.problems)])


class FactError(ProblemsError):
    """Fact files that do not validate."""


class RulePackError(ProblemsError):
    """A rule pack that does not validate."""


class UnknownIdError(InputError):
    """An id asked for on the command line that the facts do not define."""

    def __init__(self, kind: str, value: str, known: Iterable[str]):
        self.kind, self.value = kind, value
        super().__init__(f"unknown {kind} '{value}'{did_you_mean(value, known)}")
