"""Which account a council identity signs in to (services/accounts/sso.py)."""

import pytest
from sqlmodel import func, select

from mentoring.exceptions import AccountError
from mentoring.models import AuditEvent, Role, User
from mentoring.services.accounts import sso


def test_existing_staff_account_is_found_whatever_the_case_of_the_email(db, make_user):
    user = make_user(Role.PROVIDER, email="staff@provider.org.uk")
    found = sso.user_for_identity(session=db, email=" Staff@Provider.ORG.uk ", email_verified=True)
    assert found.id == user.id
    assert db.exec(select(AuditEvent)).all() == []  # a sign-in is audited when it completes


@pytest.mark.parametrize(
    ("email", "verified", "reason"),
    [
        ("nobody@council.gov.uk", True, "no_account"),
        ("staff@council.gov.uk", False, "email_not_verified"),
        ("", True, "email_not_verified"),
    ],
)
def test_refusals_without_an_account_are_audited_without_the_email(
    db, make_user, email, verified, reason
):
    make_user(Role.PROVIDER, email="staff@council.gov.uk")
    users = db.exec(select(func.count()).select_from(User)).one()
    with pytest.raises(AccountError):
        sso.user_for_identity(session=db, email=email, email_verified=verified)
    (event,) = db.exec(select(AuditEvent)).all()
    assert event.action == "user.single_sign_on_refused"
    assert (event.object_id, event.details) == (None, {"reason": reason})
    assert "council.gov.uk" not in str(event.details)
    assert db.exec(select(func.count()).select_from(User)).one() == users  # nobody registered


@pytest.mark.parametrize(
    ("change", "reason", "message"),
    [
        ({"is_enabled": False}, "deactivated", "Ask an administrator to invite you."),
        ({"password_hash": ""}, "invited", "Ask an administrator to invite you."),
        ({"role": Role.MENTOR.value}, "mentor", "is for staff"),
    ],
)
def test_accounts_single_sign_on_may_not_open_are_refused_by_id(
    db, make_user, change, reason, message
):
    user = make_user(Role.PROVIDER, email="staff@council.gov.uk")
    for field, value in change.items():
        setattr(user, field, value)
    db.add(user)
    db.commit()
    with pytest.raises(AccountError, match=message):
        sso.user_for_identity(session=db, email=user.email, email_verified=True)
    (event,) = db.exec(select(AuditEvent)).all()
    assert (event.object_type, event.object_id, event.details) == (
        "user",
        user.id,
        {"reason": reason},
    )
