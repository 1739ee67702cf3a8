"""Invitations instead of passwords typed by an administrator.

An administrator invites staff (choosing the role and districts); provider staff invite a
mentor or role model from the mentor's page once they are ready. The invitee gets an
email with a single-use link (`tokens`) valid for ``INVITE_EXPIRY_HOURS``; they choose
their own password and are signed in. Until then the account has no password and cannot
sign in. Invitations can be re-sent (the old link stops working) and cancelled.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlmodel import Session, col, select

from mentoring import audit
from mentoring.db import saved_id, write_transaction
from mentoring.exceptions import AccountError, InvalidInput
from mentoring.models import (
    STAFF_ROLES,
    CoordinatorDistrict,
    District,
    Mentor,
    MentorStatus,
    PipelineStage,
    Role,
    TokenPurpose,
    User,
    utcnow,
)
from mentoring.security import hash_password, password_problem
from mentoring.services.accounts import tokens
from mentoring.services.common.notify import Outbox, notify, service_link

MAX_NAME = 120


@dataclass(frozen=True)
class Invitation:
    """An invitation made or re-sent, and the link's secret (sent by email, shown nowhere)."""

    user: User
    token: str


def _lifetime() -> timedelta:
    return timedelta(hours=int(current_app.config["INVITE_EXPIRY_HOURS"]))


def clean_email(email: str) -> str:
    """Check and normalise an email address; raise `InvalidInput` beside the email field."""
    try:
        value = validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise InvalidInput(
            "Enter an email address in the correct format, like name@example.org", field="email"
        ) from None
    return value.lower()


def _check_new_email(session: Session, email: str) -> None:
    existing = session.exec(select(User).where(User.email == email)).first()
    if existing is None:
        return
    if existing.is_invited and existing.is_enabled:
        raise InvalidInput(
            f"{email} has already been invited: re-send the invitation from the users page",
            field="email",
        )
    raise InvalidInput(f"{email} already has an account", field="email")


def _districts(session: Session, role: Role, district_ids: Collection[int]) -> list[int]:
    ids = sorted(set(district_ids))
    if role is Role.COORDINATOR and not ids:
        raise InvalidInput("Choose at least one district for a coordinator", field="districts")
    if role is not Role.COORDINATOR and ids:
        raise InvalidInput("Only coordinators have districts", field="districts")
    known = {
        d for d in session.exec(select(District.id).where(col(District.id).in_(ids))).all() if d
    }
    if known != set(ids):
        raise InvalidInput("Choose districts from the list", field="districts")
    return ids


def _send_invite(outbox: Outbox, user: User, token: str, *, invited_by: str) -> None:
    outbox.add(
        user.email,
        "invitation",
        name=user.name,
        role=Role(user.role).label,
        invited_by=invited_by,
        link=service_link("auth.invitation", token=token),
        hours=int(current_app.config["INVITE_EXPIRY_HOURS"]),
    )


def _name_of(session: Session, user_id: int) -> str:
    actor = session.get(User, user_id)
    return actor.name if actor else "Your mentoring provider"


def _issue_invitation(
    session: Session, user: User, actor_id: int, outbox: Outbox, **details: Any
) -> str:
    """Make the invitation link for a new account, audit it, and queue the email."""
    token = tokens.issue(
        session,
        user_id=saved_id(user),
        purpose=TokenPurpose.INVITE,
        lifetime=_lifetime(),
        created_by_id=actor_id,
    )
    audit.record(
        session, "user.invite", object_type="user", object_id=user.id, actor_id=actor_id, **details
    )
    _send_invite(outbox, user, token, invited_by=_name_of(session, actor_id))
    return token


def invite_staff(
    *,
    session: Session,
    email: str,
    name: str,
    role: str,
    district_ids: Collection[int],
    actor_id: int,
) -> Invitation:
    """Invite a member of staff; the email goes once the invitation is saved."""
    email = clean_email(email)
    name = name.strip()
    if not name:
        raise InvalidInput("Enter the person's name", field="name")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"The name must be {MAX_NAME} characters or fewer", field="name")
    if role not in STAFF_ROLES:
        raise InvalidInput("Choose the person's role", field="role")
    outbox = Outbox()
    with write_transaction(session):
        _check_new_email(session, email)
        ids = _districts(session, Role(role), district_ids)
        user = User(email=email, name=name, password_hash="", role=role)
        session.add(user)
        session.flush()
        for district_id in ids:
            session.add(CoordinatorDistrict(user_id=saved_id(user), district_id=district_id))
        token = _issue_invitation(session, user, actor_id, outbox, role=role, districts=ids)
    outbox.send()
    return Invitation(user, token)


def mentor_can_be_invited(session: Session, mentor: Mentor) -> str | None:
    """Say why a mentor cannot be invited yet, or None if they can."""
    if mentor.status != MentorStatus.ACTIVE.value or mentor.stage != PipelineStage.READY.value:
        return "Invite a mentor once they are ready"
    if session.exec(select(User.id).where(User.mentor_id == mentor.id)).first() is not None:
        return "This mentor already has an account or an invitation"
    if session.exec(select(User.id).where(User.email == mentor.email.lower())).first():
        return f"{mentor.email} is already used by another account"
    return None


def invite_mentor(*, session: Session, mentor_id: int, actor_id: int) -> Invitation:
    """Invite a ready mentor or role model to their account, linked to their record."""
    outbox = Outbox()
    with write_transaction(session):
        mentor = session.get(Mentor, mentor_id)
        if mentor is None:
            raise AccountError("That mentor does not exist")
        if problem := mentor_can_be_invited(session, mentor):
            raise AccountError(problem)
        user = User(
            email=clean_email(mentor.email),
            name=f"{mentor.first_name} {mentor.last_name}".strip()[:MAX_NAME],
            password_hash="",
            role=Role.MENTOR.value,
            mentor_id=mentor.id,
        )
        session.add(user)
        session.flush()
        token = _issue_invitation(
            session, user, actor_id, outbox, role=Role.MENTOR.value, mentor_id=mentor.id
        )
    outbox.send()
    return Invitation(user, token)


def _pending(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not user.is_invited or not user.is_enabled:
        raise AccountError("There is no invitation waiting for this person")
    return user


def resend(*, session: Session, user_id: int, actor_id: int) -> Invitation:
    """Send a new invitation link; the old one stops working."""
    outbox = Outbox()
    with write_transaction(session):
        user = _pending(session, user_id)
        tokens.cancel_all(session, user_id=user_id, purposes=[TokenPurpose.INVITE])
        token = tokens.issue(
            session,
            user_id=user_id,
            purpose=TokenPurpose.INVITE,
            lifetime=_lifetime(),
            created_by_id=actor_id,
        )
        audit.record(
            session, "user.invite_resend", object_type="user", object_id=user_id, actor_id=actor_id
        )
        _send_invite(outbox, user, token, invited_by=_name_of(session, actor_id))
    outbox.send()
    return Invitation(user, token)


def cancel(*, session: Session, user_id: int, actor_id: int) -> str:
    """Cancel an invitation: the link stops working and the unused account goes; return
    the email it was for."""
    with write_transaction(session):
        user = _pending(session, user_id)
        email = user.email
        tokens.cancel_all(session, user_id=user_id)
        audit.record(
            session,
            "user.invite_cancel",
            object_type="user",
            object_id=user_id,
            actor_id=actor_id,
            role=user.role,
        )
        session.delete(user)
    return email


def accept(*, session: Session, token: str, password: str, confirm: str) -> User:
    """Accept an invitation: set the password the person chose; the link is used up."""
    outbox = Outbox()
    with write_transaction(session):
        link = tokens.redeem(session, raw=token, purpose=TokenPurpose.INVITE)
        user = session.get(User, link.user_id)
        if user is None or not user.is_enabled or not user.is_invited:
            raise AccountError("This invitation can no longer be accepted")
        if problem := password_problem(password, [user.email, user.name]):
            raise InvalidInput(problem, field="password")
        if password != confirm:
            raise InvalidInput("The passwords do not match", field="confirm")
        user.password_hash = hash_password(password)
        user.activated_at = utcnow()
        user.session_version += 1
        session.add(user)
        audit.record(
            session, "user.invite_accept", object_type="user", object_id=user.id, actor_id=user.id
        )
        if link.created_by_id:
            notify(
                session,
                [link.created_by_id],
                kind="invitation_accepted",
                message=f"{user.name} accepted their invitation to Mentor Match.",
            )
        outbox.add(user.email, "account_ready", name=user.name, link=service_link("main.home"))
    outbox.send()
    return user
