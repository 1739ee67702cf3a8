"""Forgotten, reset and changed passwords (services/accounts/passwords.py)."""

import pytest

from mentoring.exceptions import InvalidInput, LinkError
from mentoring.models import Role, User
from mentoring.security import verify_password
from mentoring.services.accounts import passwords
from tests.conftest import PASSWORD

NEW_PASSWORD = "plum-kettle-orbit-74-lantern"


def _active(make_user, db, role=Role.COORDINATOR, **kw):
    from mentoring.models import utcnow

    user = make_user(role, **kw)
    user.activated_at = utcnow()
    db.add(user)
    db.commit()
    return user


def _link(body: str) -> str:
    return next(w for w in body.split() if "/reset-password/" in w).rsplit("/", 1)[1]


def test_a_reset_link_goes_only_to_a_real_active_account(app, db, make_user, outbox):
    user = _active(make_user, db, districts=[])
    with app.test_request_context():
        assert passwords.request_reset(session=db, email=user.email.upper())
        assert not passwords.request_reset(session=db, email="nobody@example.org")
    assert [to for to, _s, _b in outbox()] == [user.email]


def test_a_deactivated_or_invited_account_gets_no_email(app, db, make_user, outbox):
    off = _active(make_user, db, role=Role.PROVIDER)
    off.is_enabled = False
    invited = make_user(Role.PROVIDER)
    invited.password_hash = ""  # invited, never accepted
    db.add_all([off, invited])
    db.commit()
    with app.test_request_context():
        assert not passwords.request_reset(session=db, email=off.email)
        assert not passwords.request_reset(session=db, email=invited.email)
    assert outbox() == []


def test_resets_are_limited_per_account(app, db, make_user, outbox):
    user = _active(make_user, db, role=Role.PROVIDER)
    with app.test_request_context():
        sent = [passwords.request_reset(session=db, email=user.email) for _ in range(5)]
    assert sent == [True, True, True, False, False]
    assert len(outbox()) == 3


def test_resetting_sets_the_password_ends_sessions_unlocks_and_emails(app, db, make_user, outbox):
    user = _active(make_user, db, role=Role.PROVIDER)
    user.failed_sign_ins, version = 3, user.session_version
    db.add(user)
    db.commit()
    with app.test_request_context():
        passwords.request_reset(session=db, email=user.email)
        token = _link(outbox()[0][2])
        passwords.reset(session=db, token=token, password=NEW_PASSWORD, confirm=NEW_PASSWORD)
        with pytest.raises(LinkError) as err:
            passwords.reset(session=db, token=token, password=NEW_PASSWORD, confirm=NEW_PASSWORD)
    assert err.value.reason == "used"
    db.expire_all()
    saved = db.get(User, user.id)
    assert verify_password(saved.password_hash, NEW_PASSWORD)
    assert saved.session_version == version + 1 and saved.failed_sign_ins == 0
    assert outbox()[-1][1] == "Your Mentor Match password has been changed"


def test_a_weak_new_password_leaves_the_link_and_the_old_password(app, db, make_user, outbox):
    user = _active(make_user, db, role=Role.PROVIDER)
    with app.test_request_context():
        passwords.request_reset(session=db, email=user.email)
        token = _link(outbox()[0][2])
        with pytest.raises(InvalidInput) as err:
            passwords.reset(session=db, token=token, password="letmein", confirm="letmein")
        assert "password" in err.value.errors
        passwords.reset(session=db, token=token, password=NEW_PASSWORD, confirm=NEW_PASSWORD)


def test_changing_needs_the_current_password(app, db, make_user, outbox):
    user = _active(make_user, db, role=Role.PROVIDER)
    with app.test_request_context():
        with pytest.raises(InvalidInput) as err:
            passwords.change(
                session=db,
                user_id=user.id,
                current="wrong",
                password=NEW_PASSWORD,
                confirm=NEW_PASSWORD,
            )
        assert "current" in err.value.errors
        with pytest.raises(InvalidInput) as err:
            passwords.change(
                session=db, user_id=user.id, current=PASSWORD, password=PASSWORD, confirm=PASSWORD
            )
        assert "password" in err.value.errors
        passwords.change(
            session=db,
            user_id=user.id,
            current=PASSWORD,
            password=NEW_PASSWORD,
            confirm=NEW_PASSWORD,
        )
    db.expire_all()
    assert verify_password(db.get(User, user.id).password_hash, NEW_PASSWORD)
