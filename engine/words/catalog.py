"""The words of explanations, reports, tables, diagrams and the command line, in Chinese and English: data, not code.

Why data: what wenze says about a person is defended before a discipline
commission, so the wording belongs to the people who read it, not to the
code that fills it in. Each language is one file beside this module
(``zh.yaml``, ``en.yaml``) that a reviewer or translator reads and corrects
without reading Python; a test holds the two files to the same keys and the
same ``{placeholder}`` fields, and the code to keys the files have.

Every sentence is a template filled with the names, ids and dates of the
facts behind it (``{placeholder}`` fields, see :func:`phrase`); labels
translate the coded values of the fact model (a role, a document kind, …).
Keys are written out where they are used, except in the families of
:data:`FAMILIES`, whose keys are chosen by a fact: a why-not sentence by the
context-fact kind and field of the condition that failed
(``fail.<kind>.<field>[.<op>]``), falling back to ``fail.generic``, so a rule
pack that tests a new field still gets a sentence. Such keys are built only
by :func:`family_key` (``tests/test_words.py`` lists the one exception: the
code of a near miss in ``engine/incident``, which is built without a language).

The files are read once, with yaml's C loader where it is installed, and
never changed after.
"""
from __future__ import annotations

from datetime import date, datetime
from importlib.resources import files
from typing import Any, Iterable, Mapping

import yaml

LANGS = ("zh", "en")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read(lang: str) -> dict[str, Any]:
    return yaml.load((files(__package__) / f"{lang}.yaml").read_text(encoding="utf-8"), Loader=_LOADER)


_CATALOG = {lang: _read(lang) for lang in LANGS}
#: Templates by language and key.
PHRASES: dict[str, dict[str, str]] = {lang: c["phrases"] for lang, c in _CATALOG.items()}
#: Coded values of the fact model and the context, by language and field.
LABELS: dict[str, dict[str, dict[Any, str]]] = {lang: c["labels"] for lang, c in _CATALOG.items()}

#: The families of composed keys, ``family.<part>[.<part>…]`` with the parts chosen by a fact, and what is said
#: when the catalog has no key for the parts: a fallback key; "" if the family is optional (the caller says
#: something else); None if it is closed (every value of its parts has its key, so a missing one is a bug).
FAMILIES: dict[str, str | None] = {
    "why": "why.generic",  # why.<fact kind>[.<via>]: what a fact shows
    "ok": "",  # ok.<fact kind>.<field>: the pack parameter a satisfied condition stayed within; else nothing
    "covers": None,  # covers.<target kind>.<self|under>: how a charge covers the incident
    "duty": None,  # duty.<assignment kind>: a person's assignment
    "post_duty": None,  # post_duty.<assignment kind>: a post's assignment
    "fail": "fail.generic",  # fail.<fact kind>.<field>[.<op>]: the condition of a rule that failed
    "fail_value": "",  # fail_value.<fact kind>.<field>.<value>: a failed condition said by the value the fact had
    "op": None,  # op.<operator>: the words before an expected value
    "subject": "",  # subject.<fact kind>: a fact named in a sentence; else the fact's key
    "none": "none.generic",  # none.<fact kind>: the person has no fact of the kind at all
    "no_fact": "no_fact",  # no_fact.<fact kind>: no fact of the incident meets a pattern the person is not bound by
    "rel": None,  # rel.<relation>: an edge of the org graph, or an act
    "crit": None,  # crit.<criterion>: a count of Art. 3 of Decree No. 493
    "basis": "",  # basis.<fact kind>[.<variant>]: what a fact behind a finding says in a 责任认定 paragraph
    "web.download": None,  # web.download.<format>: a download the workbench offers (engine/web/downloads.py)
    "web.change": None,  # web.change.<added|removed|changed>: a party's change under a what-if
    "web.field": "",  # web.field.<name>: a JSON field the workbench shows; else the name itself
}


class _Vars(dict):
    """Template fields; a field a template names but the facts lack stays visible as ``{name}``."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def phrase(lang: str, key: str, **fields: Any) -> str:
    """The template ``key`` in ``lang`` with its ``{fields}`` filled."""
    return PHRASES[lang][key].format_map(_Vars(fields))


def family_key(lang: str, family: str, *parts: str) -> str:
    """The most specific key of ``family`` for ``parts`` the catalog has (``family.a.b``, then ``family.a``),
    else the family's fallback ("" for an optional family); the one place where keys are composed."""
    for n in range(len(parts), 0, -1):
        key = ".".join((family, *parts[:n]))
        if key in PHRASES[lang]:
            return key
    fallback = FAMILIES[family]
    if fallback is None:
        raise KeyError(".".join((family, *parts)))
    return fallback


def label(lang: str, field: str, value: Any, fields: Mapping[str, Any] | None = None) -> str:
    """The readable name of a coded value (a role, a document kind, …); the value itself if it has none."""
    table = LABELS[lang].get("bool" if isinstance(value, bool) else field, {})
    text = table.get(value, str(value))
    return text.format_map(_Vars(fields or {}))


def day_text(lang: str, day: date) -> str:
    """A day as an investigation report writes it: 2023年3月1日 / 2023-03-01."""
    return phrase(lang, "day", year=day.year, month=day.month, day=day.day)


def month_text(lang: str, year: int, month: int) -> str:
    """A month: 2023年1月 / 2023-01."""
    return phrase(lang, "month", year=year, month=month)


def moment_text(lang: str, at: datetime) -> str:
    """A moment in its own zone: 2023年3月1日14时20分, 2023年3月1日14时 on the hour / 2023-03-01 14:20."""
    return phrase(lang, "moment.on_the_hour" if at.minute == 0 else "moment", year=at.year, month=at.month,
                  day=at.day, hour=at.hour, minute=at.minute)


def money_text(lang: str, yuan: int) -> str:
    """An amount of money: 90万元 (in 万元, no trailing zeros) / 900,000 yuan."""
    wan = f"{yuan / 10000:.4f}".rstrip("0").rstrip(".")
    return phrase(lang, "money", wan=wan, yuan=f"{yuan:,}")


def any_of(lang: str, items: Iterable[str]) -> str:
    """'a, b or c' / 'a、b或c'."""
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    return phrase(lang, "list_sep").join(items[:-1]) + phrase(lang, "or") + items[-1]


def all_of(lang: str, items: Iterable[str]) -> str:
    """'a, b, c' / 'a、b、c'."""
    return phrase(lang, "list_sep").join(items)
