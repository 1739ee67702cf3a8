"""Row locks inside a unit of work (`mentoring.db.write_transaction`)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlmodel import Session, select

T = TypeVar("T")


def lock(session: Session, model: type[T], row_id: int | None) -> T | None:
    """Load a row afresh, locked FOR UPDATE on PostgreSQL, or None if there is none.

    SQLite already holds the write lock (BEGIN IMMEDIATE). The row is read again even if
    the session holds it (``populate_existing``): a status checked after the lock is the
    one in the database, not a copy loaded before another request changed it.
    """
    if row_id is None:
        return None
    id_column: Any = getattr(model, "id")  # noqa: B009 - every table has an id column
    query = select(model).where(id_column == row_id).execution_options(populate_existing=True)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.exec(query).first()
