"""Turned around in SQL agrees with the programme's rule."""

from __future__ import annotations

import random
from datetime import date

import sqlalchemy as sa
from sqlmodel import select

from mentoring.models import (
    Criterion,
    Family,
    FamilyCriterion,
    FamilyOutcome,
    Outcome,
)
from mentoring.services import reports
from mentoring.services.families import assess_turned_around
from tests.factories import ready_family


def test_turned_around_in_sql_agrees_with_the_programme_rule(app, db, world):
    rng = random.Random(7)
    expected = {}
    for n in range(160):
        family = ready_family(db, world.dartford)
        family.programme_phase = 1 if n % 3 == 0 else 2
        db.add(family)
        db.execute(sa.delete(FamilyCriterion).where(FamilyCriterion.family_id == family.id))
        criteria = set(rng.sample(Criterion.values(), rng.randint(0, 4)))
        outcomes = set(rng.sample(Outcome.values(), rng.randint(0, 4)))
        if n < 6:  # edge cases: none, a phase 2 family moved into work, phase 2 criteria in phase 1
            criteria, outcomes = [
                (set(), {"into_work"}),
                ({"health"}, {"into_work"}),
                ({"health"}, set()),
                ({"crime_asb", "health"}, {"offending_stopped"}),
                ({"worklessness"}, {"work_pathway"}),
                ({"education", "domestic_abuse"}, {"school_attendance", "domestic_abuse_reduced"}),
            ][n]
        for criterion in criteria:
            db.add(
                FamilyCriterion(
                    family_id=family.id,
                    criterion=criterion,
                    evidence_date=date(2026, 1, 1),
                    evidence_source="x",
                )
            )
        for outcome in outcomes:
            db.add(
                FamilyOutcome(
                    family_id=family.id, outcome=outcome, achieved_on=date(2026, 2, 1), evidence="x"
                )
            )
        expected[family.id] = assess_turned_around(
            criteria=criteria, outcomes=outcomes, phase=family.programme_phase
        ).achieved
    db.commit()
    turned = set(db.exec(select(Family.id).where(reports.turned_around_clause())).all())
    assert turned == {fid for fid, achieved in expected.items() if achieved}
    assert 10 < len(turned) < 150  # both kinds are well represented
