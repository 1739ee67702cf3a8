"""Forgotten, reset and changed passwords.

Asking for a link answers the same whether or not the account exists, and does the same
work either way (the email is rendered in both cases, and sent only for a real, enabled
account). A link is single-use and valid for ``PASSWORD_RESET_MINUTES``; at most
``PASSWORD_RESET_MAX_PER_ACCOUNT`` are sent per account an hour (per address is the
view's throttle). Setting a new password ends every other session of the account and
emails the person that it changed. A deactivated account gets no email.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from sqlmodel import Session, select

from mentoring import audit
from mentoring.db import saved_id, write_transaction
from mentoring.exceptions import AccountError, InvalidInput
from mentoring.models import TokenPurpose, User, utcnow
from mentoring.security import hash_password, password_problem, verify_password
from mentoring.services.accounts import sign_ins, tokens
from mentoring.services.common.notify import Outbox, render_email, service_link


def _minutes() -> int:
    return int(current_app.config["PASSWORD_RESET_MINUTES"])


def request_reset(*, session: Session, email: str) -> bool:
    """Send a reset link if the address belongs to an active account; return whether one
    was sent (for the audit only: the page says the same either way)."""
    address = email.strip().lower()[:254]
    outbox = Outbox()
    sent = False
    with write_transaction(session):
        user = session.exec(select(User).where(User.email == address)).first()
        usable = user is not None and user.is_enabled and not user.is_invited
        if user is not None and usable:
            recent = tokens.recent_count(
                session,
                user_id=saved_id(user),
                purpose=TokenPurpose.RESET,
                since=utcnow() - timedelta(hours=1),
            )
            usable = recent < int(current_app.config["PASSWORD_RESET_MAX_PER_ACCOUNT"])
        if user is not None and usable:
            token = tokens.issue(
                session,
                user_id=saved_id(user),
                purpose=TokenPurpose.RESET,
                lifetime=timedelta(minutes=_minutes()),
            )
            outbox.add(
                user.email,
                "password_reset",
                name=user.name,
                link=service_link("auth.reset_link", token=token),
                minutes=_minutes(),
            )
            audit.record(session, "password.reset_request", object_type="user", object_id=user.id)
            sent = True
        else:
            # The same work as for a real account: a secret digested and the email rendered.
            tokens.digest(secrets.token_urlsafe(32))
            render_email("password_reset", name="", link="", minutes=_minutes())
            audit.record(session, "password.reset_request_unknown")
    # Sent after the answer, so how long the answer takes says nothing about the account.
    outbox.send_later()
    return sent


def _set_password(session: Session, user: User, password: str) -> None:
    if problem := password_problem(password, [user.email, user.name]):
        raise InvalidInput(problem, field="password")
    user.password_hash = hash_password(password)
    # Every session of this account, anywhere, ends: the session cookie carries the version.
    user.session_version += 1
    sign_ins.clear_locks(session, user=user)


def reset(*, session: Session, token: str, password: str, confirm: str) -> User:
    """Set a new password from a reset link; other sessions end; the person is told."""
    outbox = Outbox()
    with write_transaction(session):
        link = tokens.redeem(session, raw=token, purpose=TokenPurpose.RESET)
        user = session.get(User, link.user_id)
        if user is None or not user.is_enabled:
            raise AccountError("This account cannot be used")
        _set_password(session, user, password)
        if password != confirm:
            raise InvalidInput("The passwords do not match", field="confirm")
        tokens.cancel_all(session, user_id=saved_id(user), purposes=[TokenPurpose.RESET])
        session.add(user)
        audit.record(
            session, "password.reset", object_type="user", object_id=user.id, actor_id=user.id
        )
        outbox.add(user.email, "password_changed", name=user.name, link=service_link("main.home"))
    outbox.send()
    return user


def change(*, session: Session, user_id: int, current: str, password: str, confirm: str) -> User:
    """Change your own password (the current one is needed); your other sessions end."""
    outbox = Outbox()
    with write_transaction(session):
        user = session.get(User, user_id)
        if user is None or not user.is_enabled:
            raise AccountError("This account cannot be used")
        if not verify_password(user.password_hash, current):
            raise InvalidInput("Your current password is not right", field="current")
        if current == password:
            raise InvalidInput("Choose a password different from your current one", "password")
        _set_password(session, user, password)
        if password != confirm:
            raise InvalidInput("The passwords do not match", field="confirm")
        session.add(user)
        audit.record(
            session, "password.change", object_type="user", object_id=user.id, actor_id=user.id
        )
        outbox.add(user.email, "password_changed", name=user.name, link=service_link("main.home"))
    outbox.send()
    return user
