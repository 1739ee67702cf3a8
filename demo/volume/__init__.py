"""A large invented data set for measuring the reports: `flask --app mentoring load-volume`.

Families, mentors, their vetting, matches, contacts, results and stage changes, spread over
the last few programme years across Kent's 12 districts, inserted in bulk (core inserts
with explicit ids, many rows a statement). Everything is invented; nobody real is in it.
Seeded pseudo-random data, not security.
"""
# ruff: noqa: S311

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from demo.shared import DISTRICTS, NEIGHBOURS, district_weights, saved_id
from demo.volume.bulk import Writer, reset_sequences
from demo.volume.families import add_families
from demo.volume.matches import add_matches
from demo.volume.mentors import add_mentors
from mentoring.models import (
    AuditEvent,
    ContactLog,
    DbsCheck,
    District,
    DistrictNeighbour,
    DistrictTarget,
    Family,
    FamilyCriterion,
    FamilyOutcome,
    Interview,
    Match,
    Mentor,
    Need,
    Reference,
    TrainingModule,
    TrainingRecord,
    service_today,
)
from mentoring.services.districts import programme_year_dates, programme_year_of


class VolumeError(RuntimeError):
    """The data set cannot be loaded into this database."""


@dataclass
class VolumeSummary:
    rows: dict[str, int]
    seconds: float

    def __str__(self) -> str:
        counts = ", ".join(f"{n:,} {name}" for name, n in self.rows.items())
        return f"Loaded in {self.seconds:.1f} s: {counts}."


def _districts(session: Session, families_per_year: int, years: list[int]) -> list[District]:
    """Return the districts, adding Kent's 12 (with neighbours) when there are none, and
    targets in proportion to the volume for the years without one."""
    rows = list(session.exec(select(District).order_by(col(District.id))).all())
    if not rows:
        by_code: dict[str, District] = {}
        for code, name, *_targets in DISTRICTS:
            district = District(code=code, name=name)
            session.add(district)
            by_code[code] = district
        session.flush()
        for code, others in NEIGHBOURS.items():
            for other in others:
                session.add(
                    DistrictNeighbour(
                        district_id=saved_id(by_code[code]), neighbour_id=saved_id(by_code[other])
                    )
                )
        rows = list(by_code.values())
    weights = district_weights([d.code for d in rows])
    total = sum(weights)
    for district, weight in zip(rows, weights, strict=True):
        have = set(
            session.exec(
                select(DistrictTarget.programme_year).where(
                    col(DistrictTarget.district_id) == district.id
                )
            ).all()
        )
        for year in years:
            if year not in have:
                session.add(
                    DistrictTarget(
                        district_id=saved_id(district),
                        programme_year=year,
                        target_families=round(families_per_year * 0.9 * weight / total),
                    )
                )
    session.flush()
    return rows


def load_volume(
    session: Session,
    *,
    families: int = 50_000,
    mentors: int = 10_000,
    years: int = 3,
    seed: int = 7,
    on: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> VolumeSummary:
    """Load a large invented data set into a database that has no families or mentors yet."""
    started = time.perf_counter()
    say = progress or (lambda _message: None)
    if families < 0 or mentors < 0:
        raise VolumeError("--families and --mentors must be 0 or more")
    if not 1 <= years <= 10:
        raise VolumeError("--years must be between 1 and 10")
    if session.exec(select(Family.id).limit(1)).first() is not None or (
        session.exec(select(Mentor.id).limit(1)).first() is not None
    ):
        raise VolumeError(
            "The database already has families or mentors: load the volume data set into an "
            "empty database (after `flask --app mentoring db upgrade`)"
        )
    rng = random.Random(seed)
    today = on or service_today()
    this_year = programme_year_of(today)
    year_list = list(range(this_year - years + 1, this_year + 1))
    first_day = programme_year_dates(year_list[0])[0]
    span = max(1, (today - first_day).days)
    districts = _districts(session, families // years, year_list)
    needs = {code: i for code, i in session.exec(select(Need.code, Need.id)).all() if i is not None}
    modules = list(session.exec(select(TrainingModule)).all())
    writer = Writer(session)

    say(f"Families: {families:,}")
    family_info = add_families(
        writer, session, rng, today, first_day, span, districts, needs, families
    )
    writer.flush()
    say(f"Mentors: {mentors:,}")
    mentor_info = add_mentors(
        writer, session, rng, today, first_day, span, districts, modules, mentors, family_info
    )
    writer.flush()
    say("Matches and contacts")
    add_matches(writer, session, rng, today, mentor_info, family_info)
    writer.flush()
    for district in districts:
        district.next_family_number = family_info.next_number[saved_id(district)]
        session.add(district)
    reset_sequences(
        session,
        [
            Family,
            FamilyCriterion,
            FamilyOutcome,
            Mentor,
            Reference,
            DbsCheck,
            Interview,
            TrainingRecord,
            Match,
            ContactLog,
            AuditEvent,
        ],
    )
    session.commit()
    return VolumeSummary(dict(writer.counts), time.perf_counter() - started)
