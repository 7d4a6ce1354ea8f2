"""Walks up the trees of units and sectors by ``parent``: shared by the loader's checks and the org graph."""
from __future__ import annotations


def ancestors(start: str, records: dict) -> list[str]:
    """``start`` and its ancestors by ``parent``, nearest first (a loop stops the walk)."""
    out, cur = [], start
    while cur is not None and cur not in out:
        out.append(cur)
        cur = records[cur].parent if cur in records else None
    return out


def village_of(unit_id: str, units: dict) -> str | None:
    """The village a unit lies in: itself, its own ``village``, or that of its nearest ancestor."""
    for uid in ancestors(unit_id, units):
        u = units.get(uid)
        if u is not None and u.kind == "village":
            return uid
        if u is not None and u.village:
            return u.village
    return None
