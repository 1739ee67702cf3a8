"""The demo data set: Kent's 12 districts, about 150 mentors, about 600 families.

Figures follow the council minutes (Dartford 40 families, Maidstone 80 then 81);
everything personal is invented. Seeded pseudo-random data, not security.
"""
# ruff: noqa: S311

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlmodel import Session, select

from demo.history import add_history, add_matches
from demo.service_year import add_service_year
from demo.shared import DISTRICTS, NEIGHBOURS, saved_id, stage_plan
from mentoring.models import (
    ApplicationSource,
    Availability,
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
    Interview,
    InterviewOutcome,
    Mentor,
    MentorKind,
    MentorSkill,
    MentorTravelDistrict,
    Need,
    PipelineStage,
    Reference,
    Role,
    TrainingModule,
    TrainingRecord,
    User,
    service_today,
    utcnow,
)
from mentoring.security import (
    DEMO_PASSWORD,
    hash_password,
)

# email, name, role, districts, label for the sign-in list
ACCOUNTS: list[tuple[str, str, Role, list[str], str]] = [
    ("admin@example.org", "Alex Morgan", Role.ADMIN, [], "Administrator"),
    ("provider@example.org", "Priya Shah", Role.PROVIDER, [], "Provider staff"),
    (
        "safeguarding@example.org",
        "Dana Whitfield",
        Role.SAFEGUARDING,
        [],
        "Designated safeguarding lead",
    ),
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
    add_matches(session, rng, today, mentor_rows, family_rows)
    # A second generator, so the history below leaves the rest of the data set as it was.
    add_history(session, random.Random(seed + 1), today, mentor_rows, family_rows)
    # The year's runs, concerns and waits, again without changing what came before.
    add_service_year(session, random.Random(seed + 2), today)
    session.commit()
    return True


def _districts(session: Session) -> dict[str, District]:
    by_code: dict[str, District] = {}
    for n, (code, name, _t1, _t2) in enumerate(DISTRICTS):
        # Ofcom's numbers for drama (01632 960xxx): a demo never rings a real front door.
        district = District(code=code, name=name, mash_phone=f"01632 960 {n + 1:03d}")
        session.add(district)
        by_code[code] = district
    session.flush()
    for code, _name, target_prev, target_now in DISTRICTS:
        district_id = saved_id(by_code[code])
        session.add(
            DistrictTarget(
                district_id=district_id, programme_year=2025, target_families=target_prev
            )
        )
        session.add(
            DistrictTarget(district_id=district_id, programme_year=2026, target_families=target_now)
        )
        for other in NEIGHBOURS[code]:
            session.add(
                DistrictNeighbour(district_id=district_id, neighbour_id=saved_id(by_code[other]))
            )
    return by_code


def _mentors(
    session: Session,
    rng: random.Random,
    today: date,
    districts: dict[str, District],
    needs: dict[str, Need],
    modules: dict[str, TrainingModule],
    count: int,
) -> list[Mentor]:
    order = list(PipelineStage)
    plan = stage_plan(count)
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
            home_district_id=saved_id(districts[home]),
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
        mentor_id = saved_id(mentor)
        home_code = next(c for c, d in districts.items() if d.id == mentor.home_district_id)
        for other in rng.sample(NEIGHBOURS[home_code], rng.randint(0, len(NEIGHBOURS[home_code]))):
            session.add(
                MentorTravelDistrict(mentor_id=mentor_id, district_id=saved_id(districts[other]))
            )
        skills = rng.sample(need_codes[:-1], rng.randint(1, 3))
        da_trained = rng.random() < 0.3 or i == 0
        if da_trained:
            skills.append("domestic_abuse")
        for code in skills:
            session.add(MentorSkill(mentor_id=mentor_id, need_id=saved_id(needs[code])))
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


def _vetting(
    session: Session,
    rng: random.Random,
    today: date,
    mentor: Mentor,
    stage_index: int,
    modules: dict[str, TrainingModule],
    da_trained: bool,
    expiring: bool,
) -> None:
    """Record the checks a mentor at this stage has completed."""
    mentor_id = saved_id(mentor)
    if stage_index >= 1:  # references requested; received if past that stage
        for n in range(2):
            received = stage_index >= 2
            session.add(
                Reference(
                    mentor_id=mentor_id,
                    referee_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    referee_contact=f"referee{mentor_id}-{n}@example.org",
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
                mentor_id=mentor_id,
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
                mentor_id=mentor_id,
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
                TrainingRecord(
                    mentor_id=mentor_id, module_id=saved_id(module), completed_on=completed
                )
            )
    if stage_index >= 5:
        since = today - timedelta(days=rng.randint(10, 200))
        # Only an active ready mentor is matchable (a paused one is not).
        mentor.matchable_since = since if mentor.status == "active" else None


def _families(
    session: Session,
    rng: random.Random,
    today: date,
    districts: dict[str, District],
    needs: dict[str, Need],
    count: int,
) -> list[Family]:
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
                district_id=saved_id(district),
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
            if family.exited_on is not None:
                # One exit date: engagement became "exited" on the day the family exited.
                family.exited_on = max(family.exited_on, family.referred_on)
                family.engagement_changed_on = family.exited_on
            session.add(family)
            rows.append(family)
    session.flush()
    for family in rows:
        family_id = saved_id(family)
        chosen = rng.sample(need_codes[:-1], rng.randint(1, 4))
        if family.risk_domestic_abuse:
            chosen.append("domestic_abuse")
        for code in chosen:
            session.add(FamilyNeed(family_id=family_id, need_id=saved_id(needs[code])))
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
                    family_id=family_id,
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


def _accounts(session: Session, districts: dict[str, District], mentor_rows: list[Mentor]) -> None:
    password_hash = hash_password(DEMO_PASSWORD)
    mentor_for = {"mentor@example.org": mentor_rows[0], "rolemodel@example.org": mentor_rows[1]}
    for email, name, role, codes, _label in ACCOUNTS:
        user = User(email=email, name=name, password_hash=password_hash, role=role.value)
        if email in mentor_for:
            user.mentor_id = mentor_for[email].id
        session.add(user)
        session.flush()
        for code in codes:
            session.add(
                CoordinatorDistrict(user_id=saved_id(user), district_id=saved_id(districts[code]))
            )
