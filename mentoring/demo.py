"""The demo data set: Kent's 12 districts, about 150 mentors, about 600 families.

Figures follow the council minutes (Dartford 40 families, Maidstone 80 then 81);
everything personal is invented. Seeded pseudo-random data, not security.
"""
# ruff: noqa: S311

from __future__ import annotations

import random
from datetime import timedelta

from sqlmodel import Session, select

from mentoring.models import (
    ApplicationSource,
    AuditEvent,
    Availability,
    ContactKind,
    ContactLog,
    CoordinatorDistrict,
    Criterion,
    DbsCheck,
    DbsLevel,
    DbsResult,
    District,
    DistrictNeighbour,
    DistrictTarget,
    Engagement,
    Family,
    FamilyCriterion,
    FamilyNeed,
    FamilyOutcome,
    Interview,
    InterviewOutcome,
    Match,
    MatchStatus,
    Mentor,
    MentorKind,
    MentorSkill,
    MentorStatus,
    MentorTravelDistrict,
    Need,
    PipelineStage,
    Reference,
    Role,
    Slot,
    TrainingModule,
    TrainingRecord,
    User,
    service_today,
    utcnow,
)
from mentoring.security import hash_password
from mentoring.services.families import RESULTS_FOR

DEMO_PASSWORD = "demo-mentor-match-2026"  # noqa: S105 (documented demo password)

# code, name, target 2025/26, target 2026/27
DISTRICTS: list[tuple[str, str, int, int]] = [
    ("ASH", "Ashford", 62, 66),
    ("CAN", "Canterbury", 78, 82),
    ("DAR", "Dartford", 40, 40),
    ("DOV", "Dover", 70, 74),
    ("FOL", "Folkestone & Hythe", 64, 68),
    ("GRA", "Gravesham", 58, 60),
    ("MAI", "Maidstone", 80, 81),
    ("SEV", "Sevenoaks", 34, 36),
    ("SWA", "Swale", 92, 96),
    ("THA", "Thanet", 118, 122),
    ("TON", "Tonbridge & Malling", 44, 46),
    ("TUN", "Tunbridge Wells", 38, 40),
]

NEIGHBOURS: dict[str, list[str]] = {
    "ASH": ["CAN", "FOL", "MAI", "SWA", "TUN"],
    "CAN": ["ASH", "DOV", "FOL", "SWA", "THA"],
    "DAR": ["GRA", "SEV"],
    "DOV": ["CAN", "FOL", "THA"],
    "FOL": ["ASH", "CAN", "DOV"],
    "GRA": ["DAR", "SEV", "TON"],
    "MAI": ["ASH", "SWA", "TON", "TUN"],
    "SEV": ["DAR", "GRA", "TON", "TUN"],
    "SWA": ["ASH", "CAN", "MAI"],
    "THA": ["CAN", "DOV"],
    "TON": ["GRA", "MAI", "SEV", "TUN"],
    "TUN": ["ASH", "MAI", "SEV", "TON"],
}

# email, name, role, districts, label for the sign-in list
ACCOUNTS: list[tuple[str, str, Role, list[str], str]] = [
    ("admin@example.org", "Alex Morgan", Role.ADMIN, [], "Administrator"),
    ("provider@example.org", "Priya Shah", Role.PROVIDER, [], "Provider staff"),
    (
        "coordinator@example.org",
        "Chris Taylor",
        Role.COORDINATOR,
        ["DAR", "GRA"],
        "Coordinator (Dartford, Gravesham)",
    ),
    (
        "coordinator.maidstone@example.org",
        "Morgan Ellis",
        Role.COORDINATOR,
        ["MAI"],
        "Coordinator (Maidstone)",
    ),
    ("mentor@example.org", "Jo Baker", Role.MENTOR, [], "Mentor (volunteer, Dartford)"),
    ("rolemodel@example.org", "Sam Okafor", Role.MENTOR, [], "Role model (Dartford)"),
]

FIRST_NAMES = (
    "Alex Amy Ben Chloe Dan Ella Faye Gary Hannah Ian Jade Kemal Lena Marek Nadia Owen "
    "Paula Ravi Sara Tom Una Vikram Wendy Yusuf Zoe Aisha Bogdan Ciara Deepa Emeka Fatima "
    "Grace Harjit Irena Jamal Kasia Liam Maya Niamh Olu Priti Rosa Stefan Tariq Vera"
).split()
LAST_NAMES = (
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Wright Walker Khan Green "
    "Hall Wood Thompson Kowalski Okafor Singh Hughes Edwards Clarke Murphy Nowak Ahmed Price"
).split()
AGENCIES = [
    "Kent County Council Early Help",
    "Family support team",
    "Housing association",
    "Youth justice",
    "School inclusion team",
    "Health visiting",
]


def demo_accounts() -> list[tuple[str, str]]:
    """Return (email, label) for each demo sign-in."""
    return [(email, label) for email, _name, _role, _codes, label in ACCOUNTS]


def load_demo_data(
    session: Session, *, seed: int = 2026, families: int = 600, mentors: int = 150
) -> bool:
    """Load the demo data set unless districts already exist. Return True if it loaded."""
    if session.exec(select(District)).first() is not None:
        return False
    rng = random.Random(seed)
    today = service_today()
    districts = _districts(session)
    needs = {n.code: n for n in session.exec(select(Need)).all()}
    modules = {m.code: m for m in session.exec(select(TrainingModule)).all()}
    mentor_rows = _mentors(session, rng, today, districts, needs, modules, mentors)
    family_rows = _families(session, rng, today, districts, needs, families)
    _accounts(session, districts, mentor_rows)
    _matches(session, rng, today, mentor_rows, family_rows, districts)
    # A second generator, so the history below leaves the rest of the data set as it was.
    _history(session, random.Random(seed + 1), today, mentor_rows, family_rows)
    session.commit()
    return True


def _districts(session: Session) -> dict[str, District]:
    by_code: dict[str, District] = {}
    for code, name, _t1, _t2 in DISTRICTS:
        district = District(code=code, name=name)
        session.add(district)
        by_code[code] = district
    session.flush()
    for code, _name, target_prev, target_now in DISTRICTS:
        district_id = by_code[code].id
        if district_id is None:  # pragma: no cover - flushed above
            raise RuntimeError("district was not flushed")
        session.add(
            DistrictTarget(
                district_id=district_id, programme_year=2025, target_families=target_prev
            )
        )
        session.add(
            DistrictTarget(district_id=district_id, programme_year=2026, target_families=target_now)
        )
        for other in NEIGHBOURS[code]:
            session.add(DistrictNeighbour(district_id=district_id, neighbour_id=by_code[other].id))
    return by_code


def _stage_plan(count: int) -> list[tuple[str, str]]:
    """Spread mentors over the pipeline: most ready, some in each stage, a few off it."""
    plan: list[tuple[str, str]] = []
    shares = [
        (PipelineStage.APPLIED, MentorStatus.ACTIVE, 0.08),
        (PipelineStage.REFERENCES, MentorStatus.ACTIVE, 0.07),
        (PipelineStage.DBS, MentorStatus.ACTIVE, 0.07),
        (PipelineStage.INTERVIEW, MentorStatus.ACTIVE, 0.05),
        (PipelineStage.TRAINING, MentorStatus.ACTIVE, 0.07),
        (PipelineStage.READY, MentorStatus.PAUSED, 0.03),
        (PipelineStage.REFERENCES, MentorStatus.WITHDRAWN, 0.02),
        (PipelineStage.DBS, MentorStatus.REJECTED, 0.01),
    ]
    for stage, status, share in shares:
        plan += [(stage.value, status.value)] * round(count * share)
    plan += [(PipelineStage.READY.value, MentorStatus.ACTIVE.value)] * (count - len(plan))
    return plan[:count]


def _mentors(session, rng, today, districts, needs, modules, count):  # type: ignore[no-untyped-def]
    order = list(PipelineStage)
    plan = _stage_plan(count)
    # Ready mentors first, so the demo accounts link to matchable ones.
    plan.sort(key=lambda p: (p[0] != PipelineStage.READY.value, p[1] != "active"))
    codes = [c for c, *_ in DISTRICTS]
    weights = [t for *_x, t in DISTRICTS]
    need_codes = list(needs)
    rows: list[Mentor] = []
    role_models = max(1, round(count * 0.14))
    for i, (stage, status) in enumerate(plan):
        # Dartford always has a few ready mentors and role models for the demo accounts.
        home = "DAR" if i in (0, 1, 2, 3, 4) else rng.choices(codes, weights)[0]
        kind = (
            MentorKind.ROLE_MODEL
            if (i % max(1, count // role_models) == 1 or i == 1)
            else MentorKind.VOLUNTEER
        )
        if i == 0:
            kind = MentorKind.VOLUNTEER
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        if i == 0:
            first, last = "Jo", "Baker"
        elif i == 1:
            first, last = "Sam", "Okafor"
        days_in_pipeline = rng.randint(20, 400)
        applied = utcnow() - timedelta(days=days_in_pipeline)
        mentor = Mentor(
            reference=f"M-{i + 1:04d}",
            kind=kind.value,
            first_name=first,
            last_name=last,
            email=f"{first.lower()}.{last.lower()}{i + 1}@volunteer.example.org",
            phone=f"07700 9{rng.randint(10000, 99999)}",
            postcode=f"{home[:2]}{rng.randint(1, 20)} {rng.randint(1, 9)}{rng.choice('ABDEFG')}"
            f"{rng.choice('HJLNPQ')}",
            home_district_id=districts[home].id,
            capacity=rng.choice([1, 1, 2, 2, 2, 3, 4])
            if kind == MentorKind.VOLUNTEER
            else rng.choice([1, 1, 2]),
            gender=rng.choice(["female", "female", "male", "male", None, "non_binary"]),
            languages=["English"]
            + (
                rng.sample(["Polish", "Urdu", "Punjabi", "Nepali", "Romanian", "Lithuanian"], 1)
                if rng.random() < 0.2
                else []
            ),
            availability=rng.sample([a.value for a in Availability], rng.randint(1, 3)),
            experience="Volunteered with a local youth club; raised three children.",
            stage=stage,
            stage_changed_at=applied + timedelta(days=rng.randint(0, days_in_pipeline)),
            status=status,
            status_reason={
                "paused": "On holiday until the new year",
                "withdrawn": "Moved out of the area",
                "rejected": "Risk assessment: not suitable to proceed",
            }.get(status, ""),
            source=rng.choice([ApplicationSource.WEB.value, ApplicationSource.PHONE.value]),
            applied_at=applied,
            consent_to_checks_at=applied,
        )
        if i == 0:
            mentor.capacity = 3
            mentor.email = "jo.baker@volunteer.example.org"
        session.add(mentor)
        rows.append(mentor)
    session.flush()
    for i, mentor in enumerate(rows):
        home = mentor.home_district_id
        home_code = next(c for c, d in districts.items() if d.id == home)
        for other in rng.sample(NEIGHBOURS[home_code], rng.randint(0, len(NEIGHBOURS[home_code]))):
            session.add(MentorTravelDistrict(mentor_id=mentor.id, district_id=districts[other].id))
        skills = rng.sample(need_codes[:-1], rng.randint(1, 3))
        da_trained = rng.random() < 0.3 or i == 0
        if da_trained:
            skills.append("domestic_abuse")
        for code in skills:
            session.add(MentorSkill(mentor_id=mentor.id, need_id=needs[code].id))
        _vetting(
            session,
            rng,
            today,
            mentor,
            order.index(PipelineStage(mentor.stage)),
            modules,
            da_trained,
            expiring=(i % 23 == 7),
        )
    return rows


def _vetting(session, rng, today, mentor, stage_index, modules, da_trained, expiring):  # type: ignore[no-untyped-def]
    """Record the checks a mentor at this stage has completed."""
    if stage_index >= 1:  # references requested; received if past that stage
        for n in range(2):
            received = stage_index >= 2
            session.add(
                Reference(
                    mentor_id=mentor.id,
                    referee_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    referee_contact=f"referee{mentor.id}-{n}@example.org",
                    relationship_to_mentor=rng.choice(
                        ["Employer", "Teacher", "Faith leader", "Friend of 5 years"]
                    ),
                    requested_on=today - timedelta(days=200),
                    received_on=(today - timedelta(days=180)) if received else None,
                    satisfactory=True if received else None,
                )
            )
    if stage_index >= 3:
        issued = today - timedelta(days=rng.randint(60, 900))
        if expiring:  # due for renewal in about six weeks (3 years after issue)
            issued = today - timedelta(days=3 * 365 + 1 - 45 - stage_index)
        disclosed = rng.random() < 0.08
        session.add(
            DbsCheck(
                mentor_id=mentor.id,
                level=DbsLevel.ENHANCED_BOTH.value
                if rng.random() < 0.3
                else DbsLevel.ENHANCED_CHILDREN.value,
                certificate_number=f"{rng.randint(0, 10**12 - 1):012d}",
                issue_date=issued,
                result=DbsResult.DISCLOSED.value if disclosed else DbsResult.CLEAR.value,
                decision="proceed" if disclosed else None,
                decision_at=utcnow() - timedelta(days=50) if disclosed else None,
                decision_rationale="Single minor offence over ten years ago; not relevant to role."
                if disclosed
                else "",
                update_service_subscribed=rng.random() < 0.4,
                last_status_check_on=today - timedelta(days=rng.randint(5, 200)),
            )
        )
    if stage_index >= 4:
        session.add(
            Interview(
                mentor_id=mentor.id,
                held_on=today - timedelta(days=rng.randint(30, 300)),
                interviewers="Priya Shah, Lee Carter",
                outcome=InterviewOutcome.PASSED.value,
                notes="Warm, realistic about the role, good understanding of boundaries.",
            )
        )
    if stage_index >= 4:
        complete_all = stage_index >= 5
        for code, module in modules.items():
            if not module.mandatory and not (code == "domestic_abuse_awareness" and da_trained):
                continue
            if not complete_all and rng.random() < 0.5:
                continue
            months = module.validity_months or 36
            completed = today - timedelta(days=rng.randint(20, max(21, months * 30 - 90)))
            if expiring and module.validity_months:
                completed = today - timedelta(days=module.validity_months * 30 - 25)
            session.add(
                TrainingRecord(mentor_id=mentor.id, module_id=module.id, completed_on=completed)
            )
    if stage_index >= 5:
        since = today - timedelta(days=rng.randint(10, 200))
        # Only an active ready mentor is matchable (a paused one is not).
        mentor.matchable_since = since if mentor.status == "active" else None


def _families(session, rng, today, districts, needs, count):  # type: ignore[no-untyped-def]
    codes = [c for c, *_ in DISTRICTS]
    weights = [t for *_x, t in DISTRICTS]
    per_district = dict.fromkeys(codes, 0)
    for _ in range(count):
        per_district[rng.choices(codes, weights)[0]] += 1
    if count >= 60:
        per_district["DAR"] = max(per_district["DAR"], 40)
    rows: list[Family] = []
    need_codes = list(needs)
    for code in codes:
        district = districts[code]
        for _ in range(per_district[code]):
            number = district.next_family_number
            district.next_family_number += 1
            tranche = rng.choices([1, 2, 3], [25, 35, 40])[0]
            engagement = rng.choices(
                [
                    Engagement.IDENTIFIED,
                    Engagement.CONTACTED,
                    Engagement.ENGAGED,
                    Engagement.DECLINED,
                    Engagement.EXITED,
                ],
                [10, 12, 65, 6, 7],
            )[0].value
            consenting = engagement in (Engagement.ENGAGED.value, Engagement.EXITED.value)
            referred = today - timedelta(days=rng.randint(5, 420))
            da = rng.random() < 0.12
            lang_pref = rng.random() < 0.06
            family = Family(
                reference=f"{code}-{number:04d}",
                district_id=district.id,
                number=number,
                programme_phase=2,
                key_worker_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                key_worker_agency=rng.choice(AGENCIES),
                key_worker_contact=f"keyworker{rng.randint(1, 60)}@kent.example.gov.uk",
                shared_first_names=" and ".join(rng.sample(FIRST_NAMES, rng.randint(1, 2))),
                adults=rng.randint(1, 2),
                children_0_4=rng.randint(0, 1),
                children_5_10=rng.randint(0, 2),
                children_11_15=rng.randint(0, 2),
                children_16_18=rng.randint(0, 1),
                languages=["English"] if not lang_pref else ["Polish", "English"],
                availability=rng.sample([a.value for a in Availability], rng.randint(1, 2)),
                tranche=tranche,
                wants_role_model=rng.random() < 0.3,
                gender_preference=rng.choice(["female", "male"]) if rng.random() < 0.15 else None,
                gender_required=rng.random() < 0.05,
                language_preference="Polish" if lang_pref else None,
                language_required=lang_pref and rng.random() < 0.5,
                risk_domestic_abuse=da,
                risk_no_lone_visits=da and rng.random() < 0.5,
                safety_notes="Dog in the house; visit in pairs after dark."
                if rng.random() < 0.1
                else "",
                agreed_goals="Get the children to school on time every day; "
                "make a budget for the rent arrears."
                if consenting
                else "",
                consent_mentoring=consenting,
                consent_mentoring_on=referred + timedelta(days=14) if consenting else None,
                consent_sharing=consenting,
                consent_sharing_on=referred + timedelta(days=14) if consenting else None,
                engagement=engagement,
                engagement_changed_on=referred + timedelta(days=rng.randint(0, 30)),
                referred_on=referred,
                exited_on=today - timedelta(days=rng.randint(1, 90))
                if engagement == Engagement.EXITED.value
                else None,
            )
            if not family.gender_preference:
                family.gender_required = False
            session.add(family)
            rows.append(family)
    session.flush()
    for family in rows:
        chosen = rng.sample(need_codes[:-1], rng.randint(1, 4))
        if family.risk_domestic_abuse:
            chosen.append("domestic_abuse")
        for code in chosen:
            session.add(FamilyNeed(family_id=family.id, need_id=needs[code].id))
        met = rng.sample(
            [Criterion.CRIME_ASB, Criterion.EDUCATION, Criterion.WORKLESSNESS],
            rng.choice([2, 3, 3]),
        )
        if family.risk_domestic_abuse:
            met.append(Criterion.DOMESTIC_ABUSE)
        if rng.random() < 0.3:
            met.append(Criterion.HEALTH)
        for criterion in met:
            session.add(
                FamilyCriterion(
                    family_id=family.id,
                    criterion=criterion.value,
                    evidence_date=family.referred_on - timedelta(days=rng.randint(1, 60)),
                    evidence_source=rng.choice(
                        [
                            "Police data",
                            "School attendance records",
                            "DWP data",
                            "Health visitor",
                            "Housing",
                        ]
                    ),
                )
            )
        if (
            len(
                [
                    c
                    for c in met
                    if c in (Criterion.CRIME_ASB, Criterion.EDUCATION, Criterion.WORKLESSNESS)
                ]
            )
            == 2
        ):
            family.discretion_reason = "Also a concern to the council: repeated housing complaints."
    return rows


def _accounts(session, districts, mentor_rows):  # type: ignore[no-untyped-def]
    password_hash = hash_password(DEMO_PASSWORD)
    mentor_for = {"mentor@example.org": mentor_rows[0], "rolemodel@example.org": mentor_rows[1]}
    for email, name, role, codes, _label in ACCOUNTS:
        user = User(email=email, name=name, password_hash=password_hash, role=role.value)
        if email in mentor_for:
            user.mentor_id = mentor_for[email].id
        session.add(user)
        session.flush()
        for code in codes:
            session.add(CoordinatorDistrict(user_id=user.id, district_id=districts[code].id))


def _matches(session, rng, today, mentor_rows, family_rows, districts):  # type: ignore[no-untyped-def]
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
            match = Match(
                family_id=family.id,
                mentor_id=mentor.id,
                slot=slot.value,
                status=MatchStatus.ACTIVE.value,
                created_by_id=coordinator.id,
                decided_by_id=coordinator.id,
                explanation={"note": "Demo data"},
                offered_at=utcnow() - timedelta(days=(today - started).days + 3),
                answered_at=utcnow() - timedelta(days=(today - started).days),
                started_on=started,
            )
            session.add(match)
            session.flush()
            contacts = rng.randint(0, 6)
            for n in range(contacts):
                if started + timedelta(days=7 * (n + 1)) > today:
                    break
                session.add(
                    ContactLog(
                        match_id=match.id,
                        contact_on=started + timedelta(days=7 * (n + 1)),
                        kind=rng.choice([k.value for k in ContactKind]),
                        duration_minutes=rng.choice([30, 45, 60, 90]),
                        note="Talked through the week; school run went well.",
                    )
                )


def _history(session, rng, today, mentor_rows, family_rows):  # type: ignore[no-untyped-def]
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
        for criterion in sorted(criteria.get(family.id, ())):
            if rng.random() < 0.65:
                outcome = rng.choice(sorted(RESULTS_FOR[Criterion(criterion)]))
                session.add(
                    FamilyOutcome(
                        family_id=family.id,
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
        session.add(
            Match(
                family_id=family.id,
                mentor_id=mentor.id,
                slot=Slot.MENTOR.value
                if mentor.kind == MentorKind.VOLUNTEER.value
                else Slot.ROLE_MODEL.value,
                status=MatchStatus.ENDED.value,
                created_by_id=coordinator.id,
                decided_by_id=coordinator.id,
                explanation={"note": "Demo data"},
                offered_at=utcnow() - timedelta(days=(today - started).days + 3),
                answered_at=utcnow() - timedelta(days=(today - started).days),
                started_on=started,
                ended_on=ended,
                end_reason=reason,
                end_notes="Ending recorded with the family and the key worker.",
            )
        )
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
