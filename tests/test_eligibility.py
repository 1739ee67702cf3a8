"""The programme's rules: eligibility, results, readiness for matching, references."""

import itertools
import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from mentoring.exceptions import FamilyError
from mentoring.models import (
    Criterion,
    Engagement,
    Family,
    FamilyCriterion,
    FamilyEventKind,
    Match,
    MatchStatus,
    Role,
    Slot,
    utcnow,
)
from mentoring.services.families import (
    FamilyDetails,
    add_months,
    assess_eligibility,
    assess_turned_around,
    change_engagement,
    create_family,
    eligible_clause,
    family_days_waiting,
    matching_ready_family_ids,
    mentoring_is_offered,
    next_reference,
    readiness_problems,
    record_consent,
    tracking_until,
)
from tests.factories import ready_family, vetted_mentor

CRIME, EDUCATION, WORK = "crime_asb", "education", "worklessness"
DA, HEALTH, CHILDREN = "domestic_abuse", "health", "children_need_help"


def _assess(criteria, phase=1, discretion="", minimum=2):
    return assess_eligibility(
        criteria=set(criteria),
        phase=phase,
        discretion_reason=discretion,
        phase2_min_criteria=minimum,
    )


# ---------------------------------------------------------------------------
# Eligibility (pure)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("discretion", ["", "Also a concern to housing"])
def test_phase1_family_meeting_all_three_criteria_must_be_included(discretion):
    result = _assess({CRIME, EDUCATION, WORK}, discretion=discretion)
    assert result.eligible
    assert result.rule == "phase1_all_three"
    assert "must be included" in result.reasons[0]


@pytest.mark.parametrize("pair", list(itertools.combinations([CRIME, EDUCATION, WORK], 2)))
def test_phase1_two_of_three_is_not_eligible_without_a_discretion_reason(pair):
    result = _assess(set(pair))
    assert not result.eligible
    assert result.rule == "phase1_two_needs_discretion"
    assert "local discretion" in result.reasons[0]


@pytest.mark.parametrize("pair", list(itertools.combinations([CRIME, EDUCATION, WORK], 2)))
def test_phase1_two_of_three_is_included_with_a_recorded_discretion_reason(pair):
    result = _assess(set(pair), discretion="Repeated housing complaints")
    assert result.eligible
    assert result.rule == "phase1_two_with_discretion"


def test_phase1_discretion_reason_of_only_spaces_does_not_count():
    assert not _assess({CRIME, WORK}, discretion="   \n ").eligible


@pytest.mark.parametrize("criteria", [set(), {CRIME}, {EDUCATION}, {WORK}])
def test_phase1_fewer_than_two_criteria_is_not_eligible_even_with_discretion(criteria):
    result = _assess(criteria, discretion="A concern to the council")
    assert not result.eligible
    assert result.rule == "phase1_too_few"


def test_phase2_criteria_do_not_count_in_phase1():
    result = _assess({CRIME, DA, HEALTH, CHILDREN}, discretion="A concern")
    assert not result.eligible
    assert result.rule == "phase1_too_few"
    assert any("does not count in phase 1" in r for r in result.reasons)


@pytest.mark.parametrize(
    ("criteria", "eligible"),
    [
        (set(), False),
        ({DA}, False),
        ({DA, HEALTH}, True),
        ({CRIME, CHILDREN}, True),
        ({CRIME, EDUCATION, WORK, DA, HEALTH, CHILDREN}, True),
    ],
)
def test_phase2_needs_at_least_two_of_six_headline_problems_by_default(criteria, eligible):
    result = _assess(criteria, phase=2)
    assert result.eligible is eligible
    assert result.rule == ("phase2_enough" if eligible else "phase2_too_few")


def test_phase2_minimum_is_configurable():
    assert not _assess({DA, HEALTH}, phase=2, minimum=3).eligible
    assert _assess({DA, HEALTH, WORK}, phase=2, minimum=3).eligible
    assert _assess({HEALTH}, phase=2, minimum=1).eligible


def test_phase2_ignores_discretion():
    assert not _assess({HEALTH}, phase=2, discretion="A concern").eligible


@pytest.mark.parametrize(
    "kwargs",
    [
        {"criteria": {"truancy"}, "phase": 1},
        {"criteria": set(), "phase": 3},
        {"criteria": set(), "phase": 2, "phase2_min_criteria": 0},
        {"criteria": set(), "phase": 2, "phase2_min_criteria": 7},
    ],
)
def test_eligibility_refuses_unknown_criteria_phases_and_minimums(kwargs):
    with pytest.raises(ValueError):
        assess_eligibility(discretion_reason="", **kwargs)


# ---------------------------------------------------------------------------
# Turned around, tracking, waiting (pure)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("criteria", "outcomes", "achieved"),
    [
        ({CRIME, EDUCATION, WORK}, {"offending_stopped", "school_attendance", "into_work"}, True),
        (
            {CRIME, EDUCATION, WORK},
            {"offending_stopped", "school_attendance", "work_pathway"},
            True,
        ),
        ({CRIME, EDUCATION, WORK}, {"offending_stopped", "school_attendance"}, False),
        ({CRIME, EDUCATION}, {"offending_stopped", "school_attendance"}, True),
        ({EDUCATION, WORK}, {"school_attendance"}, False),
        # Phase-2 outcomes do not stand in for phase-1 results.
        ({CRIME, EDUCATION}, {"offending_stopped", "health_improved"}, False),
        (set(), {"school_attendance"}, False),
    ],
)
def test_phase1_family_is_turned_around_when_each_of_its_problems_is_addressed(
    criteria, outcomes, achieved
):
    result = assess_turned_around(criteria=criteria, outcomes=outcomes, phase=1)
    assert result.achieved is achieved


def test_turned_around_lists_what_is_still_to_address():
    result = assess_turned_around(
        criteria={CRIME, EDUCATION, WORK}, outcomes={"school_attendance"}, phase=1
    )
    assert result.addressed == ["Exclusion or persistent truancy"]
    assert result.outstanding == ["Crime or anti-social behaviour", "Worklessness"]


def test_phase2_family_is_turned_around_by_every_problem_addressed_or_by_work():
    criteria = {DA, HEALTH, EDUCATION}
    partial = {"domestic_abuse_reduced", "health_improved"}
    assert not assess_turned_around(criteria=criteria, outcomes=partial, phase=2).achieved
    everything = partial | {"school_attendance"}
    assert assess_turned_around(criteria=criteria, outcomes=everything, phase=2).achieved
    assert assess_turned_around(criteria=criteria, outcomes={"into_work"}, phase=2).achieved
    # A pathway to work addresses worklessness but is not the employment result.
    assert not assess_turned_around(criteria=criteria, outcomes={"work_pathway"}, phase=2).achieved


def test_families_are_tracked_for_twelve_months_after_exit():
    assert tracking_until(None) is None
    assert tracking_until(date(2026, 3, 15)) == date(2027, 3, 15)
    assert tracking_until(date(2028, 2, 29)) == date(2029, 2, 28)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


def test_days_waiting_count_from_consent_or_else_referral():
    family = Family(reference="X-1", district_id=1, number=1, referred_on=date(2026, 1, 1))
    assert family_days_waiting(family, date(2026, 1, 31)) == 30
    family.consent_mentoring = True
    family.consent_mentoring_on = date(2026, 1, 21)
    assert family_days_waiting(family, date(2026, 1, 31)) == 10
    # A withdrawn consent's date does not start the wait.
    family.consent_mentoring = False
    assert family_days_waiting(family, date(2026, 1, 31)) == 30
    assert family_days_waiting(family, date(2025, 12, 1)) == 0


@pytest.mark.parametrize(
    ("tranche", "offered", "expected"),
    [
        (3, None, True),
        (2, None, False),
        (1, None, False),
        (None, None, False),
        (2, True, True),
        (3, False, False),
    ],
)
def test_mentoring_is_offered_to_tranche_three_unless_the_coordinator_decides(
    tranche, offered, expected
):
    family = Family(reference="X-1", district_id=1, number=1, tranche=tranche)
    family.mentoring_offered = offered
    assert mentoring_is_offered(family) is expected


# ---------------------------------------------------------------------------
# The same rules in SQL, and readiness for matching (both databases)
# ---------------------------------------------------------------------------


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


def test_withdrawn_consent_takes_the_family_off_the_matching_list(app, db, world, make_user):
    coordinator = make_user(Role.COORDINATOR, districts=[world.dartford])
    family = ready_family(db, world.dartford)
    with app.test_request_context():
        record_consent(
            session=db,
            user=_signed_in(db, coordinator),
            family=family,
            kind=FamilyEventKind.CONSENT_SHARING,
            given=False,
            on=utcnow().date(),
            reason="Family asked to stop sharing",
        )
    assert matching_ready_family_ids(session=db, district_ids={world.dartford.id}) == set()
    db.refresh(family)
    assert family.consent_sharing is False
    assert family.consent_sharing_by_id == coordinator.id


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


# ---------------------------------------------------------------------------
# References
# ---------------------------------------------------------------------------


def _signed_in(db, user):
    from mentoring.services.users import to_signed_in

    return to_signed_in(session=db, user=user)


def _details(**overrides):
    values = {"referred_on": utcnow().date() - timedelta(days=3), "adults": 1}
    values.update(overrides)
    return FamilyDetails(**values)


def test_references_are_numbered_per_district(app, db, world, make_user):
    coordinator = _signed_in(
        db, make_user(Role.COORDINATOR, districts=[world.dartford, world.maidstone])
    )
    with app.test_request_context():
        refs = [
            create_family(
                session=db, user=coordinator, district_id=d.id, details=_details()
            ).reference
            for d in (world.dartford, world.dartford, world.maidstone)
        ]
    assert refs == ["DAR-0001", "DAR-0002", "MAI-0001"]


def test_reference_skips_numbers_already_taken(app, db, world):
    ready_family(db, world.dartford)  # DAR-0001, made outside the service
    world.dartford.next_family_number = 1
    db.add(world.dartford)
    db.commit()
    with app.app_context():
        from mentoring.db import write_transaction

        with write_transaction(db):
            assert next_reference(session=db, district_id=world.dartford.id) == "DAR-0002"


def test_families_added_at_the_same_time_get_different_references(app, db, world, make_user):
    coordinator = _signed_in(db, make_user(Role.COORDINATOR, districts=[world.dartford]))
    engine = app.extensions["db_engine"]
    refs, errors = [], []

    def add():
        try:
            with app.test_request_context(), Session(engine, expire_on_commit=False) as session:
                family = create_family(
                    session=session,
                    user=coordinator,
                    district_id=world.dartford.id,
                    details=_details(),
                )
                refs.append(family.reference)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=add) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(refs) == [f"DAR-{n:04d}" for n in range(1, 9)]


def test_family_outside_the_users_districts_cannot_be_created(app, db, world, make_user):
    coordinator = _signed_in(db, make_user(Role.COORDINATOR, districts=[world.dartford]))
    with app.test_request_context(), pytest.raises(FamilyError) as err:
        create_family(
            session=db, user=coordinator, district_id=world.maidstone.id, details=_details()
        )
    assert err.value.field == "district"
    assert db.exec(select(Family)).all() == []


# ---------------------------------------------------------------------------
# Engagement
# ---------------------------------------------------------------------------


def test_declined_family_is_kept_and_can_re_engage(app, db, world, make_user):
    coordinator = _signed_in(db, make_user(Role.COORDINATOR, districts=[world.dartford]))
    family = ready_family(db, world.dartford)
    today = utcnow().date()
    with app.test_request_context():
        change_engagement(
            session=db,
            user=coordinator,
            family=family,
            to=Engagement.DECLINED,
            on=today - timedelta(days=5),
        )
        assert matching_ready_family_ids(session=db, district_ids={world.dartford.id}) == set()
        change_engagement(
            session=db, user=coordinator, family=family, to=Engagement.ENGAGED, on=today
        )
    assert db.get(Family, family.id).engagement == Engagement.ENGAGED.value
    assert matching_ready_family_ids(session=db, district_ids={world.dartford.id}) == {family.id}


def test_exited_family_cannot_change_engagement(app, db, world, make_user):
    coordinator = _signed_in(db, make_user(Role.COORDINATOR, districts=[world.dartford]))
    family = ready_family(db, world.dartford)
    with app.test_request_context():
        change_engagement(
            session=db, user=coordinator, family=family, to=Engagement.EXITED, on=utcnow().date()
        )
        with pytest.raises(FamilyError, match="new referral"):
            change_engagement(
                session=db,
                user=coordinator,
                family=family,
                to=Engagement.ENGAGED,
                on=utcnow().date(),
            )
    assert db.get(Family, family.id).exited_on == utcnow().date()


def test_family_with_an_active_mentor_cannot_be_marked_declined(app, db, world, make_user):
    coordinator = _signed_in(db, make_user(Role.COORDINATOR, districts=[world.dartford]))
    family = ready_family(db, world.dartford)
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
    with app.test_request_context(), pytest.raises(FamilyError, match=mentor.reference):
        change_engagement(
            session=db,
            user=coordinator,
            family=family,
            to=Engagement.DECLINED,
            on=utcnow().date(),
        )
