"""The one convention for time: validity intervals are half-open [from, to).

``to`` is None while the relation is still in force. The day a tenure ends
(``to``) already belongs to the successor (§6.3). Every "as of" query in wenze
goes through :func:`in_force`.
"""
from __future__ import annotations

from datetime import date


def in_force(valid_from: date, valid_to: date | None, day: date) -> bool:
    """True when ``day`` lies in [valid_from, valid_to)."""
    return valid_from <= day and (valid_to is None or day < valid_to)


def overlap(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    """True when the half-open intervals share at least one day."""
    return (b_to is None or a_from < b_to) and (a_to is None or b_from < a_to)

