"""Bulk inserts for the volume data set: rows as dictionaries with explicit ids, many a
statement (core inserts, no ORM bookkeeping)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

BATCH = 5000


def table_of(model: type[SQLModel]) -> sa.Table:
    """Return a table model's table."""
    table = sa.inspect(model).local_table
    if not isinstance(table, sa.Table):  # pragma: no cover - every model here is a table
        raise TypeError(f"{model.__name__} is not a table")
    return table


def template(model: type[SQLModel], **required: Any) -> dict[str, Any]:
    """Return a row of a table with the model's defaults, to copy for each new row."""
    row = model(**required).model_dump()
    row.pop("id", None)
    return row


def next_id(session: Session, model: type[SQLModel]) -> int:
    """Return the id after the table's largest."""
    session.flush()
    largest = sa.select(sa.func.coalesce(sa.func.max(table_of(model).c.id), 0))
    return int(session.connection().execute(largest).scalar_one()) + 1


def utc(day: date, hour: int = 10) -> datetime:
    """Return a time on a day, in UTC."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


class Writer:
    """Collect rows per table and insert them in batches (executemany)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.pending: dict[type[SQLModel], list[dict[str, Any]]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)

    def add(self, model: type[SQLModel], row: dict[str, Any]) -> None:
        rows = self.pending[model]
        rows.append(row)
        if len(rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Insert every pending row, parent tables first (foreign keys are on)."""
        order = {t.name: i for i, t in enumerate(SQLModel.metadata.sorted_tables)}
        for model in sorted(self.pending, key=lambda m: order[table_of(m).name]):
            rows = self.pending.pop(model)
            if rows:
                table = table_of(model)
                self.session.connection().execute(sa.insert(table), rows)
                self.counts[table.name] += len(rows)


def reset_sequences(session: Session, models: list[type[SQLModel]]) -> None:
    """Move PostgreSQL's id sequences past the ids given explicitly."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in models:
        table = table_of(model).name
        session.connection().execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608 - table names from the model
                f'COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)'
            )
        )
