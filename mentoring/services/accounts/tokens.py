"""Single-use links sent by email: invitations and password resets.

The link carries 256 random bits; the database keeps only their SHA-256 digest, so a
copy of the database opens nothing. A link works once, until it expires, and only for
what it was made for.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from mentoring.exceptions import LinkError
from mentoring.models import AccountToken, TokenPurpose, utcnow
from mentoring.services.common.locks import lock

MAX_TOKEN_LENGTH = 100


def digest(raw: str) -> str:
    """Return the stored form of a link's secret."""
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def issue(
    session: Session,
    *,
    user_id: int,
    purpose: TokenPurpose,
    lifetime: timedelta,
    created_by_id: int | None = None,
    now: datetime | None = None,
) -> str:
    """Make a link for a user, in the caller's transaction; return its secret (once)."""
    now = now or utcnow()
    raw = secrets.token_urlsafe(32)
    session.add(
        AccountToken(
            user_id=user_id,
            purpose=purpose.value,
            token_hash=digest(raw),
            created_at=now,
            expires_at=now + lifetime,
            created_by_id=created_by_id,
        )
    )
    return raw


def check(
    session: Session, *, raw: str, purpose: TokenPurpose, now: datetime | None = None
) -> AccountToken:
    """Return the link's row if it can still be used; raise `LinkError` saying why not.

    A tampered, unknown or foreign link (made for something else) is "invalid"; a link
    used, cancelled or past its time says so, so the page can say what to do next.
    """
    now = now or utcnow()
    if not raw or len(raw) > MAX_TOKEN_LENGTH or not raw.isascii():
        raise LinkError("invalid")
    row = session.exec(select(AccountToken).where(AccountToken.token_hash == digest(raw))).first()
    if row is None or row.purpose != purpose.value:
        raise LinkError("invalid")
    if row.used_at is not None:
        raise LinkError("used")
    if row.cancelled_at is not None:
        raise LinkError("cancelled")
    if row.expires_at <= now:
        raise LinkError("expired")
    return row


def redeem(
    session: Session, *, raw: str, purpose: TokenPurpose, now: datetime | None = None
) -> AccountToken:
    """Use a link, inside the caller's transaction: it is locked, checked and marked used."""
    now = now or utcnow()
    row = check(session, raw=raw, purpose=purpose, now=now)
    locked = lock(session, AccountToken, row.id)
    if locked is None or locked.used_at is not None or locked.cancelled_at is not None:
        raise LinkError("used")
    locked.used_at = now
    session.add(locked)
    return locked


def cancel_all(
    session: Session,
    *,
    user_id: int,
    purposes: Iterable[TokenPurpose] = tuple(TokenPurpose),
    now: datetime | None = None,
) -> int:
    """Cancel a user's open links of these purposes; return how many."""
    now = now or utcnow()
    result = session.execute(
        sa.update(AccountToken)
        .where(
            col(AccountToken.user_id) == user_id,
            col(AccountToken.purpose).in_([p.value for p in purposes]),
            col(AccountToken.used_at).is_(None),
            col(AccountToken.cancelled_at).is_(None),
        )
        .values(cancelled_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def recent_count(session: Session, *, user_id: int, purpose: TokenPurpose, since: datetime) -> int:
    """Count the links of a purpose made for a user since a time (for throttling)."""
    return int(
        session.exec(
            select(sa.func.count())
            .select_from(AccountToken)
            .where(
                AccountToken.user_id == user_id,
                AccountToken.purpose == purpose.value,
                col(AccountToken.created_at) >= since,
            )
        ).one()
    )


def open_link(session: Session, *, user_id: int, purpose: TokenPurpose) -> AccountToken | None:
    """The user's newest link of a purpose that is neither used nor cancelled."""
    return session.exec(
        select(AccountToken)
        .where(
            AccountToken.user_id == user_id,
            AccountToken.purpose == purpose.value,
            col(AccountToken.used_at).is_(None),
            col(AccountToken.cancelled_at).is_(None),
        )
        .order_by(col(AccountToken.created_at).desc())
    ).first()
