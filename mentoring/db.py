"""The database engine and the per-request session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, g
from sqlalchemy.engine import Engine
from sqlmodel import Session

# Set while a write transaction starts, so SQLite takes the write lock at BEGIN.
_begin_immediate: ContextVar[bool] = ContextVar("begin_immediate", default=False)


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL and a busy timeout on every connection."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
        )

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # Take over transaction control so BEGIN IMMEDIATE can be issued.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @sa.event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # Writers queue instead of failing half-way: take the write lock at BEGIN.
            conn.exec_driver_sql("BEGIN IMMEDIATE" if _begin_immediate.get() else "BEGIN")

        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def init_app(app: Flask) -> None:
    """Create the app's engine and close the request's session at teardown."""
    app.extensions["db_engine"] = make_engine(app.config["DATABASE_URL"])
    app.extensions["db_engine_pid"] = os.getpid()
    app.teardown_appcontext(close_session)


def get_engine() -> Engine:
    """Return the current app's engine."""
    engine: Engine = current_app.extensions["db_engine"]
    return engine


def get_session() -> Session:
    """Return the request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = Session(get_engine(), expire_on_commit=False)
    session: Session = g.db_session
    return session


def saved_id(row: Any) -> int:
    """Return a saved row's id (SQLModel types ids as optional until a row is flushed)."""
    row_id = getattr(row, "id", None)
    if not isinstance(row_id, int):
        raise ValueError(f"{type(row).__name__} has not been saved")
    return row_id


def close_session(_exc: BaseException | None = None) -> None:
    """Close the request's session, rolling back anything not committed."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """Run a block in one transaction, committed at the end or rolled back whole.

    On SQLite the transaction starts with BEGIN IMMEDIATE, so concurrent writers
    queue (busy_timeout) instead of failing half-way. On PostgreSQL callers lock
    the rows they check with ``with_for_update()``.
    """
    if session.in_transaction():
        session.commit()
    token = _begin_immediate.set(True)
    try:
        session.connection()
    finally:
        _begin_immediate.reset(token)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
