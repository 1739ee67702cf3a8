"""Administrators' pages for people (mentoring/admin/views.py)."""

import pytest
from sqlmodel import select

from mentoring.models import Role, User
from mentoring.services.accounts import two_factor
from tests.auth.conftest import link_in
from tests.conftest import PASSWORD
from tests.factories import refresh

NEW_PASSWORD = "plum-kettle-orbit-74-lantern"


@pytest.fixture
def admin(make_user, sign_in):
    user = make_user(Role.ADMIN)
    sign_in(user)
    return user


def _outbox(app):
    from email import policy
    from email.parser import BytesParser
    from pathlib import Path

    folder = Path(app.config["MAIL_OUTBOX"])
    return [
        BytesParser(policy=policy.default).parsebytes(p.read_bytes())
        for p in sorted(folder.glob("*.eml"))
    ]


def test_the_new_user_form_invites_and_has_no_password_field(client, admin, world, app, db):
    form = client.get("/admin/users/new").get_data(as_text=True)
    assert 'type="password"' not in form
    response = client.post(
        "/admin/users/new",
        data={
            "name": "Cora Ordinator",
            "email": "cora@council.example.org",
            "role": "coordinator",
            "districts": [str(world.dartford.id)],
        },
    )
    assert response.status_code == 302
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Cora Ordinator" in page and "Invited" in page
    [message] = _outbox(app)
    assert message["To"] == "cora@council.example.org"
    assert "/invitation/" in message.get_content()


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"name": "", "email": "x@example.org", "role": "provider"}, "Enter the person"),
        ({"name": "X", "email": "not-an-email", "role": "provider"}, "correct format"),
        ({"name": "X", "email": "x@example.org", "role": "mentor"}, "Not a valid choice"),
        ({"name": "X", "email": "x@example.org", "role": "coordinator"}, "at least one district"),
        ({"name": "X\x00", "email": "x@example.org", "role": "provider"}, ""),
    ],
)
def test_bad_invitations_get_a_message_beside_the_field_and_keep_what_was_typed(
    client, admin, data, says, db
):
    response = client.post("/admin/users/new", data=data)
    assert response.status_code in (200, 400)
    page = response.get_data(as_text=True)
    if says:
        assert says in page and "govuk-error-summary" in page
    assert db.exec(select(User).where(User.email == "x@example.org")).first() is None


def test_invitation_can_be_resent_and_cancelled(client, admin, app, db):
    client.post(
        "/admin/users/new",
        data={"name": "Pro Vider", "email": "pro@example.org", "role": "provider"},
    )
    user = db.exec(select(User).where(User.email == "pro@example.org")).one()
    client.post(f"/admin/users/{user.id}/resend")
    first, second = _outbox(app)
    assert first.get_content() != second.get_content()
    old = link_in(first.get_content(), "/invitation/")
    assert client.get(old).status_code == 410
    user_id = user.id
    client.post(f"/admin/users/{user_id}/cancel")
    refresh(db)
    assert db.get(User, user_id) is None


def test_deactivating_a_signed_in_coordinator_signs_them_out_at_their_next_click(
    client, app, admin, coordinator, sign_in
):
    theirs = app.test_client()
    sign_in(coordinator, test_client=theirs)
    assert theirs.get("/").status_code == 200
    warning = client.get(f"/admin/users/{coordinator.id}/deactivate").get_data(as_text=True)
    assert "the only coordinator of Dartford, Gravesham" in warning
    client.post(f"/admin/users/{coordinator.id}/deactivate")
    assert theirs.get("/").status_code == 302
    assert (
        theirs.post("/sign-in", data={"email": coordinator.email, "password": PASSWORD}).status_code
        == 200
    )
    assert "Deactivated" in client.get(f"/admin/users/{coordinator.id}").get_data(as_text=True)
    client.post(f"/admin/users/{coordinator.id}/reactivate")
    assert (
        theirs.post("/sign-in", data={"email": coordinator.email, "password": PASSWORD}).status_code
        == 302
    )


def test_an_administrator_cannot_deactivate_themselves(client, admin):
    page = client.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    assert f"/admin/users/{admin.id}/deactivate" not in page
    client.post(f"/admin/users/{admin.id}/deactivate")
    assert "You cannot deactivate your own account" in client.get("/admin/users").get_data(
        as_text=True
    ) or "Active" in client.get(f"/admin/users/{admin.id}").get_data(as_text=True)


def test_changing_a_persons_role_and_districts(client, admin, coordinator, world, db):
    page = client.get(f"/admin/users/{coordinator.id}/edit").get_data(as_text=True)
    assert "checked" in page
    client.post(
        f"/admin/users/{coordinator.id}/edit",
        data={"name": "Renamed", "role": "coordinator", "districts": [str(world.maidstone.id)]},
    )
    refresh(db)
    assert db.get(User, coordinator.id).name == "Renamed"
    shown = client.get(f"/admin/users/{coordinator.id}").get_data(as_text=True)
    assert "Maidstone" in shown


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "   ", "role": "coordinator"}, "Enter the person&#39;s name"),
        ({"name": "Kept Name", "role": "wizard"}, "Not a valid choice"),
        ({"name": "Kept Name", "role": "coordinator"}, "Choose at least one district"),
        ({"name": "x" * 121, "role": "provider"}, "120 characters"),
    ],
)
def test_bad_changes_to_a_person_are_shown_beside_the_field_and_nothing_changes(
    client, admin, coordinator, db, data, message
):
    response = client.post(f"/admin/users/{coordinator.id}/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "govuk-error-message" in page and message in page
    if data["name"].strip() and len(data["name"]) <= 120:
        assert f'value="{data["name"]}"' in page  # what was typed is kept
    refresh(db)
    person = db.get(User, coordinator.id)
    assert person.name != data["name"] and person.role == "coordinator"


def test_resetting_two_factor_is_audited_and_emailed(client, admin, make_user, db, app):
    from mentoring.models import AuditEvent, utcnow

    user = make_user(Role.PROVIDER)
    user.totp_secret = two_factor.seal(two_factor.new_secret(), secret_key=app.config["SECRET_KEY"])
    user.totp_enabled_at = utcnow()
    db.add(user)
    db.commit()
    client.post(f"/admin/users/{user.id}/reset-two-factor")
    refresh(db)
    assert db.get(User, user.id).totp_enabled_at is None
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "user.two_factor_reset")).one()
    assert _outbox(app)[-1]["To"] == user.email


def test_people_pages_are_for_administrators_only(client, sign_in, make_user, coordinator):
    sign_in(make_user(Role.PROVIDER))
    assert client.get(f"/admin/users/{coordinator.id}").status_code == 403
    assert client.post(f"/admin/users/{coordinator.id}/deactivate").status_code == 403


def test_an_unknown_person_is_not_found(client, admin):
    assert client.get("/admin/users/999999").status_code == 404
    assert client.post("/admin/users/999999/reactivate").status_code == 404
