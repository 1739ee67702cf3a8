"""The audit log: who did what, to which record, when. Append-only, and chained.

The database refuses UPDATE and DELETE on the log. On top, `seal` chains the events by
hash (each seal is SHA-256 of the one before and the event's fields) and `verify`
recomputes the chain: `flask --app mentoring audit verify` exits non-zero at the first
event changed, missing or slipped in out of order. The daily job seals.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import g, has_request_context, request
from flask_login import current_user
from sqlmodel import Session, col, func, select

from mentoring.db import get_session, write_transaction
from mentoring.models import AuditEvent, AuditSeal, utcnow


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


# --- Sensitive pages: every view of one is in the log -----------------------------------

# Pages that show families, mentors' vetting or safeguarding records, and whose views do
# not record their own access (family.view, dbs.view, concern.view do): endpoint ->
# (action, object type). The object is the page's id parameter; a list view may put the
# number of rows it showed in ``g.audit_rows``.
AUDITED_PAGES: dict[str, tuple[str, str]] = {
    "families.index": ("family.list", "family"),
    "families.edit": ("family.view_form", "family"),
    "families.consent": ("family.view_form", "family"),
    "families.eligibility": ("family.view_form", "family"),
    "families.engagement": ("family.view_form", "family"),
    "families.outcomes": ("family.view_form", "family"),
    "coordination.matches": ("match.list", "match"),
    "coordination.run": ("run.view", "matching_run"),
    "coordination.end": ("match.view_form", "match"),
    "mentor.families": ("family.list_as_mentor", "match"),
    "mentor.offer": ("family.view_as_mentor", "match"),
    "mentors.board": ("mentor.list", "mentor"),
    "mentors.keeping_in_date": ("vetting.list", "mentor"),
    "mentors.dbs_decision": ("dbs.view", "mentor"),
    "mentors.status_check": ("dbs.view", "mentor"),
}


def audit_page_view(response: Any) -> Any:
    """After a sensitive page was shown (GET, 200) to a signed-in user, log who saw it."""
    endpoint = request.endpoint or ""
    if (
        request.method != "GET"
        or response.status_code != 200
        or endpoint not in AUDITED_PAGES
        or not current_user.is_authenticated
    ):
        return response
    action, object_type = AUDITED_PAGES[endpoint]
    ids = [v for v in (request.view_args or {}).values() if isinstance(v, int)]
    rows = g.get("audit_rows")
    session = get_session()

    record_access(
        session,
        action,
        object_type=object_type,
        object_id=ids[0] if ids else None,
        **({"count": int(rows)} if rows is not None else {}),
    )
    return response


# --- Tamper evidence: a hash chain over the log ------------------------------------------

# Events are sealed once they are this old, so a transaction still open with a lower id
# (PostgreSQL hands ids out before commit) is never skipped.
SEAL_AFTER = timedelta(minutes=10)
_BATCH = 5000


def _canonical(event: AuditEvent) -> bytes:
    at = event.at if event.at.tzinfo else event.at.replace(tzinfo=UTC)
    fields = [
        event.id,
        at.astimezone(UTC).isoformat(timespec="microseconds"),
        event.actor_id,
        event.actor_role,
        event.action,
        event.object_type,
        event.object_id,
        event.district_id,
        event.details,
        event.ip_address,
    ]
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str).encode()


def _link(previous: str, event: AuditEvent) -> str:
    return hashlib.sha256(previous.encode() + _canonical(event)).hexdigest()


def _head(session: Session) -> tuple[int, str]:
    last = session.exec(select(AuditSeal).order_by(col(AuditSeal.event_id).desc())).first()
    return (last.event_id, last.hash) if last else (0, "")


def seal(session: Session, *, now: datetime | None = None) -> tuple[int, str]:
    """Chain the events not yet sealed (older than ``SEAL_AFTER``), in id order.

    Return how many were sealed and the chain's head hash (worth keeping outside the
    database, as the daily job's log line does)."""
    cutoff = (now or utcnow()) - SEAL_AFTER
    sealed = 0
    with write_transaction(session):
        last_id, head = _head(session)
        while True:
            events = session.exec(
                select(AuditEvent)
                .where(col(AuditEvent.id) > last_id, col(AuditEvent.at) < cutoff)
                .order_by(col(AuditEvent.id))
                .limit(_BATCH)
            ).all()
            for event in events:
                head = _link(head, event)
                session.add(AuditSeal(event_id=event.id or 0, hash=head))
                last_id = event.id or last_id
            sealed += len(events)
            if len(events) < _BATCH:
                break
            session.flush()
    return sealed, head


@dataclass(frozen=True)
class ChainCheck:
    checked: int
    unsealed: int
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def _in_order(session: Session, model: Any, key: Any) -> Iterator[Any]:
    """Every row of a table in key order, a batch at a time."""
    last: int | None = None
    while True:
        query = select(model).order_by(key).limit(_BATCH)
        rows = session.exec(query if last is None else query.where(key > last)).all()
        yield from rows
        if len(rows) < _BATCH:
            return
        last = getattr(rows[-1], key.key)


def verify(session: Session) -> ChainCheck:
    """Recompute the chain; name the first event changed, missing or slipped in.

    The events and the seals are read side by side in id order: every event up to the
    last seal has its seal, every seal its event, and each hash follows from the one
    before."""
    last_sealed, _ = _head(session)
    seals = _in_order(session, AuditSeal, col(AuditSeal.event_id))
    head, checked = "", 0
    for event in _in_order(session, AuditEvent, col(AuditEvent.id)):
        if event.id > last_sealed:
            break
        seal_row = next(seals, None)
        if seal_row is not None and seal_row.event_id < event.id:
            return ChainCheck(checked, 0, f"audit entry {seal_row.event_id} is missing")
        if seal_row is None or seal_row.event_id != event.id:
            return ChainCheck(checked, 0, f"audit entry {event.id} was added out of order")
        head = _link(head, event)
        if head != seal_row.hash:
            return ChainCheck(checked, 0, f"audit entry {event.id} was changed")
        checked += 1
    leftover = next(seals, None)
    if leftover is not None:
        return ChainCheck(checked, 0, f"audit entry {leftover.event_id} is missing")
    unsealed = session.exec(
        select(func.count()).select_from(AuditEvent).where(col(AuditEvent.id) > last_sealed)
    ).one()
    return ChainCheck(checked, int(unsealed))
