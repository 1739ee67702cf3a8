"""Today's figures agree with "Keeping in date" and the Matches page's monitoring."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlmodel import col, select

from mentoring.models import (
    ContactLog,
    DbsCheck,
    Match,
    Mentor,
    TrainingModule,
    TrainingRecord,
)
from mentoring.services import reports
from mentoring.services.common.dates import add_months
from mentoring.services.matches import monitoring
from mentoring.services.vetting import expiring_items
from tests.factories import ready_family, vetted_mentor


def test_expiring_counts_agree_with_the_keeping_in_date_list(app, db, world):
    today = date(2026, 11, 20)
    modules = db.exec(
        select(TrainingModule).where(col(TrainingModule.validity_months).is_not(None))
    ).all()
    rng = random.Random(3)
    for n in range(40):
        district = world.dartford if n % 2 else world.maidstone
        mentor = vetted_mentor(db, district, today=today)
        mentor.status = ["active", "active", "paused", "withdrawn"][n % 4]
        db.add(mentor)
        check = db.exec(select(DbsCheck).where(DbsCheck.mentor_id == mentor.id)).one()
        # Around three years ago: some due soon, some expired, some in date.
        check.issue_date = add_months(today, -36) + timedelta(days=rng.randint(-40, 90))
        check.update_service_subscribed = n % 5 == 0
        check.last_status_check_on = (
            today - timedelta(days=rng.randint(0, 400)) if n % 5 == 0 else None
        )
        check.result = "disclosed" if n % 7 == 0 else "clear"
        check.decision = "proceed" if n % 14 == 0 else None
        db.add(check)
        if n % 6 == 0:  # a newer check issued after `today` does not count yet
            db.add(
                DbsCheck(
                    mentor_id=mentor.id,
                    level="enhanced_children",
                    certificate_number=f"{n:012d}",
                    issue_date=today + timedelta(days=3),
                    result="clear",
                )
            )
        for module in modules:
            for record in db.exec(
                select(TrainingRecord).where(
                    TrainingRecord.mentor_id == mentor.id, TrainingRecord.module_id == module.id
                )
            ):
                record.completed_on = add_months(today, -module.validity_months) + timedelta(
                    days=rng.randint(-30, 120)
                )
                db.add(record)
            if n % 4 == 1:  # renewed since: only the latest completion counts
                db.add(TrainingRecord(mentor_id=mentor.id, module_id=module.id, completed_on=today))
    db.commit()
    with app.app_context():
        items = expiring_items(session=db, on=today, within_days=60)
        counts = reports.expiring_counts(
            session=db,
            district_ids={world.dartford.id, world.maidstone.id},
            on=today,
            within_days=60,
        )
    home = {m.id: m.home_district_id for m in db.exec(select(Mentor)).all()}
    for district in (world.dartford, world.maidstone):
        mine = [i for i in items if home[i.mentor_id] == district.id]
        got = counts[district.id]
        assert got.dbs_due == sum(i.item == "dbs" for i in mine)
        assert got.dbs_expired == sum(i.item == "dbs" and i.expired for i in mine)
        assert got.training_due == sum(i.item != "dbs" for i in mine)
        assert got.training_expired == sum(i.item != "dbs" and i.expired for i in mine)
    assert sum(i.expired for i in items) > 0 and sum(not i.expired for i in items) > 0


def test_matches_without_recent_contact_agree_with_monitoring(app, db, world):
    today = date(2026, 11, 20)
    mentor = vetted_mentor(db, world.dartford, capacity=4)
    other = vetted_mentor(db, world.dartford, capacity=4)
    cases = [  # (days since the match started, days since the last contact or None, status)
        (30, None, "active"),
        (10, None, "active"),
        (30, 20, "active"),
        (30, 14, "active"),
        (30, 15, "active"),
        (30, 3, "active"),
        (60, 40, "ended"),
        (None, None, "active"),
    ]
    for n, (started, contact, status) in enumerate(cases):
        family = ready_family(db, world.dartford)
        match = Match(
            family_id=family.id,
            mentor_id=(mentor if n < 4 else other).id,
            slot="mentor",
            status=status,
            started_on=today - timedelta(days=started) if started is not None else None,
        )
        db.add(match)
        db.flush()
        if contact is not None:
            db.add(
                ContactLog(
                    match_id=match.id, contact_on=today - timedelta(days=contact), kind="visit"
                )
            )
            db.add(
                ContactLog(
                    match_id=match.id, contact_on=today - timedelta(days=contact + 9), kind="phone"
                )
            )
    db.commit()
    with app.app_context():
        counts = reports.contact_counts(session=db, district_ids={world.dartford.id}, on=today)
    watch = monitoring(session=db, district_ids={world.dartford.id}, on=today)
    assert counts[world.dartford.id].no_recent_contact == len(watch.no_recent_contact) == 3
    assert counts[world.dartford.id].active_matches == 7
    # The Matches page's setting moves both the same way.
    app.config["MONITOR_NO_CONTACT_DAYS"] = 25
    with app.app_context():
        counts = reports.contact_counts(session=db, district_ids={world.dartford.id}, on=today)
    watch = monitoring(session=db, district_ids={world.dartford.id}, on=today, no_contact_days=25)
    assert counts[world.dartford.id].no_recent_contact == len(watch.no_recent_contact) == 1


def test_last_day_due_by_turns_the_month_rule_into_a_date_comparison():
    start = date(2023, 1, 1)
    for horizon in (date(2028, 2, 28), date(2028, 2, 29), date(2029, 2, 28), date(2027, 4, 30)):
        for months in (12, 24, 36):
            cut = reports.last_day_due_by(horizon, months)
            for offset in range(0, 3 * 366):
                day = start + timedelta(days=offset)
                assert (add_months(day, months) <= horizon) == (day <= cut), (horizon, months, day)
