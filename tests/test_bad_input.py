"""Bad input answers with a message or a 404, never a 500, and leaks nothing."""

from datetime import timedelta

import pytest
from sqlmodel import select

from mentoring.models import ContactLog, Match, MatchStatus, Role, utcnow
from mentoring.services.matches import assign_by_hand
from tests.factories import ready_family, refresh, vetted_mentor
from tests.mentors.helpers import _application

HUGE = "99999999999999999999"


@pytest.fixture
def coordinator(make_user, world):
    return make_user(Role.COORDINATOR, districts=[world.dartford, world.gravesham])


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (Role.COORDINATOR, f"/families/{HUGE}"),
        (Role.COORDINATOR, f"/matching/runs/{HUGE}"),
        (Role.COORDINATOR, f"/matching/matches/{HUGE}"),
        (Role.COORDINATOR, f"/reports/districts/{HUGE}"),
        (Role.PROVIDER, f"/mentors/{HUGE}"),
        (Role.ADMIN, f"/admin/districts/{HUGE}"),
        (Role.MENTOR, f"/my/families/{HUGE}"),
        (Role.MENTOR, f"/my/families/{HUGE}/concern"),
        (Role.SAFEGUARDING, f"/safeguarding/{HUGE}"),
        (Role.SAFEGUARDING, f"/safeguarding/mentors/{HUGE}/allegation"),
        (Role.COORDINATOR, f"/safeguarding/matches/{HUGE}/raise"),
    ],
)
def test_ids_too_large_for_the_database_are_not_found(
    client, sign_in, make_user, world, role, path
):
    user = make_user(role, districts=[world.dartford] if role == Role.COORDINATOR else None)
    sign_in(user)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (Role.PROVIDER, f"/mentors/?district={HUGE}"),
        (Role.PROVIDER, "/mentors/?district=²&page=²"),
        (Role.PROVIDER, "/mentors/export.csv?district=²"),
        (Role.ADMIN, "/reports/county?year=²"),
        (Role.ADMIN, "/reports/mentors?year=²"),
        (Role.COORDINATOR, "/families/?page=²"),
        (Role.COORDINATOR, f"/families/new?previous={HUGE}"),
    ],
)
def test_odd_numbers_in_query_strings_do_not_break_pages(
    client, sign_in, make_user, world, role, path
):
    user = make_user(role, districts=[world.dartford] if role == Role.COORDINATOR else None)
    sign_in(user)
    assert client.get(path).status_code in (200, 400)


def test_public_application_with_odd_digits_is_refused_beside_the_fields(client, world):
    response = client.post(
        "/volunteer",
        data=_application(world, home_district="²", travel_districts=["²"], capacity="²"),
    )
    assert response.status_code == 200
    assert "There is a problem" in response.get_data(as_text=True)


@pytest.mark.parametrize("parts", [[], ["1"], ["1", "2", "2026", "4"]])
def test_contact_with_a_malformed_date_is_refused_beside_the_field(
    client, sign_in, db, world, app, make_user, coordinator, parts
):
    mentor = vetted_mentor(db, world.dartford)
    family = ready_family(db, world.dartford)
    with app.test_request_context():
        match = assign_by_hand(
            session=db,
            family_id=family.id,
            mentor_id=mentor.id,
            slot="mentor",
            actor_id=coordinator.id,
        )
    match.status, match.started_on = MatchStatus.ACTIVE.value, utcnow().date()
    db.add(match)
    db.commit()
    sign_in(make_user(Role.MENTOR, mentor_id=mentor.id))
    data = {"kind": "visit", "duration_minutes": "30", "note": "kept"}
    if parts:
        data["contact_on"] = parts
    response = client.post(f"/my/families/{match.id}", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "date of the contact" in page.lower()
    assert "kept" in page
    assert db.exec(select(ContactLog)).all() == []


def test_report_period_ending_beyond_2100_is_refused_beside_the_field(client, sign_in, make_user):
    sign_in(make_user(Role.ADMIN))
    response = client.get(
        "/reports/mentors", query_string={"start": ["1", "1", "9999"], "end": ["31", "12", "9999"]}
    )
    assert response.status_code == 400
    assert "2100 or earlier" in response.get_data(as_text=True)


def test_consent_cannot_be_withdrawn_before_it_was_given(
    client, sign_in, db, world, app, coordinator
):
    mentor = vetted_mentor(db, world.dartford)
    family = ready_family(db, world.dartford)
    with app.test_request_context():
        match = assign_by_hand(
            session=db,
            family_id=family.id,
            mentor_id=mentor.id,
            slot="mentor",
            actor_id=coordinator.id,
        )
    sign_in(coordinator)
    early = family.consent_mentoring_on - timedelta(days=30)
    today = utcnow().date()
    page = client.post(
        f"/families/{family.id}/consent",
        data={
            "consent_mentoring": "not_given",
            "consent_mentoring_on": [str(early.day), str(early.month), str(early.year)],
            "consent_sharing": "given",
            "consent_sharing_on": [str(today.day), str(today.month), str(today.year)],
        },
    ).get_data(as_text=True)
    assert "must be on or after the date it was given" in page
    refresh(db)
    assert db.get(Match, match.id).status == MatchStatus.APPROVED.value


def test_hand_assignment_does_not_reveal_the_vetting_of_mentors_elsewhere(
    client, sign_in, db, world, coordinator
):
    far = vetted_mentor(db, world.maidstone)
    far.stage = "dbs"  # not cleared, and not serving Dartford
    db.add(far)
    db.commit()
    family = ready_family(db, world.dartford)
    sign_in(coordinator)
    page = client.post(
        "/matching/assign",
        data={"family": str(family.id), "slot": "mentor", "mentor": far.reference},
    ).get_data(as_text=True)
    assert f"no mentor with reference {far.reference} who serves" in page
    assert "DBS" not in page.split('id="mentor-error"')[1][:400]
    assert db.exec(select(Match)).all() == []
