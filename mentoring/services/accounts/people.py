"""People who leave, change jobs or lose their phone: what administrators change.

An administrator changes a person's name, role and districts; deactivates them (every
live session ends at the next request, their pending links are cancelled) and
reactivates them; and resets their two-factor sign-in. Nobody deactivates themselves or
the last administrator. Deactivating the last coordinator of a district is allowed, but
the page first says what they hold there.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from mentoring import audit
from mentoring.db import saved_id, write_transaction
from mentoring.exceptions import AccountError, InvalidInput
from mentoring.models import (
    STAFF_ROLES,
    CoordinatorDistrict,
    District,
    Family,
    Match,
    MatchStatus,
    RecoveryCode,
    Role,
    User,
    utcnow,
)
from mentoring.services.accounts import tokens
from mentoring.services.accounts.invitations import MAX_NAME
from mentoring.services.common.holding import HOLDING
from mentoring.services.common.notify import Outbox, coordinators_by_district, service_link


def _person(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise AccountError("That person does not exist")
    return user


def _enabled_admins(session: Session) -> int:
    return int(
        session.exec(
            select(sa.func.count())
            .select_from(User)
            .where(User.role == Role.ADMIN.value, col(User.is_enabled).is_(True))
        ).one()
    )


def update_person(
    *,
    session: Session,
    user_id: int,
    name: str,
    role: str,
    district_ids: Collection[int],
    actor_id: int,
) -> list[str]:
    """Change a person's name, role and districts; return the names of what changed."""
    name = name.strip()
    if not name:
        raise InvalidInput("Enter the person's name", field="name")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"The name must be {MAX_NAME} characters or fewer", field="name")
    with write_transaction(session):
        user = _person(session, user_id)
        if user.role == Role.MENTOR.value and role != Role.MENTOR.value:
            raise InvalidInput("A mentor's account stays a mentor's account", field="role")
        if user.role != Role.MENTOR.value and role not in STAFF_ROLES:
            raise InvalidInput("Choose the person's role", field="role")
        if (
            user.role == Role.ADMIN.value
            and role != Role.ADMIN.value
            and user.is_enabled
            and _enabled_admins(session) <= 1
        ):
            raise InvalidInput("There must always be an administrator", field="role")
        ids = sorted(set(district_ids)) if role == Role.COORDINATOR.value else []
        if role == Role.COORDINATOR.value and not ids:
            raise InvalidInput("Choose at least one district for a coordinator", "districts")
        changed: list[str] = []
        if user.name != name:
            user.name, changed = name, [*changed, "name"]
        if user.role != role:
            user.role, changed = role, [*changed, "role"]
            user.session_version += 1  # new permissions apply from the next sign-in
        current = set(
            session.exec(
                select(CoordinatorDistrict.district_id).where(
                    CoordinatorDistrict.user_id == user_id
                )
            ).all()
        )
        if current != set(ids):
            changed.append("districts")
            session.execute(
                sa.delete(CoordinatorDistrict).where(col(CoordinatorDistrict.user_id) == user_id)
            )
            for district_id in ids:
                session.add(CoordinatorDistrict(user_id=user_id, district_id=district_id))
        if changed:
            session.add(user)
            audit.record(
                session,
                "user.update",
                object_type="user",
                object_id=user_id,
                actor_id=actor_id,
                fields=changed,
            )
    return changed


@dataclass(frozen=True)
class Holding:
    """What a coordinator holds in a district where nobody else coordinates."""

    district: str
    families: int
    open_proposals: int
    active_matches: int


def _matches_by_district(
    session: Session, district_ids: list[int], statuses: list[str]
) -> dict[int, int]:
    rows = session.exec(
        select(Family.district_id, sa.func.count())
        .select_from(Match)
        .join(Family, col(Family.id) == Match.family_id)
        .where(col(Family.district_id).in_(district_ids), col(Match.status).in_(statuses))
        .group_by(col(Family.district_id))
    ).all()
    counts: dict[int, int] = dict(rows)
    return counts


def sole_coordinator_holdings(session: Session, *, user_id: int) -> list[Holding]:
    """The districts a coordinator is the last enabled coordinator of, with what is there."""
    mine = list(
        session.exec(
            select(CoordinatorDistrict.district_id).where(CoordinatorDistrict.user_id == user_id)
        ).all()
    )
    others = coordinators_by_district(session, mine)
    alone = [d for d in mine if not [u for u in others.get(d, []) if u.id != user_id]]
    if not alone:
        return []
    families = dict(
        session.exec(
            select(Family.district_id, sa.func.count())
            .where(col(Family.district_id).in_(alone), col(Family.exited_on).is_(None))
            .group_by(col(Family.district_id))
        ).all()
    )
    proposals = _matches_by_district(session, alone, [MatchStatus.PROPOSED.value])
    holding = _matches_by_district(session, alone, HOLDING)
    return [
        Holding(
            district=district.name,
            families=families.get(saved_id(district), 0),
            open_proposals=proposals.get(saved_id(district), 0),
            active_matches=holding.get(saved_id(district), 0),
        )
        for district in session.exec(
            select(District).where(col(District.id).in_(alone)).order_by(col(District.name))
        ).all()
    ]


def deactivate(*, session: Session, user_id: int, actor_id: int) -> User:
    """Deactivate a person: their sessions end at their next click, their links stop."""
    outbox = Outbox()
    with write_transaction(session):
        user = _person(session, user_id)
        if user_id == actor_id:
            raise AccountError("You cannot deactivate your own account")
        if not user.is_enabled:
            raise AccountError(f"{user.name} is already deactivated")
        if user.role == Role.ADMIN.value and _enabled_admins(session) <= 1:
            raise AccountError("You cannot deactivate the last administrator")
        _switch_off(session, user, actor_id=actor_id, outbox=outbox)
    outbox.send()
    return user


def _switch_off(session: Session, user: User, *, actor_id: int | None, outbox: Outbox) -> None:
    user.is_enabled = False
    user.deactivated_at = utcnow()
    user.session_version += 1
    session.add(user)
    cancelled = tokens.cancel_all(session, user_id=saved_id(user))
    audit.record(
        session,
        "user.deactivate",
        object_type="user",
        object_id=user.id,
        actor_id=actor_id,
        links_cancelled=cancelled,
    )
    if not user.is_invited:
        outbox.add(user.email, "account_deactivated", name=user.name)


def deactivate_mentor_account(
    session: Session, *, mentor_id: int, actor_id: int | None, outbox: Outbox
) -> bool:
    """In the caller's transaction: a mentor withdrawn or rejected loses their account."""
    user = session.exec(select(User).where(User.mentor_id == mentor_id)).first()
    if user is None or not user.is_enabled:
        return False
    _switch_off(session, user, actor_id=actor_id, outbox=outbox)
    return True


def reactivate(*, session: Session, user_id: int, actor_id: int) -> User:
    """Reactivate a person; they sign in with the password they had."""
    outbox = Outbox()
    with write_transaction(session):
        user = _person(session, user_id)
        if user.is_enabled:
            raise AccountError(f"{user.name} is already active")
        user.is_enabled = True
        user.deactivated_at = None
        user.failed_sign_ins = 0
        user.locked_until = None
        session.add(user)
        audit.record(
            session, "user.reactivate", object_type="user", object_id=user_id, actor_id=actor_id
        )
        if not user.is_invited:
            outbox.add(
                user.email, "account_reactivated", name=user.name, link=service_link("main.home")
            )
    outbox.send()
    return user


def reset_two_factor(*, session: Session, user_id: int, actor_id: int) -> User:
    """Forget a person's authenticator and recovery codes: they set it up again at their
    next sign-in; every session ends; they are emailed."""
    outbox = Outbox()
    with write_transaction(session):
        user = _person(session, user_id)
        if user.totp_enabled_at is None:
            raise AccountError(f"{user.name} has not set up two-factor sign-in")
        user.totp_secret = None
        user.totp_enabled_at = None
        user.totp_last_step = None
        user.session_version += 1
        session.add(user)
        session.execute(sa.delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))
        audit.record(
            session,
            "user.two_factor_reset",
            object_type="user",
            object_id=user_id,
            actor_id=actor_id,
        )
        outbox.add(user.email, "two_factor_reset", name=user.name)
    outbox.send()
    return user
