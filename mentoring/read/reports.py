"""What the report pages show: the figures of the districts in scope, in a fixed number of
queries (``mentoring.services.reports`` counts them), and the districts to choose from.

The view has already checked the district of a dashboard (``load_visible``); the mentor
programme's optional home district is read here, and an unknown one is ``NotFound``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from mentoring.exceptions import NotFound
from mentoring.models import service_today
from mentoring.read.districts import DistrictOption, options
from mentoring.services import reports
from mentoring.services.vetting import current_policy


def districts(*, session: Session, only: Iterable[int] | None = None) -> list[DistrictOption]:
    """Return the districts to link to or choose from, by name."""
    return options(session=session, only=only)


@dataclass(frozen=True)
class Dashboard:
    """A district's figures for the period, and the settings its "now" figures use."""

    figures: reports.DistrictFigures
    today: date
    no_contact_days: int
    reminder_days: int


def dashboard(*, session: Session, district_id: int, period: reports.Period) -> Dashboard:
    """Return one district's dashboard figures."""
    figures = reports.district_figures(session=session, district_ids={district_id}, period=period)[
        0
    ]
    return Dashboard(
        figures=figures,
        today=service_today(),
        no_contact_days=reports.no_contact_days(),
        reminder_days=current_policy().reminder_days,
    )


def county(*, session: Session, period: reports.Period) -> list[reports.DistrictFigures]:
    """Return every district's figures, by name."""
    ids = {d.id for d in districts(session=session)}
    return reports.district_figures(session=session, district_ids=ids, period=period)


@dataclass(frozen=True)
class Outcomes:
    rows: list[reports.OutcomeRow]
    rates: reports.PaymentRates


def outcomes(*, session: Session, district_ids: Iterable[int], period: reports.Period) -> Outcomes:
    """Return the districts' results and the payments they imply at the configured rates."""
    rates = reports.payment_rates()
    rows = reports.outcomes_report(
        session=session, district_ids=set(district_ids), period=period, rates=rates
    )
    return Outcomes(rows=rows, rates=rates)


@dataclass(frozen=True)
class MentorScope:
    """The home districts a mentor programme report covers: all, or the one chosen."""

    district_ids: set[int]
    chosen: DistrictOption | None
    districts: list[DistrictOption]

    @property
    def name(self) -> str:
        return self.chosen.name if self.chosen else "All districts"

    @property
    def slug(self) -> str:
        return self.chosen.code.lower() if self.chosen else "all"


def mentor_scope(*, session: Session, district: str) -> MentorScope:
    """Read the optional home-district filter (a district id); an unknown one is NotFound."""
    options = districts(session=session)
    if not district:
        return MentorScope({d.id for d in options}, None, options)
    chosen = next((d for d in options if str(d.id) == district), None)
    if chosen is None:
        raise NotFound("Page not found")
    return MentorScope({chosen.id}, chosen, options)


def mentor_programme(
    *, session: Session, scope: MentorScope, period: reports.Period
) -> reports.MentorProgramme:
    """Return the mentor programme figures of the scope's home districts."""
    return reports.mentor_programme(session=session, district_ids=scope.district_ids, period=period)


def safeguarding(*, session: Session, period: reports.Period) -> reports.SafeguardingFigures:
    """Return the period's safeguarding counts (never a case's words)."""
    return reports.safeguarding_figures(session=session, period=period)
