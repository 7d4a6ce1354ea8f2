"""Accident grade by 国务院令第493号 Art. 3, at every boundary ("以上" includes, "以下" excludes)."""
import pytest

from engine.incident.grade import classify

BOUNDARIES = [
    # (deaths, serious injuries, direct loss) → grade, deciding criterion
    ((0, 0, 0), "general", ""),
    ((2, 9, 9_999_999), "general", ""),
    ((3, 0, 0), "larger", "deaths"),
    ((0, 10, 0), "larger", "serious_injuries"),
    ((0, 0, 10_000_000), "larger", "direct_loss_yuan"),
    ((9, 49, 49_999_999), "larger", "deaths"),
    ((10, 0, 0), "major", "deaths"),
    ((0, 50, 0), "major", "serious_injuries"),
    ((0, 0, 50_000_000), "major", "direct_loss_yuan"),
    ((29, 99, 99_999_999), "major", "deaths"),
    ((30, 0, 0), "especially_major", "deaths"),
    ((0, 100, 0), "especially_major", "serious_injuries"),
    ((0, 0, 100_000_000), "especially_major", "direct_loss_yuan"),
    ((2, 12, 0), "larger", "serious_injuries"),  # the highest criterion decides
    ((1, 0, 60_000_000), "major", "direct_loss_yuan"),
]


@pytest.mark.parametrize("values,grade,criterion", BOUNDARIES, ids=[str(b[0]) for b in BOUNDARIES])
def test_grade_at_each_boundary(values, grade, criterion):
    g = classify(*values)
    assert (g.id, g.criterion) == (grade, criterion)


def test_grade_names_follow_the_regulation():
    assert [classify(*v).zh for v in [(0, 0, 0), (3, 0, 0), (10, 0, 0), (30, 0, 0)]] == [
        "一般事故", "较大事故", "重大事故", "特别重大事故"]
