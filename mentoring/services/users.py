"""Create users and sign them in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from mentoring.exceptions import UserError
from mentoring.models import CoordinatorDistrict, District, Mentor, Role, User, utcnow
from mentoring.security import hash_password, needs_rehash, password_problem, verify_password


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


def load_signed_in_user(session: Session, user_id: str) -> SignedInUser | None:
    """Load the user for a session cookie's id ("<id>:<version>"); stale versions fail."""
    try:
        raw_id, raw_version = user_id.split(":", 1)
        uid, version = int(raw_id), int(raw_version)
    except ValueError:
        return None
    user = session.get(User, uid)
    if user is None or not user.is_enabled or user.session_version != version:
        return None
    return to_signed_in(session, user)


def to_signed_in(session: Session, user: User) -> SignedInUser:
    district_ids: frozenset[int] = frozenset()
    if user.role == Role.ADMIN.value:
        district_ids = frozenset(session.exec(select(District.id)).all())  # type: ignore[arg-type]
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
) -> User:
    """Create a user; the caller commits. Raise UserError with a clear message."""
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
    session.add(user)
    session.flush()
    for district in districts:
        session.add(CoordinatorDistrict(user_id=user.id, district_id=district.id))
    return user


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    locked: bool = False


def authenticate(
    *, session: Session, email: str, password: str, max_failures: int, lockout_minutes: int
) -> SignInResult:
    """Check a sign-in; count failures per account and lock it after too many. Commits."""
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    now = utcnow()
    if user is None:
        verify_password(None, password)  # same work as for a real account
        return SignInResult(None)
    if user.locked_until and user.locked_until > now:
        verify_password(None, password)
        return SignInResult(None, locked=True)
    if not verify_password(user.password_hash, password) or not user.is_enabled:
        user.failed_sign_ins += 1
        if user.failed_sign_ins >= max_failures:
            user.locked_until = now + timedelta(minutes=lockout_minutes)
            user.failed_sign_ins = 0
        session.add(user)
        session.commit()
        return SignInResult(None, locked=user.locked_until is not None and user.locked_until > now)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_sign_in_at = now
    session.add(user)
    session.commit()
    return SignInResult(user)


def end_all_sessions(session: Session, user_id: int) -> None:
    """Invalidate every session cookie the user holds (sign-out, password change)."""
    user = session.get(User, user_id)
    if user is not None:
        user.session_version += 1
        session.add(user)
