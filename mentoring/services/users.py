"""Users: create them, sign them in and out, and take their messages off their home page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from mentoring import audit
from mentoring.db import write_transaction
from mentoring.exceptions import NotFound, UserError
from mentoring.models import (
    CoordinatorDistrict,
    District,
    Mentor,
    Notification,
    Role,
    User,
    utcnow,
)
from mentoring.security import hash_password, password_problem


@dataclass(frozen=True)
class SignedInUser:
    """What the app knows of the signed-in user: a view model, not the ORM row."""

    id: int
    email: str
    name: str
    role: str
    session_version: int
    district_ids: frozenset[int]
    mentor_id: int | None

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def has_role(self, *roles: Role) -> bool:
        return self.role in {r.value for r in roles}

    @property
    def role_label(self) -> str:
        return Role(self.role).label


def normalise_email(email: str) -> str:
    return email.strip().lower()


def load_signed_in_user(*, session: Session, user_id: str) -> SignedInUser | None:
    """Load the user for a session cookie's id ("<id>:<version>"); stale versions fail."""
    try:
        raw_id, raw_version = user_id.split(":", 1)
        uid, version = int(raw_id), int(raw_version)
    except ValueError:
        return None
    user = session.get(User, uid)
    if user is None or not user.is_enabled or user.session_version != version:
        return None
    return to_signed_in(session=session, user=user)


def to_signed_in(*, session: Session, user: User) -> SignedInUser:
    """Return what the app keeps of a user for the request: role, districts, mentor."""
    district_ids: frozenset[int] = frozenset()
    if user.role == Role.ADMIN.value:
        district_ids = frozenset(
            d for d in session.exec(select(District.id)).all() if d is not None
        )
    elif user.role == Role.COORDINATOR.value:
        district_ids = frozenset(
            session.exec(
                select(CoordinatorDistrict.district_id).where(
                    CoordinatorDistrict.user_id == user.id
                )
            ).all()
        )
    if user.id is None:
        raise UserError("the user has not been saved")
    return SignedInUser(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        session_version=user.session_version,
        district_ids=district_ids,
        mentor_id=user.mentor_id,
    )


def create_user(
    *,
    session: Session,
    email: str,
    name: str,
    password: str,
    role: Role,
    district_codes: list[str] | None = None,
    mentor_reference: str | None = None,
    check_password: bool = True,
    via: str | None = None,
) -> User:
    """Create a user in one transaction, audited; raise UserError with a clear message.

    The audit event names the account's role, or how it was made (``via="cli"``).
    """
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise UserError(f"'{email}' is not an email address")
    if not name.strip():
        raise UserError("a name is needed")
    if session.exec(select(User).where(User.email == email)).first():
        raise UserError(f"a user with email {email} already exists")
    if check_password and (problem := password_problem(password, [email, name])):
        raise UserError(problem)
    user = User(email=email, name=name.strip(), password_hash=hash_password(password), role=role)
    codes = [c.strip().upper() for c in district_codes or [] if c.strip()]
    if role == Role.COORDINATOR and not codes:
        raise UserError("a coordinator needs at least one district (--district CODE)")
    if role != Role.COORDINATOR and codes:
        raise UserError("only coordinators have districts")
    districts = []
    for code in codes:
        district = session.exec(select(District).where(District.code == code)).first()
        if district is None:
            raise UserError(f"no district with code {code}")
        districts.append(district)
    if role == Role.MENTOR:
        if not mentor_reference:
            raise UserError("a mentor account needs the mentor's reference (--mentor REF)")
        mentor = session.exec(select(Mentor).where(Mentor.reference == mentor_reference)).first()
        if mentor is None:
            raise UserError(f"no mentor with reference {mentor_reference}")
        if session.exec(select(User).where(User.mentor_id == mentor.id)).first():
            raise UserError(f"mentor {mentor_reference} already has an account")
        user.mentor_id = mentor.id
    elif mentor_reference:
        raise UserError("only mentor accounts link to a mentor record")
    with write_transaction(session):
        session.add(user)
        session.flush()
        if user.id is None:  # pragma: no cover - flushed
            raise UserError("the user has not been saved")
        for district in districts:
            if district.id is not None:
                session.add(CoordinatorDistrict(user_id=user.id, district_id=district.id))
        details: dict[str, Any] = {"via": via} if via else {"role": user.role}
        audit.record(session, "user.create", object_type="user", object_id=user.id, **details)
    return user


def end_all_sessions(*, session: Session, user_id: int) -> None:
    """Invalidate every session cookie the user holds (sign-out, password change). Commits."""
    with write_transaction(session):
        user = session.get(User, user_id)
        if user is not None:
            user.session_version += 1
            session.add(user)


def mark_read(*, session: Session, user_id: int, notification_id: int) -> None:
    """Take one of the user's own messages off their home page; another's is NotFound."""
    with write_transaction(session):
        note = session.get(Notification, notification_id)
        if note is None or note.user_id != user_id:
            raise NotFound("Page not found")
        if note.read_at is None:
            note.read_at = utcnow()
            session.add(note)


def mark_all_read(*, session: Session, user_id: int) -> None:
    """Take all of the user's messages off their home page."""
    with write_transaction(session):
        session.exec(
            sa.update(Notification)
            .where(col(Notification.user_id) == user_id, col(Notification.read_at).is_(None))
            .values(read_at=utcnow())
        )
