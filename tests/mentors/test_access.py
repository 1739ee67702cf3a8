"""Provider pages: provider staff and administrators only; others get 403, records 404."""

from __future__ import annotations

import pytest
from sqlmodel import select

from mentoring.models import AuditEvent, DbsCheck, Reference, Role
from tests.factories import vetted_mentor


def _provider_urls(mentor_id: int, reference_id: int, dbs_id: int) -> list[str]:
    base = f"/mentors/{mentor_id}"
    return [
        "/mentors/",
        "/mentors/export.csv",
        "/mentors/new",
        "/mentors/import",
        "/mentors/import/template.csv",
        "/mentors/keeping-in-date",
        "/mentors/training-modules",
        "/mentors/training-modules/new",
        "/mentors/training-modules/1",
        base,
        f"{base}/edit",
        f"{base}/ready",
        f"{base}/stage",
        f"{base}/status",
        f"{base}/references/new",
        f"{base}/references/{reference_id}",
        f"{base}/dbs/new",
        f"{base}/dbs/{dbs_id}",
        f"{base}/dbs/{dbs_id}/decision",
        f"{base}/dbs/{dbs_id}/status-check",
        f"{base}/interviews/new",
        f"{base}/training/new",
    ]


@pytest.fixture
def records(db, world):
    mentor = vetted_mentor(db, world.dartford)
    reference = db.exec(select(Reference).where(Reference.mentor_id == mentor.id)).first()
    dbs = db.exec(select(DbsCheck).where(DbsCheck.mentor_id == mentor.id)).one()
    return mentor, reference, dbs


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.MENTOR])
def test_coordinators_and_mentors_cannot_open_provider_pages(
    client, make_user, sign_in, world, records, role
):
    mentor, reference, dbs = records
    user = make_user(
        role,
        districts=[world.dartford] if role == Role.COORDINATOR else None,
        mentor_id=mentor.id if role == Role.MENTOR else None,
    )
    sign_in(user)
    for url in _provider_urls(mentor.id, reference.id, dbs.id):
        assert client.get(url).status_code == 403, url
        assert client.post(url, data={}).status_code in (403, 405), url
    assert client.post("/mentors/import/" + "t" * 22, data={}).status_code == 403


@pytest.mark.parametrize("role", [Role.PROVIDER, Role.ADMIN])
def test_provider_staff_and_admins_can_open_provider_pages(
    client, make_user, sign_in, records, role
):
    mentor, reference, dbs = records
    sign_in(make_user(role))
    for url in _provider_urls(mentor.id, reference.id, dbs.id):
        assert client.get(url).status_code == 200, url


def test_signed_out_visitors_are_sent_to_sign_in(client, records):
    mentor, _reference, _dbs = records
    response = client.get(f"/mentors/{mentor.id}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_a_record_of_another_mentor_answers_the_same_404_as_a_missing_one(
    client, db, world, make_user, sign_in, records
):
    mentor, reference, dbs = records
    other = vetted_mentor(db, world.gravesham)
    sign_in(make_user(Role.PROVIDER))
    wrong = client.get(f"/mentors/{other.id}/references/{reference.id}")
    missing = client.get(f"/mentors/{other.id}/references/999999")
    assert wrong.status_code == missing.status_code == 404
    assert "Page not found" in wrong.get_data(as_text=True)
    assert "Page not found" in missing.get_data(as_text=True)
    assert client.get(f"/mentors/{other.id}/dbs/{dbs.id}").status_code == 404
    assert client.get(f"/mentors/{other.id}/dbs/{dbs.id}/decision").status_code == 404
    assert client.get("/mentors/999999").status_code == 404


def test_opening_a_mentor_page_with_dbs_information_is_logged(
    client, db, make_user, sign_in, records
):
    mentor, _reference, dbs = records
    staff = make_user(Role.PROVIDER)
    sign_in(staff)
    page = client.get(f"/mentors/{mentor.id}").get_data(as_text=True)
    assert dbs.certificate_number in page
    views = db.exec(select(AuditEvent).where(AuditEvent.action == "dbs.view")).all()
    assert [(v.actor_id, v.object_id, v.details["dbs_ids"]) for v in views] == [
        (staff.id, mentor.id, [dbs.id])
    ]
    assert dbs.certificate_number not in str(views[0].details)


def test_provider_pages_are_never_cached(client, make_user, sign_in, records):
    mentor, _reference, _dbs = records
    sign_in(make_user(Role.PROVIDER))
    assert client.get(f"/mentors/{mentor.id}").headers["Cache-Control"] == "no-store"


def test_navigation_shows_mentor_pages_to_provider_staff_only(client, make_user, sign_in, world):
    sign_in(make_user(Role.PROVIDER))
    page = client.get("/").get_data(as_text=True)
    assert 'href="/mentors/"' in page and 'href="/mentors/keeping-in-date"' in page
    other = client.application.test_client()
    sign_in(make_user(Role.COORDINATOR, districts=[world.dartford]), test_client=other)
    assert 'href="/mentors/"' not in other.get("/").get_data(as_text=True)
