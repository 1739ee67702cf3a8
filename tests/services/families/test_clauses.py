"""The family rules in SQL agree with the pure rules; readiness for matching (both databases)."""

import itertools
from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from mentoring.models import (
    Criterion,
    Engagement,
    Family,
    FamilyCriterion,
    Match,
    MatchStatus,
    Slot,
)
from mentoring.services.families import (
    eligible_clause,
    matching_ready_family_ids,
    readiness_problems,
)
from tests.factories import ready_family, vetted_mentor
from tests.services.families.helpers import CRIME, EDUCATION, WORK
from tests.services.families.helpers import assess as _assess


def _bare_family(db, district, **fields):
    number = district.next_family_number
    district.next_family_number += 1
    db.add(district)
    family = Family(
        reference=f"{district.code}-{number:04d}", district_id=district.id, number=number, **fields
    )
    db.add(family)
    db.flush()
    return family


def test_sql_eligibility_agrees_with_the_rules_for_every_combination(app, db, world):
    codes = [c.value for c in Criterion]
    cases = {}
    for phase, discretion in itertools.product((1, 2), ("", "A concern")):
        for n in range(len(codes) + 1):
            for subset in itertools.combinations(codes, n):
                family = _bare_family(
                    db, world.dartford, programme_phase=phase, discretion_reason=discretion
                )
                for code in subset:
                    db.add(
                        FamilyCriterion(
                            family_id=family.id,
                            criterion=code,
                            evidence_date=date(2026, 1, 1),
                            evidence_source="Test",
                        )
                    )
                cases[family.id] = (set(subset), phase, discretion)
    db.commit()
    for minimum in (2, 3):
        eligible = set(db.exec(select(Family.id).where(eligible_clause(minimum))).all())
        expected = {
            fid
            for fid, (subset, phase, discretion) in cases.items()
            if _assess(subset, phase=phase, discretion=discretion, minimum=minimum).eligible
        }
        assert eligible == expected


def test_consenting_engaged_eligible_tranche3_family_is_ready(app, db, world):
    family = ready_family(db, world.dartford)
    assert matching_ready_family_ids(session=db, district_ids={world.dartford.id}) == {family.id}


@pytest.mark.parametrize(
    "change",
    [
        {"consent_mentoring": False},
        {"consent_sharing": False},
        {"engagement": Engagement.IDENTIFIED.value},
        {"engagement": Engagement.CONTACTED.value},
        {"engagement": Engagement.DECLINED.value},
        {"engagement": Engagement.EXITED.value, "exited_on": date(2026, 1, 1)},
        {"tranche": 2},
        {"tranche": None},
        {"mentoring_offered": False},
        {"programme_phase": 1, "discretion_reason": ""},
    ],
)
def test_family_failing_any_condition_is_not_ready_and_says_why(app, db, world, change):
    family = ready_family(db, world.dartford)
    if change.get("programme_phase") == 1:
        # Two of three phase-1 criteria and no discretion reason.
        row = db.exec(
            select(FamilyCriterion).where(
                FamilyCriterion.family_id == family.id, FamilyCriterion.criterion == WORK
            )
        ).one()
        db.delete(row)
    for name, value in change.items():
        setattr(family, name, value)
    db.add(family)
    db.commit()
    assert matching_ready_family_ids(session=db, district_ids={world.dartford.id}) == set()
    criteria = {
        c.criterion
        for c in db.exec(select(FamilyCriterion).where(FamilyCriterion.family_id == family.id))
    }
    assert readiness_problems(family=family, criteria=criteria, phase2_min=2) != []


def test_coordinator_can_offer_mentoring_to_a_tranche2_family(app, db, world):
    family = ready_family(db, world.dartford, tranche=2)
    assert matching_ready_family_ids(session=db, district_ids={world.dartford.id}) == set()
    family.mentoring_offered = True
    db.add(family)
    db.commit()
    assert matching_ready_family_ids(session=db, district_ids={world.dartford.id}) == {family.id}


def test_ready_families_are_limited_to_the_districts_asked_for(app, db, world):
    dartford = ready_family(db, world.dartford)
    maidstone = ready_family(db, world.maidstone)
    assert matching_ready_family_ids(session=db, district_ids={world.maidstone.id}) == {
        maidstone.id
    }
    assert matching_ready_family_ids(session=db, district_ids=set()) == set()
    assert dartford.id in matching_ready_family_ids(
        session=db, district_ids={world.dartford.id, world.maidstone.id}
    )


def test_family_with_a_mentor_stays_ready_for_a_role_model(app, db, world):
    family = ready_family(db, world.dartford, wants_role_model=True)
    mentor = vetted_mentor(db, world.dartford)
    db.add(
        Match(
            family_id=family.id,
            mentor_id=mentor.id,
            slot=Slot.MENTOR.value,
            status=MatchStatus.ACTIVE.value,
        )
    )
    db.commit()
    assert family.id in matching_ready_family_ids(session=db, district_ids={world.dartford.id})


def test_phase2_minimum_setting_changes_who_is_ready(app, db, world):
    family = ready_family(db, world.dartford)
    family.programme_phase = 2
    db.add(family)
    db.commit()
    with app.app_context():
        assert matching_ready_family_ids(session=db, district_ids={world.dartford.id}) == {
            family.id
        }
        app.config["FAMILY_PHASE2_MIN_CRITERIA"] = 4
        assert matching_ready_family_ids(session=db, district_ids={world.dartford.id}) == set()


def test_ready_families_take_one_query_however_many_there_are(app, db, world):
    for _ in range(30):
        ready_family(db, world.dartford)
    statements = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    engine = app.extensions["db_engine"]
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        with Session(engine) as session:
            ids = matching_ready_family_ids(session=session, district_ids={world.dartford.id})
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert len(ids) == 30
    assert len(statements) == 1


def test_sql_readiness_agrees_with_the_explanation(app, db, world):
    variants = [
        {},
        {"consent_mentoring": False},
        {"engagement": Engagement.CONTACTED.value},
        {"tranche": 1, "mentoring_offered": True},
        {"tranche": 1},
        {"programme_phase": 2},
    ]
    families = []
    for change in variants:
        family = ready_family(db, world.dartford)
        for name, value in change.items():
            setattr(family, name, value)
        db.add(family)
        families.append(family)
    db.commit()
    ready = matching_ready_family_ids(session=db, district_ids={world.dartford.id})
    for family in families:
        problems = readiness_problems(
            family=family, criteria={CRIME, EDUCATION, WORK}, phase2_min=2
        )
        assert (family.id in ready) is (problems == []), (family.reference, problems)
