"""Engine input and output: rows into the engine's `Problem`, and the rules it judges by.

The engine (`matching/`) knows nothing of the database. This module loads only matchable
mentors (the vetting gate) and families ready for matching, passes each mentor's
remaining capacity, and names mentors and families by their references (M-0001,
DAR-0042), which are pseudonymous. `pair_rule_problems` judges a hand assignment by the
engine's own rules (`matching.rule_failures`), so it meets exactly what a proposal does.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

import matching
from mentoring.db import saved_id
from mentoring.models import (
    District,
    DistrictNeighbour,
    EndReason,
    Family,
    FamilyCriterion,
    FamilyNeed,
    Match,
    MatchStatus,
    Mentor,
    MentorConflict,
    MentorKind,
    MentorSkill,
    MentorTravelDistrict,
    Need,
    Slot,
)
from mentoring.services.common.holding import HOLDING, load_counts, mentors_serving
from mentoring.services.families import family_days_waiting, matching_ready_family_ids
from mentoring.services.vetting import check_gate, matchable_mentor_ids, mentor_unlocked_needs

KINDS: dict[str, matching.Kind] = {"volunteer": "volunteer", "role_model": "role_model"}
SLOT_NAMES: dict[str, matching.SlotName] = {"mentor": "mentor", "role_model": "role_model"}
KIND_SLOT = {
    MentorKind.VOLUNTEER.value: Slot.MENTOR.value,
    MentorKind.ROLE_MODEL.value: Slot.ROLE_MODEL.value,
}


@dataclass
class EngineInput:
    """The engine's problem and the maps back from its names to rows."""

    problem: matching.Problem
    mentor_ids: dict[str, int]
    family_ids: dict[str, int]
    district_codes: dict[int, str]
    # Family slots left out because someone else's proposal for them awaits a decision,
    # in the form of the engine's unmatched slots (`matching.Unmatched.to_json`).
    held_back: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    # Each mentor's slots already held (offered, accepted or active), by engine id.
    held: dict[str, int] = dataclasses.field(default_factory=dict)
    capacity: dict[str, int] = dataclasses.field(default_factory=dict)


def _district_maps(session: Session) -> tuple[dict[int, str], dict[str, frozenset[str]]]:
    codes = {d: code for d, code in session.exec(select(District.id, District.code)).all() if d}
    neighbours: dict[str, set[str]] = defaultdict(set)
    for a, b in session.exec(
        select(DistrictNeighbour.district_id, DistrictNeighbour.neighbour_id)
    ).all():
        neighbours[codes[a]].add(codes[b])
    return codes, {k: frozenset(v) for k, v in neighbours.items()}


def _need_codes(session: Session) -> dict[int, str]:
    return {n: code for n, code in session.exec(select(Need.id, Need.code)).all() if n}


def _sets(
    session: Session, owner: Any, value: Any, ids: list[int], names: dict[int, str]
) -> dict[int, set[str]]:
    """For each owner id, the names of the values linked to it (one query)."""
    out: dict[int, set[str]] = defaultdict(set)
    for owner_id, value_id in session.exec(select(owner, value).where(col(owner).in_(ids))).all():
        out[owner_id].add(names[value_id])
    return out


def engine_mentors(
    session: Session, mentor_ids: set[int], *, on: date, codes: dict[int, str]
) -> dict[int, matching.Mentor]:
    """Turn mentor rows into the engine's mentors (a fixed number of queries)."""
    ids = sorted(mentor_ids)
    if not ids:
        return {}
    needs = _need_codes(session)
    rows = session.exec(select(Mentor).where(col(Mentor.id).in_(ids))).all()
    travel = _sets(
        session, MentorTravelDistrict.mentor_id, MentorTravelDistrict.district_id, ids, codes
    )
    skills = _sets(session, MentorSkill.mentor_id, MentorSkill.need_id, ids, needs)
    conflicts: dict[int, set[str]] = defaultdict(set)
    for mid, ref in session.exec(
        select(MentorConflict.mentor_id, Family.reference)
        .join(Family, col(Family.id) == MentorConflict.family_id)
        .where(col(MentorConflict.mentor_id).in_(ids))
    ).all():
        conflicts[mid].add(ref)
    unlocked = mentor_unlocked_needs(session=session, mentor_ids=ids, on=on)
    out = {}
    for m in rows:
        assert m.id is not None  # noqa: S101 - loaded rows have ids
        # A specialist need counts as a skill only with in-date specialist training.
        trained = unlocked.get(m.id, set())
        out[m.id] = matching.Mentor(
            id=m.reference,
            kind=KINDS[m.kind],
            capacity=m.capacity,
            home_district=codes[m.home_district_id],
            travel_districts=frozenset(travel[m.id]),
            skills=frozenset((skills[m.id] - {"domestic_abuse"}) | trained),
            languages=frozenset(m.languages),
            availability=frozenset(m.availability),
            gender=m.gender,
            domestic_abuse_trained="domestic_abuse" in trained,
            conflicts=frozenset(conflicts[m.id]),
        )
    return out


def engine_families(
    session: Session, family_ids: set[int], *, on: date, codes: dict[int, str]
) -> dict[int, matching.Family]:
    """Turn family rows into the engine's families (a fixed number of queries)."""
    ids = sorted(family_ids)
    if not ids:
        return {}
    needs = _need_codes(session)
    rows = session.exec(select(Family).where(col(Family.id).in_(ids))).all()
    family_needs = _sets(session, FamilyNeed.family_id, FamilyNeed.need_id, ids, needs)
    criteria: dict[int, int] = dict(
        session.exec(
            select(FamilyCriterion.family_id, sa.func.count())
            .where(col(FamilyCriterion.family_id).in_(ids))
            .group_by(col(FamilyCriterion.family_id))
        ).all()
    )
    held: dict[int, set[str]] = defaultdict(set)
    for fid, slot in session.exec(
        select(Match.family_id, Match.slot).where(
            col(Match.family_id).in_(ids),
            col(Match.status).in_(HOLDING),
        )
    ).all():
        held[fid].add(slot)
    history = handover_history(session, [saved_id(f) for f in rows if f.needs_handover])
    out = {}
    for f in rows:
        assert f.id is not None  # noqa: S101
        out[f.id] = matching.Family(
            id=f.reference,
            district=codes[f.district_id],
            needs=frozenset(family_needs[f.id]),
            languages=frozenset(f.languages),
            availability=frozenset(f.availability),
            tranche=f.tranche or 3,
            waiting_days=family_days_waiting(f, on),
            criteria_met=criteria.get(f.id, 0),
            domestic_abuse=f.risk_domestic_abuse,
            wants_role_model=f.wants_role_model and Slot.ROLE_MODEL.value not in held[f.id],
            needs_mentor=Slot.MENTOR.value not in held[f.id],
            gender_preference=matching.Preference(f.gender_preference, f.gender_required)
            if f.gender_preference
            else None,
            language_preference=matching.Preference(f.language_preference, f.language_required)
            if f.language_preference
            else None,
            history=tuple(history.get(f.id, ())),
        )
    return out


def handover_history(session: Session, family_ids: list[int]) -> dict[int, list[str]]:
    """Say, for families needing a handover, who their last mentor was and why it ended."""
    if not family_ids:
        return {}
    rows = session.exec(
        select(Match.family_id, Mentor.reference, col(Match.end_reason), col(Match.ended_on))
        .join(Mentor, col(Mentor.id) == Match.mentor_id)
        .where(col(Match.family_id).in_(family_ids), Match.status == MatchStatus.ENDED.value)
        .order_by(col(Match.ended_on))
    ).all()
    out: dict[int, list[str]] = {}
    for fid, ref, reason, ended in rows:
        label = EndReason(reason).label if reason in EndReason.values() else "ended"
        out[fid] = [
            f"Needs handover: previous mentor {ref} ended on {ended:%-d %B %Y} ({label.lower()})"
        ]
    return out


def others_open_proposals(
    session: Session, family_ids: set[int], actor_id: int
) -> dict[tuple[int, str], int | None]:
    """Return the family slots with an undecided proposal someone else made, with its run."""
    if not family_ids:
        return {}
    rows = session.exec(
        select(Match.family_id, Match.slot, Match.run_id).where(
            col(Match.family_id).in_(sorted(family_ids)),
            col(Match.status) == MatchStatus.PROPOSED.value,
            col(Match.created_by_id).is_distinct_from(actor_id),
        )
    ).all()
    return {(fid, slot): run_id for fid, slot, run_id in rows}


def _hold_back(
    families: dict[int, matching.Family], pending: dict[tuple[int, str], int | None]
) -> list[dict[str, Any]]:
    """Take the slots with someone else's open proposal out of the run (in place)."""
    out = []
    for (fid, slot), run_id in sorted(pending.items()):
        family = families.get(fid)
        if family is None:
            continue
        if slot == Slot.MENTOR.value and family.needs_mentor:
            families[fid] = dataclasses.replace(family, needs_mentor=False)
        elif slot == Slot.ROLE_MODEL.value and family.wants_role_model:
            families[fid] = dataclasses.replace(family, wants_role_model=False)
        else:
            continue
        where = f"matching run {run_id}" if run_id else "a coordinator"
        out.append(
            {
                "family": family.id,
                "slot": slot,
                "priority": 0,
                "reasons": [
                    f"Left alone: a proposal from {where} is waiting for a decision "
                    "by the family's coordinator"
                ],
            }
        )
    return out


def build_input(
    *, session: Session, district_ids: set[int], on: date, actor_id: int | None = None
) -> EngineInput:
    """Build the engine's problem for a run over some districts.

    With ``actor_id``, family slots holding someone else's undecided proposal are left
    out of the run (``held_back``): a run never overrides another person's proposals.
    """
    codes, neighbours = _district_maps(session)
    scope = sorted(district_ids)
    family_ids = matching_ready_family_ids(session=session, district_ids=set(scope))
    mentor_ids = mentors_serving(session, scope) & matchable_mentor_ids(session=session, on=on)
    mentors = engine_mentors(session, mentor_ids, on=on, codes=codes)
    families = engine_families(session, family_ids, on=on, codes=codes)
    held_back = (
        _hold_back(families, others_open_proposals(session, family_ids, actor_id))
        if actor_id is not None
        else []
    )
    # Active (and offered) matches of these mentors use their capacity; their
    # families may be outside the run, so capacity is passed as what is left.
    load = load_counts(session, mentor_ids)
    engine_mentor_list = []
    for mid, m in sorted(mentors.items(), key=lambda kv: kv[1].id):
        remaining = m.capacity - load.get(mid, 0)
        if remaining > 0:
            engine_mentor_list.append(_with_capacity(m, remaining))
    problem = matching.Problem(
        mentors=tuple(engine_mentor_list),
        families=tuple(sorted(families.values(), key=lambda f: f.id)),
        weights=matching.Weights(),
        neighbours=neighbours,
    )
    return EngineInput(
        problem=problem,
        mentor_ids={m.id: mid for mid, m in mentors.items()},
        family_ids={f.id: fid for fid, f in families.items()},
        district_codes=codes,
        held_back=held_back,
        held={m.id: load.get(mid, 0) for mid, m in mentors.items()},
        capacity={m.id: m.capacity for m in mentors.values()},
    )


LOAD_LINE = "Mentor's families after this run: "


def load_line(*, held: int, new: int, capacity: int) -> str:
    """The explanation's load line: slots held (offered, accepted, active) plus this run's."""
    return f"{LOAD_LINE}{held + new} of {capacity}"


def _with_capacity(mentor: matching.Mentor, capacity: int) -> matching.Mentor:
    return dataclasses.replace(mentor, capacity=capacity)


def _rule_message(code: str, mentor: Mentor, family: Family, slot: str) -> str:
    """Say in words which of the engine's hard rules (`matching.RULES`) a pair breaks."""
    if code == "slot":
        if slot == Slot.MENTOR.value and mentor.kind == MentorKind.ROLE_MODEL.value:
            return "A former-participant role model cannot fill the mentor slot"
        if slot == Slot.ROLE_MODEL.value and mentor.kind == MentorKind.VOLUNTEER.value:
            return "A volunteer mentor cannot fill the role model slot"
        if slot == Slot.ROLE_MODEL.value:
            return f"{family.reference} has not asked for a role model"
        return f"{family.reference} does not need a mentor"
    return {
        "district": f"{mentor.reference} does not cover the family's district "
        "(home, neighbouring or travel districts)",
        "domestic_abuse": "The family has a domestic abuse risk and "
        f"{mentor.reference} has no in-date domestic abuse training",
        "gender_required": "The family requires a mentor of a different gender",
        "language_required": "The family requires a language the mentor does not speak",
        "conflict": "A conflict of interest is recorded between this mentor and family",
    }.get(code, f"The matching rules do not allow this pair ({code})")


def pair_rule_problems(
    *, session: Session, mentor: Mentor, family: Family, slot: str, on: date
) -> list[str]:
    """Say which rules a (mentor, family, slot) breaks: vetting, readiness, the engine's rules.

    The engine's hard rules are judged by `matching.rule_failures`, the same
    function the optimiser uses, so a hand assignment meets exactly the rules a
    proposal does. Capacity and slots already taken are checked on approval.
    """
    assert mentor.id is not None and family.id is not None  # noqa: S101
    problems: list[str] = []
    gate = check_gate(session=session, mentor_id=mentor.id, on=on)
    if not gate.matchable:
        # Which check is missing is for provider staff (it may be DBS information).
        problems.append(
            f"{mentor.reference} is not cleared to mentor at the moment "
            "(the mentoring provider can say why)"
        )
    if family.id not in matching_ready_family_ids(
        session=session, district_ids={family.district_id}
    ):
        problems.append(
            f"{family.reference} is not ready for matching "
            "(check eligibility, consent and engagement)"
        )
    codes, neighbours = _district_maps(session)
    em = engine_mentors(session, {mentor.id}, on=on, codes=codes)[mentor.id]
    ef = engine_families(session, {family.id}, on=on, codes=codes)[family.id]
    # A hand assignment may fill the mentor slot whatever the run thought it needed.
    if slot == Slot.MENTOR.value:
        ef = dataclasses.replace(ef, needs_mentor=True)
    failures = matching.rule_failures(
        em, ef, SLOT_NAMES[slot], matching.symmetric_neighbours(neighbours)
    )
    problems.extend(_rule_message(code, mentor, family, slot) for code in failures)
    return problems


def proposal_problems(
    *, session: Session, proposals: list[Match], on: date
) -> dict[int, list[str]]:
    """Say, for each open proposal, what changed since the run that makes it stale."""
    if not proposals:
        return {}
    mentors = {
        m.id: m
        for m in session.exec(
            select(Mentor).where(col(Mentor.id).in_({p.mentor_id for p in proposals}))
        ).all()
    }
    families = {
        f.id: f
        for f in session.exec(
            select(Family).where(col(Family.id).in_({p.family_id for p in proposals}))
        ).all()
    }
    matchable = matchable_mentor_ids(session=session, on=on)
    ready = matching_ready_family_ids(
        session=session, district_ids={f.district_id for f in families.values()}
    )
    counts = load_counts(session, [saved_id(m) for m in mentors.values()])
    held = set(
        session.exec(
            select(Match.family_id, Match.slot).where(
                col(Match.family_id).in_(list(families)),
                col(Match.status).in_(HOLDING),
            )
        ).all()
    )
    out: dict[int, list[str]] = {}
    for p in proposals:
        mentor, family = mentors[p.mentor_id], families[p.family_id]
        problems = []
        if p.mentor_id not in matchable:
            problems.append(f"{mentor.reference} is no longer cleared to mentor")
        if p.family_id not in ready:
            problems.append(
                f"{family.reference} is no longer ready (consent or engagement changed)"
            )
        if (p.family_id, p.slot) in held:
            problems.append(f"{family.reference} already has a {p.slot.replace('_', ' ')}")
        if counts.get(p.mentor_id, 0) >= mentor.capacity:
            problems.append(f"{mentor.reference} is now full")
        out[saved_id(p)] = problems
    return out
