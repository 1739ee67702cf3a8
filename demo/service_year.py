"""A year of the service at work, so the demo does not contradict itself: the matches came
from monthly matching runs that coordinators approved, a few concerns were raised, the
families waiting now became ready after their district's last run, and no mentor at the
training stage has every module done (they would be ready)."""
# ruff: noqa: S311

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from demo.shared import saved_id
from mentoring.models import (
    ConcernCategory,
    ConcernStatus,
    CoordinatorDistrict,
    District,
    Family,
    Match,
    MatchingRun,
    MatchStatus,
    Mentor,
    MentorStatus,
    PipelineStage,
    Role,
    RunStatus,
    SafeguardingConcern,
    Slot,
    TrainingModule,
    TrainingRecord,
    User,
)
from mentoring.services.common.holding import HOLDING
from mentoring.services.families import matching_ready_family_ids

EXPLANATION = {
    "lines": [
        "Serves the family's district",
        "Available when the family is",
        "Has experience in the family's needs",
    ],
    "note": "Demo data",
}
CONCERNS = [
    "The older child said they are scared of a neighbour; passed to the key worker the same day.",
    "Parent mentioned money for the electricity meter has run out; food bank details given.",
    "Saw bruising on a younger child's arm; the family said it was a fall at the park.",
]


def add_service_year(session: Session, rng: random.Random, today: date) -> None:
    """Add the year's matching runs, concerns, and waits consistent with them."""
    session.flush()
    last_runs = _runs(session, rng, today)
    _concerns(session, rng, today)
    _waits_since_last_run(session, rng, today, last_runs)
    _training_not_all_done(session)
    session.flush()


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10, 30), tzinfo=UTC)


def _starters(session: Session) -> dict[int, int]:
    """A coordinator of each district, or else the first administrator."""
    admin = session.exec(select(User.id).where(User.role == Role.ADMIN.value)).first()
    starters = {d: saved_admin(admin) for d in session.exec(select(District.id)).all() if d}
    first: dict[int, int] = {}
    for user_id, district_id in session.exec(
        select(CoordinatorDistrict.user_id, CoordinatorDistrict.district_id).order_by(
            col(CoordinatorDistrict.user_id)
        )
    ).all():
        first.setdefault(district_id, user_id)
    return starters | first


def saved_admin(value: int | None) -> int:
    """The administrator's id (the demo always has one)."""
    if value is None:  # pragma: no cover - the demo's accounts include an administrator
        raise RuntimeError("no administrator in the demo data")
    return value


def _runs(session: Session, rng: random.Random, today: date) -> dict[int, date]:
    """One run per district and month that led to matches; a recent run in every district.

    Returns the day of each district's last run."""
    starters = _starters(session)
    by_month: dict[tuple[int, int, int], list[Match]] = defaultdict(list)
    for match, district_id in session.exec(
        select(Match, Family.district_id)
        .join(Family, col(Family.id) == Match.family_id)
        .where(col(Match.run_id).is_(None), col(Match.started_on).is_not(None))
        .order_by(col(Match.id))
    ).all():
        if rng.random() < 0.15:
            continue  # assigned by hand
        started = match.started_on or today
        by_month[(district_id, started.year, started.month)].append(match)
    planned: list[tuple[date, int, list[Match]]] = []
    last: dict[int, date] = {}
    for (district_id, _year, _month), matches in sorted(by_month.items()):
        first_start = min(m.started_on or today for m in matches)
        run_day = first_start - timedelta(days=rng.randint(5, 9))
        planned.append((run_day, district_id, matches))
        last[district_id] = max(last.get(district_id, run_day), run_day)
    for every in sorted(starters):
        recent = today - timedelta(days=rng.randint(7, 21))
        if last.get(every, date.min) < recent:
            planned.append((recent, every, []))
            last[every] = recent
    # Created in the order they ran, so run numbers go up with time.
    for run_day, district_id, matches in sorted(planned, key=lambda p: (p[0], p[1])):
        run = _run(session, starters[district_id], district_id, run_day)
        for match in matches:
            match.run_id = run.id
            match.created_by_id = starters[district_id]
            match.created_at = _at(run_day)
            match.decided_at = _at(run_day + timedelta(days=1))
            match.score = rng.randint(55, 95)
            match.explanation = EXPLANATION
            session.add(match)
    return last


def _run(session: Session, starter: int, district_id: int, day: date) -> MatchingRun:
    run = MatchingRun(
        started_by_id=starter,
        started_at=_at(day),
        finished_at=_at(day) + timedelta(seconds=2),
        district_ids=[district_id],
        status=RunStatus.OPTIMAL.value,
        build_seconds=0.4,
        solve_seconds=0.9,
    )
    session.add(run)
    session.flush()
    return run


def _concerns(session: Session, rng: random.Random, today: date) -> None:
    """A few concerns raised by mentors over the year: all triaged by the safeguarding lead
    but the latest, which waits for triage."""
    matches = session.exec(
        select(Match)
        .where(col(Match.status).in_([MatchStatus.ACTIVE.value, MatchStatus.ENDED.value]))
        .order_by(col(Match.id))
    ).all()
    chosen = rng.sample(list(matches), min(len(matches), max(2, len(matches) // 12)))
    raisers = dict(session.exec(select(User.mentor_id, User.id)).all())
    lead = session.exec(select(User.id).where(User.role == Role.SAFEGUARDING.value)).first()
    districts = dict(session.exec(select(Family.id, Family.district_id)).all())
    categories = [c.value for c in ConcernCategory if c is not ConcernCategory.OTHER]
    for n, match in enumerate(sorted(chosen, key=lambda m: m.started_on or today)):
        start = match.started_on or today
        end = match.ended_on or today
        if end <= start:
            continue
        raised = start + timedelta(days=rng.randint(0, (end - start).days))
        latest = n == len(chosen) - 1
        session.add(
            SafeguardingConcern(
                match_id=saved_id(match),
                district_id=districts.get(match.family_id),
                raised_by_id=raisers.get(match.mentor_id),
                raised_at=_at(raised),
                category=rng.choice(categories),
                details=rng.choice(CONCERNS),
                status=ConcernStatus.OPEN.value if latest else ConcernStatus.TRIAGED.value,
                triaged_by_id=None if latest else lead,
                triaged_at=None if latest else _at(raised + timedelta(days=1)),
            )
        )


def _waits_since_last_run(
    session: Session, rng: random.Random, today: date, last_runs: dict[int, date]
) -> None:
    """Families waiting for a mentor became ready after their district's last run."""
    held = set(
        session.exec(
            select(Match.family_id).where(
                col(Match.status).in_(HOLDING), Match.slot == Slot.MENTOR.value
            )
        ).all()
    )
    districts = {d for d in session.exec(select(District.id)).all() if d is not None}
    waiting = matching_ready_family_ids(session=session, district_ids=districts) - held
    for family in session.exec(select(Family).where(col(Family.id).in_(sorted(waiting)))).all():
        run_day = last_runs.get(family.district_id, today - timedelta(days=14))
        if family.consent_mentoring_on and family.consent_mentoring_on > run_day:
            continue
        consented = run_day + timedelta(days=rng.randint(1, max(1, (today - run_day).days)))
        family.consent_mentoring_on = min(today, consented)
        family.consent_sharing_on = family.consent_mentoring_on
        family.referred_on = min(family.referred_on, family.consent_mentoring_on)
        session.add(family)


def _training_not_all_done(session: Session) -> None:
    """A mentor at the training stage has a mandatory module still to do."""
    mandatory = session.exec(
        select(TrainingModule.id)
        .where(col(TrainingModule.mandatory).is_(True), col(TrainingModule.active).is_(True))
        .order_by(col(TrainingModule.id))
    ).all()
    training = session.exec(
        select(Mentor.id).where(
            Mentor.stage == PipelineStage.TRAINING.value,
            Mentor.status == MentorStatus.ACTIVE.value,
        )
    ).all()
    for mentor_id in training:
        records = session.exec(
            select(TrainingRecord).where(
                TrainingRecord.mentor_id == mentor_id,
                col(TrainingRecord.module_id).in_(mandatory),
            )
        ).all()
        if {r.module_id for r in records} >= set(mandatory):
            for record in records:
                if record.module_id == mandatory[0]:
                    session.delete(record)
