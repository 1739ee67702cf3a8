"""The audit log: who did what, to which record, when. Append-only."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlmodel import Session

from mentoring.db import write_transaction
from mentoring.models import AuditEvent


def record(
    session: Session,
    action: str,
    *,
    object_type: str = "",
    object_id: int | None = None,
    district_id: int | None = None,
    actor_id: int | None = None,
    actor_role: str = "",
    **details: Any,
) -> AuditEvent:
    """Add an audit event to the session; it is committed with the change it records.

    ``details`` must hold identifiers and field names, never family or DBS content.
    The actor is the signed-in user unless given; otherwise the event is the public's
    (a request with nobody signed in) or the system's (the daily job, a command).
    """
    ip = ""
    in_request = has_request_context()
    if in_request:
        ip = (request.remote_addr or "")[:45]
        if actor_id is None and current_user.is_authenticated:
            actor_id = current_user.id
            actor_role = current_user.role
    if actor_id is None and not actor_role:
        actor_role = "public" if in_request else "system"
    event = AuditEvent(
        actor_id=actor_id,
        actor_role=actor_role,
        action=action,
        object_type=object_type,
        object_id=object_id,
        district_id=district_id,
        details=details,
        ip_address=ip,
    )
    session.add(event)
    return event


def record_access(session: Session, action: str, **fields: Any) -> None:
    """Record an access, committed on its own: someone saw or exported records, or
    signed in or out.

    Views call this after loading a page's records, so every view of sensitive data is
    traceable; it is the one place a read commits.
    """
    with write_transaction(session):
        record(session, action, **fields)
