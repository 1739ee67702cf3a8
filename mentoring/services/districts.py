"""Districts: code and name, neighbours (kept symmetric), targets per programme year, coordinators.

A programme year starts on 1 April: programme year 2026 runs from 1 April 2026 to
31 March 2027 ("2026/27"). Progress against a district's target counts the families
referred in that year: identified (all of them) and worked with (engaged or exited).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from mentoring import audit
from mentoring.db import write_transaction
from mentoring.exceptions import DistrictError, NotFound
from mentoring.models import (
    CoordinatorDistrict,
    District,
    DistrictNeighbour,
    DistrictTarget,
    Engagement,
    Family,
    Role,
    User,
    service_today,
)

CODE_PATTERN = re.compile(r"[A-Z][A-Z0-9]{1,7}")
PHONE_PATTERN = re.compile(r"\+?[0-9][0-9 ]{5,38}")
WORKED_WITH = (Engagement.ENGAGED.value, Engagement.EXITED.value)


def programme_year_of(day: date) -> int:
    """Return the programme year a day falls in (years start on 1 April)."""
    return day.year if day.month >= 4 else day.year - 1


def programme_year_label(year: int) -> str:
    """Return a programme year as people write it: 2026/27."""
    return f"{year}/{(year + 1) % 100:02d}"


def programme_year_dates(year: int) -> tuple[date, date]:
    """Return the first and last day of a programme year."""
    return date(year, 4, 1), date(year + 1, 3, 31)


def neighbour_ids(*, session: Session, district_id: int) -> set[int]:
    """Return a district's neighbours."""
    return set(
        session.exec(
            select(DistrictNeighbour.neighbour_id).where(
                DistrictNeighbour.district_id == district_id
            )
        ).all()
    )


def coordinator_ids(*, session: Session, district_id: int) -> set[int]:
    """Return the coordinators assigned to a district."""
    return set(
        session.exec(
            select(CoordinatorDistrict.user_id).where(
                CoordinatorDistrict.district_id == district_id
            )
        ).all()
    )


def _check(
    session: Session,
    *,
    district_id: int | None,
    code: str,
    name: str,
    neighbours: set[int],
    coordinators: set[int],
) -> tuple[str, str]:
    code = code.strip().upper()
    name = " ".join(name.split())
    if not code:
        raise DistrictError("code", "Enter a district code")
    if not CODE_PATTERN.fullmatch(code):
        raise DistrictError(
            "code", "The code must be 2 to 8 capital letters or digits, starting with a letter"
        )
    if not name:
        raise DistrictError("name", "Enter the district's name")
    if len(name) > 80:
        raise DistrictError("name", "The name must be 80 characters or fewer")
    clash = session.exec(select(District).where(sa.func.upper(District.code) == code)).first()
    if clash is not None and clash.id != district_id:
        raise DistrictError("code", f"{clash.name} already has the code {code}")
    clash = session.exec(
        select(District).where(sa.func.lower(District.name) == name.lower())
    ).first()
    if clash is not None and clash.id != district_id:
        raise DistrictError("name", f"There is already a district called {clash.name}")
    if district_id is not None and district_id in neighbours:
        raise DistrictError("neighbours", "A district cannot be its own neighbour")
    known = set(session.exec(select(District.id)).all())
    if neighbours - known:
        raise DistrictError("neighbours", "Choose neighbours from the list")
    if coordinators:
        roles = dict(
            session.exec(
                select(User.id, User.role).where(col(User.id).in_(sorted(coordinators)))
            ).all()
        )
        if set(roles) != coordinators or any(r != Role.COORDINATOR.value for r in roles.values()):
            raise DistrictError("coordinators", "Choose coordinators from the list")
    return code, name


def _set_links(
    session: Session, district_id: int, neighbours: set[int], coordinators: set[int]
) -> list[str]:
    changed = []
    current = neighbour_ids(session=session, district_id=district_id)
    if current != neighbours:
        changed.append("neighbours")
        session.execute(
            sa.delete(DistrictNeighbour).where(
                sa.or_(
                    col(DistrictNeighbour.district_id) == district_id,
                    col(DistrictNeighbour.neighbour_id) == district_id,
                )
            )
        )
        for other in sorted(neighbours):
            # Stored both ways round: a neighbour's neighbour list changes too.
            session.add(DistrictNeighbour(district_id=district_id, neighbour_id=other))
            session.add(DistrictNeighbour(district_id=other, neighbour_id=district_id))
    current = coordinator_ids(session=session, district_id=district_id)
    if current != coordinators:
        changed.append("coordinators")
        session.execute(
            sa.delete(CoordinatorDistrict).where(
                col(CoordinatorDistrict.district_id) == district_id,
                col(CoordinatorDistrict.user_id).in_(sorted(current - coordinators)),
            )
        )
        for user_id in sorted(coordinators - current):
            session.add(CoordinatorDistrict(user_id=user_id, district_id=district_id))
    return changed


def _mash_phone(value: str) -> str:
    phone = " ".join(value.split())
    if phone and not PHONE_PATTERN.fullmatch(phone):
        raise DistrictError("mash_phone", "Enter a phone number, like 03000 41 11 11")
    return phone


def create_district(
    *,
    session: Session,
    code: str,
    name: str,
    neighbours: set[int] | None = None,
    coordinators: set[int] | None = None,
    mash_phone: str = "",
) -> District:
    """Add a district with its neighbours and coordinators; one transaction."""
    neighbours, coordinators = set(neighbours or ()), set(coordinators or ())
    code, name = _check(
        session,
        district_id=None,
        code=code,
        name=name,
        neighbours=neighbours,
        coordinators=coordinators,
    )
    phone = _mash_phone(mash_phone)
    with write_transaction(session):
        district = District(code=code, name=name, mash_phone=phone)
        session.add(district)
        session.flush()
        assert district.id is not None  # noqa: S101 - flushed
        _set_links(session, district.id, neighbours, coordinators)
        audit.record(
            session,
            "district.create",
            object_type="district",
            object_id=district.id,
            district_id=district.id,
        )
    return district


def update_district(
    *,
    session: Session,
    district: District,
    code: str,
    name: str,
    neighbours: set[int],
    coordinators: set[int],
    mash_phone: str | None = None,
) -> list[str]:
    """Change a district; return the names of what changed. Families keep their references."""
    assert district.id is not None  # noqa: S101
    code, name = _check(
        session,
        district_id=district.id,
        code=code,
        name=name,
        neighbours=set(neighbours),
        coordinators=set(coordinators),
    )
    phone = None if mash_phone is None else _mash_phone(mash_phone)
    with write_transaction(session):
        changed = []
        if district.code != code:
            district.code = code
            changed.append("code")
        if district.name != name:
            district.name = name
            changed.append("name")
        if phone is not None and district.mash_phone != phone:
            district.mash_phone = phone
            changed.append("mash_phone")
        session.add(district)
        session.flush()
        changed += _set_links(session, district.id, set(neighbours), set(coordinators))
        if changed:
            audit.record(
                session,
                "district.update",
                object_type="district",
                object_id=district.id,
                district_id=district.id,
                fields=changed,
            )
    return changed


def targets(*, session: Session, district_id: int) -> list[DistrictTarget]:
    """Return a district's targets, latest programme year first."""
    return list(
        session.exec(
            select(DistrictTarget)
            .where(DistrictTarget.district_id == district_id)
            .order_by(col(DistrictTarget.programme_year).desc())
        ).all()
    )


def set_target(
    *, session: Session, district: District, programme_year: int | None, target_families: Any
) -> DistrictTarget:
    """Set (or change) a district's target for a programme year."""
    if programme_year is None or not 2000 <= programme_year <= 2100:
        raise DistrictError("programme_year", "Enter the year the programme year starts, like 2026")
    if not isinstance(target_families, int) or target_families < 0:
        raise DistrictError("target_families", "Enter the target as a whole number, like 40")
    if target_families > 100_000:
        raise DistrictError("target_families", "The target must be 100,000 or fewer")
    if district.id is None:
        raise NotFound("Page not found")
    district_id = district.id
    with write_transaction(session):
        row = session.exec(
            select(DistrictTarget).where(
                DistrictTarget.district_id == district.id,
                DistrictTarget.programme_year == programme_year,
            )
        ).first()
        if row is None:
            row = DistrictTarget(
                district_id=district_id,
                programme_year=programme_year,
                target_families=target_families,
            )
        row.target_families = target_families
        session.add(row)
        audit.record(
            session,
            "district.target",
            object_type="district",
            object_id=district.id,
            district_id=district.id,
            programme_year=programme_year,
        )
    return row


def remove_target(*, session: Session, district: District, programme_year: int) -> bool:
    """Remove a district's target for a programme year; return whether there was one."""
    with write_transaction(session):
        row = session.exec(
            select(DistrictTarget).where(
                DistrictTarget.district_id == district.id,
                DistrictTarget.programme_year == programme_year,
            )
        ).first()
        if row is None:
            return False
        session.delete(row)
        audit.record(
            session,
            "district.target_removed",
            object_type="district",
            object_id=district.id,
            district_id=district.id,
            programme_year=programme_year,
        )
    return True


@dataclass
class Progress:
    """Families referred in a programme year against the district's target."""

    target: int | None
    identified: int
    worked_with: int

    @property
    def percent(self) -> int | None:
        if not self.target:
            return None
        return round(100 * self.worked_with / self.target)


def progress(
    *, session: Session, district_ids: set[int], programme_year: int
) -> dict[int, Progress]:
    """Return each district's progress in a programme year (three queries)."""
    ids = sorted(district_ids)
    if not ids:
        return {}
    first, last = programme_year_dates(programme_year)
    in_year = [
        col(Family.district_id).in_(ids),
        col(Family.referred_on) >= first,
        col(Family.referred_on) <= last,
    ]
    identified = dict(
        session.exec(
            select(Family.district_id, sa.func.count())
            .where(*in_year)
            .group_by(col(Family.district_id))
        ).all()
    )
    worked = dict(
        session.exec(
            select(Family.district_id, sa.func.count())
            .where(*in_year, col(Family.engagement).in_(WORKED_WITH))
            .group_by(col(Family.district_id))
        ).all()
    )
    goal = dict(
        session.exec(
            select(DistrictTarget.district_id, DistrictTarget.target_families).where(
                col(DistrictTarget.district_id).in_(ids),
                DistrictTarget.programme_year == programme_year,
            )
        ).all()
    )
    return {
        d: Progress(
            target=goal.get(d), identified=identified.get(d, 0), worked_with=worked.get(d, 0)
        )
        for d in ids
    }


def current_programme_year() -> int:
    """Return today's programme year."""
    return programme_year_of(service_today())
