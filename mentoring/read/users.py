"""What the users page shows: everyone who can sign in, with a coordinator's districts and
a mentor account's mentor reference (two more queries). No password details."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from mentoring.models import CoordinatorDistrict, District, Mentor, User


@dataclass(frozen=True)
class UserRow:
    id: int
    name: str
    email: str
    role: str
    mentor_id: int | None
    last_sign_in_at: datetime | None


@dataclass(frozen=True)
class UserList:
    users: list[UserRow]
    districts_by_user: dict[int, list[str]]
    mentor_refs: dict[int, str]


def user_list(*, session: Session) -> UserList:
    """Return every user by role and name, with coordinators' district codes and mentors'
    references."""
    users = [
        UserRow(u.id, u.name, u.email, u.role, u.mentor_id, u.last_sign_in_at)
        for u in session.exec(select(User).order_by(col(User.role), col(User.name))).all()
        if u.id is not None
    ]
    links = session.exec(
        select(CoordinatorDistrict.user_id, District.code).join(
            District, col(District.id) == CoordinatorDistrict.district_id
        )
    ).all()
    districts_by_user: dict[int, list[str]] = {}
    for user_id, code in links:
        districts_by_user.setdefault(user_id, []).append(code)
    mentor_refs = {
        m: ref
        for m, ref in session.exec(select(Mentor.id, Mentor.reference)).all()
        if m is not None
    }
    return UserList(users=users, districts_by_user=districts_by_user, mentor_refs=mentor_refs)
