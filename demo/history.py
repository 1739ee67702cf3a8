"""The demo data set's matches and history: active matches with contacts, and what the
reports count (results, ended matches, former participants, mentors' stage changes)."""
# ruff: noqa: S311

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlmodel import Session, select

from demo.shared import saved_id
from mentoring.models import (
    AuditEvent,
    ContactKind,
    ContactLog,
    Criterion,
    Engagement,
    Family,
    FamilyCriterion,
    FamilyOutcome,
    Match,
    MatchStatus,
    Mentor,
    MentorKind,
    MentorStatus,
    PipelineStage,
    Slot,
    User,
    utcnow,
)
from mentoring.services.families import RESULTS_FOR


def _match(
    family: Family, mentor: Mentor, slot: Slot, coordinator: User, today: date, started: date
) -> Match:
    """An active match the coordinator approved, offered three days before it started."""
    return Match(
        family_id=saved_id(family),
        mentor_id=saved_id(mentor),
        slot=slot.value,
        status=MatchStatus.ACTIVE.value,
        created_by_id=coordinator.id,
        decided_by_id=coordinator.id,
        explanation={"note": "Demo data"},
        offered_at=utcnow() - timedelta(days=(today - started).days + 3),
        answered_at=utcnow() - timedelta(days=(today - started).days),
        started_on=started,
    )


def add_matches(
    session: Session,
    rng: random.Random,
    today: date,
    mentor_rows: list[Mentor],
    family_rows: list[Family],
) -> None:
    """Give some ready mentors active families, with a few contacts each."""
    ready = [
        m
        for m in mentor_rows
        if m.stage == PipelineStage.READY.value and m.status == MentorStatus.ACTIVE.value
    ]
    coordinator = session.exec(select(User).where(User.email == "coordinator@example.org")).one()
    engaged = [
        f
        for f in family_rows
        if f.engagement == Engagement.ENGAGED.value
        and f.consent_mentoring
        and not f.risk_domestic_abuse
    ]
    rng.shuffle(engaged)
    by_district: dict[int, list[Family]] = {}
    for family in engaged:
        by_district.setdefault(family.district_id, []).append(family)
    for index, mentor in enumerate(ready):
        if index % 3 == 2:
            continue  # some ready mentors have free capacity for the matching demo
        pool = by_district.get(mentor.home_district_id, [])
        slot = Slot.MENTOR if mentor.kind == MentorKind.VOLUNTEER.value else Slot.ROLE_MODEL
        load = 1 if index < 2 else rng.randint(1, max(1, mentor.capacity - 1))
        for _ in range(load):
            candidates = [f for f in pool if slot == Slot.MENTOR or f.wants_role_model]
            if not candidates:
                break
            family = candidates[0]
            pool.remove(family)
            if family.tranche != 3:
                family.mentoring_offered = True  # offered mentoring beyond tranche 3
            started = today - timedelta(days=rng.randint(20, 200))
            match = _match(family, mentor, slot, coordinator, today, started)
            session.add(match)
            session.flush()
            contacts = rng.randint(0, 6)
            for n in range(contacts):
                if started + timedelta(days=7 * (n + 1)) > today:
                    break
                session.add(
                    ContactLog(
                        match_id=saved_id(match),
                        contact_on=started + timedelta(days=7 * (n + 1)),
                        kind=rng.choice([k.value for k in ContactKind]),
                        duration_minutes=rng.choice([30, 45, 60, 90]),
                        note="Talked through the week; school run went well.",
                    )
                )


def add_history(
    session: Session,
    rng: random.Random,
    today: date,
    mentor_rows: list[Mentor],
    family_rows: list[Family],
) -> None:
    """Add what the reports count: results, ended matches and mentors' stage changes."""
    session.flush()
    criteria: dict[int, set[str]] = {}
    for family_id, criterion in session.exec(
        select(FamilyCriterion.family_id, FamilyCriterion.criterion)
    ).all():
        criteria.setdefault(family_id, set()).add(criterion)
    # Results: most families who were worked with have achieved something.
    for family in family_rows:
        if family.engagement not in (Engagement.ENGAGED.value, Engagement.EXITED.value):
            continue
        if rng.random() < (0.3 if family.engagement == Engagement.ENGAGED.value else 0.1):
            continue
        for criterion in sorted(criteria.get(saved_id(family), ())):
            if rng.random() < 0.65:
                outcome = rng.choice(sorted(RESULTS_FOR[Criterion(criterion)]))
                session.add(
                    FamilyOutcome(
                        family_id=saved_id(family),
                        outcome=outcome,
                        achieved_on=min(
                            today, family.referred_on + timedelta(days=rng.randint(40, 300))
                        ),
                        evidence="Recorded by the key worker from the partner's data",
                    )
                )
    session.flush()
    # Ended matches: families who exited or declined, with mentors of their district.
    coordinator = session.exec(select(User).where(User.email == "coordinator@example.org")).one()
    by_district: dict[int, list[Mentor]] = {}
    for mentor in mentor_rows:
        if mentor.stage == PipelineStage.READY.value or mentor.status == "withdrawn":
            by_district.setdefault(mentor.home_district_id, []).append(mentor)
    reasons = {
        Engagement.EXITED.value: ["goals_met", "goals_met", "goals_met", "moved_away"],
        Engagement.DECLINED.value: ["family_withdrew", "family_withdrew", "safeguarding"],
    }
    for family in family_rows:
        mentors = by_district.get(family.district_id)
        if family.engagement not in reasons or not mentors or rng.random() < 0.25:
            continue
        mentor = rng.choice(mentors)
        reason = rng.choice(reasons[family.engagement])
        if mentor.status == "withdrawn":
            reason = "mentor_left"
        started = family.referred_on + timedelta(days=rng.randint(20, 60))
        ended = min(today - timedelta(days=1), started + timedelta(days=rng.randint(30, 200)))
        if ended <= started:
            continue
        slot = Slot.MENTOR if mentor.kind == MentorKind.VOLUNTEER.value else Slot.ROLE_MODEL
        match = _match(family, mentor, slot, coordinator, today, started)
        match.status = MatchStatus.ENDED.value
        match.ended_on = ended
        match.end_reason = reason
        match.end_notes = "Ending recorded with the family and the key worker."
        session.add(match)
    # Role models who came through the programme themselves: some linked to their family.
    exited: dict[int, list[Family]] = {}
    for family in family_rows:
        if family.engagement == Engagement.EXITED.value:
            exited.setdefault(family.district_id, []).append(family)
    for mentor in mentor_rows:
        former = exited.get(mentor.home_district_id)
        if mentor.kind == MentorKind.ROLE_MODEL.value and former and rng.random() < 0.5:
            mentor.former_family_id = rng.choice(former).id
            session.add(mentor)
    # Stage changes, as the vetting pages record them, so recruitment times can be reported.
    order = [s.value for s in PipelineStage]
    for mentor in mentor_rows:
        position = order.index(mentor.stage)
        if position == 0:
            continue
        start, end = mentor.applied_at, mentor.stage_changed_at
        span = max(1.0, (end - start).total_seconds())
        moments = sorted(rng.uniform(0, span) for _ in range(position - 1)) + [span]
        for index, offset in enumerate(moments, start=1):
            session.add(
                AuditEvent(
                    at=start + timedelta(seconds=offset),
                    actor_role="system",
                    action="mentor.stage",
                    object_type="mentor",
                    object_id=mentor.id,
                    district_id=mentor.home_district_id,
                    details={"from_stage": order[index - 1], "to_stage": order[index]},
                )
            )
