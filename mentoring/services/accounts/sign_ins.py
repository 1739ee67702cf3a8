"""Signing in: the password, the second factor, locks that strangers cannot use against
the owner, and the record of each sign-in.

Failed sign-ins are counted by account *and* address. From an address the account has
signed in from before, failures lock only that address for the account
(``SIGNIN_MAX_FAILURES_PER_ACCOUNT`` failures, ``SIGNIN_LOCKOUT_MINUTES``). From any other
address they count together, and each lock lasts twice as long as the one before, up to a
day. So someone who knows a coordinator's email cannot keep them out: the coordinator
signs in from their usual address, or resets their password, which clears every lock. A
wrong two-factor code counts as a failure too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlmodel import Session, col, select

from mentoring import audit
from mentoring.db import saved_id, write_transaction
from mentoring.models import SignInLock, SignInMethod, SignInRecord, User, utcnow
from mentoring.security import hash_password, needs_rehash, verify_password
from mentoring.services.accounts import two_factor
from mentoring.services.common.notify import Outbox

MAX_LOCK = timedelta(hours=24)


@dataclass(frozen=True)
class PasswordCheck:
    """The result of the password step: the user (None if refused) and whether locked."""

    user: User | None
    locked: bool = False


def _settings() -> tuple[int, timedelta]:
    config = current_app.config
    return (
        int(config["SIGNIN_MAX_FAILURES_PER_ACCOUNT"]),
        timedelta(minutes=int(config["SIGNIN_LOCKOUT_MINUTES"])),
    )


def known_address(session: Session, *, user_id: int, ip_address: str) -> bool:
    """Tell whether the user has signed in from this address before."""
    return (
        session.exec(
            select(SignInRecord.id).where(
                SignInRecord.user_id == user_id, SignInRecord.ip_address == ip_address[:45]
            )
        ).first()
        is not None
    )


def _address_lock(session: Session, user_id: int, ip_address: str) -> SignInLock | None:
    return session.exec(
        select(SignInLock).where(
            SignInLock.user_id == user_id, SignInLock.ip_address == ip_address[:45]
        )
    ).first()


def locked_until(session: Session, *, user: User, ip_address: str) -> datetime | None:
    """When the account stops being locked for this address (None: not locked)."""
    now = utcnow()
    if known_address(session, user_id=saved_id(user), ip_address=ip_address):
        lock = _address_lock(session, saved_id(user), ip_address)
        until = lock.locked_until if lock else None
    else:
        until = user.locked_until
    return until if until and until > now else None


def record_failure(session: Session, *, user: User, ip_address: str) -> bool:
    """Count a failed sign-in (password or code) in the caller's transaction; return
    whether the account is now locked for this address."""
    max_failures, lockout = _settings()
    now = utcnow()
    if known_address(session, user_id=saved_id(user), ip_address=ip_address):
        lock = _address_lock(session, saved_id(user), ip_address) or SignInLock(
            user_id=saved_id(user), ip_address=ip_address[:45]
        )
        lock.failures += 1
        if lock.failures >= max_failures:
            lock.locked_until, lock.failures = now + lockout, 0
        session.add(lock)
        return bool(lock.locked_until and lock.locked_until > now)
    user.failed_sign_ins += 1
    if user.failed_sign_ins >= max_failures:
        user.lockouts += 1
        user.locked_until = now + min(lockout * 2 ** (user.lockouts - 1), MAX_LOCK)
        user.failed_sign_ins = 0
    session.add(user)
    return bool(user.locked_until and user.locked_until > now)


def check_password(
    *, session: Session, email: str, password: str, ip_address: str
) -> PasswordCheck:
    """The first step: check the password, counting a failure; nothing else changes yet."""
    with write_transaction(session):
        user = session.exec(select(User).where(User.email == email.strip().lower())).first()
        if user is None:
            verify_password(None, password)  # the same work as for a real account
            return PasswordCheck(None)
        if locked_until(session, user=user, ip_address=ip_address):
            verify_password(None, password)
            return PasswordCheck(None, locked=True)
        if not verify_password(user.password_hash, password) or not user.is_enabled:
            locked = record_failure(session, user=user, ip_address=ip_address)
            audit.record(session, "user.sign_in_failed", details_locked=locked)
            return PasswordCheck(None, locked=locked)
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
            session.add(user)
    return PasswordCheck(user)


def check_code(
    *, session: Session, user_id: int, code: str, ip_address: str, secret_key: str
) -> SignInMethod | None:
    """The second step: an authenticator code (never twice) or a recovery code (once).
    A wrong one counts as a failed sign-in. Return how the person proved it, or None."""
    with write_transaction(session):
        user = session.get(User, user_id)
        if user is None or not user.totp_secret or user.totp_enabled_at is None:
            return None
        if locked_until(session, user=user, ip_address=ip_address):
            return None
        secret = two_factor.unseal(user.totp_secret, secret_key=secret_key)
        step = two_factor.matching_step(secret, code, after=user.totp_last_step) if secret else None
        if step is not None:
            user.totp_last_step = step
            session.add(user)
            return SignInMethod.TWO_FACTOR
        if two_factor.use_recovery_code(session, user=user, code=code):
            audit.record(
                session,
                "user.recovery_code_used",
                object_type="user",
                object_id=user.id,
                actor_id=user.id,
            )
            return SignInMethod.RECOVERY_CODE
        locked = record_failure(session, user=user, ip_address=ip_address)
        audit.record(
            session,
            "user.two_factor_failed",
            object_type="user",
            object_id=user.id,
            actor_id=user.id,
            details_locked=locked,
        )
    return None


def confirm_set_up(
    *, session: Session, user_id: int, secret: str, code: str, ip_address: str, secret_key: str
) -> list[str] | None:
    """Confirm a new authenticator (its secret) with a code from it: two-factor is on with
    that secret, and 10 recovery codes (returned, to show once) replace any before. None if
    the code is not right (nothing changes but the failure count)."""
    outbox = Outbox()
    with write_transaction(session):
        user = session.get(User, user_id)
        if user is None:
            return None
        step = two_factor.matching_step(secret, code)
        if step is None:
            record_failure(session, user=user, ip_address=ip_address)
            return None
        user.totp_secret = two_factor.seal(secret, secret_key=secret_key)
        user.totp_enabled_at = utcnow()
        user.totp_last_step = step
        session.add(user)
        codes = two_factor.new_recovery_codes(session, user=user)
        audit.record(
            session,
            "user.two_factor_enrol",
            object_type="user",
            object_id=user.id,
            actor_id=user.id,
        )
        outbox.add(user.email, "two_factor_enrolled", name=user.name)
    outbox.send()
    return codes


def complete(*, session: Session, user_id: int, ip_address: str, method: SignInMethod) -> User:
    """Sign-in done: record it, and clear the failures of this address (or of strangers',
    if the address is new: it is known from now on)."""
    with write_transaction(session):
        user = session.get(User, user_id)
        if user is None:
            raise LookupError("no such user")
        now = utcnow()
        if known_address(session, user_id=user_id, ip_address=ip_address):
            session.execute(
                sa.delete(SignInLock).where(
                    col(SignInLock.user_id) == user_id,
                    col(SignInLock.ip_address) == ip_address[:45],
                )
            )
        else:
            user.failed_sign_ins = 0
            if user.locked_until and user.locked_until <= now:
                user.locked_until = None
        session.add(
            SignInRecord(
                user_id=user_id, signed_in_at=now, ip_address=ip_address[:45], method=method.value
            )
        )
        user.last_sign_in_at = now
        session.add(user)
        audit.record(
            session,
            "user.sign_in",
            object_type="user",
            object_id=user_id,
            actor_id=user_id,
            actor_role=user.role,
            method=method.value,
        )
    return user


def clear_locks(session: Session, *, user: User) -> None:
    """In the caller's transaction: a password reset or change clears every lock."""
    user.failed_sign_ins = 0
    user.locked_until = None
    user.lockouts = 0
    session.execute(sa.delete(SignInLock).where(col(SignInLock.user_id) == saved_id(user)))


def recent(session: Session, *, user_id: int, limit: int = 10) -> list[SignInRecord]:
    """A user's latest sign-ins, newest first."""
    return list(
        session.exec(
            select(SignInRecord)
            .where(SignInRecord.user_id == user_id)
            .order_by(col(SignInRecord.signed_in_at).desc(), col(SignInRecord.id).desc())
            .limit(limit)
        ).all()
    )
