"""What the coordinator's matching pages show: runs, proposals, hand assignment, matches.

Each function takes records the view has already loaded through `load_visible` (or the
user's districts) and assembles a page in a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

import matching
from mentoring.models import (
    ContactLog,
    District,
    Family,
    Match,
    MatchingRun,
    MatchStatus,
    Mentor,
    MentorSkill,
    Need,
    User,
)
from mentoring.services.common.holding import load_counts, mentors_serving
from mentoring.services.families import matching_ready_family_ids
from mentoring.services.matches import Monitoring, monitoring
from mentoring.services.matching import proposal_problems
from mentoring.services.vetting import matchable_mentor_ids

MatchRow = tuple[Match, Family, Mentor]


def districts_in(session: Session, district_ids: Collection[int]) -> list[District]:
    """The districts of these ids, by name."""
    return list(
        session.exec(
            select(District)
            .where(col(District.id).in_(sorted(district_ids)))
            .order_by(col(District.name))
        ).all()
    )


def _district_names(session: Session) -> dict[int, str]:
    return {d: name for d, name in session.exec(select(District.id, District.name)).all() if d}


@dataclass(frozen=True)
class RunsPage:
    runs: list[MatchingRun]  # without their replay input and reasons (not loaded)
    run_districts: dict[int | None, str]
    open_counts: dict[int | None, int]
    waiting_counts: dict[int | None, int]


def runs_page(session: Session, *, district_ids: Collection[int], limit: int = 20) -> RunsPage:
    """The latest runs over the user's districts, with their districts and open proposals."""
    mine = set(district_ids)
    # A county run's replay input and reasons are megabytes: this list loads neither.
    heavy = (MatchingRun.input, MatchingRun.unmatched, MatchingRun.weights, MatchingRun.objective)
    runs = [
        r
        for r in session.exec(
            select(MatchingRun)
            .options(*(defer(c) for c in heavy))  # type: ignore[arg-type]
            .order_by(col(MatchingRun.started_at).desc())
            .limit(200)
        ).all()
        if set(r.district_ids) & mine
    ][:limit]
    ids = [r.id for r in runs]
    waiting_counts: dict[int | None, int] = dict(
        session.exec(
            select(MatchingRun.id, sa.func.json_array_length(MatchingRun.unmatched)).where(
                col(MatchingRun.id).in_(ids)
            )
        ).all()
    )
    names = _district_names(session)
    # Open proposals the user can decide: those of their own districts.
    open_counts: dict[int | None, int] = dict(
        session.exec(
            select(Match.run_id, sa.func.count())
            .join(Family, col(Family.id) == Match.family_id)
            .where(
                col(Match.run_id).in_([r.id for r in runs]),
                Match.status == MatchStatus.PROPOSED.value,
                col(Family.district_id).in_(sorted(mine)),
            )
            .group_by(col(Match.run_id))
        ).all()
    )
    return RunsPage(
        runs=runs,
        run_districts={r.id: ", ".join(names.get(d, "?") for d in r.district_ids) for r in runs},
        open_counts=open_counts,
        waiting_counts=waiting_counts,
    )


@dataclass(frozen=True)
class RunPage:
    run: MatchingRun
    rows: list[MatchRow]
    problems: dict[int, list[str]]
    district_names: str
    starter: User | None
    # The families left waiting, of the user's districts only.
    unmatched: list[dict[str, Any]]
    # True when the run covered districts the user does not see (their proposals are not
    # shown: their coordinators decide them).
    partial: bool
    # Each proposal's explanation, strengths apart from weaknesses, by match id.
    readings: dict[int, matching.Reading] = field(default_factory=dict)


def run_page(
    session: Session, *, run: MatchingRun, on: date, district_ids: Collection[int]
) -> RunPage:
    """A run's proposals in the user's districts, what makes open ones stale, who ran it."""
    mine = sorted(set(district_ids) & set(run.district_ids))
    rows = list(
        session.exec(
            select(Match, Family, Mentor)
            .join(Family, col(Family.id) == Match.family_id)
            .join(Mentor, col(Mentor.id) == Match.mentor_id)
            .where(Match.run_id == run.id, col(Family.district_id).in_(mine))
            .order_by(col(Family.reference), col(Match.slot))
        ).all()
    )
    open_proposals = [m for m, _, _ in rows if m.status == MatchStatus.PROPOSED.value]
    names = _district_names(session)
    refs = sorted({u.get("family", "") for u in run.unmatched})
    seen = (
        set(
            session.exec(
                select(Family.reference).where(
                    col(Family.reference).in_(refs), col(Family.district_id).in_(mine)
                )
            ).all()
        )
        if refs
        else set()
    )
    return RunPage(
        run=run,
        rows=rows,
        problems=proposal_problems(session=session, proposals=open_proposals, on=on),
        district_names=", ".join(names.get(d, "?") for d in run.district_ids),
        starter=session.get(User, run.started_by_id) if run.started_by_id else None,
        unmatched=[u for u in run.unmatched if u.get("family") in seen],
        partial=not set(run.district_ids) <= set(district_ids),
        readings={m.id: reading(m) for m, _, _ in rows if m.id is not None},
    )


def reading(match: Match) -> matching.Reading:
    """A match's stored explanation, sorted into context, strengths and weaknesses."""
    return matching.read_explanation(match.explanation.get("lines", []))


def open_proposal_ids(
    session: Session, *, run: MatchingRun, district_ids: Collection[int]
) -> set[int]:
    """The ids of a run's proposals in these districts still waiting for a decision."""
    ids = session.exec(
        select(Match.id)
        .join(Family, col(Family.id) == Match.family_id)
        .where(
            Match.run_id == run.id,
            Match.status == MatchStatus.PROPOSED.value,
            col(Family.district_id).in_(sorted(district_ids)),
        )
    ).all()
    return {i for i in ids if i is not None}


@dataclass(frozen=True)
class AvailableMentor:
    mentor: Mentor
    district: str
    held: int
    skills: list[str] = field(default_factory=list)


def ready_families(session: Session, *, district_ids: Collection[int]) -> list[Family]:
    """The families ready for matching in these districts, by reference."""
    ready = matching_ready_family_ids(session=session, district_ids=set(district_ids))
    return list(
        session.exec(
            select(Family).where(col(Family.id).in_(sorted(ready))).order_by(col(Family.reference))
        ).all()
    )


def available_mentors(
    session: Session, *, district_ids: Collection[int], on: date
) -> list[AvailableMentor]:
    """Matchable mentors with room who serve one of the districts (home or travel), most
    room first: a coordinator sees no one else's vetting or load."""
    ids = sorted(
        mentors_serving(session, district_ids) & matchable_mentor_ids(session=session, on=on)
    )
    if not ids:
        return []
    counts = load_counts(session, ids)
    names = _district_names(session)
    skills: dict[int, list[str]] = {}
    for mid, label in session.exec(
        select(MentorSkill.mentor_id, Need.name)
        .join(Need, col(Need.id) == MentorSkill.need_id)
        .where(col(MentorSkill.mentor_id).in_(ids))
        .order_by(col(Need.sort_order))
    ).all():
        skills.setdefault(mid, []).append(label)
    rows = []
    for m in session.exec(select(Mentor).where(col(Mentor.id).in_(ids))).all():
        held = counts.get(m.id, 0) if m.id is not None else 0
        if held < m.capacity and m.id is not None:
            rows.append(
                AvailableMentor(m, names.get(m.home_district_id, ""), held, skills.get(m.id, []))
            )
    rows.sort(key=lambda r: (r.held - r.mentor.capacity, r.mentor.reference))
    return rows


def mentor_serving(session: Session, *, reference: str, district_id: int) -> Mentor | None:
    """The mentor with this reference if they serve the district (home or travel)."""
    if mentor_ids := mentors_serving(session, {district_id}):
        return session.exec(
            select(Mentor).where(
                Mentor.reference == reference.strip().upper(), col(Mentor.id).in_(mentor_ids)
            )
        ).first()
    return None


@dataclass(frozen=True)
class MatchesPage:
    report: Monitoring
    current: list[MatchRow]


def matches_page(
    session: Session,
    *,
    district_ids: Collection[int],
    on: date,
    no_contact_days: int,
    offer_days: int,
) -> MatchesPage:
    """Offered and active matches in the districts, and what needs attention."""
    report = monitoring(
        session=session,
        district_ids=set(district_ids),
        on=on,
        no_contact_days=no_contact_days,
        offer_days=offer_days,
    )
    current = session.exec(
        select(Match, Family, Mentor)
        .join(Family, col(Family.id) == Match.family_id)
        .join(Mentor, col(Mentor.id) == Match.mentor_id)
        .where(
            col(Match.status).in_([MatchStatus.APPROVED.value, MatchStatus.ACTIVE.value]),
            col(Family.district_id).in_(sorted(district_ids)),
        )
        .order_by(col(Family.reference))
    ).all()
    return MatchesPage(report=report, current=list(current))


@dataclass(frozen=True)
class MatchPage:
    match: Match
    family: Family
    mentor: Mentor
    contacts: list[ContactLog]
    # For a proposal still waiting: what makes it out of date (empty when it can be approved).
    problems: list[str] = field(default_factory=list)
    reading: matching.Reading | None = None


def match_parties(session: Session, match: Match) -> tuple[Family, Mentor]:
    """The family and the mentor of a match (foreign keys: both exist)."""
    family = session.get(Family, match.family_id)
    mentor = session.get(Mentor, match.mentor_id)
    if family is None or mentor is None:  # pragma: no cover - foreign keys
        raise LookupError("a match without its family or mentor")
    return family, mentor


def match_page(session: Session, *, match: Match, on: date) -> MatchPage:
    """One match with its family, mentor and contacts, newest first (and, for a proposal,
    what makes it out of date)."""
    family, mentor = match_parties(session, match)
    contacts = session.exec(
        select(ContactLog)
        .where(ContactLog.match_id == match.id)
        .order_by(col(ContactLog.contact_on).desc())
    ).all()
    problems = (
        proposal_problems(session=session, proposals=[match], on=on).get(match.id or 0, [])
        if match.status == MatchStatus.PROPOSED.value
        else []
    )
    return MatchPage(
        match=match,
        family=family,
        mentor=mentor,
        contacts=list(contacts),
        problems=problems,
        reading=reading(match),
    )
