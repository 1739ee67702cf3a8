"""What the district pages show: districts with their neighbours and progress against the
target, one district's coordinators and targets by programme year, and the choices of the
district form. A fixed number of queries whatever the number of districts.

The view has already checked the district (``load_visible``) or passes the districts the
user may see (``visible_district_ids``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from mentoring.models import (
    CoordinatorDistrict,
    District,
    DistrictNeighbour,
    Role,
    User,
)
from mentoring.services import districts as service


@dataclass(frozen=True)
class DistrictOption:
    """A district to link to or choose: no figures, no people."""

    id: int
    code: str
    name: str


def options(*, session: Session, only: Iterable[int] | None = None) -> list[DistrictOption]:
    """Return the districts by name (only some of them when ``only`` is given)."""
    query = select(District.id, District.code, District.name).order_by(col(District.name))
    if only is not None:
        query = query.where(col(District.id).in_(sorted(only)))
    return [
        DistrictOption(id=d, code=code, name=name)
        for d, code, name in session.exec(query).all()
        if d is not None
    ]


def _neighbour_names(session: Session, district_ids: Iterable[int]) -> dict[int, list[str]]:
    """Return each district's neighbours' names, sorted (one query)."""
    ids = sorted(district_ids)
    out: dict[int, list[str]] = {d: [] for d in ids}
    rows = session.exec(
        select(DistrictNeighbour.district_id, District.name)
        .join(District, col(District.id) == DistrictNeighbour.neighbour_id)
        .where(col(DistrictNeighbour.district_id).in_(ids))
    ).all()
    for district_id, name in rows:
        out[district_id].append(name)
    return {d: sorted(names) for d, names in out.items()}


@dataclass(frozen=True)
class DistrictList:
    districts: list[DistrictOption]
    neighbours: dict[int, list[str]]
    progress: dict[int, service.Progress]


def district_list(
    *, session: Session, district_ids: Iterable[int], programme_year: int
) -> DistrictList:
    """Return the districts with their neighbours and progress in a programme year."""
    rows = options(session=session, only=district_ids)
    ids = {d.id for d in rows}
    return DistrictList(
        districts=rows,
        neighbours=_neighbour_names(session, ids),
        progress=service.progress(session=session, district_ids=ids, programme_year=programme_year),
    )


@dataclass(frozen=True)
class DistrictPage:
    neighbours: list[str]
    coordinators: list[str]
    years: list[int]
    by_year: dict[int, service.Progress]
    labels: dict[int, str]
    this_year: int


def district_page(*, session: Session, district_id: int) -> DistrictPage:
    """Return a district's neighbours, coordinators and progress in each year with a target
    (and this year)."""
    coordinators = session.exec(
        select(User.name)
        .join(CoordinatorDistrict, col(CoordinatorDistrict.user_id) == User.id)
        .where(col(CoordinatorDistrict.district_id) == district_id)
        .order_by(col(User.name))
    ).all()
    target_years = [
        t.programme_year for t in service.targets(session=session, district_id=district_id)
    ]
    this_year = service.current_programme_year()
    years = sorted({*target_years, this_year}, reverse=True)
    return DistrictPage(
        neighbours=_neighbour_names(session, [district_id])[district_id],
        coordinators=list(coordinators),
        years=years,
        by_year={
            y: service.progress(session=session, district_ids={district_id}, programme_year=y)[
                district_id
            ]
            for y in years
        },
        labels={y: service.programme_year_label(y) for y in years},
        this_year=this_year,
    )


@dataclass(frozen=True)
class DistrictChoices:
    """The district form's choices: (id, label) pairs."""

    neighbours: list[tuple[int, str]]
    coordinators: list[tuple[int, str]]


def district_choices(*, session: Session, district_id: int | None) -> DistrictChoices:
    """Return the districts that may be neighbours (not the district itself) and the
    coordinators that may be assigned."""
    coordinators = session.exec(
        select(User.id, User.name, User.email)
        .where(col(User.role) == Role.COORDINATOR.value)
        .order_by(col(User.name))
    ).all()
    return DistrictChoices(
        neighbours=[(d.id, d.name) for d in options(session=session) if d.id != district_id],
        coordinators=[(u, f"{name} ({email})") for u, name, email in coordinators if u is not None],
    )


@dataclass(frozen=True)
class DistrictLinks:
    """A district's neighbours and coordinators, as ids (to fill in the form)."""

    neighbour_ids: set[int]
    coordinator_ids: set[int]


def district_links(*, session: Session, district_id: int) -> DistrictLinks:
    """Return a district's neighbours and coordinators."""
    return DistrictLinks(
        neighbour_ids=service.neighbour_ids(session=session, district_id=district_id),
        coordinator_ids=service.coordinator_ids(session=session, district_id=district_id),
    )
