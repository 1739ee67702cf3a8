"""Leavers and changes of role (services/accounts/people.py)."""

import pytest
from sqlmodel import select

from mentoring.exceptions import AccountError, InvalidInput
from mentoring.models import CoordinatorDistrict, RecoveryCode, Role, TokenPurpose, User, utcnow
from mentoring.services.accounts import people, tokens, two_factor
from mentoring.services.users import load_signed_in_user
from tests.factories import ready_family


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


def test_deactivating_ends_sessions_and_cancels_links(app, db, world, admin, coordinator):
    cookie_id = f"{coordinator.id}:{coordinator.session_version}"
    raw = tokens.issue(
        db, user_id=coordinator.id, purpose=TokenPurpose.RESET, lifetime=utcnow() - utcnow()
    )
    db.commit()
    with app.test_request_context():
        people.deactivate(session=db, user_id=coordinator.id, actor_id=admin.id)
    db.expire_all()
    assert load_signed_in_user(session=db, user_id=cookie_id) is None
    assert tokens.open_link(db, user_id=coordinator.id, purpose=TokenPurpose.RESET) is None
    assert raw  # the link itself is refused by tokens.check (see test_tokens)
    with app.test_request_context():
        people.reactivate(session=db, user_id=coordinator.id, actor_id=admin.id)
    db.expire_all()
    assert db.get(User, coordinator.id).is_enabled


def test_nobody_deactivates_themselves_or_the_last_administrator(app, db, admin, make_user):
    with app.test_request_context():
        with pytest.raises(AccountError, match="your own"):
            people.deactivate(session=db, user_id=admin.id, actor_id=admin.id)
        other = make_user(Role.ADMIN)
        people.deactivate(session=db, user_id=other.id, actor_id=admin.id)
        provider = make_user(Role.PROVIDER)
        with pytest.raises(AccountError, match="last administrator"):
            people.deactivate(session=db, user_id=admin.id, actor_id=provider.id)
        with pytest.raises(InvalidInput, match="always be an administrator"):
            people.update_person(
                session=db,
                user_id=admin.id,
                name="A",
                role="provider",
                district_ids=[],
                actor_id=admin.id,
            )


def test_the_last_coordinator_of_a_district_is_shown_what_they_hold(
    db, world, make_user, coordinator
):
    ready_family(db, world.dartford)
    holdings = people.sole_coordinator_holdings(db, user_id=coordinator.id)
    assert [h.district for h in holdings] == ["Dartford", "Gravesham"]
    assert holdings[0].families == 1
    make_user(Role.COORDINATOR, districts=[world.dartford])
    assert [h.district for h in people.sole_coordinator_holdings(db, user_id=coordinator.id)] == [
        "Gravesham"
    ]


def test_changing_role_and_districts_is_recorded_and_signs_the_person_in_again(
    app, db, world, admin, coordinator
):
    version = coordinator.session_version
    with app.test_request_context():
        changed = people.update_person(
            session=db,
            user_id=coordinator.id,
            name="Renamed",
            role="coordinator",
            district_ids=[world.maidstone.id],
            actor_id=admin.id,
        )
        assert changed == ["name", "districts"]
        changed = people.update_person(
            session=db,
            user_id=coordinator.id,
            name="Renamed",
            role="provider",
            district_ids=[],
            actor_id=admin.id,
        )
    assert changed == ["role", "districts"]
    db.expire_all()
    assert db.get(User, coordinator.id).session_version == version + 1
    assert db.exec(select(CoordinatorDistrict)).all() == []


def test_resetting_two_factor_forgets_the_app_and_the_codes(app, db, admin, make_user, outbox):
    user = make_user(Role.PROVIDER)
    user.totp_secret, user.totp_enabled_at = "sealed", utcnow()
    two_factor.new_recovery_codes(db, user=user)
    db.add(user)
    db.commit()
    with app.test_request_context():
        people.reset_two_factor(session=db, user_id=user.id, actor_id=admin.id)
        with pytest.raises(AccountError):
            people.reset_two_factor(session=db, user_id=user.id, actor_id=admin.id)
    db.expire_all()
    assert db.get(User, user.id).totp_secret is None
    assert db.exec(select(RecoveryCode)).all() == []
    assert outbox()[-1][1] == "Two-factor sign-in was reset on your Mentor Match account"
