"""Users, for administrators: the list and creating an account."""

from __future__ import annotations

from sqlmodel import select

from mentoring.models import AuditEvent, CoordinatorDistrict, Role, User
from tests.factories import vetted_mentor

GOOD = "lantern-meadow-copper-77"


def test_admin_creates_a_coordinator_with_districts_and_it_is_audited(
    client, db, world, make_user, sign_in
):
    sign_in(make_user(Role.ADMIN))
    response = client.post(
        "/admin/users/new",
        data={
            "name": "New Coordinator",
            "email": "New.Coordinator@example.org",
            "role": "coordinator",
            "districts": ["DAR", "MAI"],
            "password": GOOD,
        },
    )
    assert response.status_code == 302
    user = db.exec(select(User).where(User.email == "new.coordinator@example.org")).one()
    links = db.exec(select(CoordinatorDistrict).where(CoordinatorDistrict.user_id == user.id)).all()
    assert {link.district_id for link in links} == {world.dartford.id, world.maidstone.id}
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "user.create")).one()
    assert (event.object_id, event.details) == (user.id, {"role": "coordinator"})
    listed = client.get("/admin/users").get_data(as_text=True)
    assert "New Coordinator" in listed and "DAR, MAI" in listed


def test_a_refused_account_shows_the_reason_beside_the_field(client, db, world, make_user, sign_in):
    sign_in(make_user(Role.ADMIN))
    response = client.post(
        "/admin/users/new",
        data={
            "name": "No Districts",
            "email": "nd@example.org",
            "role": "coordinator",
            "password": GOOD,
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "A coordinator needs at least one district" in html
    assert db.exec(select(User).where(User.email == "nd@example.org")).first() is None
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "user.create")).first() is None


def test_users_list_shows_a_mentor_accounts_reference(client, db, world, make_user, sign_in):
    mentor = vetted_mentor(db, world.dartford)
    db.commit()
    make_user(Role.MENTOR, mentor_id=mentor.id)
    sign_in(make_user(Role.ADMIN))
    assert mentor.reference in client.get("/admin/users").get_data(as_text=True)
