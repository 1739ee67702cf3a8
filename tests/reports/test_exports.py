"""CSV exports: anonymised (no names, no references), small numbers shown as "<5"."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from sqlmodel import select

from mentoring.models import AuditEvent, District, Family, FamilyOutcome, Mentor, Role
from tests.factories import ready_family, refresh, vetted_mentor

YEAR = {"year": "2026"}


def _rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def _families(db, district, count: int, *, turned_around: int = 0) -> list[Family]:
    made = []
    for n in range(count):
        family = ready_family(db, district)
        family.referred_on = date(2026, 6, 1)
        db.add(family)
        if n < turned_around:
            for outcome in ("offending_stopped", "school_attendance", "into_work"):
                db.add(
                    FamilyOutcome(
                        family_id=family.id,
                        outcome=outcome,
                        achieved_on=date(2026, 9, 1),
                        evidence="School records",
                    )
                )
        made.append(family)
    db.commit()
    return made


def _private_values(db) -> set[str]:
    """Everything that would identify a family or a mentor."""
    values = set()
    for family in db.exec(select(Family)).all():
        values |= {family.reference, family.shared_first_names, family.key_worker_name}
        values |= {family.key_worker_contact}
    for mentor in db.exec(select(Mentor)).all():
        values |= {mentor.reference, mentor.first_name + " " + mentor.last_name, mentor.email}
    return {v for v in values if v}


def test_county_export_suppresses_small_counts_and_holds_no_names_or_references(
    client, db, world, make_user, sign_in
):
    _families(db, world.dartford, 3, turned_around=1)
    _families(db, world.maidstone, 6, turned_around=5)
    vetted_mentor(db, world.dartford)
    sign_in(make_user(Role.ADMIN))
    response = client.get("/reports/county/download", query_string=YEAR)
    assert 'filename="county-overview-2026-27.csv"' in response.headers["Content-Disposition"]
    rows = {r["District"]: r for r in _rows(response)}
    assert set(rows) == {"Dartford", "Gravesham", "Maidstone"}  # no total row
    dartford, maidstone, gravesham = rows["Dartford"], rows["Maidstone"], rows["Gravesham"]
    assert dartford["Identified"] == "<5"
    assert dartford["Turned around"] == "<5"
    assert dartford["Mentors at stage: Ready"] == "<5"
    # A percentage that would give a suppressed count away is left out; targets are shown.
    assert dartford["Engaged as a percentage of the target"] == ""
    assert dartford["Target"] == "40"
    assert maidstone["Identified"] == "6"
    assert maidstone["Turned around"] == "5"
    assert maidstone["Engaged as a percentage of the target"] == "8"  # 6 of 80
    assert gravesham["Identified"] == "0"  # zero is shown as it is
    text = response.get_data(as_text=True)
    for value in _private_values(db):
        assert value not in text, value


def test_district_export_is_anonymised_even_for_its_own_coordinator(
    client, db, world, make_user, sign_in
):
    _families(db, world.dartford, 4)
    sign_in(make_user(Role.COORDINATOR, districts=[world.dartford]))
    page = client.get(f"/reports/districts/{world.dartford.id}", query_string=YEAR)
    assert ">4</td>" in page.get_data(as_text=True)  # exact on screen for their district
    response = client.get(f"/reports/districts/{world.dartford.id}/download", query_string=YEAR)
    assert 'filename="dashboard-dar-2026-27.csv"' in response.headers["Content-Disposition"]
    rows = _rows(response)
    measures = {r["Measure"]: r["Value"] for r in rows}
    assert measures["Identified (referred in the period)"] == "<5"
    assert measures["Target for the programme year"] == "40"
    assert measures["Engaged against the target"] == ""
    assert {r["District"] for r in rows} == {"Dartford"}
    assert {r["Period from"] for r in rows} == {"2026-04-01"}
    # Who downloaded which report is in the audit log.
    refresh(db)
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "report.export")).one()
    assert event.details["report"] == "dashboard-dar-2026-27"
    assert event.district_id == world.dartford.id
    text = response.get_data(as_text=True)
    for value in _private_values(db):
        assert value not in text, value


def test_outcomes_export_suppresses_money_worked_out_from_small_counts(
    client, db, world, make_user, sign_in
):
    _families(db, world.dartford, 3, turned_around=2)
    _families(db, world.maidstone, 7, turned_around=5)
    sign_in(make_user(Role.ADMIN))
    rows = {
        r["District"]: r for r in _rows(client.get("/reports/outcomes/download", query_string=YEAR))
    }
    dartford, maidstone = rows["Dartford"], rows["Maidstone"]
    assert dartford["Families worked with"] == "<5"
    assert dartford["Attachment fees (pounds)"] == "<16000"  # less than 5 x £3,200
    assert dartford["Result payments (pounds)"] == "<3500"
    assert dartford["Total (pounds)"] == ""
    assert maidstone["Families worked with"] == "7"
    assert maidstone["Attachment fees (pounds)"] == "22400"
    assert maidstone["Worked with and turned around"] == "5"
    assert maidstone["Result payments (pounds)"] == "3500"
    assert maidstone["Total (pounds)"] == "25900"
    assert maidstone["School attendance restored"] == "5"
    assert maidstone["Adult into work"] == "5"
    assert maidstone["Health problems addressed"] == "0"


def test_mentor_programme_export_suppresses_small_counts(client, db, world, make_user, sign_in):
    today = date.today()
    for _ in range(6):
        mentor = vetted_mentor(db, world.dartford)
        mentor.applied_at = mentor.applied_at - timedelta(days=1)
        db.add(mentor)
    vetted_mentor(db, world.maidstone)
    db.commit()
    sign_in(make_user(Role.PROVIDER))
    start, end = today - timedelta(days=30), today
    query = {
        "start": [str(start.day), str(start.month), str(start.year)],
        "end": [str(end.day), str(end.month), str(end.year)],
    }
    response = client.get("/reports/mentors/download", query_string=query)
    rows = _rows(response)
    funnel = {
        (r["Item"], r["Measure"]): r["Value"] for r in rows if r["Section"] == "Recruitment funnel"
    }
    assert funnel[("Applied", "Reached")] == "7"
    assert funnel[("Ready", "Reached")] == "7"
    load = {r["Item"]: r["Value"] for r in rows if r["Section"] == "Load now"}
    assert load["Ready mentors now"] == "7"
    maidstone = db.exec(select(District).where(District.code == "MAI")).one()
    response = client.get(
        "/reports/mentors/download", query_string={**query, "district": str(maidstone.id)}
    )
    rows = _rows(response)
    assert {r["Home district"] for r in rows} == {"Maidstone"}
    funnel = {
        (r["Item"], r["Measure"]): r["Value"] for r in rows if r["Section"] == "Recruitment funnel"
    }
    assert funnel[("Applied", "Reached")] == "<5"
    text = response.get_data(as_text=True)
    for value in _private_values(db):
        assert value not in text, value


def test_a_district_name_that_looks_like_a_formula_is_escaped(
    client, db, world, make_user, sign_in
):
    world.gravesham.name = "=HYPERLINK(1)"
    db.add(world.gravesham)
    db.commit()
    sign_in(make_user(Role.ADMIN))
    text = client.get("/reports/county/download", query_string=YEAR).get_data(as_text=True)
    assert "'=HYPERLINK(1)" in text


def test_a_higher_threshold_suppresses_more(app, client, db, world, make_user, sign_in):
    app.config["SMALL_NUMBER_THRESHOLD"] = 10
    _families(db, world.dartford, 7)
    sign_in(make_user(Role.ADMIN))
    rows = {
        r["District"]: r for r in _rows(client.get("/reports/county/download", query_string=YEAR))
    }
    assert rows["Dartford"]["Identified"] == "<10"
