"""Outcomes and payment by results: results achieved, families turned around, the fees
they imply, per district."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from mentoring.models import Outcome
from mentoring.services.reports.families import family_counts, outcome_counts
from mentoring.services.reports.payments import PaymentRates, Payments, payments
from mentoring.services.reports.period import Period
from mentoring.services.reports.sql import districts_by_name, no_jit


@dataclass
class OutcomeRow:
    district_id: int
    code: str
    name: str
    identified: int
    attached: int
    outcomes: dict[str, int]
    turned_around: int
    payable_results: int
    payments: Payments


def outcomes_report(
    *, session: Session, district_ids: set[int], period: Period, rates: PaymentRates
) -> list[OutcomeRow]:
    """Per district: the period's families, results achieved, turned around, fees implied."""
    if not district_ids:
        return []
    no_jit(session)
    districts = districts_by_name(session, district_ids)
    ids = {d for d, *_ in districts}
    families = family_counts(session=session, district_ids=ids, period=period)
    outcomes = outcome_counts(session=session, district_ids=ids, period=period)
    rows = []
    for d, code, name in districts:
        f = families[d]
        rows.append(
            OutcomeRow(
                district_id=d,
                code=code,
                name=name,
                identified=f.identified,
                attached=f.engaged,
                outcomes=outcomes[d],
                turned_around=f.turned_around,
                payable_results=f.turned_around_engaged,
                payments=payments(attached=f.engaged, results=f.turned_around_engaged, rates=rates),
            )
        )
    return rows


def total_outcomes(rows: list[OutcomeRow], rates: PaymentRates) -> OutcomeRow:
    attached = sum(r.attached for r in rows)
    payable = sum(r.payable_results for r in rows)
    outcomes = dict.fromkeys(Outcome.values(), 0)
    for r in rows:
        for key, n in r.outcomes.items():
            outcomes[key] += n
    return OutcomeRow(
        district_id=0,
        code="",
        name="All districts",
        identified=sum(r.identified for r in rows),
        attached=attached,
        outcomes=outcomes,
        turned_around=sum(r.turned_around for r in rows),
        payable_results=payable,
        payments=payments(attached=attached, results=payable, rates=rates),
    )
