"""Single sign-on: which account a council identity signs in to.

The identity provider has proved who the person is; this decides whether that lets
them in. Only an existing, enabled, accepted staff account with the same email, and
only when the provider says the email is verified. Nobody is registered here: an
account still starts with an administrator's invitation. Mentors and role models are
volunteers, not council staff, so they sign in with their own password.

A refusal is audited by account id and reason (never the email), then raised as an
`AccountError` whose message the sign-in page shows.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from mentoring import audit
from mentoring.db import write_transaction
from mentoring.exceptions import AccountError
from mentoring.models import Role, User

NO_ACCOUNT = (
    "There is no Mentor Match account for this council account. Ask an administrator to invite you."
)
NOT_VERIFIED = (
    "Your council account does not show a verified email address, so it cannot sign you "
    "in here. Sign in with your email address and password, or ask your IT service desk."
)
STAFF_ONLY = (
    "Signing in with a council account is for staff. Sign in with your email address and password."
)
MESSAGES = {
    "email_not_verified": NOT_VERIFIED,
    "no_account": NO_ACCOUNT,
    "invited": NO_ACCOUNT,
    "deactivated": NO_ACCOUNT,
    "mentor": STAFF_ONLY,
}


def user_for_identity(*, session: Session, email: str, email_verified: bool) -> User:
    """Return the account a verified council identity signs in to, or raise AccountError."""
    address = email.strip().lower()
    user = None
    if email_verified and address:
        user = session.exec(select(User).where(sa.func.lower(col(User.email)) == address)).first()
        reason = _refusal(user)
        if user is not None and reason is None:
            return user
    else:
        reason = "email_not_verified"
    with write_transaction(session):
        audit.record(
            session,
            "user.single_sign_on_refused",
            object_type="user" if user is not None else "",
            object_id=user.id if user is not None else None,
            reason=reason,
        )
    raise AccountError(MESSAGES[reason or "no_account"])


def _refusal(user: User | None) -> str | None:
    """Why this account may not sign in with single sign-on (None: it may)."""
    if user is None:
        return "no_account"
    if not user.is_enabled:
        return "deactivated"
    if user.is_invited and user.activated_at is None:
        return "invited"  # has not accepted the invitation yet
    if user.role == Role.MENTOR:
        return "mentor"
    return None
