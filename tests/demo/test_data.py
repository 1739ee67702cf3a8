"""The demo data set's building blocks (the demo-data command is tested in tests/test_cli.py)."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from demo.data import load_demo_data
from demo.shared import DISTRICTS, NEIGHBOURS, district_weights, stage_plan
from mentoring.models import District, Family, Mentor, MentorStatus, PipelineStage


@pytest.mark.parametrize("count", [0, 1, 10, 150, 1000])
def test_stage_plan_gives_every_mentor_a_stage_and_most_are_ready(count):
    plan = stage_plan(count)
    assert len(plan) == count
    ready = plan.count((PipelineStage.READY.value, MentorStatus.ACTIVE.value))
    assert count == 0 or ready / count >= 0.5


def test_neighbours_are_kept_both_ways_round():
    codes = {code for code, *_ in DISTRICTS}
    assert set(NEIGHBOURS) == codes
    for code, others in NEIGHBOURS.items():
        for other in others:
            assert code in NEIGHBOURS[other]


def test_districts_are_weighed_by_their_target():
    assert district_weights(["THA", "DAR", "NEW"]) == [122, 40, 60]


def test_a_small_demo_data_set_loads_once(db):
    assert load_demo_data(db, families=30, mentors=12) is True
    count = lambda model: db.exec(select(func.count()).select_from(model)).one()  # noqa: E731
    assert (count(District), count(Mentor)) == (12, 12)
    assert count(Family) >= 30
    assert load_demo_data(db, families=30, mentors=12) is False
