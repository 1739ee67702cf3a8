"""The audit trail of a mentor's record: every change, with who and the fields changed."""

from __future__ import annotations

from typing import Any, Protocol

from sqlmodel import Session

from mentoring import audit


class MentorLike(Protocol):
    """What an audit event needs of a mentor (a row, or the facts' `MentorInfo`)."""

    @property
    def id(self) -> int | None: ...
    @property
    def home_district_id(self) -> int: ...


def audit_mentor(
    session: Session, action: str, mentor: MentorLike, *, actor_id: int | None, **details: Any
) -> None:
    """Add an audit event about a mentor (identifiers and field names only, never DBS values)."""
    audit.record(
        session,
        action,
        object_type="mentor",
        object_id=mentor.id,
        district_id=mentor.home_district_id,
        actor_id=actor_id,
        **details,
    )
