"""Factories for rows in a known state: a fully vetted mentor, a family ready for matching."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from sqlmodel import Session, col, select

from mentoring.models import (
    Criterion,
    DbsCheck,
    DbsLevel,
    DbsResult,
    District,
    Engagement,
    Family,
    FamilyCriterion,
    FamilyNeed,
    Interview,
    InterviewOutcome,
    MentorKind,
    MentorSkill,
    MentorStatus,
    MentorTravelDistrict,
    Need,
    PipelineStage,
    Reference,
    TrainingModule,
    TrainingRecord,
    utcnow,
)
from mentoring.models import Mentor as MentorRow

_numbers = itertools.count(1)


def need_ids(session: Session, codes: list[str]) -> list[int]:
    rows = session.exec(select(Need).where(col(Need.code).in_(codes))).all()  # type: ignore[attr-defined]
    return [n.id for n in rows]  # type: ignore[misc]


def vetted_mentor(
    session: Session,
    district: District,
    *,
    kind: MentorKind = MentorKind.VOLUNTEER,
    capacity: int = 2,
    skills: tuple[str, ...] = ("school_attendance", "parenting"),
    travel: tuple[District, ...] = (),
    languages: tuple[str, ...] = ("English",),
    domestic_abuse_trained: bool = False,
    gender: str | None = None,
    today: date | None = None,
) -> MentorRow:
    """A mentor who passes every vetting check today."""
    today = today or utcnow().date()
    n = next(_numbers)
    mentor = MentorRow(
        reference=f"M-9{n:03d}",
        kind=kind.value,
        first_name="Test",
        last_name=f"Mentor{n}",
        email=f"mentor{n}@volunteer.example.org",
        home_district_id=district.id,  # type: ignore[arg-type]
        capacity=capacity,
        gender=gender,
        languages=list(languages),
        availability=["weekday_evening"],
        stage=PipelineStage.READY.value,
        status=MentorStatus.ACTIVE.value,
        consent_to_checks_at=utcnow(),
    )
    session.add(mentor)
    session.flush()
    for d in travel:
        session.add(MentorTravelDistrict(mentor_id=mentor.id, district_id=d.id))
    wanted = list(skills) + (["domestic_abuse"] if domestic_abuse_trained else [])
    for need_id in need_ids(session, wanted):
        session.add(MentorSkill(mentor_id=mentor.id, need_id=need_id))
    for i in range(2):
        session.add(
            Reference(
                mentor_id=mentor.id,
                referee_name=f"Referee {i}",
                requested_on=today - timedelta(60),
                received_on=today - timedelta(50),
                satisfactory=True,
            )
        )
    session.add(
        DbsCheck(
            mentor_id=mentor.id,
            level=DbsLevel.ENHANCED_CHILDREN.value,
            certificate_number=f"{n:012d}",
            issue_date=today - timedelta(days=100),
            result=DbsResult.CLEAR.value,
        )
    )
    session.add(
        Interview(
            mentor_id=mentor.id,
            held_on=today - timedelta(days=40),
            interviewers="A, B",
            outcome=InterviewOutcome.PASSED.value,
        )
    )
    for module in session.exec(select(TrainingModule)).all():
        if module.mandatory or (
            domestic_abuse_trained and module.code == "domestic_abuse_awareness"
        ):
            session.add(
                TrainingRecord(
                    mentor_id=mentor.id,
                    module_id=module.id,
                    completed_on=today - timedelta(days=30),
                )
            )
    session.commit()
    return mentor


def ready_family(
    session: Session,
    district: District,
    *,
    needs: tuple[str, ...] = ("school_attendance",),
    tranche: int = 3,
    domestic_abuse: bool = False,
    wants_role_model: bool = False,
    language_preference: str | None = None,
    language_required: bool = False,
    consent: bool = True,
    referred_days_ago: int = 30,
) -> Family:
    """A family that meets all three phase-1 criteria, consents and is engaged."""
    today = utcnow().date()
    number = district.next_family_number
    district.next_family_number += 1
    session.add(district)
    family = Family(
        reference=f"{district.code}-{number:04d}",
        district_id=district.id,  # type: ignore[arg-type]
        number=number,
        programme_phase=1,
        shared_first_names="Sam and Alex",
        key_worker_name="Kim Keyworker",
        key_worker_agency="Early Help",
        key_worker_contact="kim@kent.example.gov.uk",
        languages=["English"],
        availability=["weekday_evening"],
        tranche=tranche,
        wants_role_model=wants_role_model,
        risk_domestic_abuse=domestic_abuse,
        language_preference=language_preference,
        language_required=language_required,
        agreed_goals="Children at school on time",
        safety_notes="Dog in the house",
        consent_mentoring=consent,
        consent_mentoring_on=today - timedelta(days=20) if consent else None,
        consent_sharing=consent,
        consent_sharing_on=today - timedelta(days=20) if consent else None,
        engagement=Engagement.ENGAGED.value,
        referred_on=today - timedelta(days=referred_days_ago),
    )
    session.add(family)
    session.flush()
    for criterion in (Criterion.CRIME_ASB, Criterion.EDUCATION, Criterion.WORKLESSNESS):
        session.add(
            FamilyCriterion(
                family_id=family.id,
                criterion=criterion.value,
                evidence_date=today - timedelta(days=60),
                evidence_source="Police data",
            )
        )
    wanted = list(needs) + (["domestic_abuse"] if domestic_abuse else [])
    for need_id in need_ids(session, wanted):
        session.add(FamilyNeed(family_id=family.id, need_id=need_id))
    session.commit()
    return family


def refresh(db: Session) -> None:
    """See what the app saved: end the test session's read snapshot and forget its rows."""
    db.rollback()
    db.expire_all()


def matching_run(db: Session, app, world, coordinator, districts=None):  # type: ignore[no-untyped-def]
    """Run the optimiser over districts (Dartford by default) as a coordinator."""
    from mentoring.services import matching as matching_service

    with app.app_context():
        return matching_service.run_matching(
            session=db,
            district_ids={d.id for d in (districts or [world.dartford])},
            actor_id=coordinator.id,
        )


def proposals(db: Session, run) -> list:  # type: ignore[no-untyped-def]
    """A run's proposals, in the order they were made."""
    from mentoring.models import Match

    return list(db.exec(select(Match).where(Match.run_id == run.id).order_by(Match.id)).all())


def offered_match(app, db: Session, world, coordinator):  # type: ignore[no-untyped-def]
    """A Dartford mentor offered a Dartford family by hand: (mentor, family, match)."""
    from mentoring.services.matches import assign_by_hand

    mentor = vetted_mentor(db, world.dartford)
    family = ready_family(db, world.dartford)
    with app.test_request_context():
        match = assign_by_hand(
            session=db,
            family_id=family.id,
            mentor_id=mentor.id,
            slot="mentor",
            actor_id=coordinator.id,
        )
    return mentor, family, match


def active_match(app, db: Session, world, coordinator):  # type: ignore[no-untyped-def]
    """As `offered_match`, with the offer accepted: the match is active from today."""
    from mentoring.models import MatchStatus

    mentor, family, match = offered_match(app, db, world, coordinator)
    match.status, match.started_on = MatchStatus.ACTIVE.value, date.today()
    db.add(match)
    db.commit()
    return mentor, family, match
