"""The dashboards' figures, recomputed independently from the demo data's rows in Python."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest
from sqlmodel import select

from demo.data import load_demo_data
from mentoring.models import (
    SLOT_HOLDING_STATUSES,
    District,
    DistrictTarget,
    Family,
    FamilyCriterion,
    FamilyOutcome,
    Match,
    MatchStatus,
    Mentor,
    Role,
    Slot,
    service_today,
)
from mentoring.services import reports
from mentoring.services.districts import current_programme_year, programme_year_dates, progress
from mentoring.services.families import (
    assess_turned_around,
    readiness_problems,
)
from mentoring.services.matches import monitoring
from mentoring.services.vetting import expiring_items

HOLDING = {s.value for s in SLOT_HOLDING_STATUSES}


def _expected(db, district_id: int, start: date, end: date, today: date) -> dict:
    """Count a district's dashboard figures from the rows, with the pure rules."""
    families = [
        f
        for f in db.exec(select(Family).where(Family.district_id == district_id)).all()
        if start <= f.referred_on <= end
    ]
    criteria = defaultdict(set)
    for c in db.exec(select(FamilyCriterion)).all():
        criteria[c.family_id].add(c.criterion)
    outcomes = defaultdict(set)
    for o in db.exec(select(FamilyOutcome)).all():
        outcomes[o.family_id].add(o.outcome)
    matches = db.exec(select(Match)).all()
    held = {m.family_id for m in matches if m.slot == Slot.MENTOR.value and m.status in HOLDING}
    # Families now: every family of the district, whenever referred.
    everyone = db.exec(select(Family).where(Family.district_id == district_id)).all()
    open_now = [
        f
        for f in everyone
        if f.engagement in ("identified", "contacted", "engaged") and f.exited_on is None
    ]
    ready = {
        f.id
        for f in everyone
        if not readiness_problems(family=f, criteria=criteria[f.id], phase2_min=2)
    }
    turned = [
        f
        for f in families
        if assess_turned_around(
            criteria=criteria[f.id], outcomes=outcomes[f.id], phase=f.programme_phase
        ).achieved
    ]
    mentors = db.exec(select(Mentor).where(Mentor.home_district_id == district_id)).all()
    by_stage = Counter(m.stage for m in mentors if m.status == "active")
    items = [
        i
        for i in expiring_items(session=db, on=today, within_days=60)
        if i.home_district_id == district_id
    ]
    first_start = {}
    for m in matches:
        if m.started_on and (
            m.family_id not in first_start or m.started_on < first_start[m.family_id]
        ):
            first_start[m.family_id] = m.started_on
    district_families = {
        f.id: f for f in db.exec(select(Family).where(Family.district_id == district_id)).all()
    }
    waits = [
        (first_start[fid] - f.consent_mentoring_on).days
        for fid, f in district_families.items()
        if fid in first_start
        and f.consent_mentoring_on
        and start <= first_start[fid] <= end
        and first_start[fid] >= f.consent_mentoring_on
    ]
    target = db.exec(
        select(DistrictTarget.target_families).where(
            DistrictTarget.district_id == district_id,
            DistrictTarget.programme_year == current_programme_year(),
        )
    ).first()
    watch = monitoring(session=db, district_ids={district_id}, on=today)
    active = [
        m
        for m in matches
        if m.status == MatchStatus.ACTIVE.value and m.family_id in district_families
    ]
    return {
        "identified": len(families),
        "engaged": sum(f.engagement in ("engaged", "exited") for f in families),
        "now_open": len(open_now),
        "now_matched": sum(f.id in held for f in open_now),
        "now_waiting": sum(1 for f in ready if f not in held),
        "now_not_ready": sum(f.id not in held and f.id not in ready for f in open_now),
        "turned_around": len(turned),
        "by_stage": dict(by_stage),
        "paused": sum(m.status == "paused" for m in mentors),
        "left": sum(m.status in ("withdrawn", "rejected") for m in mentors),
        "dbs_due": sum(i.item == "dbs" for i in items),
        "dbs_expired": sum(i.item == "dbs" and i.expired for i in items),
        "training_due": sum(i.item != "dbs" for i in items),
        "training_expired": sum(i.item != "dbs" and i.expired for i in items),
        "active": len(active),
        "no_contact": len(watch.no_recent_contact),
        "matched_families": len(waits),
        "average_days": sum(waits) / len(waits) if waits else None,
        "target": target,
    }


def _actual(figures) -> dict:
    return {
        "identified": figures.families.identified,
        "engaged": figures.families.engaged,
        "now_open": figures.now.open,
        "now_matched": figures.now.matched,
        "now_waiting": figures.now.waiting,
        "now_not_ready": figures.now.not_ready,
        "turned_around": figures.families.turned_around,
        "by_stage": {k: v for k, v in figures.mentors.by_stage.items() if v},
        "paused": figures.mentors.paused,
        "left": figures.mentors.left,
        "dbs_due": figures.expiring.dbs_due,
        "dbs_expired": figures.expiring.dbs_expired,
        "training_due": figures.expiring.training_due,
        "training_expired": figures.expiring.training_expired,
        "active": figures.contact.active_matches,
        "no_contact": figures.contact.no_recent_contact,
        "matched_families": figures.to_match.families,
        "average_days": figures.to_match.average_days,
        "target": figures.target,
    }


def _page_figures(html: str, test_id: str) -> dict[str, str]:
    table = re.search(rf'data-testid="{test_id}".*?</table>', html, re.S).group(0)
    rows = re.findall(
        r'<th scope="row" class="govuk-table__header">(.*?)</th>\s*<td[^>]*>(.*?)</td>', table, re.S
    )
    return {re.sub(r"<[^>]+>", "", k).strip(): re.sub(r"<[^>]+>", "", v).strip() for k, v in rows}


@pytest.mark.parametrize("period_kind", ["programme year", "dates"])
def test_district_dashboard_figures_match_an_independent_count(
    app, client, db, sign_in, make_user, period_kind
):
    load_demo_data(db, seed=2026, families=600, mentors=150)
    sign_in(make_user(Role.ADMIN))
    today = service_today()
    year = current_programme_year()
    if period_kind == "programme year":
        start, end = programme_year_dates(year)
        args = {"year": year}
    else:  # every demo family: referred in the last 420 days
        start, end = today - timedelta(days=430), today
        args = {
            "start": [start.day, start.month, start.year],
            "end": [end.day, end.month, end.year],
        }
    districts = db.exec(select(District).order_by(District.name)).all()
    ids = {d.id for d in districts}
    checked = Counter()
    with app.app_context():
        period = (
            reports.programme_year_period(year)
            if period_kind == "programme year"
            else reports.date_range_period(start, end)
        )
        figures = {
            f.district_id: f
            for f in reports.district_figures(session=db, district_ids=ids, period=period, on=today)
        }
        for district in districts:
            expected = _expected(db, district.id, start, end, today)
            if period_kind == "dates":
                expected["target"] = None  # targets are per programme year
            actual = _actual(figures[district.id])
            if expected["average_days"] is not None:
                assert actual["average_days"] == pytest.approx(expected["average_days"])
                expected["average_days"] = actual["average_days"]
            assert actual == expected, district.name
            for key, value in expected.items():
                if isinstance(value, int):
                    checked[key] += value
        if period_kind == "programme year":
            # The same identified and worked-with figures as the Districts page.
            year_progress = progress(session=db, district_ids=ids, programme_year=year)
            for district_id, f in figures.items():
                assert year_progress[district_id].identified == f.families.identified
                assert year_progress[district_id].worked_with == f.families.engaged
                assert year_progress[district_id].target == f.target
    if period_kind == "dates":
        # The demo data makes every figure count something somewhere in the county (nothing
        # has expired in it: tests/web/test_reports_rules.py counts expired checks).
        assert all(checked[key] > 0 for key in checked if "expired" not in key), checked

    # The page shows the same figures (Dartford's dashboard).
    dartford = next(d for d in districts if d.code == "DAR")
    response = client.get(f"/reports/districts/{dartford.id}", query_string=args)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    shown = _page_figures(html, "dashboard-families")
    f = figures[dartford.id]
    assert shown["Target for the programme year"] == (f"{f.target:,}" if f.target else "–")
    assert shown["Identified (referred in the period)"] == f"{f.families.identified:,}"
    assert shown["Engaged (worked with)"] == f"{f.families.engaged:,}"
    assert shown["Turned around"] == f"{f.families.turned_around:,}"
    now = _page_figures(html, "dashboard-families-now")
    assert now["Open families"] == f"{f.now.open:,}"
    assert now["With a mentor"] == f"{f.now.matched:,}"
    assert now["Waiting for a mentor"] == f"{f.now.waiting:,}"
    assert now["Not ready for matching"] == f"{f.now.not_ready:,}"
    assert f.now.open == f.now.matched + f.now.waiting + f.now.not_ready
    stages = _page_figures(html, "dashboard-mentors")
    assert stages["Ready"] == str(f.mentors.ready)


def _referred_on(db, families, day: date) -> None:
    for family in families:
        family.referred_on = day
        db.add(family)
    db.commit()


def test_county_overview_rows_and_total_add_up_to_the_districts(
    client, db, sign_in, world, make_user
):
    from tests.factories import ready_family, vetted_mentor

    _referred_on(db, [ready_family(db, world.dartford) for _ in range(6)], date(2026, 6, 1))
    _referred_on(db, [ready_family(db, world.maidstone) for _ in range(2)], date(2026, 7, 1))
    _referred_on(db, [ready_family(db, world.gravesham)], date(2026, 3, 31))  # the year before
    vetted_mentor(db, world.gravesham)
    sign_in(make_user(Role.ADMIN))
    html = client.get("/reports/county?year=2026").get_data(as_text=True)
    rows = re.findall(
        r'<th scope="row" class="govuk-table__header"><a class="govuk-link" href="[^"]+">(\w+)</a>'
        r"</th>\s*<td[^>]*>([^<]*)</td>\s*<td[^>]*>([^<]*)</td>",
        html,
    )
    assert {name: (target, identified) for name, target, identified in rows} == {
        "Dartford": ("40", "6"),
        "Gravesham": ("60", "0"),
        "Maidstone": ("80", "2"),
    }
    total = re.search(r"app-table__total.*?</tr>", html, re.S).group(0)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", total)[:2] == ["180", "8"]
    # Sorted by families identified, largest first, and the heading says so.
    html = client.get("/reports/county?year=2026&sort=identified&order=desc").get_data(as_text=True)
    order = re.findall(r'<th scope="row" class="govuk-table__header"><a[^>]*>(\w+)</a>', html)
    assert order == ["Dartford", "Maidstone", "Gravesham"]
    assert re.search(r'aria-sort="descending">\s*<a[^>]*>Identified', html)
    # The chart draws a hatched target bar and a solid one for the families engaged.
    chart = re.search(r'<svg[^>]*data-testid="chart-county".*?</svg>', html, re.S).group(0)
    assert 'role="img"' in chart and "<title" in chart and "<desc" in chart
    assert chart.count('fill="url(#chart-county-hatched)"') >= 3 + 1  # 3 targets + legend
    assert ">6 (15%)<" in chart  # Dartford: 6 engaged of 40


def test_days_from_consent_to_an_active_match_average_the_first_match(app, db, world):
    from tests.factories import ready_family, vetted_mentor

    today = service_today()
    mentor = vetted_mentor(db, world.dartford, capacity=4)
    first, second = ready_family(db, world.dartford), ready_family(db, world.dartford)
    for family, consent_days_ago, started_days_ago in ((first, 40, 30), (second, 50, 20)):
        family.consent_mentoring_on = today - timedelta(days=consent_days_ago)
        db.add(family)
        db.add(
            Match(
                family_id=family.id,
                mentor_id=mentor.id,
                slot="mentor",
                status="active",
                started_on=today - timedelta(days=started_days_ago),
            )
        )
    # An earlier, ended match of the first family: its first match is the one that counts.
    db.add(
        Match(
            family_id=first.id,
            mentor_id=mentor.id,
            slot="role_model",
            status="ended",
            started_on=today - timedelta(days=35),
            ended_on=today - timedelta(days=31),
            end_reason="goals_met",
        )
    )
    db.commit()
    with app.app_context():
        period = reports.date_range_period(today - timedelta(days=100), today)
        [figures] = reports.district_figures(
            session=db, district_ids={world.dartford.id}, period=period, on=today
        )
    assert figures.to_match.families == 2
    assert figures.to_match.average_days == pytest.approx(((40 - 35) + (50 - 20)) / 2)
