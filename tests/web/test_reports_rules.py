"""The reports' rules: payment by results with its cap, suppression, and the SQL counts
agreeing with the service's own rules (turned around, keeping in date, contact)."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from mentoring.config import ConfigError, load_config
from mentoring.models import (
    ContactLog,
    Criterion,
    DbsCheck,
    Family,
    FamilyCriterion,
    FamilyOutcome,
    Match,
    Mentor,
    Outcome,
    Role,
    TrainingModule,
    TrainingRecord,
)
from mentoring.reports.present import Presenter
from mentoring.services import reports
from mentoring.services.common.dates import add_months
from mentoring.services.families import assess_turned_around
from mentoring.services.matches import monitoring
from mentoring.services.vetting import expiring_items
from tests.factories import ready_family, vetted_mentor

# ---------------------------------------------------------------------------
# Payment by results
# ---------------------------------------------------------------------------


def test_payment_by_results_uses_the_minutes_rates_by_default():
    rates = reports.PaymentRates()
    assert (rates.attachment_fee, rates.result_fee, rates.max_per_family) == (3200, 700, 4000)
    paid = reports.payments(attached=10, results=4, rates=rates)
    assert (paid.attachment, paid.results, paid.total) == (32_000, 2_800, 34_800)


def test_the_cap_comes_off_the_result_payment():
    rates = reports.PaymentRates(attachment_fee=3500, result_fee=800, max_per_family=4000)
    assert (rates.per_attachment, rates.per_result) == (3500, 500)
    paid = reports.payments(attached=3, results=2, rates=rates)
    assert (paid.attachment, paid.results) == (10_500, 1_000)
    # No family earns more than the cap, even when both payments go over it.
    assert paid.total <= 3 * 4000


def test_an_attachment_fee_above_the_cap_is_cut_to_it_and_leaves_no_result_payment():
    rates = reports.PaymentRates(attachment_fee=5000, result_fee=700, max_per_family=4000)
    assert (rates.per_attachment, rates.per_result) == (4000, 0)
    assert reports.payments(attached=2, results=2, rates=rates).total == 8000


def test_results_without_attachment_are_refused():
    with pytest.raises(ValueError, match="attached"):
        reports.payments(attached=1, results=2, rates=reports.PaymentRates())


def test_outcomes_page_applies_the_configured_rates_and_says_the_cap_bites(
    app, client, db, world, make_user, sign_in
):
    app.config.update(PBR_ATTACHMENT_FEE=3500, PBR_RESULT_FEE=800, PBR_MAX_PER_FAMILY=4000)
    for n in range(6):
        family = ready_family(db, world.dartford)
        family.referred_on = date(2026, 6, 1)
        db.add(family)
        if n < 5:  # all three problems addressed: turned around
            for outcome in ("offending_stopped", "school_attendance", "work_pathway"):
                db.add(
                    FamilyOutcome(
                        family_id=family.id,
                        outcome=outcome,
                        achieved_on=date(2026, 9, 1),
                        evidence="x",
                    )
                )
    db.commit()
    sign_in(make_user(Role.ADMIN))
    html = client.get("/reports/outcomes?year=2026").get_data(as_text=True)
    assert "Attachment fees (£3,500 each)" in html
    assert "Result payments (£500 each)" in html
    assert "takes the payments down to £3,500 attachment and £500 result" in html
    payments = re.search(r'data-testid="outcomes-payments".*?</table>', html, re.S).group(0)
    row = re.search(r">Dartford</th>(.*?)</tr>", payments, re.S).group(1)
    cells = [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells == ["6", "£21,000", "5", "£2,500", "£23,500"]


def test_payment_rates_and_threshold_come_from_the_environment(tmp_path: Path):
    config = load_config(
        tmp_path,
        {
            "PBR_ATTACHMENT_FEE": "£2,800",
            "PBR_RESULT_FEE": "1200",
            "PBR_MAX_PER_FAMILY": "4000",
            "SMALL_NUMBER_THRESHOLD": "10",
        },
    )
    assert config["PBR_ATTACHMENT_FEE"] == 2800
    assert config["PBR_RESULT_FEE"] == 1200
    assert config["SMALL_NUMBER_THRESHOLD"] == 10
    defaults = load_config(tmp_path, {})
    assert (defaults["PBR_ATTACHMENT_FEE"], defaults["PBR_RESULT_FEE"]) == (3200, 700)
    assert (defaults["PBR_MAX_PER_FAMILY"], defaults["SMALL_NUMBER_THRESHOLD"]) == (4000, 5)
    with pytest.raises(ConfigError, match="PBR_RESULT_FEE must be a whole number"):
        load_config(tmp_path, {"PBR_RESULT_FEE": "seven hundred"})
    with pytest.raises(ConfigError, match="SMALL_NUMBER_THRESHOLD"):
        load_config(tmp_path, {"SMALL_NUMBER_THRESHOLD": "0"})


# ---------------------------------------------------------------------------
# Suppression
# ---------------------------------------------------------------------------


def test_counts_from_one_to_four_are_suppressed_and_zero_is_shown():
    p = Presenter(anonymised=True, threshold=5)
    assert [p.count(n).csv for n in range(7)] == [0, "<5", "<5", "<5", "<5", 5, 6]
    assert p.count(3).text == "<5" and p.count(3).suppressed
    # Sorting cannot tell a 1 from a 4.
    assert p.count(1).sort == p.count(4).sort
    exact = Presenter(anonymised=False)
    assert [exact.count(n).csv for n in range(7)] == list(range(7))


def test_figures_worked_out_from_a_small_count_are_suppressed_too():
    p = Presenter(anonymised=True, threshold=5)
    assert p.money(6400, count=2, each=3200).csv == "<16000"
    assert p.money(19200, count=6, each=3200).csv == 19200
    assert p.percent(3, 40).csv == ""  # 3 of a known target would give 3 away
    assert p.percent(10, 40).csv == 25
    assert p.average(12.4, of=4).csv == ""  # an average of four families
    assert p.average(12.4, of=5).csv == 12
    assert p.plain(3).csv == 3  # a target counts no one


# ---------------------------------------------------------------------------
# The SQL counts agree with the services' rules
# ---------------------------------------------------------------------------


def test_turned_around_in_sql_agrees_with_the_programme_rule(app, db, world):
    rng = random.Random(7)
    expected = {}
    for n in range(160):
        family = ready_family(db, world.dartford)
        family.programme_phase = 1 if n % 3 == 0 else 2
        db.add(family)
        db.execute(sa.delete(FamilyCriterion).where(FamilyCriterion.family_id == family.id))
        criteria = set(rng.sample(Criterion.values(), rng.randint(0, 4)))
        outcomes = set(rng.sample(Outcome.values(), rng.randint(0, 4)))
        if n < 6:  # edge cases: none, a phase 2 family moved into work, phase 2 criteria in phase 1
            criteria, outcomes = [
                (set(), {"into_work"}),
                ({"health"}, {"into_work"}),
                ({"health"}, set()),
                ({"crime_asb", "health"}, {"offending_stopped"}),
                ({"worklessness"}, {"work_pathway"}),
                ({"education", "domestic_abuse"}, {"school_attendance", "domestic_abuse_reduced"}),
            ][n]
        for criterion in criteria:
            db.add(
                FamilyCriterion(
                    family_id=family.id,
                    criterion=criterion,
                    evidence_date=date(2026, 1, 1),
                    evidence_source="x",
                )
            )
        for outcome in outcomes:
            db.add(
                FamilyOutcome(
                    family_id=family.id, outcome=outcome, achieved_on=date(2026, 2, 1), evidence="x"
                )
            )
        expected[family.id] = assess_turned_around(
            criteria=criteria, outcomes=outcomes, phase=family.programme_phase
        ).achieved
    db.commit()
    turned = set(db.exec(select(Family.id).where(reports.turned_around_clause())).all())
    assert turned == {fid for fid, achieved in expected.items() if achieved}
    assert 10 < len(turned) < 150  # both kinds are well represented


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
