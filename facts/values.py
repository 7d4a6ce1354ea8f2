"""The value types of the fact format, strict: what a field holds is what its writer meant, or an error.

pydantic's lax mode converts quietly: ``true`` becomes the count 1, the number
1700000000 a date in 2023 with a zone it invents, ``"yes"`` a yes/no. These types
take only the obvious spelling of each value, and each refusal says what to write
instead. They are annotated types, so a new field (of a new record kind) gets the
same strictness by naming one: ``deaths: Count``, ``on: Day``, ``name: Name``.

Text never holds control characters (tab and line breaks only in :data:`Prose`) or
lone surrogates; every length is bounded, so nothing unbounded reaches an error
message, a rule engine or a report.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator

from facts.errors import shown
from facts.read import BAD_CHAR

#: The largest integer every JSON reader (and durable_rules) keeps exact: 2^53 − 1.
MAX_INT = 2**53 - 1
MAX_ID = 128
MAX_NAME = 500
MAX_PROSE = 100_000

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_PROSE = BAD_CHAR  # tab and line breaks allowed: what a fact file may hold anywhere
_SPACE = re.compile(r"\s")  # exactly the characters str.isspace() calls space, over every code point
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$")


def _what(v: Any) -> str:
    """How a refused value is named: its kind, and the value if short."""
    if isinstance(v, bool):
        return f"the yes/no value {str(v).lower()}"
    if isinstance(v, (int, float)):
        return f"the number {shown(v, 30)}"
    if isinstance(v, str):
        return f"the text {shown(v, 40)}"
    return {list: "a list", dict: "a mapping", type(None): "nothing"}.get(type(v), type(v).__name__)


def _text(v: Any, limit: int, *, lines: bool, empty: bool) -> str:
    if not isinstance(v, str):
        raise ValueError(f"must be text, not {_what(v)}; quote it if it is meant as text")
    v = v.strip()
    if not v and not empty:
        raise ValueError("must not be empty")
    if len(v) > limit:
        raise ValueError(f"is {len(v):,} characters long; at most {limit:,}")
    bad = (_CONTROL_PROSE if lines else _CONTROL).search(v)
    if bad:
        what = "a line break" if bad.group() in "\n\r" else "a tab" if bad.group() == "\t" else \
            f"the control character U+{ord(bad.group()):04X}"
        raise ValueError(f"holds {what}; write it on one line" if bad.group() in "\n\r\t"
                         else f"holds {what}; remove it")
    return v


def _id(v: Any) -> str:
    v = _text(v, MAX_ID, lines=False, empty=False)
    if _SPACE.search(v):
        raise ValueError(f"{shown(v, 40)} has a space; an id is one word (use - or _)")
    return v


def _count(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        hint = "write 1 for one, 0 for none" if isinstance(v, bool) else \
            "write it without quotes" if isinstance(v, str) and v.strip().isdigit() else "write a whole number"
        raise ValueError(f"must be a whole number, not {_what(v)}; {hint}")
    if v < 0:
        raise ValueError(f"must be 0 or more, not {v}")
    if v > MAX_INT:
        raise ValueError(f"{shown(v, 30)} is too large (at most {MAX_INT:,})")
    return v


def _flag(v: Any) -> bool:
    if not isinstance(v, bool):
        raise ValueError(f"must be true or false, not {_what(v)}")
    return v


def _day(v: Any) -> date:
    if isinstance(v, date) and not isinstance(v, datetime):
        return v
    if not isinstance(v, str) or not _DAY.match(v.strip()):
        raise ValueError(f"must be a date written YYYY-MM-DD, e.g. 2022-08-01, not {_what(v)}")
    try:
        return date.fromisoformat(v.strip())
    except ValueError as e:
        raise ValueError(f"{v.strip()} is not a day of the calendar ({e})") from None


def _moment(v: Any) -> datetime:
    if isinstance(v, datetime):
        moment = v
    elif isinstance(v, str) and _MOMENT.match(v.strip()):
        try:
            moment = datetime.fromisoformat(v.strip())
        except ValueError as e:
            raise ValueError(f"{v.strip()} is not a time of the calendar ({e})") from None
    else:
        raise ValueError(f"must be a date and time with its zone, e.g. 2023-03-01T14:20:00+08:00, not {_what(v)}")
    if moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no time zone; add it, e.g. {moment.isoformat()}+08:00")
    return moment


#: An id: one word, no spaces or control characters, at most MAX_ID characters.
Id = Annotated[str, BeforeValidator(_id)]
#: A name or title: one line of text, at most MAX_NAME characters.
Name = Annotated[str, BeforeValidator(lambda v: _text(v, MAX_NAME, lines=False, empty=False))]
#: Free text (a description, a note): may span lines, may be empty, at most MAX_PROSE characters.
Prose = Annotated[str, BeforeValidator(lambda v: _text(v, MAX_PROSE, lines=True, empty=True))]
#: A count or an amount: a whole number from 0 to MAX_INT; never a yes/no, a decimal or quoted digits.
Count = Annotated[int, BeforeValidator(_count)]
#: Yes or no: ``true`` or ``false`` only.
Flag = Annotated[bool, BeforeValidator(_flag)]
#: A day: ``YYYY-MM-DD`` text (or a date), never a number.
Day = Annotated[date, BeforeValidator(_day)]
#: A moment: ISO 8601 text with its zone (or an aware datetime), never a number or a time without a zone.
Moment = Annotated[datetime, BeforeValidator(_moment)]
