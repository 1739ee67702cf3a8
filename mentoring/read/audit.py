"""The audit log for administrators (the data protection officer): search and export.

Filters: the person who acted (name or email), the action (or its start, "family."),
the record (type and id), and a date range. The newest entries first, a page at a time;
the export holds every match, up to ``EXPORT_LIMIT`` rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, col, func, or_, select

from mentoring.models import UK_TIME, AuditEvent, User

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
EXPORT_HEADER = ["at", "who", "role", "action", "record", "record_id", "district_id", "details"]


@dataclass(frozen=True)
class AuditFilters:
    who: str = ""
    action: str = ""
    object_type: str = ""
    object_id: int | None = None
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    who: str
    role: str
    action: str
    object_type: str
    object_id: int | None
    district_id: int | None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditPage:
    lines: list[AuditLine]
    total: int
    page: int
    pages: int
    actions: list[str]


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UK_TIME)


def _query(filters: AuditFilters) -> Any:
    query = select(AuditEvent, User.name, User.email).join(
        User, col(User.id) == col(AuditEvent.actor_id), isouter=True
    )
    if filters.who:
        pattern = f"%{filters.who.lower()}%"
        query = query.where(
            or_(func.lower(User.name).like(pattern), func.lower(User.email).like(pattern))
        )
    if filters.action:
        if filters.action.endswith("."):
            query = query.where(col(AuditEvent.action).startswith(filters.action))
        else:
            query = query.where(AuditEvent.action == filters.action)
    if filters.object_type:
        query = query.where(AuditEvent.object_type == filters.object_type)
    if filters.object_id is not None:
        query = query.where(AuditEvent.object_id == filters.object_id)
    if filters.start:
        query = query.where(col(AuditEvent.at) >= _day_start(filters.start))
    if filters.end:
        query = query.where(col(AuditEvent.at) < _day_start(filters.end + timedelta(days=1)))
    return query


def _line(event: AuditEvent, name: str | None, email: str | None) -> AuditLine:
    who = f"{name} ({email})" if name else ("System" if event.actor_role == "system" else "Public")
    return AuditLine(
        at=event.at,
        who=who,
        role=event.actor_role,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        district_id=event.district_id,
        details=dict(event.details),
    )


def search(session: Session, filters: AuditFilters, *, page: int = 1) -> AuditPage:
    query = _query(filters)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = session.exec(
        query.order_by(col(AuditEvent.id).desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    actions = list(session.exec(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
    return AuditPage([_line(*r) for r in rows], int(total), page, pages, actions)


def export_rows(session: Session, filters: AuditFilters) -> list[list[object]]:
    rows = session.exec(_query(filters).order_by(col(AuditEvent.id)).limit(EXPORT_LIMIT)).all()
    out: list[list[object]] = []
    for row in rows:
        line = _line(*row)
        out.append(
            [
                line.at.isoformat(timespec="seconds"),
                line.who,
                line.role,
                line.action,
                line.object_type,
                line.object_id,
                line.district_id,
                ", ".join(f"{k}={v}" for k, v in sorted(line.details.items())),
            ]
        )
    return out
