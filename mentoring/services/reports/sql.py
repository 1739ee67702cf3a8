"""SQL helpers the report queries share: counting, date arithmetic, running a select."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col, select

from mentoring.models import District


class days_between(FunctionElement[float]):  # noqa: N801 - reads as a SQL function
    """SQL: the days from one date to a later one (``later - earlier``)."""

    type = sa.Float()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between_default(element: Any, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"(julianday({later}) - julianday({earlier}))"


def count_if(condition: Any) -> Any:
    """SQL: how many rows of the group meet the condition (0 for none)."""
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def rows(session: Session, statement: Any) -> list[Any]:
    """Run a select of columns on the session's connection (no ORM bookkeeping)."""
    return list(session.connection().execute(statement).all())


def no_jit(session: Session) -> None:
    """Turn PostgreSQL's JIT compilation off for this transaction: for these short
    aggregate queries compiling takes longer (about 50 ms) than running them."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL jit = off")


def lazy_and(clause: Any) -> Any:
    """SQL: the same as an ``and_`` of conditions, but later ones are only worked out when
    the earlier ones hold (a CASE, which databases evaluate in order: SQLite otherwise
    runs every correlated subquery of an AND in a select list). NULL counts as false."""
    conditions = list(getattr(clause, "clauses", [clause]))
    expression = conditions[-1]
    for condition in reversed(conditions[:-1]):
        expression = sa.case((condition, expression), else_=sa.false())
    return expression


def in_districts(column: Any, district_ids: Iterable[int]) -> Any:
    """SQL: the column is one of the districts."""
    return column.in_(sorted(district_ids))


def districts_by_name(session: Session, district_ids: Iterable[int]) -> list[tuple[int, str, str]]:
    """Return (id, code, name) of the districts that exist among the ids, by name."""
    return [
        (int(d), str(code), str(name))
        for d, code, name in rows(
            session,
            select(District.id, District.code, District.name)
            .where(in_districts(District.id, district_ids))
            .order_by(col(District.name)),
        )
    ]
