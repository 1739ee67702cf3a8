"""The vetting gate, keeping in date and the daily job (time travel through the `on` date)."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from mentoring.exceptions import NotReadyError, VettingError
from mentoring.models import (
    AuditEvent,
    DbsCheck,
    Interview,
    Match,
    MatchStatus,
    Mentor,
    MentorStatus,
    Notification,
    PipelineStage,
    Reference,
    Role,
    TrainingModule,
    TrainingRecord,
    VettingReminder,
)
from mentoring.services import vetting
from mentoring.services.mentors import mark_ready
from mentoring.services.vetting import (
    DbsFacts,
    InterviewFacts,
    MentorFacts,
    ModuleFacts,
    ReferenceFacts,
    VettingPolicy,
    add_months,
    evaluate_gate,
)
from tests.factories import ready_family, vetted_mentor

ON = date(2026, 3, 3)
MODULES = [
    ModuleFacts(1, "safeguarding", "Safeguarding children and adults", 36, True),
    ModuleFacts(2, "boundaries", "Boundaries and confidentiality", 36, True),
    ModuleFacts(3, "information_sharing", "Information sharing and data protection", 12, True),
    ModuleFacts(4, "mentoring_skills", "Mentoring skills", None, True),
    ModuleFacts(
        5, "domestic_abuse_awareness", "Domestic abuse awareness", 24, False, True, "domestic_abuse"
    ),
]


def facts(**changes) -> MentorFacts:
    """A mentor who passes every check on ON, with some facts changed."""
    base = {
        "mentor_id": 1,
        "stage": PipelineStage.READY.value,
        "status": MentorStatus.ACTIVE.value,
        "references": (
            ReferenceFacts(True, date(2025, 6, 1)),
            ReferenceFacts(True, date(2025, 6, 2)),
        ),
        "dbs_checks": (DbsFacts(1, "enhanced_children", date(2024, 1, 10), "clear"),),
        "interviews": (InterviewFacts(date(2025, 7, 1), "passed"),),
        "training": {
            1: (date(2025, 8, 1),),
            2: (date(2025, 8, 1),),
            3: (date(2025, 8, 1),),
            4: (date(2025, 8, 1),),
        },
    }
    base.update(changes)
    return MentorFacts(**base)


def gate(f: MentorFacts, on: date = ON, policy: VettingPolicy | None = None):
    return evaluate_gate(f, MODULES, on=on, policy=policy)


# ---------------------------------------------------------------------------
# The rule on plain data
# ---------------------------------------------------------------------------


def test_fully_vetted_ready_mentor_is_matchable():
    result = gate(facts())
    assert result.matchable
    assert result.reasons == []
    assert all(item.done for item in result.checklist)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        (
            {"references": (ReferenceFacts(True, date(2025, 6, 1)), ReferenceFacts(None, None))},
            "Only 1 of 2 satisfactory references",
        ),
        (
            {
                "references": (
                    ReferenceFacts(True, date(2025, 6, 1)),
                    ReferenceFacts(False, date(2025, 6, 9)),
                )
            },
            "Only 1 of 2 satisfactory references",
        ),
        ({"references": ()}, "No satisfactory references (needs 2)"),
        ({"dbs_checks": ()}, "No DBS check recorded"),
        (
            {"dbs_checks": (DbsFacts(1, "enhanced_children", date(2023, 3, 3), "clear"),)},
            "DBS check expired on 3 March 2026",
        ),
        (
            {"dbs_checks": (DbsFacts(1, "enhanced_children", date(2025, 1, 1), "disclosed"),)},
            "DBS check is waiting for a risk-assessment decision",
        ),
        (
            {
                "dbs_checks": (
                    DbsFacts(
                        1, "enhanced_children", date(2025, 1, 1), "disclosed", "do_not_proceed"
                    ),
                )
            },
            "DBS check not cleared",
        ),
        (
            {"dbs_checks": (DbsFacts(1, "enhanced_adults", date(2025, 1, 1), "clear"),)},
            "DBS check does not include the children's barred list",
        ),
        ({"interviews": ()}, "No passed suitability interview"),
        (
            {"interviews": (InterviewFacts(date(2025, 7, 1), "failed"),)},
            "No passed suitability interview",
        ),
        (
            {"training": {1: (date(2025, 8, 1),), 2: (date(2025, 8, 1),), 4: (date(2025, 8, 1),)}},
            "Mandatory training missing: Information sharing and data protection",
        ),
        (
            {
                "training": {
                    1: (date(2025, 8, 1),),
                    2: (date(2025, 8, 1),),
                    3: (date(2025, 3, 3),),
                    4: (date(2025, 8, 1),),
                }
            },
            "Mandatory training expired on 3 March 2026: Information sharing and data protection",
        ),
        ({"status": "paused"}, "Paused"),
        ({"status": "withdrawn"}, "Withdrawn from the pipeline"),
        ({"status": "rejected"}, "Not accepted as a mentor"),
        ({"stage": "training"}, "Not marked ready (at the Training stage)"),
    ],
)
def test_mentor_missing_one_item_is_not_matchable(changes, reason):
    result = gate(facts(**changes))
    assert not result.matchable
    assert result.reasons == [reason]


def test_disclosed_dbs_cleared_after_risk_assessment_is_matchable():
    dbs = DbsFacts(1, "enhanced_both", date(2025, 1, 1), "disclosed", "proceed")
    assert gate(facts(dbs_checks=(dbs,))).matchable


def test_dbs_expires_three_years_after_issue_by_default():
    dbs = DbsFacts(1, "enhanced_children", date(2023, 3, 4), "clear")
    f = facts(dbs_checks=(dbs,))
    assert gate(f, on=date(2026, 3, 3)).matchable
    expired = gate(f, on=date(2026, 3, 4))
    assert expired.reasons == ["DBS check expired on 4 March 2026"]


def test_update_service_status_check_within_a_year_keeps_dbs_in_date():
    dbs = DbsFacts(1, "enhanced_children", date(2021, 1, 10), "clear", None, True, date(2025, 9, 1))
    f = facts(dbs_checks=(dbs,))
    assert gate(f, on=date(2026, 3, 3)).matchable
    lapsed = gate(f, on=date(2026, 9, 1))
    assert lapsed.reasons[0] == "DBS Update Service status check overdue since 1 September 2026"


def test_a_newer_dbs_check_replaces_an_older_one():
    old = DbsFacts(1, "enhanced_children", date(2022, 1, 1), "clear")
    refused = DbsFacts(2, "enhanced_children", date(2025, 6, 1), "disclosed", "do_not_proceed")
    assert not gate(facts(dbs_checks=(old, refused))).matchable
    renewed = DbsFacts(3, "enhanced_children", date(2025, 12, 1), "clear")
    expired_old = DbsFacts(1, "enhanced_children", date(2022, 1, 1), "clear")
    assert gate(facts(dbs_checks=(expired_old, renewed))).matchable


def test_dbs_policy_comes_from_configuration():
    policy = VettingPolicy.from_config(
        {"DBS_RECHECK_MONTHS": "24", "DBS_ACCEPTED_LEVELS": "enhanced_adults"}
    )
    dbs = DbsFacts(1, "enhanced_adults", date(2024, 3, 1), "clear")
    assert gate(facts(dbs_checks=(dbs,)), policy=policy).reasons == [
        "DBS check expired on 1 March 2026"
    ]
    fresh = DbsFacts(1, "enhanced_adults", date(2025, 3, 1), "clear")
    assert gate(facts(dbs_checks=(fresh,)), policy=policy).matchable


def test_training_counts_only_once_completed():
    late = {
        1: (date(2026, 4, 1),),
        2: (date(2025, 8, 1),),
        3: (date(2025, 8, 1),),
        4: (date(2025, 8, 1),),
    }
    assert gate(facts(training=late)).reasons == [
        "Mandatory training missing: Safeguarding children and adults"
    ]


def test_a_refresher_renews_expired_training():
    refreshed = {
        1: (date(2022, 1, 1), date(2025, 2, 1)),
        2: (date(2025, 8, 1),),
        3: (date(2025, 8, 1),),
        4: (date(2019, 1, 1),),
    }
    assert gate(facts(training=refreshed)).matchable


def test_retired_mandatory_module_is_not_needed():
    retired = [m if m.id != 3 else ModuleFacts(3, m.code, m.name, 12, True, False) for m in MODULES]
    f = facts(training={1: (date(2025, 8, 1),), 2: (date(2025, 8, 1),), 4: (date(2025, 8, 1),)})
    assert evaluate_gate(f, retired, on=ON).matchable


def test_status_is_the_first_reason():
    result = gate(facts(status="paused", interviews=()))
    assert result.reasons == ["Paused", "No passed suitability interview"]


def test_specialist_training_unlocks_needs_only_while_in_date():
    f = facts(training={5: (date(2024, 3, 10),)})
    assert vetting.unlocked_needs(f, MODULES, on=date(2026, 3, 9)) == {"domestic_abuse"}
    assert vetting.unlocked_needs(f, MODULES, on=date(2026, 3, 10)) == set()


def test_add_months_keeps_the_day_where_the_month_allows():
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 8, 31), -6) == date(2026, 2, 28)
    assert add_months(date(2026, 3, 3), 36) == date(2029, 3, 3)


def test_reminder_milestones():
    assert [vetting.milestone_for(d) for d in (60, 31, 30, 8, 7, 1, 0, -5)] == [
        "60",
        "60",
        "30",
        "30",
        "7",
        "7",
        "expired",
        "expired",
    ]


# ---------------------------------------------------------------------------
# On the database
# ---------------------------------------------------------------------------


def _break(db, mentor: Mentor, item: str) -> str:
    """Take away one item a mentor needs; return the reason the gate gives."""
    today = date.today()
    if item == "references":
        ref = db.exec(select(Reference).where(Reference.mentor_id == mentor.id)).first()
        ref.satisfactory = False
        db.add(ref)
        reason = "Only 1 of 2 satisfactory references"
    elif item == "dbs":
        dbs = db.exec(select(DbsCheck).where(DbsCheck.mentor_id == mentor.id)).one()
        dbs.issue_date = add_months(today, -36)
        db.add(dbs)
        reason = f"DBS check expired on {vetting.long_date(today)}"
    elif item == "dbs_decision":
        dbs = db.exec(select(DbsCheck).where(DbsCheck.mentor_id == mentor.id)).one()
        dbs.result = "disclosed"
        db.add(dbs)
        reason = "DBS check is waiting for a risk-assessment decision"
    elif item == "interview":
        interview = db.exec(select(Interview).where(Interview.mentor_id == mentor.id)).one()
        interview.outcome = "deferred"
        db.add(interview)
        reason = "No passed suitability interview"
    elif item == "training":
        module = db.exec(select(TrainingModule).where(TrainingModule.code == "safeguarding")).one()
        db.exec(
            sa.delete(TrainingRecord).where(
                TrainingRecord.mentor_id == mentor.id, TrainingRecord.module_id == module.id
            )
        )
        reason = "Mandatory training missing: Safeguarding children and adults"
    elif item == "paused":
        mentor.status = MentorStatus.PAUSED.value
        db.add(mentor)
        reason = "Paused"
    else:  # pragma: no cover
        raise AssertionError(item)
    db.commit()
    return reason


ITEMS = ["references", "dbs", "dbs_decision", "interview", "training", "paused"]


def test_vetted_mentor_passes_the_gate_on_the_database(db, world):
    mentor = vetted_mentor(db, world.dartford)
    result = vetting.check_gate(session=db, mentor_id=mentor.id, on=date.today())
    assert result.matchable, result.reasons
    assert mentor.id in vetting.matchable_mentor_ids(session=db, on=date.today())


@pytest.mark.parametrize("item", ITEMS)
def test_mentor_missing_any_one_item_is_not_matchable(db, world, item):
    mentor = vetted_mentor(db, world.dartford)
    other = vetted_mentor(db, world.dartford)
    reason = _break(db, mentor, item)
    result = vetting.check_gate(session=db, mentor_id=mentor.id, on=date.today())
    assert not result.matchable
    assert result.reasons == [reason]
    assert vetting.matchable_mentor_ids(session=db, on=date.today()) == {other.id}


@pytest.mark.parametrize("item", ITEMS)
def test_mentor_missing_any_one_item_cannot_be_marked_ready(db, world, item):
    mentor = vetted_mentor(db, world.dartford)
    mentor.stage = PipelineStage.TRAINING.value
    db.add(mentor)
    db.commit()
    reason = _break(db, mentor, item)
    with pytest.raises(NotReadyError) as caught:
        mark_ready(session=db, mentor_id=mentor.id, actor_id=None, on=date.today())
    assert caught.value.reasons == [reason]
    db.expire_all()
    assert db.get(Mentor, mentor.id).stage == PipelineStage.TRAINING.value


def test_marking_ready_sets_the_stage_and_is_audited(db, world, make_user):
    staff = make_user(Role.PROVIDER)
    mentor = vetted_mentor(db, world.dartford)
    mentor.stage = PipelineStage.TRAINING.value
    db.add(mentor)
    db.commit()
    mark_ready(session=db, mentor_id=mentor.id, actor_id=staff.id, on=date.today())
    db.expire_all()
    saved = db.get(Mentor, mentor.id)
    assert saved.stage == PipelineStage.READY.value
    assert saved.matchable_since == date.today()
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "mentor.ready")).one()
    assert (event.actor_id, event.object_id) == (staff.id, mentor.id)
    assert event.details["from_stage"] == "training"


def test_matchable_mentor_ids_uses_a_fixed_number_of_queries(app, db, world):
    engine = app.extensions["db_engine"]
    counted: list[str] = []

    def count(*_args):
        counted.append("q")

    for _ in range(2):
        vetted_mentor(db, world.dartford)
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        vetting.matchable_mentor_ids(session=db, on=date.today())
        few = len(counted)
        for _ in range(12):
            vetted_mentor(db, world.gravesham)
        counted.clear()
        ids = vetting.matchable_mentor_ids(session=db, on=date.today())
        many = len(counted)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert len(ids) == 14
    assert many == few <= 8


def test_matchable_mentor_ids_is_fast_for_ten_thousand_mentors(db, world):
    today = date.today()
    count = 10_000
    modules = db.exec(select(TrainingModule).where(col(TrainingModule.mandatory).is_(True))).all()
    now = datetime.now(UTC)
    db.execute(
        sa.insert(Mentor),
        [
            {
                "reference": f"B-{i:05d}",
                "kind": "volunteer",
                "first_name": "Bulk",
                "last_name": str(i),
                "email": f"bulk{i}@example.org",
                "phone": "",
                "postcode": "",
                "home_district_id": world.dartford.id,
                "capacity": 1,
                "languages": ["English"],
                "availability": ["weekend"],
                "experience": "",
                "stage": "ready",
                "stage_changed_at": now,
                "status": "active",
                "status_reason": "",
                "source": "staff",
                "applied_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for i in range(count)
        ],
    )
    ids = db.exec(select(Mentor.id).order_by(Mentor.id)).all()
    db.execute(
        sa.insert(Reference),
        [
            {
                "mentor_id": m,
                "referee_name": "R",
                "referee_contact": "",
                "relationship_to_mentor": "",
                "received_on": today,
                "satisfactory": True,
                "recorded_at": now,
            }
            for m in ids
            for _ in range(2)
        ],
    )
    db.execute(
        sa.insert(DbsCheck),
        [
            {
                "mentor_id": m,
                "level": "enhanced_children",
                "certificate_number": f"{m:012d}",
                "issue_date": today - timedelta(days=30 if m % 10 else 1200),
                "result": "clear",
                "decision_rationale": "",
                "update_service_subscribed": False,
                "recorded_at": now,
            }
            for m in ids
        ],
    )
    db.execute(
        sa.insert(Interview),
        [
            {
                "mentor_id": m,
                "held_on": today,
                "interviewers": "A",
                "outcome": "passed",
                "notes": "",
                "recorded_at": now,
            }
            for m in ids
        ],
    )
    db.execute(
        sa.insert(TrainingRecord),
        [
            {"mentor_id": m, "module_id": mod.id, "completed_on": today, "recorded_at": now}
            for m in ids
            for mod in modules
        ],
    )
    db.commit()
    started = time.perf_counter()
    matchable = vetting.matchable_mentor_ids(session=db, on=today)
    elapsed = time.perf_counter() - started
    assert len(matchable) == count - count // 10  # every tenth has an expired DBS
    # About 1.5 s on this machine on either database; generous for a loaded CI machine.
    assert elapsed < 15, elapsed


def test_mentor_unlocked_needs_from_in_date_specialist_training(db, world):
    trained = vetted_mentor(db, world.dartford, domestic_abuse_trained=True)
    untrained = vetted_mentor(db, world.dartford)
    today = date.today()
    unlocked = vetting.mentor_unlocked_needs(
        session=db, mentor_ids=[trained.id, untrained.id], on=today
    )
    assert unlocked == {trained.id: {"domestic_abuse"}, untrained.id: set()}
    later = vetting.mentor_unlocked_needs(
        session=db, mentor_ids=[trained.id], on=add_months(today, 25)
    )
    assert later == {trained.id: set()}


def test_expiring_items_lists_what_expires_within_the_window(db, world):
    today = date.today()
    soon = vetted_mentor(db, world.dartford)
    dbs = db.exec(select(DbsCheck).where(DbsCheck.mentor_id == soon.id)).one()
    dbs.issue_date = add_months(today, -36) + timedelta(days=20)
    db.add(dbs)
    gone = vetted_mentor(db, world.gravesham)
    withdrawn = vetted_mentor(db, world.gravesham)
    withdrawn.status = MentorStatus.WITHDRAWN.value
    db.add(withdrawn)
    info = db.exec(select(TrainingModule).where(TrainingModule.code == "information_sharing")).one()
    for m in (gone, withdrawn):
        record = db.exec(
            select(TrainingRecord).where(
                TrainingRecord.mentor_id == m.id, TrainingRecord.module_id == info.id
            )
        ).one()
        record.completed_on = add_months(today, -12) - timedelta(days=3)
        db.add(record)
    vetted_mentor(db, world.maidstone)  # nothing due
    db.commit()
    items = vetting.expiring_items(session=db, on=today, within_days=60)
    assert [(i.mentor_id, i.item, i.expired) for i in items] == [
        (gone.id, "training:information_sharing", True),
        (soon.id, "dbs", False),
    ]
    assert items[1].days_left == 20
    assert vetting.expiring_items(session=db, on=today, within_days=10)[0].mentor_id == gone.id


# ---------------------------------------------------------------------------
# The daily job
# ---------------------------------------------------------------------------


def _outbox(app) -> list[str]:
    from pathlib import Path

    folder = Path(app.config["MAIL_OUTBOX"])
    return sorted(p.read_text() for p in folder.glob("*.eml")) if folder.exists() else []


def test_daily_job_tells_coordinators_once_when_a_mentor_stops_being_matchable(
    app, db, world, make_user
):
    today = date.today()
    dartford_coordinator = make_user(Role.COORDINATOR, districts=[world.dartford])
    maidstone_coordinator = make_user(Role.COORDINATOR, districts=[world.maidstone])
    provider = make_user(Role.PROVIDER)
    mentor = vetted_mentor(db, world.dartford)
    family = ready_family(db, world.dartford)
    db.add(
        Match(
            family_id=family.id,
            mentor_id=mentor.id,
            slot="mentor",
            status=MatchStatus.ACTIVE.value,
            started_on=today,
        )
    )
    db.commit()
    with app.app_context():
        first = vetting.run_daily_checks(session=db, on=today)
    assert first.became_matchable == 1
    db.expire_all()
    assert db.get(Mentor, mentor.id).matchable_since == today

    expiry = add_months(today - timedelta(days=100), 36)  # the factory's DBS expires then
    with app.app_context():
        lapse = vetting.run_daily_checks(session=db, on=expiry)
        again = vetting.run_daily_checks(session=db, on=expiry)
        next_day = vetting.run_daily_checks(session=db, on=expiry + timedelta(days=1))
    assert (lapse.stopped_matchable, lapse.coordinators_told) == (1, 1)
    assert again.stopped_matchable == next_day.stopped_matchable == 0
    db.expire_all()
    assert db.get(Mentor, mentor.id).matchable_since is None
    told = db.exec(select(Notification).where(Notification.kind == "mentor_not_matchable")).all()
    by_user = {n.user_id: n for n in told}
    assert set(by_user) == {dartford_coordinator.id, provider.id}
    assert by_user[dartford_coordinator.id].urgent
    assert family.reference in by_user[dartford_coordinator.id].message
    assert maidstone_coordinator.id not in by_user
    emails = [e for e in _outbox(app) if dartford_coordinator.email in e]
    assert len(emails) == 1
    assert family.reference not in emails[0]  # no family details by email
    assert "DBS" not in emails[0]


def test_daily_job_sends_each_reminder_once_per_milestone(app, db, world):
    today = date.today()
    mentor = vetted_mentor(db, world.dartford)
    info = db.exec(select(TrainingModule).where(TrainingModule.code == "information_sharing")).one()
    record = db.exec(
        select(TrainingRecord).where(
            TrainingRecord.mentor_id == mentor.id, TrainingRecord.module_id == info.id
        )
    ).one()
    record.completed_on = add_months(today, -12) + timedelta(days=40)  # due in 40 days
    db.add(record)
    db.commit()
    with app.app_context():
        first = vetting.run_daily_checks(session=db, on=today)
        second = vetting.run_daily_checks(session=db, on=today)
        later = vetting.run_daily_checks(session=db, on=today + timedelta(days=15))
    assert (first.reminders_sent, second.reminders_sent, later.reminders_sent) == (1, 0, 1)
    milestones = db.exec(select(VettingReminder.milestone).order_by(VettingReminder.id)).all()
    assert milestones == ["60", "30"]
    to_mentor = [e for e in _outbox(app) if mentor.email in e]
    assert len(to_mentor) == 2
    assert "Information sharing and data protection training is due for renewal" in to_mentor[0]


def test_dbs_rationale_is_cleared_six_months_after_the_decision(app, db, world):
    mentor = vetted_mentor(db, world.dartford)
    dbs = db.exec(select(DbsCheck).where(DbsCheck.mentor_id == mentor.id)).one()
    decided = datetime(2026, 1, 15, 14, 30, tzinfo=UTC)
    dbs.result, dbs.decision, dbs.decision_at = "disclosed", "proceed", decided
    dbs.decision_rationale = "Old minor offence, not relevant to the role"
    db.add(dbs)
    db.commit()
    with app.app_context():
        before = vetting.run_daily_checks(session=db, on=date(2026, 7, 14))
        db.expire_all()
        assert db.get(DbsCheck, dbs.id).decision_rationale != ""
        after = vetting.run_daily_checks(session=db, on=date(2026, 7, 15))
    assert (before.rationales_purged, after.rationales_purged) == (0, 1)
    db.expire_all()
    kept = db.get(DbsCheck, dbs.id)
    assert kept.decision_rationale == ""
    assert (kept.decision, kept.decision_at) == ("proceed", decided)
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "dbs.rationale_purged")).one()
    assert event.details == {"dbs_id": dbs.id, "fields": ["decision_rationale"]}


def test_send_reminders_command_runs_the_daily_job(runner, db, world):
    vetted_mentor(db, world.dartford)
    today = date.today().isoformat()
    result = runner.invoke(args=["send-reminders", "--date", today])
    assert result.exit_code == 0, result.output
    assert f"{today}: 0 reminders sent" in result.output
    assert "1 became matchable" in result.output
    bad = runner.invoke(args=["send-reminders", "--date", "3/3/2026"])
    assert bad.exit_code != 0
    assert "--date must be a date like 2026-03-27" in bad.output


# ---------------------------------------------------------------------------
# Recording DBS checks: only the allowed fields, validated, audited without values
# ---------------------------------------------------------------------------


def _dbs_args(**changes):
    args = {
        "level": "enhanced_children",
        "certificate_number": "001234567890",
        "issue_date": date.today() - timedelta(days=10),
        "result": "clear",
    }
    args.update(changes)
    return args


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"certificate_number": "12345"},
            "certificate_number",
            "The certificate number must be 12 digits, like 001234567890",
        ),
        (
            {"certificate_number": "00123456789O"},
            "certificate_number",
            "The certificate number must be 12 digits, like 001234567890",
        ),
        (
            {"certificate_number": "0012345678901"},
            "certificate_number",
            "The certificate number must be 12 digits, like 001234567890",
        ),
        (
            {"certificate_number": "１２３４５６７８９０１２"},
            "certificate_number",
            "The certificate number must be 12 digits, like 001234567890",
        ),
        ({"certificate_number": ""}, "certificate_number", "Enter the certificate number"),
        (
            {"issue_date": date.today() + timedelta(days=1)},
            "issue_date",
            "The issue date must be today or in the past",
        ),
        ({"issue_date": None}, "issue_date", "Enter the issue date"),
        (
            {"issue_date": date(1999, 1, 1)},
            "issue_date",
            "The issue date must be a real date after 2000",
        ),
        ({"level": "basic"}, "level", "Select the level of the DBS check"),
        ({"result": "unknown"}, "result", "Select the result of the check"),
        (
            {"last_status_check_on": date.today()},
            "last_status_check_on",
            "Only record a status check for someone who subscribes to the Update Service",
        ),
        (
            {"decision": "proceed", "decision_rationale": "x"},
            "decision",
            "Record a risk-assessment decision only when information was disclosed",
        ),
        (
            {"result": "disclosed", "decision": "proceed"},
            "decision_rationale",
            "Enter a short rationale for the decision",
        ),
    ],
)
def test_dbs_fields_are_validated(db, world, changes, field, message):
    mentor = vetted_mentor(db, world.dartford)
    with pytest.raises(VettingError) as caught:
        vetting.save_dbs_check(
            session=db, mentor_id=mentor.id, actor_id=None, on=date.today(), **_dbs_args(**changes)
        )
    assert caught.value.errors[field] == message
    assert len(db.exec(select(DbsCheck).where(DbsCheck.mentor_id == mentor.id)).all()) == 1


def test_dbs_check_is_saved_and_audited_without_its_values(db, world, make_user):
    staff = make_user(Role.PROVIDER)
    mentor = vetted_mentor(db, world.dartford)
    check = vetting.save_dbs_check(
        session=db,
        mentor_id=mentor.id,
        actor_id=staff.id,
        on=date.today(),
        **_dbs_args(
            certificate_number="0099 8877 6655",
            result="disclosed",
            decision="proceed",
            decision_rationale="Spent caution, unrelated to the role",
        ),
    )
    assert check.certificate_number == "009988776655"
    assert (check.decision_by_id, check.decision) == (staff.id, "proceed")
    assert check.decision_at is not None
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "dbs.record")).one()
    assert event.actor_id == staff.id and event.object_id == mentor.id
    assert "certificate_number" in event.details["fields"]
    flat = str(event.details)
    for value in ("009988776655", "disclosed", "proceed", "Spent caution", "enhanced_children"):
        assert value not in flat


def test_a_certificate_number_of_another_volunteer_is_refused(db, world):
    first = vetted_mentor(db, world.dartford)
    second = vetted_mentor(db, world.dartford)
    number = db.exec(
        select(DbsCheck.certificate_number).where(DbsCheck.mentor_id == first.id)
    ).one()
    with pytest.raises(VettingError) as caught:
        vetting.save_dbs_check(
            session=db,
            mentor_id=second.id,
            actor_id=None,
            on=date.today(),
            **_dbs_args(certificate_number=number),
        )
    assert "another volunteer" in caught.value.errors["certificate_number"]


def test_the_dbs_model_holds_only_what_the_code_of_practice_allows():
    allowed = {
        "id",
        "mentor_id",
        "level",
        "certificate_number",
        "issue_date",
        "result",
        "decision",
        "decision_by_id",
        "decision_at",
        "decision_rationale",
        "update_service_subscribed",
        "last_status_check_on",
        "recorded_by_id",
        "recorded_at",
    }
    assert set(DbsCheck.__table__.columns.keys()) == allowed


def test_a_status_check_renews_an_update_service_dbs(db, world):
    today = date.today()
    mentor = vetted_mentor(db, world.dartford)
    dbs = db.exec(select(DbsCheck).where(DbsCheck.mentor_id == mentor.id)).one()
    dbs.issue_date = add_months(today, -40)
    dbs.update_service_subscribed = True
    db.add(dbs)
    db.commit()
    assert not vetting.check_gate(session=db, mentor_id=mentor.id, on=today).matchable
    vetting.record_status_check(
        session=db, mentor_id=mentor.id, dbs_id=dbs.id, checked_on=today, actor_id=None, on=today
    )
    assert vetting.check_gate(session=db, mentor_id=mentor.id, on=today).matchable
    with pytest.raises(VettingError):
        vetting.record_status_check(
            session=db,
            mentor_id=mentor.id,
            dbs_id=dbs.id,
            checked_on=today + timedelta(days=1),
            actor_id=None,
            on=today,
        )


def test_recording_an_expired_dbs_on_a_ready_mentor_tells_their_coordinators(
    app, db, world, make_user
):
    today = date.today()
    coordinator = make_user(Role.COORDINATOR, districts=[world.dartford])
    mentor = vetted_mentor(db, world.dartford)
    family = ready_family(db, world.dartford)
    mentor.matchable_since = today - timedelta(days=30)
    db.add(mentor)
    db.add(
        Match(
            family_id=family.id,
            mentor_id=mentor.id,
            slot="mentor",
            status=MatchStatus.ACTIVE.value,
            started_on=today,
        )
    )
    db.commit()
    with app.test_request_context():
        vetting.save_dbs_check(
            session=db,
            mentor_id=mentor.id,
            actor_id=None,
            on=today,
            **_dbs_args(certificate_number="000000000777", result="disclosed"),
        )
    db.expire_all()
    assert db.get(Mentor, mentor.id).matchable_since is None
    note = db.exec(select(Notification).where(Notification.user_id == coordinator.id)).one()
    assert note.urgent and family.reference in note.message
