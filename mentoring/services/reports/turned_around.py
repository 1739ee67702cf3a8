"""The programme's "turned around" rule in SQL, as bits of a family's problems and results.

The same rule as ``families.assess_turned_around`` (tested against it): turned around, the
family has at least one counted problem (phase 1 counts only the phase 1 criteria) and
every one has a result that addresses it, or, in phase 2, an adult moved into work.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from mentoring.models import (
    PHASE1_CRITERIA,
    Criterion,
    Family,
    FamilyCriterion,
    FamilyOutcome,
    Outcome,
)
from mentoring.services.families import RESULTS_FOR

# Bits for the turned-around rule in SQL: one per problem, and one for "an adult into work".
CRITERION_BIT = {c.value: 1 << i for i, c in enumerate(Criterion)}
INTO_WORK_BIT = 1 << len(CRITERION_BIT)
ALL_PROBLEMS = sum(CRITERION_BIT.values())
PHASE1_PROBLEMS = sum(CRITERION_BIT[c.value] for c in PHASE1_CRITERIA)


def criteria_mask() -> Any:
    """SQL: the family's problems as bits (``CRITERION_BIT``), one correlated lookup."""
    bit = sa.case(
        *((col(FamilyCriterion.criterion) == code, b) for code, b in CRITERION_BIT.items()), else_=0
    )
    return (
        select(sa.func.coalesce(sa.func.sum(bit), 0))
        .where(FamilyCriterion.family_id == Family.id)
        .correlate(Family)
        .scalar_subquery()
    )


def results_mask() -> Any:
    """SQL: the problems the family's results address as bits, plus ``INTO_WORK_BIT``."""
    parts = [
        sa.func.max(
            sa.case(
                # OR of equalities: SQLite builds a table for an IN list on every lookup.
                (
                    sa.or_(*(col(FamilyOutcome.outcome) == r for r in sorted(results))),
                    CRITERION_BIT[c.value],
                ),
                else_=0,
            )
        )
        for c, results in RESULTS_FOR.items()
    ]
    parts.append(
        sa.func.max(
            sa.case((col(FamilyOutcome.outcome) == Outcome.INTO_WORK.value, INTO_WORK_BIT), else_=0)
        )
    )
    total: sa.ColumnElement[Any] = parts[0]
    for part in parts[1:]:
        total = total + part
    return (
        select(sa.func.coalesce(total, 0))
        .where(FamilyOutcome.family_id == Family.id)
        .correlate(Family)
        .scalar_subquery()
    )


def turned_around_rule(phase: Any, criteria: Any, results: Any) -> Any:
    """SQL: ``families.assess_turned_around`` on a family's phase and its two masks."""
    counted = sa.case((phase == 1, PHASE1_PROBLEMS), else_=ALL_PROBLEMS)
    problems = criteria.bitwise_and(counted)
    return sa.and_(
        problems != 0,
        sa.or_(
            problems.bitwise_and(results) == problems,
            sa.and_(phase == 2, results.bitwise_and(INTO_WORK_BIT) != 0),
        ),
    )


def turned_around_clause() -> Any:
    """SQL: the family is turned around (``families.assess_turned_around``)."""
    return turned_around_rule(Family.programme_phase, criteria_mask(), results_mask())
