"""A case's chronology entries and audit events, the same way everywhere."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from mentoring import audit
from mentoring.db import saved_id
from mentoring.models import SafeguardingConcern, SafeguardingEntry


def add(session: Session, concern: SafeguardingConcern, **fields: object) -> SafeguardingEntry:
    """Append an entry to a case's chronology (in the caller's unit of work)."""
    entry = SafeguardingEntry(concern_id=saved_id(concern), **fields)  # type: ignore[arg-type]
    session.add(entry)
    return entry


def audit_case(
    session: Session,
    action: str,
    concern: SafeguardingConcern,
    *,
    actor_id: int | None = None,
    **details: Any,
) -> None:
    """Audit a change to a case by ids and field names only, never its words."""
    audit.record(
        session,
        action,
        object_type="safeguarding_concern",
        object_id=concern.id,
        district_id=concern.district_id,
        actor_id=actor_id,
        **details,
    )
