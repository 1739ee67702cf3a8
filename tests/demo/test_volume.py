"""`flask --app mentoring load-volume`: the large invented data set the benchmark uses."""

from __future__ import annotations

from sqlmodel import func, select

from mentoring.models import (
    AuditEvent,
    ContactLog,
    District,
    DistrictTarget,
    Family,
    FamilyOutcome,
    Match,
    Mentor,
    Role,
)


def test_load_volume_fills_an_empty_database_and_the_reports_answer(
    runner, db, client, make_user, sign_in
):
    result = runner.invoke(args=["load-volume", "--families", "300", "--mentors", "60"])
    assert result.exit_code == 0, result.output
    assert "Loaded in" in result.output
    count = lambda model: db.exec(select(func.count()).select_from(model)).one()  # noqa: E731
    assert count(Family) == 300
    assert count(Mentor) == 60
    assert count(District) == 12
    assert count(DistrictTarget) == 36  # three programme years
    assert count(FamilyOutcome) > 0 and count(Match) > 0 and count(ContactLog) > 0
    assert count(AuditEvent) > 0  # stage changes, for the time spent at each stage
    # References follow on from each district's numbers, and the next one is free.
    district = db.exec(select(District).where(District.code == "DAR")).one()
    numbers = db.exec(select(Family.number).where(Family.district_id == district.id)).all()
    assert district.next_family_number == max(numbers) + 1
    # Ids were given explicitly: new rows still get free ones (PostgreSQL's sequences moved on).
    from tests.factories import ready_family, vetted_mentor

    assert ready_family(db, district).id == 301
    assert vetted_mentor(db, district).id == 61
    sign_in(make_user(Role.ADMIN))
    for path in ("/reports/county", f"/reports/districts/{district.id}", "/reports/mentors"):
        assert client.get(path).status_code == 200, path


def test_load_volume_refuses_a_database_with_data_in_one_line(runner, world):
    first = runner.invoke(args=["load-volume", "--families", "20", "--mentors", "5"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(args=["load-volume", "--families", "20", "--mentors", "5"])
    assert again.exit_code != 0
    assert "already has families or mentors" in again.output
    assert "Traceback" not in again.output


def test_load_volume_refuses_production_and_bad_numbers(app, runner):
    bad = runner.invoke(args=["load-volume", "--years", "0"])
    assert bad.exit_code != 0 and "--years must be between 1 and 10" in bad.output
    app.config["ENV_NAME"] = "production"
    refused = runner.invoke(args=["load-volume", "--families", "1", "--mentors", "1"])
    assert refused.exit_code != 0
    assert "not in production" in refused.output
