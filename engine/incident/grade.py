"""Accident grade by 国务院令第493号《生产安全事故报告和调查处理条例》Art. 3.

"以上" includes the number, "以下" excludes it; the three criteria are joined by
"或者", so the grade is the highest that any one criterion reaches.
"""
from __future__ import annotations

from dataclasses import dataclass

from facts.canon import JsonData

# (grade id, rank, 中文, English, min deaths, min serious injuries, min direct loss in yuan)
GRADES = (
    ("especially_major", 4, "特别重大事故", "especially major accident", 30, 100, 100_000_000),
    ("major", 3, "重大事故", "major accident", 10, 50, 50_000_000),
    ("larger", 2, "较大事故", "larger accident", 3, 10, 10_000_000),
    ("general", 1, "一般事故", "general accident", 0, 0, 0),
)
CRITERIA = {"deaths": ("死亡", "deaths"), "serious_injuries": ("重伤", "serious injuries"),
            "direct_loss_yuan": ("直接经济损失", "direct loss (yuan)")}


@dataclass(frozen=True)
class Grade(JsonData):
    id: str
    rank: int
    zh: str
    en: str
    criterion: str  # which criterion decided it ("" for 一般 with nothing reached)
    threshold: int


#: An event (事件) is not an accident: it has no grade (规定 Art. 18(1) holds people answerable without one).
EVENT = Grade("event", 0, "事件（未造成事故）", "event (no accident)", "", 0)


def classify(deaths: int, serious_injuries: int, direct_loss_yuan: int) -> Grade:
    """The grade and the criterion that decided it (deaths first on a tie)."""
    values = {"deaths": deaths, "serious_injuries": serious_injuries, "direct_loss_yuan": direct_loss_yuan}
    for gid, rank, zh, en, *mins in GRADES[:-1]:
        for crit, minimum in zip(CRITERIA, mins):
            if values[crit] >= minimum:
                return Grade(gid, rank, zh, en, crit, minimum)
    gid, rank, zh, en, *_ = GRADES[-1]
    return Grade(gid, rank, zh, en, "", 0)
