"""The volume data set's families: criteria, needs and results, spread over the years."""
# ruff: noqa: S311

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from demo.shared import district_weights, saved_id
from demo.volume.bulk import Writer, next_id, template, utc
from mentoring.models import (
    Criterion,
    District,
    Engagement,
    Family,
    FamilyCriterion,
    FamilyNeed,
    FamilyOutcome,
)
from mentoring.services.districts import WORKED_WITH
from mentoring.services.families import RESULTS_FOR

PHASE1 = [Criterion.CRIME_ASB.value, Criterion.EDUCATION.value, Criterion.WORKLESSNESS.value]
ALL_CRITERIA = Criterion.values()


@dataclass
class FamilyInfo:
    # per district: ids of families engaged and consenting (for matches), and of exited ones
    engaged: dict[int, list[tuple[int, bool, date]]]
    exited: dict[int, list[int]]
    next_number: dict[int, int]


def add_families(
    writer: Writer,
    session: Session,
    rng: random.Random,
    today: date,
    first_day: date,
    span: int,
    districts: list[District],
    needs: dict[str, int],
    count: int,
) -> FamilyInfo:
    """Add the families with their criteria, needs and results; return what matches need."""
    base = template(Family, reference="", district_id=0, number=0)
    criterion_base = template(
        FamilyCriterion, family_id=0, criterion="crime_asb", evidence_date=today, evidence_source=""
    )
    outcome_base = template(
        FamilyOutcome, family_id=0, outcome="into_work", achieved_on=today, evidence=""
    )
    family_id = next_id(session, Family)
    criterion_id = next_id(session, FamilyCriterion)
    outcome_id = next_id(session, FamilyOutcome)
    weights = district_weights([d.code for d in districts])
    need_ids = [i for code, i in sorted(needs.items()) if code != "domestic_abuse"]
    numbers = {saved_id(d): d.next_family_number for d in districts}
    info = FamilyInfo(defaultdict(list), defaultdict(list), {})
    engagements = [e.value for e in Engagement]
    for _ in range(count):
        district = rng.choices(districts, weights)[0]
        district_id = saved_id(district)
        number = numbers[district_id]
        numbers[district_id] = number + 1
        referred = first_day + timedelta(days=rng.randrange(span))
        engagement = rng.choices(engagements, [10, 12, 60, 6, 12])[0]
        consenting = engagement in WORKED_WITH
        consent_on = min(today, referred + timedelta(days=rng.randint(3, 30)))
        phase = 1 if rng.random() < 0.1 else 2
        exited_on = (
            min(today, referred + timedelta(days=rng.randint(60, 500)))
            if engagement == Engagement.EXITED.value
            else None
        )
        row = dict(base)
        row.update(
            id=family_id,
            reference=f"{district.code}-{number:04d}",
            district_id=district_id,
            number=number,
            programme_phase=phase,
            key_worker_name="Invented key worker",
            key_worker_agency="Early Help",
            tranche=rng.choices([1, 2, 3], [25, 35, 40])[0],
            wants_role_model=rng.random() < 0.3,
            consent_mentoring=consenting,
            consent_mentoring_on=consent_on if consenting else None,
            consent_sharing=consenting,
            consent_sharing_on=consent_on if consenting else None,
            engagement=engagement,
            engagement_changed_on=min(today, referred + timedelta(days=rng.randint(0, 30))),
            referred_on=referred,
            exited_on=exited_on,
            created_at=utc(referred),
            updated_at=utc(referred),
            languages=["English"],
            availability=["weekday_evening"],
        )
        if phase == 1:
            met = rng.sample(PHASE1, rng.choice([2, 3, 3]))
            if len(met) == 2:
                row["discretion_reason"] = "Also a concern to the council."
        else:
            met = rng.sample(ALL_CRITERIA, rng.randint(2, 4))
        writer.add(Family, row)
        for criterion in met:
            c = dict(criterion_base)
            c.update(
                id=criterion_id,
                family_id=family_id,
                criterion=criterion,
                evidence_date=referred - timedelta(days=rng.randint(1, 60)),
                evidence_source="Troubled Families data",
            )
            criterion_id += 1
            writer.add(FamilyCriterion, c)
        for need_id in rng.sample(need_ids, rng.randint(1, 3)):
            writer.add(FamilyNeed, {"family_id": family_id, "need_id": need_id})
        if consenting and rng.random() < 0.45:
            results: set[str] = set()
            for criterion in met:
                if rng.random() < 0.7:
                    results.add(rng.choice(sorted(RESULTS_FOR[Criterion(criterion)])))
            for outcome in sorted(results):
                o = dict(outcome_base)
                o.update(
                    id=outcome_id,
                    family_id=family_id,
                    outcome=outcome,
                    achieved_on=min(today, referred + timedelta(days=rng.randint(60, 400))),
                    evidence="Invented evidence",
                )
                outcome_id += 1
                writer.add(FamilyOutcome, o)
        if engagement == Engagement.ENGAGED.value:
            info.engaged[district_id].append((family_id, row["wants_role_model"], consent_on))
        elif engagement == Engagement.EXITED.value:
            info.exited[district_id].append(family_id)
        family_id += 1
    info.next_number = numbers
    return info
