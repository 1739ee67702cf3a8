"""What the users pages show: everyone who can sign in, whether invited, active or
deactivated, with a coordinator's districts, a mentor account's reference, two-factor and
the last sign-in. No password or two-factor secrets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from mentoring.db import saved_id
from mentoring.exceptions import NotFound
from mentoring.models import (
    CoordinatorDistrict,
    District,
    Mentor,
    SignInRecord,
    TokenPurpose,
    User,
)
from mentoring.services.accounts import sign_ins, tokens
from mentoring.services.accounts.people import Holding, sole_coordinator_holdings


def status_of(user: User) -> str:
    """ "invited", "active" or "deactivated"."""
    if not user.is_enabled:
        return "deactivated"
    return "invited" if user.is_invited else "active"


@dataclass(frozen=True)
class UserRow:
    id: int
    name: str
    email: str
    role: str
    status: str
    two_factor: bool
    mentor_id: int | None
    last_sign_in_at: datetime | None


@dataclass(frozen=True)
class UserList:
    users: list[UserRow]
    districts_by_user: dict[int, list[str]]
    mentor_refs: dict[int, str]


def _row(user: User) -> UserRow:
    return UserRow(
        id=saved_id(user),
        name=user.name,
        email=user.email,
        role=user.role,
        status=status_of(user),
        two_factor=user.totp_enabled_at is not None,
        mentor_id=user.mentor_id,
        last_sign_in_at=user.last_sign_in_at,
    )


def _districts_by_user(session: Session, user_ids: list[int] | None = None) -> dict[int, list[str]]:
    query = (
        select(CoordinatorDistrict.user_id, District.name)
        .join(District, col(District.id) == CoordinatorDistrict.district_id)
        .order_by(col(District.name))
    )
    if user_ids is not None:
        query = query.where(col(CoordinatorDistrict.user_id).in_(user_ids))
    out: dict[int, list[str]] = {}
    for user_id, name in session.exec(query).all():
        out.setdefault(user_id, []).append(name)
    return out


def user_list(*, session: Session) -> UserList:
    """Every user, by role and name, with coordinators' districts and mentors' references
    (three queries)."""
    users = [
        _row(u) for u in session.exec(select(User).order_by(col(User.role), col(User.name))).all()
    ]
    mentor_refs = {
        m: ref for m, ref in session.exec(select(Mentor.id, Mentor.reference)).all() if m
    }
    return UserList(users, _districts_by_user(session), mentor_refs)


@dataclass(frozen=True)
class PersonPage:
    person: UserRow
    districts: list[str]
    district_ids: list[int]
    mentor_reference: str | None
    invited_at: datetime | None
    sign_ins: list[SignInRecord]
    holdings: list[Holding]


def person_page(*, session: Session, user_id: int) -> PersonPage:
    """One person's account for an administrator; NotFound if there is none."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    link = tokens.open_link(session, user_id=user_id, purpose=TokenPurpose.INVITE)
    mentor = session.get(Mentor, user.mentor_id) if user.mentor_id else None
    district_ids = list(
        session.exec(
            select(CoordinatorDistrict.district_id).where(CoordinatorDistrict.user_id == user_id)
        ).all()
    )
    return PersonPage(
        person=_row(user),
        districts=_districts_by_user(session, [user_id]).get(user_id, []),
        district_ids=district_ids,
        mentor_reference=mentor.reference if mentor else None,
        invited_at=link.created_at if link and user.is_invited else None,
        sign_ins=sign_ins.recent(session, user_id=user_id, limit=10),
        holdings=sole_coordinator_holdings(session, user_id=user_id) if user.is_enabled else [],
    )
