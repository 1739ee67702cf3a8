"""Invitations instead of admin-set passwords (services/accounts/invitations.py)."""

import pytest
from sqlmodel import select

from mentoring.exceptions import AccountError, InvalidInput, LinkError
from mentoring.models import CoordinatorDistrict, MentorStatus, Notification, Role, User
from mentoring.security import verify_password
from mentoring.services.accounts import invitations
from tests.factories import vetted_mentor

NEW_PASSWORD = "plum-kettle-orbit-74-lantern"


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


def _invite(app, db, admin, world, **kw):
    values = {
        "email": "New.Person@Council.example.org",
        "name": "New Person",
        "role": "coordinator",
        "district_ids": [world.dartford.id],
    }
    values.update(kw)
    with app.test_request_context():
        return invitations.invite_staff(session=db, actor_id=admin.id, **values)


def test_an_invited_coordinator_has_districts_no_password_and_an_email_with_a_link(
    app, db, world, admin, outbox
):
    invitation = _invite(app, db, admin, world)
    user = db.get(User, invitation.user.id)
    assert user.email == "new.person@council.example.org"
    assert user.password_hash == "" and user.activated_at is None
    assert not verify_password(user.password_hash, "")
    assert db.exec(select(CoordinatorDistrict.district_id)).all() == [world.dartford.id]
    [(to, subject, body)] = outbox()
    assert to == user.email and "invited" in subject
    assert f"/invitation/{invitation.token}" in body
    assert body.count("http://127.0.0.1:5000/invitation/") == 1


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"name": "   "}, "name"),
        ({"role": "mentor"}, "role"),
        ({"role": "wizard"}, "role"),
        ({"district_ids": []}, "districts"),
        ({"role": "provider", "district_ids": [1]}, "districts"),
        ({"district_ids": [999999]}, "districts"),
    ],
)
def test_bad_invitations_say_which_field_and_save_nothing(app, db, world, admin, values, field):
    with pytest.raises(InvalidInput) as err:
        _invite(app, db, admin, world, **values)
    assert field in err.value.errors
    assert db.exec(select(User).where(User.email.like("new.person%"))).all() == []


def test_an_address_already_invited_or_in_use_is_refused(app, db, world, admin):
    _invite(app, db, admin, world)
    with pytest.raises(InvalidInput, match="already been invited"):
        _invite(app, db, admin, world)
    with pytest.raises(InvalidInput, match="already has an account"):
        _invite(app, db, admin, world, email=admin.email)


def test_accepting_sets_the_password_uses_the_link_and_tells_the_inviter(
    app, db, world, admin, outbox
):
    invitation = _invite(app, db, admin, world)
    with app.test_request_context():
        user = invitations.accept(
            session=db, token=invitation.token, password=NEW_PASSWORD, confirm=NEW_PASSWORD
        )
        assert verify_password(user.password_hash, NEW_PASSWORD)
        assert user.activated_at is not None
        with pytest.raises(LinkError):
            invitations.accept(
                session=db, token=invitation.token, password=NEW_PASSWORD, confirm=NEW_PASSWORD
            )
    told = db.exec(select(Notification).where(Notification.user_id == admin.id)).all()
    assert [n.kind for n in told] == ["invitation_accepted"]
    assert outbox()[-1][1] == "Your Mentor Match account is ready"


@pytest.mark.parametrize(
    ("password", "confirm", "field"),
    [
        ("short", "short", "password"),
        ("password1234", "password1234", "password"),
        (NEW_PASSWORD, NEW_PASSWORD + "x", "confirm"),
    ],
)
def test_a_weak_or_mistyped_password_keeps_the_link_usable(
    app, db, world, admin, password, confirm, field
):
    invitation = _invite(app, db, admin, world)
    with app.test_request_context():
        with pytest.raises(InvalidInput) as err:
            invitations.accept(
                session=db, token=invitation.token, password=password, confirm=confirm
            )
        assert field in err.value.errors
        invitations.accept(
            session=db, token=invitation.token, password=NEW_PASSWORD, confirm=NEW_PASSWORD
        )


def test_resending_replaces_the_link_and_cancelling_removes_the_account(app, db, world, admin):
    first = _invite(app, db, admin, world)
    with app.test_request_context():
        second = invitations.resend(session=db, user_id=first.user.id, actor_id=admin.id)
        with pytest.raises(LinkError) as err:
            invitations.accept(
                session=db, token=first.token, password=NEW_PASSWORD, confirm=NEW_PASSWORD
            )
        assert err.value.reason == "cancelled"
        invitations.cancel(session=db, user_id=first.user.id, actor_id=admin.id)
        with pytest.raises(LinkError):
            invitations.accept(
                session=db, token=second.token, password=NEW_PASSWORD, confirm=NEW_PASSWORD
            )
    assert db.get(User, first.user.id) is None


def test_a_ready_mentor_is_invited_to_an_account_linked_to_their_record(
    app, db, world, make_user, outbox
):
    provider = make_user(Role.PROVIDER)
    mentor = vetted_mentor(db, world.dartford)
    with app.test_request_context():
        invitation = invitations.invite_mentor(
            session=db, mentor_id=mentor.id, actor_id=provider.id
        )
        assert invitation.user.mentor_id == mentor.id and invitation.user.role == "mentor"
        with pytest.raises(AccountError, match="already has an account"):
            invitations.invite_mentor(session=db, mentor_id=mentor.id, actor_id=provider.id)
    assert outbox()[-1][0] == mentor.email


def test_a_mentor_who_is_not_ready_cannot_be_invited(app, db, world, make_user):
    provider = make_user(Role.PROVIDER)
    mentor = vetted_mentor(db, world.dartford)
    mentor.status = MentorStatus.PAUSED.value
    db.add(mentor)
    db.commit()
    with app.test_request_context(), pytest.raises(AccountError, match="ready"):
        invitations.invite_mentor(session=db, mentor_id=mentor.id, actor_id=provider.id)
